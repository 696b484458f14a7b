//! A `#![no_std]` crate using the coroutine crate with default features off: no
//! allocator, stack-pinned iteration only.

#![no_std]
#![deny(warnings)]

use core::pin::pin;
use coroutine::{Coroutine, CoroutineState, yield_};

/// The Fibonacci numbers below `limit`.
#[coroutine::coroutine(yield = u64)]
pub fn fibonacci(limit: u64) -> usize {
    let (mut a, mut b, mut count) = (0u64, 1u64, 0usize);
    while a < limit {
        yield_!(a);
        (a, b) = (b, a + b);
        count += 1;
    }
    count
}

/// Sums the Fibonacci numbers below `limit` without allocating.
pub fn sum_below(limit: u64) -> (u64, usize) {
    let mut c = pin!(fibonacci(limit));
    let mut sum = 0;
    loop {
        match c.as_mut().resume(()) {
            CoroutineState::Yielded(x) => sum += x,
            CoroutineState::Complete(count) => return (sum, count),
        }
    }
}

/// Iterates through `Gen::iter`, which needs no allocator either.
pub fn count_below(limit: u64) -> usize {
    let mut c = pin!(fibonacci(limit));
    c.as_mut().iter().count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_without_alloc() {
        assert_eq!(super::sum_below(100), (232, 12));
        assert_eq!(super::count_below(100), 12);
    }
}
