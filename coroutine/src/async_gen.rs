//! [`AsyncGen`]: what an `async fn` coroutine returns.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::CoroutineState;
use crate::channel::Identity;
use crate::generator::{Body, Step, Stepped};
use crate::hints::{NoResumeArgument, YieldsNothing};

/// An asynchronous coroutine: what a `#[coroutine::coroutine] async fn` returns. Its
/// body may `.await` other futures and `yield_!` values.
///
/// - [`futures_core::Stream<Item = Y>`](futures_core::Stream) when `A = ()`; the return
///   value is kept when the stream ends ([`AsyncGen::take_return`]);
/// - [`Future<Output = R>`](Future) when `Y = ()` and `A = ()` (each `yield_!()` is a
///   cooperative yield point);
/// - [`AsyncGen::resume`]`(arg).await` for any `A`, giving a [`CoroutineState`].
///
/// The waker of whoever polls it (any executor, `FuturesUnordered`, `select!`...) reaches
/// every future awaited in the body.
///
/// ```
/// use coroutine::yield_;
/// use futures_util::StreamExt;
///
/// #[coroutine::coroutine(yield = u32)]
/// async fn doubled(n: u32) -> &'static str {
///     for i in 0..n {
///         let x = async { i * 2 }.await;
///         yield_!(x);
///     }
///     "done"
/// }
///
/// # futures_executor::block_on(async {
/// let items: Vec<u32> = doubled(3).collect().await;
/// assert_eq!(items, [0, 2, 4]);
/// # });
/// ```
#[must_use = "a coroutine does nothing unless resumed or polled"]
pub struct AsyncGen<F: Future, Y, A = ()> {
    body: Body<F::Output, Y, A, F>,
}

impl<F: Future, Y, A> AsyncGen<F, Y, A> {
    /// Makes a coroutine from its identity and its body (whose `yield_!`s use the
    /// yielder made with that identity, `Yielder::pair`). What the `#[coroutine]`
    /// expansion calls; sound whatever the body is (see the crate docs, "Soundness").
    #[doc(hidden)]
    #[inline(always)]
    pub fn new(identity: Identity<Y, A>, body: F) -> Self {
        AsyncGen {
            body: Body::new(identity, body),
        }
    }

    /// The body, as the stepping code takes it (see `Body`).
    #[inline(always)]
    fn body(self: Pin<&mut Self>) -> Stepped<'_, F, Y, A> {
        // SAFETY: structural pinning of the only field; no `Drop`, `Unpin` only if `F` is.
        // (Not `map_unchecked_mut`: its closure would be one more function per
        // coroutine for an unoptimised build to compile.)
        unsafe { Pin::new_unchecked(&mut self.get_unchecked_mut().body) }
    }

    /// Resumes the coroutine with `arg`: the returned future completes when the body
    /// yields or returns, awaiting whatever the body awaits meanwhile.
    ///
    /// The argument is handed to the body on the future's first poll. If the future is
    /// dropped before it completes, the body keeps its progress and the next step
    /// finishes the one it began: that step completes with whatever the body yields or
    /// returns next, and no yield point was waiting for its own argument, so the
    /// argument is not delivered but handed back ([`Resume::take_arg`]). An argument is
    /// delivered exactly once or handed back, never dropped by the coroutine.
    ///
    /// ```
    /// use coroutine::{yield_, CoroutineState};
    /// use core::pin::pin;
    ///
    /// #[coroutine::coroutine(yield = String)]
    /// async fn greeter(#[resume] name: &'static str) {
    ///     let mut name = name;
    ///     loop {
    ///         let greeting = async { format!("hello {name}") }.await;
    ///         name = yield_!(greeting);
    ///     }
    /// }
    ///
    /// # futures_executor::block_on(async {
    /// let mut g = pin!(greeter());
    /// assert_eq!(g.as_mut().resume("ann").await, CoroutineState::Yielded("hello ann".into()));
    /// assert_eq!(g.as_mut().resume("bob").await, CoroutineState::Yielded("hello bob".into()));
    /// # });
    /// ```
    pub fn resume(self: Pin<&mut Self>, arg: A) -> Resume<'_, F, Y, A> {
        Resume {
            coroutine: self,
            arg: Some(arg),
            finished: false,
        }
    }

    /// Polls one resume step: the body takes `arg` when it reaches the yield point (or
    /// start) waiting for it; an argument it did not take stays in `arg`.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn poll_step(
        self: Pin<&mut Self>,
        cx: &Context<'_>,
        arg: &mut Option<A>,
    ) -> Poll<CoroutineState<Y, F::Output>> {
        poll_step(self.body(), cx, arg)
    }

    /// Takes the return value a `Stream` or `Future` use of this coroutine stored when
    /// it completed; `None` before the end, or once taken.
    ///
    /// ```
    /// use coroutine::yield_;
    /// use core::pin::pin;
    /// use futures_util::StreamExt;
    ///
    /// #[coroutine::coroutine(yield = u8)]
    /// async fn one() -> &'static str {
    ///     yield_!(1);
    ///     "end"
    /// }
    ///
    /// # futures_executor::block_on(async {
    /// let mut s = pin!(one());
    /// assert_eq!(s.next().await, Some(1));
    /// assert_eq!(s.next().await, None);
    /// assert_eq!(s.as_mut().take_return(), Some("end"));
    /// # });
    /// ```
    pub fn take_return(self: Pin<&mut Self>) -> Option<F::Output> {
        self.body().take_return()
    }

    /// Whether the body has completed.
    ///
    /// ```
    /// #[coroutine::coroutine]
    /// async fn empty() {}
    ///
    /// let c = empty();
    /// assert!(!c.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.body.is_done()
    }
}

