//! Attacks on the expansion's internals, written as safe code only: each must end in a
//! defined panic (or work as a plain yield), never in undefined behaviour. The suite runs
//! under `AddressSanitizer` in `.ci/run`. See the `coroutine` crate's "Soundness" docs.
//!
//! The attribute rewrites a `yield_!(v)` found inside another macro's tokens to
//! `yield_!(@__coroutine_internal 'label, yielder, v)`, so a user macro can match those
//! tokens and do anything with the yielder and the label; and `#[doc(hidden)]` items can
//! be named. Everything reachable that way is checked at run time.
#![forbid(unsafe_code)]
#![allow(clippy::items_after_statements)]

use std::cell::RefCell;
use std::future::Future;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use coroutine::__private::Yield;
use coroutine::{Coroutine, CoroutineState, yield_};
use tests::pending_once;

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
    err.downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

const OTHER_COROUTINE: &str =
    "a `yield_!` was polled inside another coroutine than the one it belongs to";
const OUTSIDE_COROUTINE: &str = "a `yield_!` was polled outside the coroutine it belongs to";
const OUTSIDE_BODY: &str =
    "a `yield_!` was polled outside its coroutine's body (it was moved out of it)";
const OTHER_THREAD: &str = "a `yield_!` was polled on another thread than its coroutine's step \
                            (or under a re-made `Context`)";
const AWAITED: &str = "a synchronous coroutine awaited a future that was not ready; \
                       `.await` needs an `async fn` coroutine";

/// Counts how many values were made and dropped.
#[derive(Default)]
struct Tally {
    made: usize,
    dropped: usize,
}

type Shared = Rc<RefCell<Tally>>;

struct Tracked(Shared);

impl Tracked {
    fn new(tally: &Shared) -> Self {
        tally.borrow_mut().made += 1;
        Tracked(tally.clone())
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.borrow_mut().dropped += 1;
    }
}

/// Turns the rewritten `yield_!` back into the bare yield future, which the caller can
/// then poll as it likes (the double-free reproducer, on today's API).
macro_rules! bare_yield {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {
        $y.yield_((), $v)
    };
}

/// `.await` out of the attribute's sight (it rejects a visible `.await` in a sync body).
macro_rules! aw {
    ($e:expr) => {
        $e.await
    };
}

#[coroutine::coroutine(yield = Tracked)]
fn polls_one_yield_twice(tally: Shared) {
    let y = bare_yield!(yield_!(Tracked::new(&tally)));
    let mut y = pin!(y);
    aw!(y.as_mut());
    aw!(y.as_mut());
    aw!(std::future::pending::<()>());
}

#[test]
fn a_yield_polled_twice_hands_its_value_out_once() {
    let tally = Shared::default();
    let mut c = pin!(polls_one_yield_twice(tally.clone()));
    match c.as_mut().resume(()) {
        CoroutineState::Yielded(t) => drop(t),
        CoroutineState::Complete(()) => panic!("must yield"),
    }
    // The completed yield future is polled again: it is still waiting for an argument,
    // and a sync body that waits is a defined panic.
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().resume(());
        }),
        AWAITED
    );
    assert_eq!((tally.borrow().made, tally.borrow().dropped), (1, 1));
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().resume(());
        }),
        "coroutine resumed after panicking"
    );
}

/// A yield future made by one coroutine's yielder, for another to poll.
static STOLEN_YIELD: Mutex<Option<Yield<NonZeroUsize, ()>>> = Mutex::new(None);

macro_rules! steal_yield {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {
        *STOLEN_YIELD.lock().unwrap() = Some($y.yield_((), $v))
    };
}

#[coroutine::coroutine(yield = NonZeroUsize)]
fn lends_a_yield() {
    steal_yield!(yield_!(NonZeroUsize::new(0x1234).unwrap()));
}

/// Would read the stolen `NonZeroUsize` as a `&'static mut u64`.
#[coroutine::coroutine(yield = &'static mut u64)]
fn polls_a_stolen_yield_in_place() {
    let stolen = STOLEN_YIELD.lock().unwrap().take().unwrap();
    let stolen = pin!(stolen);
    aw!(stolen);
}

