//! [`AsyncCoroutine`], and how `yield_from!` in an `async fn` coroutine picks the way to
//! step its delegate.
//!
//! An `async fn` coroutine can delegate to an async coroutine, a sync coroutine, or any
//! `Stream`. Some types are several of these (a sync `Gen` is also a `Stream`), and the
//! coroutine reading is the one that keeps the return value, so the choice is ordered:
//! async coroutine, then sync coroutine, then stream. The expansion asks a [`Probe`] for
//! its kind with `(&&&probe).__coroutine_kind()`; method resolution tries `&&Probe`
//! impls first, then `&Probe`, then `Probe` (autoref specialization), and the tag it
//! returns has a `step` method of the right shape.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::async_gen::AsyncGen;
use crate::{Coroutine, CoroutineState};

/// A coroutine resumed asynchronously: each step may wait for other futures before
/// it yields or completes. `async fn` coroutines ([`AsyncGen`]) implement it.
///
/// Most code calls [`AsyncGen::resume`] instead; this trait lets generic code (and
/// `yield_from!`) drive any such coroutine, including through `Pin<&mut _>` and
/// `Pin<Box<_>>`.
///
/// ```
/// use coroutine::{yield_, AsyncCoroutine, CoroutineState};
/// use core::pin::{pin, Pin};
/// use core::task::{Context, Poll, Waker};
///
/// #[coroutine::coroutine(yield = u32)]
/// async fn add_one(#[resume] first: u32) {
///     let mut x = first;
///     loop {
///         x = yield_!(x + 1);
///     }
/// }
///
/// let mut c = pin!(add_one());
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut arg = Some(41);
/// let step = c.as_mut().poll_resume(&mut cx, &mut arg);
/// assert_eq!(step, Poll::Ready(CoroutineState::Yielded(42)));
/// assert_eq!(arg, None, "the argument was handed to the body");
/// ```
pub trait AsyncCoroutine<A = ()> {
    /// The type of the values this coroutine yields.
    type Yield;
    /// The type of the value this coroutine completes with.
    type Return;

    /// Polls one step. The caller puts the resume argument in `arg` before the step's
    /// first poll and passes the same `arg` to every later poll of that step; the
    /// coroutine takes it (leaving `None`) when its body receives it.
    ///
    /// # Panics
    ///
    /// `async fn` coroutines panic when polled after they completed or panicked, and
    /// when `arg` is `None` while the coroutine waits for an argument (at its start or
    /// at a yield point); mid-step, polling on with `None` is right.
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<A>,
    ) -> Poll<CoroutineState<Self::Yield, Self::Return>>;

    /// One step as a future: `c.as_mut().resume_step(arg).await`, for any async
    /// coroutine. A boxed `dyn AsyncCoroutine` ([`BoxAsyncCoroutine`](crate::BoxAsyncCoroutine))
    /// is one too: `Pin::new(&mut boxed).resume_step(arg).await`.
    ///
    /// ```
    /// use coroutine::{yield_, AsyncCoroutine, CoroutineState, LocalBoxAsyncCoroutine};
    ///
    /// #[coroutine::coroutine(yield = u32)]
    /// async fn add_one(#[resume] first: u32) {
    ///     let mut x = first;
    ///     loop {
    ///         x = yield_!(x + 1);
    ///     }
    /// }
    ///
    /// # futures_executor::block_on(async {
    /// let mut c: LocalBoxAsyncCoroutine<'_, u32, (), u32> = Box::pin(add_one());
    /// let step = core::pin::Pin::new(&mut c).resume_step(41);
    /// assert_eq!(step.await, CoroutineState::Yielded(42));
    /// # });
    /// ```
    fn resume_step(self: Pin<&mut Self>, arg: A) -> AsyncStep<'_, Self, A>
    where
        Self: Sized,
    {
        AsyncStep {
            delegate: self,
            arg: Some(arg),
        }
    }
}

impl<F: Future, Y, A> AsyncCoroutine<A> for AsyncGen<F, Y, A> {
    type Yield = Y;
    type Return = F::Output;

    #[inline]
    fn poll_resume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<A>,
    ) -> Poll<CoroutineState<Y, F::Output>> {
        self.poll_step(cx, arg)
    }
}

impl<G: ?Sized + AsyncCoroutine<A>, A> AsyncCoroutine<A> for Pin<&mut G> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<A>,
    ) -> Poll<CoroutineState<G::Yield, G::Return>> {
        G::poll_resume((*self).as_mut(), cx, arg)
    }
}

impl<G: ?Sized + AsyncCoroutine<A> + Unpin, A> AsyncCoroutine<A> for &mut G {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<A>,
    ) -> Poll<CoroutineState<G::Yield, G::Return>> {
        G::poll_resume(Pin::new(&mut **self), cx, arg)
    }
}

