//! Uses coroutines through `facade::co` only (no direct dependency on `coroutine`), with
//! `core`, `std`, `Option` and `Box` shadowed and no implicit prelude: the expansion
//! must name everything through `crate = path`.
#![no_implicit_prelude]
#![deny(warnings, unsafe_code)]

extern crate facade;
extern crate std as real_std;

/// Shadows the `core` crate for bare `core::` paths.
pub mod core {}
/// Shadows the `std` crate for bare `std::` paths.
pub mod std {}

/// A type named like the prelude's.
#[derive(Debug)]
pub struct Option;
/// A type named like the prelude's.
#[derive(Debug)]
pub struct Box;

use facade::co::yield_;

/// Yields `n, n-1, ..., 1`.
#[facade::co::coroutine(yield = u32, crate = facade::co)]
pub fn countdown(n: u32) -> u32 {
    let mut i = n;
    while i > 0 {
        yield_!(i);
        i -= 1;
    }
    n
}

/// Delegates and resumes with arguments, through the re-export.
#[facade::co::coroutine(yield = u64, crate = ::facade::co)]
pub fn doubled(#[resume] first: u64) -> u64 {
    let second = facade::co::yield_!(first * 2);
    let third: u64 = facade::co::yield_from!(inner(), second);
    third
}

#[facade::co::coroutine(yield = u64, crate = facade::co)]
fn inner(#[resume] x: u64) -> u64 {
    yield_!(x + 1)
}

#[cfg(test)]
mod tests {
    use super::{countdown, doubled};
    use crate::real_std::iter::{IntoIterator, Iterator};
    use crate::real_std::{assert_eq, pin::pin, vec::Vec};
    use ::facade::co::{Coroutine, CoroutineState};

    #[test]
    fn works_through_a_reexport_with_core_and_std_shadowed() {
        let mut it = countdown(3).into_iter();
        assert_eq!(it.by_ref().collect::<Vec<_>>(), [3, 2, 1]);
        assert_eq!(it.take_return(), ::core::option::Option::Some(3));

        let mut d = pin!(doubled());
        assert_eq!(d.as_mut().resume(5), CoroutineState::Yielded(10));
        assert_eq!(d.as_mut().resume(7), CoroutineState::Yielded(8));
        assert_eq!(d.as_mut().resume(9), CoroutineState::Complete(9));
    }
}