/// The same, polled where it lies (a box): outside any coroutine's body.
#[coroutine::coroutine(yield = &'static mut u64)]
fn polls_a_stolen_yield_boxed() {
    let stolen = Box::pin(STOLEN_YIELD.lock().unwrap().take().unwrap());
    aw!(stolen);
}

#[test]
fn a_yield_moved_into_a_coroutine_of_other_types_panics_there() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut lender = pin!(lends_a_yield());
    assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    let mut thief = pin!(polls_a_stolen_yield_in_place());
    assert_eq!(
        panic_message(|| {
            let _ = thief.as_mut().resume(());
        }),
        OTHER_COROUTINE
    );

    let mut lender = pin!(lends_a_yield());
    assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    let mut thief = pin!(polls_a_stolen_yield_boxed());
    assert_eq!(
        panic_message(|| {
            let _ = thief.as_mut().resume(());
        }),
        OUTSIDE_BODY
    );
}

#[test]
fn a_yield_polled_under_a_foreign_waker_panics() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut lender = pin!(lends_a_yield());
    assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    let stolen = STOLEN_YIELD.lock().unwrap().take().unwrap();
    let mut stolen = pin!(stolen);
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(
        panic_message(|| {
            let _ = stolen.as_mut().poll(&mut cx);
        }),
        OUTSIDE_COROUTINE
    );
}

/// The tests sharing `STOLEN_YIELD` run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Re-declares the body's label inside an `async` block, so the dead `break` of the
/// `yield_!` inside compiles there.
macro_rules! relabel {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {
        async move { $l: { coroutine::yield_!(@__coroutine_internal $l, $y, $v) } }
    };
}

#[coroutine::coroutine(yield = u32)]
fn yields_from_a_relabelled_block() -> u32 {
    let block = relabel!(yield_!(7));
    aw!(block);
    1
}

#[test]
fn a_relabelled_yield_awaited_in_its_own_body_is_a_plain_yield() {
    let mut c = pin!(yields_from_a_relabelled_block());
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(7));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(1));
}

thread_local! {
    static STOLEN_BLOCK: RefCell<Option<Pin<Box<dyn Future<Output = ()>>>>> =
        const { RefCell::new(None) };
}

#[coroutine::coroutine(yield = u32)]
fn lends_a_relabelled_block() {
    let block = relabel!(yield_!(7));
    STOLEN_BLOCK.with(|s| *s.borrow_mut() = Some(Box::pin(block)));
}

#[coroutine::coroutine(yield = String)]
fn polls_a_stolen_block() {
    let block = STOLEN_BLOCK.with(|s| s.borrow_mut().take()).unwrap();
    aw!(block);
}

#[test]
fn a_relabelled_yield_polled_elsewhere_panics() {
    let mut lender = pin!(lends_a_relabelled_block());
    assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    let mut thief = pin!(polls_a_stolen_block());
    assert_eq!(
        panic_message(|| {
            let _ = thief.as_mut().resume(());
        }),
        OUTSIDE_BODY
    );
}

mod named_yield {
    //! A user macro named `yield_` receives the internal tokens directly.
    use super::{OTHER_COROUTINE, panic_message};
    use coroutine::__private::Yielder;
    use coroutine::{Coroutine, CoroutineState};
    use std::cell::RefCell;
    use std::pin::pin;

    thread_local! {
        static STOLEN_YIELDER: RefCell<Option<Yielder<u64, ()>>> = const { RefCell::new(None) };
    }

    macro_rules! yield_ {
        // A `yield_!` written directly in the body gets the guard-free arm; one in
        // another macro's tokens the labeled one.
        (@__coroutine_direct $y:ident, $v:expr) => {{
            let _ = $v;
            STOLEN_YIELDER.with(|s| *s.borrow_mut() = Some($y));
        }};
        (@__coroutine_internal $l:lifetime, $y:ident, $v:expr) => {{
            let _ = $v;
            STOLEN_YIELDER.with(|s| *s.borrow_mut() = Some($y));
        }};
    }

    macro_rules! aw {
        ($e:expr) => {
            $e.await
        };
    }

    #[coroutine::coroutine(yield = u64)]
    fn gives_its_yielder_away() {
        yield_!(1);
    }

    #[coroutine::coroutine(yield = u64)]
    fn yields_with_a_stolen_yielder() {
        let yielder = STOLEN_YIELDER.with(|s| s.borrow_mut().take()).unwrap();
        aw!(yielder.yield_((), 5));
    }

