//! The `Coroutine` trait and `CoroutineState`, mirroring nightly `core::ops::Coroutine`.

use core::pin::Pin;

/// The result of resuming a coroutine: it either yielded a value and can be resumed
/// again, or it completed with its return value.
///
/// Mirrors nightly `core::ops::CoroutineState`.
///
/// ```
/// use coroutine::CoroutineState;
///
/// let s: CoroutineState<u32, &str> = CoroutineState::Yielded(3);
/// assert_eq!(s, CoroutineState::Yielded(3));
/// assert_ne!(s, CoroutineState::Complete("done"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CoroutineState<Y, R> {
    /// The coroutine suspended with a value.
    Yielded(Y),
    /// The coroutine completed with a return value. Resuming it again panics.
    Complete(R),
}

/// A resumable computation: each [`resume`](Coroutine::resume) runs it to its next
/// `yield_!` (returning [`CoroutineState::Yielded`]) or to its end
/// ([`CoroutineState::Complete`]).
///
/// Mirrors nightly `core::ops::Coroutine`. `R` is the *resume argument* type: the value
/// passed into each `resume`, which the suspended `yield_!` evaluates to.
///
/// Functions marked `#[coroutine::coroutine]` return a value implementing this trait; it
/// can also be implemented by hand.
///
/// ```
/// use coroutine::{Coroutine, CoroutineState, yield_};
/// use core::pin::pin;
///
/// #[coroutine::coroutine(yield = u32)]
/// fn two() -> &'static str {
///     yield_!(1);
///     yield_!(2);
///     "done"
/// }
///
/// let mut c = pin!(two());
/// assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
/// assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(2));
/// assert_eq!(c.as_mut().resume(()), CoroutineState::Complete("done"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sync coroutine resumed with `{R}`",
    label = "not a `Coroutine<{R}>`",
    note = "a sync coroutine delegates with `yield_from!` only to sync coroutines; an `async fn` coroutine can also delegate to async coroutines and streams"
)]
pub trait Coroutine<R = ()> {
    /// The type of the values this coroutine yields.
    type Yield;
    /// The type of the value this coroutine completes with.
    type Return;

    /// Runs the coroutine until it yields or completes.
    ///
    /// # Panics
    ///
    /// Coroutines made by `#[coroutine::coroutine]` panic when resumed after they
    /// completed ("resumed after completion") or after their body panicked ("resumed
    /// after panicking").
    fn resume(self: Pin<&mut Self>, arg: R) -> CoroutineState<Self::Yield, Self::Return>;
}

impl<G: ?Sized + Coroutine<R>, R> Coroutine<R> for Pin<&mut G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline(always)]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> CoroutineState<Self::Yield, Self::Return> {
        G::resume((*self).as_mut(), arg)
    }
}

impl<G: ?Sized + Coroutine<R> + Unpin, R> Coroutine<R> for &mut G {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline(always)]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> CoroutineState<Self::Yield, Self::Return> {
        G::resume(Pin::new(&mut **self), arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: ?Sized + Coroutine<R>, R> Coroutine<R> for Pin<alloc::boxed::Box<G>> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline(always)]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> CoroutineState<Self::Yield, Self::Return> {
        G::resume((*self).as_mut(), arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: ?Sized + Coroutine<R> + Unpin, R> Coroutine<R> for alloc::boxed::Box<G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline(always)]
    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: R) -> CoroutineState<Self::Yield, Self::Return> {
        G::resume(Pin::new(&mut **self), arg)
    }
}