/// The future returned by [`AsyncGen::resume`]: completes with the coroutine's next
/// [`CoroutineState`].
///
/// ```
/// use coroutine::{yield_, CoroutineState};
/// use core::pin::pin;
///
/// #[coroutine::coroutine(yield = u8)]
/// async fn once() -> &'static str {
///     yield_!(1);
///     "end"
/// }
///
/// # futures_executor::block_on(async {
/// let mut c = pin!(once());
/// let step: coroutine::Resume<'_, _, u8, ()> = c.as_mut().resume(());
/// assert_eq!(step.await, CoroutineState::Yielded(1));
/// assert_eq!(c.as_mut().resume(()).await, CoroutineState::Complete("end"));
/// # });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Resume<'a, F: Future, Y, A> {
    coroutine: Pin<&'a mut AsyncGen<F, Y, A>>,
    arg: Option<A>,
    /// The step completed: what is left in `arg` was handed back.
    finished: bool,
}

impl<F: Future, Y, A> Resume<'_, F, Y, A> {
    /// Once the step completed, takes back the argument if the body did not take it:
    /// when this step only finished one that an earlier, dropped `Resume` began (no
    /// yield point was waiting for an argument then). `None` when the body took it, and
    /// before the step completed.
    ///
    /// ```
    /// use coroutine::{yield_, CoroutineState};
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    ///
    /// #[coroutine::coroutine(yield = u32)]
    /// async fn echo(#[resume] first: u32) {
    ///     let mut x = first;
    ///     loop {
    ///         let mut ready = false;
    ///         core::future::poll_fn(|_| if ready { Poll::Ready(()) } else { ready = true; Poll::Pending }).await;
    ///         x = yield_!(x);
    ///     }
    /// }
    ///
    /// let mut c = pin!(echo());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// // The first step stops at the await and is abandoned.
    /// assert!(pin!(c.as_mut().resume(1)).poll(&mut cx).is_pending());
    /// // The next one finishes it: it yields 1, and 2 was not delivered.
    /// let mut step = c.as_mut().resume(2);
    /// assert_eq!(Pin::new(&mut step).poll(&mut cx), Poll::Ready(CoroutineState::Yielded(1)));
    /// assert_eq!(step.take_arg(), Some(2));
    /// # use core::pin::Pin;
    /// ```
    pub fn take_arg(&mut self) -> Option<A> {
        if self.finished { self.arg.take() } else { None }
    }
}

// The coroutine is behind a `Pin<&mut>` and the argument is moved out by value: nothing
// here is structurally pinned.
impl<F: Future, Y, A> Unpin for Resume<'_, F, Y, A> {}