    #[test]
    fn a_stolen_yielder_is_useless_elsewhere() {
        let mut lender = pin!(gives_its_yielder_away());
        assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
        let mut thief = pin!(yields_with_a_stolen_yielder());
        assert_eq!(
            panic_message(|| {
                let _ = thief.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );
    }
}

/// Hands the bare yield future to the body, for it to lend to another thread.
macro_rules! yield_on_another_thread {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {{
        let y = $y.yield_((), $v);
        let mut y = pin!(y);
        aw!(std::future::poll_fn(|cx| {
            let waker = cx.waker();
            std::thread::scope(|s| {
                s.spawn(|| {
                    let _ = y.as_mut().poll(&mut Context::from_waker(waker));
                })
                .join()
            })
            .map_err(|e| e.downcast_ref::<&str>().map(ToString::to_string))
            .map(|()| String::new())
            .map_or_else(|e| Poll::Ready(e.unwrap_or_default()), Poll::Ready)
        }))
    }};
}

#[coroutine::coroutine(yield = u64)]
async fn lends_a_yield_to_a_scoped_thread() -> String {
    yield_on_another_thread!(yield_!(3))
}

#[test]
fn a_yield_polled_on_another_thread_panics_there() {
    let mut c = pin!(lends_a_yield_to_a_scoped_thread());
    let mut cx = Context::from_waker(Waker::noop());
    let mut step = c.as_mut().resume(());
    let out = Pin::new(&mut step).poll(&mut cx);
    assert_eq!(
        out,
        Poll::Ready(CoroutineState::Complete(OTHER_THREAD.to_string()))
    );
}

mod redirected_crate {
    //! `crate = path` naming a "re-exporter" whose `Gen::new` keeps the body for itself.
    #![forbid(unsafe_code)]
    use super::{OTHER_COROUTINE, OUTSIDE_COROUTINE, panic_message};
    use coroutine::Coroutine;
    use std::future::Future;
    use std::marker::PhantomData;
    use std::pin::pin;
    use std::task::{Context, Waker};

    pub mod fake {
        pub use coroutine::yield_;

        /// What the fn "returns": the raw body.
        pub struct Gen<F, Y, A>(pub F, pub super::PhantomData<fn(A) -> Y>);

        pub mod __private {
            pub use coroutine::__private::{Future, Identity, Yielder};

            pub struct Gen;

            impl Gen {
                #[allow(clippy::new_ret_no_self, reason = "the expansion calls it so")]
                pub fn new<F, Y, A>(_: Identity<Y, A>, body: F) -> super::Gen<F, Y, A> {
                    super::Gen(body, super::super::PhantomData)
                }
            }
        }
    }

    /// Would hand out a `&'static [u8; 4096]` made from anything.
    #[coroutine::coroutine(yield = &'static [u8; 4096], crate = fake)]
    fn forger() {
        fake::yield_!(&[0; 4096]);
    }

    #[coroutine::coroutine(yield = usize)]
    fn polls_the_raw_body<F: Future<Output = ()>>(body: F) {
        let body = pin!(body);
        aw!(body);
    }

    #[test]
    fn a_raw_body_polled_anywhere_else_panics() {
        let fake::Gen(body, _) = forger();
        let mut body = Box::pin(body);
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(
            panic_message(|| {
                let _ = body.as_mut().poll(&mut cx);
            }),
            OUTSIDE_COROUTINE
        );

        let fake::Gen(body, _) = forger();
        let mut host = pin!(polls_the_raw_body(body));
        assert_eq!(
            panic_message(|| {
                let _ = host.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );
    }
}

// ---------------------------------------------------------------------------------------
// Found in the same review: arguments, `poll_resume`, `iter` on a completed coroutine.
// ---------------------------------------------------------------------------------------

/// Records each argument the body receives.
#[coroutine::coroutine(yield = u32)]
async fn records_arguments(seen: Rc<RefCell<Vec<u32>>>, #[resume] first: u32) {
    let mut arg = first;
    loop {
        seen.borrow_mut().push(arg);
        pending_once().await;
        arg = yield_!(arg);
    }
}

#[test]
fn an_argument_sent_while_the_body_is_mid_step_is_handed_back() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut c = pin!(records_arguments(seen.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    // a1 starts the body, which stops at its await: the step is abandoned.
    assert!(pin!(c.as_mut().resume(1)).poll(&mut cx).is_pending());
    // a2's step finishes that one: the body yields 1, and was not at a yield point for 2.
    let mut step = c.as_mut().resume(2);
    assert_eq!(
        Pin::new(&mut step).poll(&mut cx),
        Poll::Ready(CoroutineState::Yielded(1))
    );
    assert_eq!(step.take_arg(), Some(2), "handed back, not lost");
    // a3 reaches the yield point.
    let mut step = c.as_mut().resume(3);
    assert!(Pin::new(&mut step).poll(&mut cx).is_pending());
    assert_eq!(
        Pin::new(&mut step).poll(&mut cx),
        Poll::Ready(CoroutineState::Yielded(3))
    );
    assert_eq!(step.take_arg(), None, "delivered");
    assert_eq!(*seen.borrow(), [1, 3]);
}

/// An argument whose drop panics while armed.
struct PanicsOnDrop(Shared, bool);

impl PanicsOnDrop {
    fn disarm(&mut self) {
        self.1 = false;
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        self.0.borrow_mut().dropped += 1;
        assert!(!self.1, "argument dropped");
    }
}

#[coroutine::coroutine(yield = Tracked)]
async fn yields_tracked(tally: Shared, #[resume] first: PanicsOnDrop) {
    let mut arg = first;
    loop {
        arg.disarm();
        pending_once().await;
        arg = yield_!(Tracked::new(&tally));
    }
}

#[test]
fn a_handed_back_argument_whose_drop_panics_leaks_nothing() {
    let tally = Shared::default();
    let args = Shared::default();
    {
        let mut c = pin!(yields_tracked(tally.clone()));
        let mut cx = Context::from_waker(Waker::noop());
        let first = PanicsOnDrop(args.clone(), true);
        assert!(pin!(c.as_mut().resume(first)).poll(&mut cx).is_pending());
        let mut step = c.as_mut().resume(PanicsOnDrop(args.clone(), true));
        let Poll::Ready(CoroutineState::Yielded(value)) = Pin::new(&mut step).poll(&mut cx) else {
            panic!("must yield");
        };
        // The step handed its argument back: dropping it panics here, not in the step.
        assert_eq!(panic_message(|| drop(step)), "argument dropped");
        drop(value);
    }
    assert_eq!((tally.borrow().made, tally.borrow().dropped), (1, 1));
    assert_eq!(
        args.borrow().dropped,
        2,
        "the handed-back one, then the body's"
    );
}

#[test]
fn poll_resume_without_an_argument_where_one_is_awaited_is_a_clear_panic() {
    use coroutine::AsyncCoroutine;
    const MISSING: &str = "a coroutine step without a resume argument (`poll_resume` with \
                           `&mut None`) while the coroutine waits for one, at its start or \
                           at a yield point";
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut c = pin!(records_arguments(seen.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().poll_resume(&mut cx, &mut None);
        }),
        MISSING
    );
    // The coroutine is not poisoned: it starts when given its argument.
    let mut arg = Some(1);
    assert!(c.as_mut().poll_resume(&mut cx, &mut arg).is_pending());
    assert_eq!(arg, None);
    // Mid-step, polling on without an argument is right.
    assert_eq!(
        c.as_mut().poll_resume(&mut cx, &mut None),
        Poll::Ready(CoroutineState::Yielded(1))
    );
    // At the yield point, an argument is needed again.
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().poll_resume(&mut cx, &mut None);
        }),
        MISSING
    );
    assert_eq!(*seen.borrow(), [1]);
}

#[coroutine::coroutine(yield = u8)]
fn one_two() -> &'static str {
    yield_!(1);
    yield_!(2);
    "end"
}

#[test]
fn iterating_a_completed_coroutine_yields_nothing_as_its_stream_does() {
    let mut c = pin!(one_two());
    assert_eq!(c.as_mut().iter().collect::<Vec<_>>(), [1, 2]);
    let mut it = c.as_mut().iter();
    assert_eq!(it.next(), None);
    assert!(it.is_complete());
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(
        futures_core::Stream::poll_next(c.as_mut(), &mut cx),
        Poll::Ready(None)
    );
}