#[cfg(feature = "alloc")]
impl<G: ?Sized + AsyncCoroutine<A>, A> AsyncCoroutine<A> for Pin<alloc::boxed::Box<G>> {
    type Yield = G::Yield;
    type Return = G::Return;

    #[inline]
    fn poll_resume(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        arg: &mut Option<A>,
    ) -> Poll<CoroutineState<G::Yield, G::Return>> {
        G::poll_resume((*self).as_mut(), cx, arg)
    }
}

/// Stands for a delegate of type `D` resumed with `A`, to ask for its kind.
#[doc(hidden)]
pub struct Probe<D: ?Sized, A>(PhantomData<ProbeTypes<D, A>>);

type ProbeTypes<D, A> = (fn() -> A, *const D);

impl<D: ?Sized, A> Probe<D, A> {
    /// Infers `D` and `A` from the pinned delegate and the first argument.
    #[inline]
    pub fn new(_: &Pin<&mut D>, _: &A) -> Self {
        Probe(PhantomData)
    }
}

/// The delegate is an async coroutine.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct AsyncTag;
/// The delegate is a sync coroutine.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct SyncTag;
/// The delegate is a stream.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct StreamTag;

#[doc(hidden)]
pub trait AsyncKind {
    #[inline]
    fn __coroutine_kind(&self) -> AsyncTag {
        AsyncTag
    }
}
impl<D: ?Sized + AsyncCoroutine<A>, A> AsyncKind for &&Probe<D, A> {}

#[doc(hidden)]
pub trait SyncKind {
    #[inline]
    fn __coroutine_kind(&self) -> SyncTag {
        SyncTag
    }
}
impl<D: ?Sized + Coroutine<A>, A> SyncKind for &Probe<D, A> {}

#[doc(hidden)]
pub trait StreamKind {
    #[inline]
    fn __coroutine_kind(&self) -> StreamTag {
        StreamTag
    }
}
impl<D: ?Sized + futures_core::Stream> StreamKind for Probe<D, ()> {}

/// One step of an async coroutine, as a future: what [`AsyncCoroutine::resume_step`]
/// returns (and what `yield_from!` awaits on an async delegate).
#[must_use = "futures do nothing unless awaited"]
pub struct AsyncStep<'a, D: ?Sized, A> {
    delegate: Pin<&'a mut D>,
    arg: Option<A>,
}

impl<D: ?Sized, A> Unpin for AsyncStep<'_, D, A> {}

impl<D: ?Sized + AsyncCoroutine<A>, A> Future for AsyncStep<'_, D, A> {
    type Output = CoroutineState<D::Yield, D::Return>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.delegate.as_mut().poll_resume(cx, &mut this.arg)
    }
}

/// One item of a stream delegate, as a step.
#[doc(hidden)]
#[must_use = "futures do nothing unless awaited"]
pub struct StreamStep<'a, S: ?Sized> {
    stream: Pin<&'a mut S>,
}

impl<S: ?Sized> Unpin for StreamStep<'_, S> {}

impl<S: ?Sized + futures_core::Stream> Future for StreamStep<'_, S> {
    type Output = CoroutineState<S::Item, ()>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.stream.as_mut().poll_next(cx).map(|item| match item {
            Some(y) => CoroutineState::Yielded(y),
            None => CoroutineState::Complete(()),
        })
    }
}

#[allow(
    clippy::unused_self,
    reason = "the tag's type picks the method (autoref specialization); its value is empty"
)]
impl AsyncTag {
    #[inline]
    pub fn step<D: ?Sized + AsyncCoroutine<A>, A>(
        self,
        delegate: Pin<&mut D>,
        arg: A,
    ) -> AsyncStep<'_, D, A> {
        AsyncStep {
            delegate,
            arg: Some(arg),
        }
    }
}

#[allow(
    clippy::unused_self,
    reason = "the tag's type picks the method (autoref specialization); its value is empty"
)]
impl SyncTag {
    #[inline]
    pub fn step<D: ?Sized + Coroutine<A>, A>(
        self,
        delegate: Pin<&mut D>,
        arg: A,
    ) -> core::future::Ready<CoroutineState<D::Yield, D::Return>> {
        core::future::ready(delegate.resume(arg))
    }
}

#[allow(
    clippy::unused_self,
    reason = "the tag's type picks the method (autoref specialization); its value is empty"
)]
impl StreamTag {
    #[inline]
    pub fn step<S: ?Sized + futures_core::Stream>(
        self,
        stream: Pin<&mut S>,
        (): (),
    ) -> StreamStep<'_, S> {
        StreamStep { stream }
    }
}

impl<D: ?Sized, A> core::fmt::Debug for Probe<D, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Probe")
    }
}

impl<D: ?Sized, A> core::fmt::Debug for AsyncStep<'_, D, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AsyncStep")
    }
}

impl<S: ?Sized> core::fmt::Debug for StreamStep<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("StreamStep")
    }
}
