//! Drops, panics and misuse: what the contract defines, asserted exactly.
#![deny(warnings)]

use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use coroutine::{Coroutine, CoroutineState, yield_};
use tests::pending_once;

type Log = Rc<RefCell<Vec<String>>>;

/// Records its drop in the log.
struct Noisy(&'static str, Log);

impl Drop for Noisy {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0.to_string());
    }
}

#[coroutine::coroutine]
fn with_locals(log: Log, param: Noisy) {
    let _a = Noisy("a", log.clone());
    let b = Noisy("b", log.clone());
    yield_!();
    drop(b);
    let _c = Noisy("c", log.clone());
    yield_!();
    let _d = Noisy("d", log);
    let _ = param;
}

/// The same body as an `async fn`, with each `yield_!()` replaced by a pending point.
async fn with_locals_async(log: Log, param: Noisy) {
    let _a = Noisy("a", log.clone());
    let b = Noisy("b", log.clone());
    pending_once().await;
    drop(b);
    let _c = Noisy("c", log.clone());
    pending_once().await;
    let _d = Noisy("d", log);
    let _ = param;
}

/// Drop logs after `steps` resumes/polls and then dropping: ours, then the `async fn`.
fn drop_logs(steps: usize) -> (Vec<String>, Vec<String>) {
    let ours: Log = Log::default();
    {
        let mut c = pin!(with_locals(ours.clone(), Noisy("param", ours.clone())));
        for _ in 0..steps {
            c.as_mut().resume(());
        }
    }
    let theirs: Log = Log::default();
    {
        let mut f = pin!(with_locals_async(
            theirs.clone(),
            Noisy("param", theirs.clone())
        ));
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..steps {
            let _ = f.as_mut().poll(&mut cx);
        }
    }
    let ours = ours.borrow().clone();
    let theirs = theirs.borrow().clone();
    (ours, theirs)
}

#[test]
fn dropping_a_suspended_coroutine_drops_each_live_local_once_in_async_fn_order() {
    let expected: [&[&str]; 4] = [
        &["param"],                     // never resumed: only the moved-in parameter
        &["b", "a", "param"],           // at the first yield
        &["b", "c", "a", "param"],      // at the second yield (`b` dropped before it)
        &["b", "d", "c", "a", "param"], // completed
    ];
    for (steps, expected) in expected.iter().enumerate() {
        let (ours, theirs) = drop_logs(steps);
        assert_eq!(ours, *expected, "after {steps} resumes");
        assert_eq!(ours, theirs, "after {steps} resumes, same as the async fn");
    }
}

#[coroutine::coroutine(yield = u8)]
fn panics_at_second_resume(log: Log) -> u8 {
    let _a = Noisy("a", log.clone());
    yield_!(1);
    let _b = Noisy("b", log);
    panic!("boom in the body");
}

#[test]
fn a_panic_drops_live_locals_and_later_resumes_panic_with_a_clear_message() {
    let log = Log::default();
    let mut c = pin!(panics_at_second_resume(log.clone()));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
    let err = catch_unwind(AssertUnwindSafe(|| c.as_mut().resume(()))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"boom in the body"));
    assert_eq!(*log.borrow(), ["b", "a"], "dropped during unwinding");
    let err = catch_unwind(AssertUnwindSafe(|| c.as_mut().resume(()))).unwrap_err();
    let message = err.downcast_ref::<&str>().copied().unwrap_or_default();
    assert_eq!(message, "coroutine resumed after panicking");
    assert_eq!(log.borrow().len(), 2, "nothing dropped twice");
}

/// Panics in its second step: after a yield (`at_await: false`) or after an await
/// that was not ready (`true`).
#[coroutine::coroutine(yield = u8)]
async fn async_panics_at_second_step(log: Log, at_await: bool) -> u8 {
    let _a = Noisy("a", log.clone());
    if at_await {
        pending_once().await;
    } else {
        yield_!(1);
    }
    let _b = Noisy("b", log);
    panic!("boom in the async body");
}

