//! A tour of `#[coroutine::coroutine]`: iteration, a resume argument, a borrow held
//! across a yield, delegation, and a coroutine driven as a future.
//!
//! Run it with `cargo run --example tour`.

use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::future::Future;

use coroutine::{Coroutine, CoroutineState, yield_, yield_from};

/// Counts down, then completes with a message.
#[coroutine::coroutine(yield = u32)]
fn countdown(from: u32) -> &'static str {
    for i in (1..=from).rev() {
        yield_!(i);
    }
    "liftoff"
}

/// Each resume argument is added to a running total, which is yielded back.
#[coroutine::coroutine(yield = i64)]
fn running_sum(#[resume] first: i64) -> ! {
    let (mut total, mut x) = (0, first);
    loop {
        total += x;
        x = yield_!(total); // evaluates to the next resume argument
    }
}

/// A borrow of a local held across a yield: the coroutine is self-referential.
#[coroutine::coroutine(yield = usize)]
fn borrow_across_yield() {
    let s = String::from("borrowed across a yield");
    let borrowed = &s;
    yield_!(borrowed.len());
    println!("  still valid after resuming: {borrowed:?}");
}

/// Runs `countdown` inside this coroutine, then yields one more.
#[coroutine::coroutine(yield = u32)]
fn twice() -> (&'static str, &'static str) {
    let first = yield_from!(countdown(2));
    let second = yield_from!(Box::pin(countdown(1)));
    (first, second)
}

/// Yielding `()` makes a coroutine a future: each `yield_!()` lets others run.
#[coroutine::coroutine]
fn cooperative(steps: u32) -> u32 {
    for _ in 0..steps {
        yield_!();
    }
    steps
}

fn main() {
    println!("countdown(3), iterated:");
    let mut it = countdown(3).into_iter();
    for n in it.by_ref() {
        println!("  {n}");
    }
    println!("  returned {:?}", it.take_return());

    println!("running_sum, resumed with 5, 10, -3:");
    let mut sum = pin!(running_sum());
    for arg in [5, 10, -3] {
        // `Return` is `Infallible` (`-> !`), so `Yielded` is the only possible state.
        let CoroutineState::Yielded(total) = sum.as_mut().resume(arg);
        println!("  resume({arg}) -> {total}");
    }

    println!("borrow_across_yield:");
    let mut b = pin!(borrow_across_yield());
    assert_eq!(b.as_mut().resume(()), CoroutineState::Yielded(23));
    println!("  yielded the length 23");
    assert_eq!(b.as_mut().resume(()), CoroutineState::Complete(()));

    println!("twice (yield_from!), stack-pinned, no allocation to iterate:");
    let mut c = pin!(twice());
    let mut it = c.as_mut().iter();
    println!("  yields {:?}", it.by_ref().collect::<Vec<_>>());
    println!("  returned {:?}", it.take_return());

    println!("cooperative(3) polled as a future:");
    let mut fut = pin!(cooperative(3));
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 1;
    while fut.as_mut().poll(&mut cx) == Poll::Pending {
        polls += 1;
    }
    println!("  ready after {polls} polls");
}
