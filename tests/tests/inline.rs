//! `co!`: coroutines written inline, from closures and `async` blocks.
#![deny(warnings)]

use std::cell::RefCell;
use std::fmt::Debug;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use coroutine::{Coroutine, CoroutineState, co, yield_, yield_from};
use futures::StreamExt;

#[test]
fn a_closure_borrows_its_environment_and_the_borrows_are_checked() {
    let words = vec!["a", "b"];
    let prefix = String::from("> ");
    let lines = co!(|| for w in &words {
        yield_!(format!("{prefix}{w}"));
    });
    assert_eq!(lines.into_iter().collect::<Vec<_>>(), ["> a", "> b"]);
    // Borrowed, not moved: both are still here.
    assert_eq!((words.len(), prefix.as_str()), (2, "> "));
}

#[test]
fn a_move_closure_takes_its_environment() {
    fn numbers(v: Vec<u32>) -> impl Coroutine<Yield = u32, Return = usize> {
        co!(move || {
            for &x in &v {
                yield_!(x);
            }
            v.len()
        })
    }
    let mut it = coroutine::Iter::new(Box::pin(numbers(vec![3, 4])));
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [3, 4]);
    assert_eq!(it.take_return(), Some(2));
}

#[test]
fn the_closure_parameter_binds_the_first_resume_argument() {
    let mut sum = pin!(co!(|first: i64| {
        let (mut total, mut x) = (0, first);
        loop {
            total += x;
            x = yield_!(total);
        }
    }));
    assert_eq!(sum.as_mut().resume(5), CoroutineState::Yielded(5));
    assert_eq!(sum.as_mut().resume(10), CoroutineState::Yielded(15));
    // The parameter's type is inferred too.
    let mut echo = pin!(co!(|first| {
        let second: u8 = yield_!(first);
        second
    }));
    assert_eq!(echo.as_mut().resume(1u8), CoroutineState::Yielded(1));
    assert_eq!(echo.as_mut().resume(2), CoroutineState::Complete(2));
}

#[test]
fn return_the_tail_and_question_mark_complete_it() {
    let parse = |inputs: Vec<&'static str>| {
        co!(move || -> Result<u32, std::num::ParseIntError> {
            let mut sum = 0;
            for s in inputs {
                if s == "stop" {
                    return Ok(sum);
                }
                let n: u32 = s.parse()?;
                sum += n;
                yield_!(n);
            }
            Ok(sum)
        })
    };
    let mut it = parse(vec!["1", "2", "stop", "3"]).into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(it.take_return(), Some(Ok(3)));
    let mut it = parse(vec!["1", "x"]).into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [1]);
    assert!(it.take_return().unwrap().is_err());
}

#[test]
fn the_yield_type_is_inferred_or_written() {
    let mut c = pin!(co!(|| {
        yield_!(1u16);
        yield_!(2);
    }));
    assert_eq!(c.as_mut().iter().collect::<Vec<u16>>(), [1, 2]);
    // Written where a coercion needs it.
    let boxed = co!(yield = Box<dyn Debug>, || {
        yield_!(Box::new(1));
        yield_!(Box::new("two"));
    });
    let shown: Vec<String> = boxed.into_iter().map(|b| format!("{b:?}")).collect();
    assert_eq!(shown, ["1", "\"two\""]);
    // No yield at all: a coroutine of `()`.
    let mut nothing = pin!(co!(|| 7));
    assert_eq!(nothing.as_mut().resume(()), CoroutineState::Complete(7));
}

#[test]
fn it_is_a_stream_and_a_future() {
    futures::executor::block_on(async {
        let s = pin!(co!(|| {
            yield_!(1);
            yield_!(2);
        }));
        assert_eq!(s.collect::<Vec<i32>>().await, [1, 2]);
        let steps = co!(|| {
            yield_!();
            yield_!();
            "done"
        });
        assert_eq!(steps.await, "done");
    });
}

#[test]
fn an_async_block_may_await_and_is_a_stream_future_and_resumable() {
    futures::executor::block_on(async {
        let base = 10;
        let s = pin!(co!(async {
            for i in 0..3 {
                let x = async { i * 2 }.await;
                yield_!(base + x);
            }
        }));
        assert_eq!(s.collect::<Vec<i32>>().await, [10, 12, 14]);

        let work = co!(async move {
            yield_!();
            async { 5 }.await
        });
        assert_eq!(work.await, 5);

        let mut greeter = pin!(co!(async move |name: &'static str| {
            let mut name = name;
            loop {
                let greeting = async { format!("hello {name}") }.await;
                name = yield_!(greeting);
            }
        }));
        assert_eq!(
            greeter.as_mut().resume("ann").await,
            CoroutineState::Yielded("hello ann".to_string())
        );
        assert_eq!(
            greeter.as_mut().resume("bob").await,
            CoroutineState::Yielded("hello bob".to_string())
        );
    });
}

type Log = Rc<RefCell<Vec<&'static str>>>;

struct Noisy(&'static str, Log);

impl Drop for Noisy {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

#[test]
fn locals_drop_as_in_the_equivalent_async_block() {
    fn run(drop_after: usize, inline: bool) -> Vec<&'static str> {
        let log = Log::default();
        let captured = Noisy("captured", log.clone());
        {
            let l = log.clone();
            let mut c: std::pin::Pin<Box<dyn Future<Output = ()>>> = if inline {
                Box::pin(co!(move || {
                    let _keep = &captured;
                    let _a = Noisy("a", l.clone());
                    yield_!();
                    let _b = Noisy("b", l.clone());
                    yield_!();
                }))
            } else {
                let mut pending = [true, true];
                Box::pin(async move {
                    let _keep = &captured;
                    let _a = Noisy("a", l.clone());
                    std::future::poll_fn(|_| {
                        pending[0]
                            .then(|| pending[0] = false)
                            .map_or(Poll::Ready(()), |()| Poll::Pending)
                    })
                    .await;
                    let _b = Noisy("b", l.clone());
                    std::future::poll_fn(|_| {
                        pending[1]
                            .then(|| pending[1] = false)
                            .map_or(Poll::Ready(()), |()| Poll::Pending)
                    })
                    .await;
                })
            };
            let mut cx = Context::from_waker(Waker::noop());
            for _ in 0..drop_after {
                let _ = c.as_mut().poll(&mut cx);
            }
        }
        log.take()
    }
    for steps in 0..=3 {
        assert_eq!(
            run(steps, true),
            run(steps, false),
            "dropped after {steps} polls"
        );
    }
}

#[test]
fn send_is_inferred() {
    fn is_send<T: Send>(_: &T) {}
    let shared = std::sync::Arc::new(5);
    let c = co!(move || {
        yield_!(*shared);
    });
    is_send(&c);
    // Not `Send` once it holds an `Rc` across a yield: `tests/ui` checks that it fails.
}

#[test]
fn yield_from_delegates_to_and_from_it() {
    let inner = |lo: u32| {
        co!(move || {
            yield_!(lo);
            yield_!(lo + 1);
            2
        })
    };
    let outer = co!(move || {
        let a = yield_from!(inner(0));
        let b = yield_from!(Box::pin(inner(10)));
        a + b
    });
    let mut it = outer.into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [0, 1, 10, 11]);
    assert_eq!(it.take_return(), Some(4));

    #[coroutine::coroutine(yield = u32)]
    fn fn_delegating() -> u32 {
        yield_from!(co!(|| {
            yield_!(7u32);
            1
        }))
    }
    assert_eq!(fn_delegating().into_iter().collect::<Vec<_>>(), [7]);
}