#[test]
fn an_async_coroutine_resumed_after_its_body_panicked_panics_with_a_clear_message() {
    let mut cx = Context::from_waker(Waker::noop());
    for at_await in [false, true] {
        let log = Log::default();
        let mut c = pin!(async_panics_at_second_step(log.clone(), at_await));
        let first = pin!(c.as_mut().resume(())).poll(&mut cx);
        let expected = if at_await {
            Poll::Pending
        } else {
            Poll::Ready(CoroutineState::Yielded(1))
        };
        assert_eq!(first, expected, "at_await: {at_await}");
        let err = catch_unwind(AssertUnwindSafe(|| {
            pin!(c.as_mut().resume(())).poll(&mut cx)
        }))
        .unwrap_err();
        assert_eq!(err.downcast_ref::<&str>(), Some(&"boom in the async body"));
        assert_eq!(*log.borrow(), ["b", "a"], "dropped during unwinding");
        // The body's own state machine reports it, in the words of an `async fn`: an
        // async step does not mark itself (see `Body::step`).
        let err = catch_unwind(AssertUnwindSafe(|| {
            pin!(c.as_mut().resume(())).poll(&mut cx)
        }))
        .unwrap_err();
        let message = err.downcast_ref::<&str>().copied().unwrap_or_default();
        assert_eq!(
            message, "`async fn` resumed after panicking",
            "at_await: {at_await}"
        );
        assert_eq!(log.borrow().len(), 2, "nothing dropped twice");
    }
}

/// Takes `Noisy` arguments, and panics in its second step.
#[coroutine::coroutine(yield = u8)]
async fn async_panics_taking_arguments(#[resume] first: Noisy) {
    drop(first);
    let _second = yield_!(1);
    panic!("boom after the second argument");
}

#[test]
fn an_argument_sent_to_an_async_coroutine_whose_body_panicked_is_dropped() {
    let log = Log::default();
    let mut cx = Context::from_waker(Waker::noop());
    let mut c = pin!(async_panics_taking_arguments());
    let first = pin!(c.as_mut().resume(Noisy("first", log.clone()))).poll(&mut cx);
    assert_eq!(first, Poll::Ready(CoroutineState::Yielded(1)));
    let second = Noisy("second", log.clone());
    let err = catch_unwind(AssertUnwindSafe(|| {
        pin!(c.as_mut().resume(second)).poll(&mut cx)
    }))
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"boom after the second argument")
    );
    // The body panicked again: the argument it never took is dropped as the step
    // unwinds, not leaked.
    let third = Noisy("third", log.clone());
    let err = catch_unwind(AssertUnwindSafe(|| {
        pin!(c.as_mut().resume(third)).poll(&mut cx)
    }))
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"`async fn` resumed after panicking")
    );
    assert_eq!(*log.borrow(), ["first", "second", "third"]);
}

#[coroutine::coroutine(yield = u8)]
fn one_yield() -> &'static str {
    yield_!(1);
    "done"
}

#[test]
#[should_panic(expected = "resumed after completion")]
fn resume_after_completion_panics() {
    let mut c = pin!(one_yield());
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete("done"));
    c.as_mut().resume(());
}

#[test]
#[should_panic(expected = "resumed after completion")]
fn polling_the_future_after_completion_panics() {
    #[coroutine::coroutine]
    fn unit() {}
    let mut f = pin!(unit());
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(f.as_mut().poll(&mut cx), Poll::Ready(()));
    let _ = f.as_mut().poll(&mut cx);
}

#[test]
fn dropping_a_coroutine_that_never_started_drops_its_arguments_once() {
    let log = Log::default();
    drop(with_locals(log.clone(), Noisy("param", log.clone())));
    assert_eq!(*log.borrow(), ["param"]);
}

/// A `macro_rules!` whose *definition* holds `.await` cannot be seen through by the
/// attribute; a sync coroutine awaiting a future that is not ready panics, clearly.
macro_rules! await_hidden {
    ($e:expr) => {
        $e.await
    };
}

#[coroutine::coroutine]
fn sync_coroutine_that_awaits() {
    await_hidden!(pending_once());
}

#[test]
#[should_panic(expected = "a synchronous coroutine awaited a future that was not ready")]
fn a_sync_coroutine_awaiting_a_pending_future_panics_with_a_clear_message() {
    let mut c = pin!(sync_coroutine_that_awaits());
    c.as_mut().resume(());
}
