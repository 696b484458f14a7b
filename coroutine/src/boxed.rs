//! Boxed, type-erased coroutines: what a struct field, a trait object or a collection
//! holds when the coroutines' types differ (each `#[coroutine]` fn has its own).
//!
//! A coroutine's type is `Gen<F, Y, A>` (or `AsyncGen<F, Y, A>`) with `F` the body's
//! unnameable state machine, so a coroutine is named through a trait: `impl Coroutine<A,
//! Yield = Y, Return = R>` in a return type, or a `dyn Coroutine<..>` behind a box. These
//! aliases are the boxes, `Send` or local. A fn declared `-> !` has `Return =
//! Infallible` (`core::convert::Infallible`).
//!
//! An async coroutine without a resume argument is also a `Stream`: box it as one
//! (`Pin<Box<dyn Stream<Item = Y> + Send>>`, `futures::stream::BoxStream`) to consume it
//! with stream combinators; the async aliases here keep the resume argument and the
//! return value ([`AsyncCoroutine::resume_step`]).

use alloc::boxed::Box;
use core::pin::Pin;

use crate::{AsyncCoroutine, Coroutine};

/// A boxed sync coroutine that can be sent to another thread.
///
/// ```
/// use coroutine::{yield_, BoxCoroutine, Coroutine, CoroutineState, Iter};
/// use core::convert::Infallible;
///
/// #[coroutine::coroutine(yield = u32)]
/// fn evens() -> ! {
///     let mut n = 0;
///     loop {
///         yield_!(n);
///         n += 2;
///     }
/// }
///
/// #[coroutine::coroutine(yield = u32)]
/// fn odds() -> ! {
///     let mut n = 1;
///     loop {
///         yield_!(n);
///         n += 2;
///     }
/// }
///
/// /// A field holding either.
/// struct Source {
///     numbers: BoxCoroutine<'static, u32, Infallible>,
/// }
///
/// let mut sources = vec![
///     Source { numbers: Box::pin(evens()) },
///     Source { numbers: Box::pin(odds()) },
/// ];
/// let firsts: Vec<u32> = sources
///     .iter_mut()
///     .map(|s| match s.numbers.as_mut().resume(()) {
///         CoroutineState::Yielded(n) => n,
///         CoroutineState::Complete(never) => match never {},
///     })
///     .collect();
/// assert_eq!(firsts, [0, 1]);
///
/// // A boxed coroutine iterates too (fused, keeping the return value).
/// let squares: BoxCoroutine<'_, u32, &str> = Box::pin(coroutine::co!(|| {
///     for i in 1..4 {
///         yield_!(i * i);
///     }
///     "done"
/// }));
/// let mut it = Iter::new(squares);
/// assert_eq!(it.by_ref().collect::<Vec<_>>(), [1, 4, 9]);
/// assert_eq!(it.take_return(), Some("done"));
/// ```
///
pub type BoxCoroutine<'a, Y, R = (), A = ()> =
    Pin<Box<dyn Coroutine<A, Yield = Y, Return = R> + Send + 'a>>;

/// A boxed sync coroutine that stays on its thread.
pub type LocalBoxCoroutine<'a, Y, R = (), A = ()> =
    Pin<Box<dyn Coroutine<A, Yield = Y, Return = R> + 'a>>;

/// A boxed async coroutine that can be sent to another thread.
pub type BoxAsyncCoroutine<'a, Y, R = (), A = ()> =
    Pin<Box<dyn AsyncCoroutine<A, Yield = Y, Return = R> + Send + 'a>>;

/// A boxed async coroutine that stays on its thread.
pub type LocalBoxAsyncCoroutine<'a, Y, R = (), A = ()> =
    Pin<Box<dyn AsyncCoroutine<A, Yield = Y, Return = R> + 'a>>;
