//! Quick smoke of the main paths.
#![deny(warnings)]

use core::pin::pin;
use coroutine::{Coroutine, CoroutineState, yield_, yield_from};

#[coroutine::coroutine(yield = u32)]
fn countdown(from: u32) -> &'static str {
    for i in (1..=from).rev() {
        yield_!(i);
    }
    "liftoff"
}

#[coroutine::coroutine(yield = i64)]
fn running_sum(#[resume] first: i64) -> ! {
    let (mut total, mut x) = (0, first);
    loop {
        total += x;
        x = yield_!(total);
    }
}

#[coroutine::coroutine(yield = usize)]
fn borrow() -> String {
    let s = String::from("hello");
    let borrowed = &s;
    yield_!(borrowed.len());
    format!("{borrowed}")
}

#[coroutine::coroutine(yield = u32)]
fn delegating() -> (&'static str, u32) {
    let r = yield_from!(countdown(2));
    println!("{}", yield_!(99) == ());
    (r, 7)
}

#[test]
fn smoke() {
    assert_eq!(countdown(3).into_iter().collect::<Vec<_>>(), [3, 2, 1]);
    let mut s = pin!(running_sum());
    assert_eq!(s.as_mut().resume(5), CoroutineState::Yielded(5));
    assert_eq!(s.as_mut().resume(10), CoroutineState::Yielded(15));
    let mut b = pin!(borrow());
    assert_eq!(b.as_mut().resume(()), CoroutineState::Yielded(5));
    assert_eq!(
        b.as_mut().resume(()),
        CoroutineState::Complete("hello".to_string())
    );
    let mut it = delegating().into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [2, 1, 99]);
    assert_eq!(it.take_return(), Some(("liftoff", 7)));
}