impl<F: Future, Y, A> Future for Resume<'_, F, Y, A> {
    type Output = CoroutineState<Y, F::Output>;

    /// # Panics
    ///
    /// When polled again after it completed; as [`AsyncGen::resume`]'s coroutine does
    /// after completing or panicking.
    #[inline]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.finished {
            resume_polled_after_completion();
        }
        let step = this.coroutine.as_mut().poll_step(cx, &mut this.arg);
        this.finished = step.is_ready();
        step
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn resume_polled_after_completion() -> ! {
    panic!("a `Resume` future was polled after it completed")
}

/// An async coroutine that yields `()` and takes no resume argument is a future of its
/// return value: each `yield_!()` is a cooperative yield point (it wakes the task once
/// and returns `Pending`), and the futures the body awaits register the task's waker.
///
/// ```
/// #[coroutine::coroutine]
/// async fn fetch(n: u32) -> u32 {
///     coroutine::yield_!(); // let other tasks run
///     async { n * 2 }.await
/// }
///
/// assert_eq!(futures_executor::block_on(fetch(21)), 42);
/// ```
impl<F: Future, Y: YieldsNothing, A: NoResumeArgument> Future for AsyncGen<F, Y, A> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.poll_step(cx, &mut Some(A::arg())) {
            Poll::Ready(CoroutineState::Yielded(_)) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Ready(CoroutineState::Complete(r)) => Poll::Ready(r),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// An async coroutine without a resume argument is a fused stream of its yields; its
/// return value is kept for [`AsyncGen::take_return`].
impl<F: Future, Y, A: NoResumeArgument> futures_core::Stream for AsyncGen<F, Y, A> {
    type Item = Y;

    #[inline(always)]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Y>> {
        if self.body.is_done() {
            return Poll::Ready(None);
        }
        poll_next(self.body(), cx)
    }
}

/// [`AsyncGen::poll_step`]: one function for all coroutines of the same types in
/// unoptimised builds (see `Body`).
#[cfg_attr(not(debug_assertions), inline(always))]
#[track_caller]
fn poll_step<R, Y, A, F: Future<Output = R> + ?Sized>(
    body: Pin<&mut Body<R, Y, A, F>>,
    cx: &Context<'_>,
    arg: &mut Option<A>,
) -> Poll<CoroutineState<Y, R>> {
    match body.step(arg, Some(cx.waker())) {
        Step::Yielded(y) => Poll::Ready(CoroutineState::Yielded(y)),
        Step::Complete(r) => Poll::Ready(CoroutineState::Complete(r)),
        Step::Pending => Poll::Pending,
    }
}

/// [`Stream::poll_next`](futures_core::Stream::poll_next) of an [`AsyncGen`] that has
/// not completed: one function for all coroutines of the same types in unoptimised
/// builds (see `Body`).
#[cfg_attr(not(debug_assertions), inline(always))]
fn poll_next<R, Y, A: NoResumeArgument, F: Future<Output = R> + ?Sized>(
    mut body: Pin<&mut Body<R, Y, A, F>>,
    cx: &Context<'_>,
) -> Poll<Option<Y>> {
    match poll_step(body.as_mut(), cx, &mut Some(A::arg())) {
        Poll::Ready(CoroutineState::Yielded(y)) => Poll::Ready(Some(y)),
        Poll::Ready(CoroutineState::Complete(r)) => {
            body.keep_return(r);
            Poll::Ready(None)
        }
        Poll::Pending => Poll::Pending,
    }
}

impl<F: Future, Y, A: NoResumeArgument> futures_core::FusedStream for AsyncGen<F, Y, A> {
    fn is_terminated(&self) -> bool {
        self.body.is_done()
    }
}

impl<F: Future, Y, A> fmt::Debug for AsyncGen<F, Y, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncGen")
            .field("phase", &self.body)
            .finish_non_exhaustive()
    }
}

impl<F: Future, Y, A> fmt::Debug for Resume<'_, F, Y, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resume")
            .field("coroutine", &self.coroutine)
            .finish_non_exhaustive()
    }
}
