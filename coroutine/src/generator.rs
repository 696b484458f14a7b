//! [`Gen`]: what a `#[coroutine]` fn returns, and the body driver it shares with
//! [`AsyncGen`](crate::AsyncGen).

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use crate::channel::{Identity, Owner, poll_body};
use crate::hints::{NoResumeArgument, YieldsNothing};
use crate::id::Id;
use crate::iter::Iter;
use crate::{Coroutine, CoroutineState};

/// Where a body is between two steps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    /// At its start or at a yield point: the next step brings it an argument.
    Suspended,
    /// Mid-step (async coroutines): an await in the body was not ready.
    Awaiting,
    /// A step is polling the body. Seen at the start of a step only when an earlier one
    /// unwound (the body panicked) or gave up (a sync body awaited).
    Polling,
    /// The body returned; it is never polled again.
    Done,
}

/// One step of a body: what a poll with a channel attached produced.
pub(crate) enum Step<Y, R> {
    Yielded(Y),
    Complete(R),
    /// The body awaits a future that is not ready (only `async fn` coroutines).
    Pending,
}

/// The body of a coroutine, `fut` (a future of `R`), with its status: the engine
/// shared by [`Gen`] and [`AsyncGen`](crate::AsyncGen).
///
/// The body future is the last field so that a `Body` can be unsized to
/// [`Erased`]: unoptimised builds step every coroutine as a
/// `Body<R, Y, A, dyn Future<Output = R>>`, so the stepping code ([`Body::step`] and
/// what it calls) is compiled once per yield, resume and return type instead of once
/// per coroutine, and what a debug build compiles for each coroutine is little more
/// than its own state machine (`benches/compile-time`). Optimised builds step each
/// coroutine's own type, so the optimiser sees the whole state machine. Both run the
/// same code.
///
/// A completed body stays where it is until the coroutine is dropped. It is never
/// polled again, and the state machine of an `async` block drops all its locals before
/// it returns `Ready`, so what is left of it owns nothing.
pub(crate) struct Body<R, Y, A, F: ?Sized> {
    status: Status,
    /// Given to the body's yielder too; see `channel.rs`.
    id: Id,
    /// The return value, when an adapter that cannot hand it out (a `Stream` ending)
    /// kept it for [`Gen::take_return`].
    ret: Option<R>,
    /// Covariant in `Y` (it gives them), contravariant in `A` (it takes them).
    _types: PhantomData<fn(A) -> Y>,
    /// Structurally pinned: never moved, dropped in place with the coroutine.
    fut: F,
}

/// The body type the stepping code is instantiated for: `dyn Future<Output = R>` in
/// unoptimised builds, the body's own type `F` otherwise (see [`Body`]).
#[cfg(debug_assertions)]
pub(crate) type Erased<'a, F> = dyn Future<Output = <F as Future>::Output> + 'a;
/// The body type the stepping code is instantiated for: `dyn Future<Output = R>` in
/// unoptimised builds, the body's own type `F` otherwise (see [`Body`]).
#[cfg(not(debug_assertions))]
pub(crate) type Erased<'a, F> = F;

/// A pinned body as the stepping code takes it.
pub(crate) type Stepped<'a, F, Y, A> =
    Pin<&'a mut Body<<F as Future>::Output, Y, A, Erased<'a, F>>>;

impl<R, Y, A, F: Future<Output = R>> Body<R, Y, A, F> {
    /// The body `fut`, which holds the yielder `identity` was made with.
    #[inline(always)]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "taken by value on purpose: an identity makes one coroutine"
    )]
    pub(crate) fn new(identity: Identity<Y, A>, fut: F) -> Self {
        Body {
            status: Status::Suspended,
            id: identity.id,
            ret: None,
            _types: PhantomData,
            fut,
        }
    }
}

impl<R, Y, A, F: ?Sized> Body<R, Y, A, F> {
    pub(crate) fn is_done(&self) -> bool {
        self.status == Status::Done
    }

    /// `Poisoned` after a sync body panicked; an async coroutine whose body panicked
    /// shows `Running` (it does not mark its steps: its body's own state machine
    /// reports a resume after the panic).
    fn phase_name(&self) -> &'static str {
        match self.status {
            Status::Done => "Done",
            Status::Polling => "Poisoned",
            Status::Suspended | Status::Awaiting => "Running",
        }
    }
}

impl<R, Y, A, F: Future<Output = R> + ?Sized> Body<R, Y, A, F> {
    /// Runs the body to its next yield, its end, or (async coroutines) a pending await.
    /// `arg` is the step's resume argument; what the body did not take is left in it
    /// (handed back), so an argument is delivered once or returned, never lost.
    ///
    /// Not inlined in unoptimised builds: there it is one function for all coroutines
    /// of the same types (see [`Body`]).
    ///
    /// # Panics
    ///
    /// When the body already completed, or panicked in an earlier step; when `arg` is
    /// `None` while the body waits for an argument.
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    pub(crate) fn step(
        self: Pin<&mut Self>,
        arg: &mut Option<A>,
        outer: Option<&Waker>,
    ) -> Step<Y, R> {
        // SAFETY: `fut` is structurally pinned: it is only re-pinned below, never moved
        // out, and dropped in place with the coroutine. The other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let owner = Owner {
            id: this.id,
            start: (&raw const *this).cast::<u8>(),
            len: size_of_val(this),
        };
        // A sync step marks itself `Polling`, so a resume after its body panicked says
        // so. An async step writes the status only where it changes, and is never
        // `Polling`: a status written on every yield, into memory the consumer reaches
        // through a pointer, kept a stream's whole state machine in memory under an
        // executor (BENCHMARKS.md). After a panic, its body's own state machine panics
        // instead ("`async fn` resumed after panicking").
        let sync = outer.is_none();
        match this.status {
            Status::Done => resumed_after_completion(),
            Status::Polling if sync => resumed_after_panicking(),
            Status::Suspended if arg.is_none() => missing_argument(),
            Status::Suspended | Status::Awaiting | Status::Polling => {}
        }
        if sync {
            this.status = Status::Polling;
        } else if this.status == Status::Awaiting {
            this.status = Status::Suspended;
        }
        // SAFETY: as above, `fut` is structurally pinned.
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let out = poll_body::<F, Y, A>(fut, owner, arg.take(), outer);
        *arg = out.arg;
        match out.poll {
            Poll::Ready(ret) => {
                this.status = Status::Done;
                // Only code taking the expansion apart leaves a value in the slot of a
                // body that returned: dropped now, after the status is consistent (if
                // its `Drop` panics, the return value unwinds with it).
                drop(out.yielded);
                Step::Complete(ret)
            }
            Poll::Pending => {
                if let Some(y) = out.yielded {
                    if sync {
                        this.status = Status::Suspended;
                    }
                    Step::Yielded(y)
                } else {
                    this.status = Status::Awaiting;
                    Step::Pending
                }
            }
        }
    }

    /// Marks the body as unusable: the next step panics as after a panic in the body.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn poison(self: Pin<&mut Self>) {
        // SAFETY: `status` is not structurally pinned.
        unsafe { self.get_unchecked_mut().status = Status::Polling };
    }

    /// Stores the return value for `take_return` after an adapter consumed the end.
    pub(crate) fn keep_return(self: Pin<&mut Self>, ret: R) {
        // SAFETY: `ret` is not structurally pinned.
        unsafe { self.get_unchecked_mut().ret = Some(ret) };
    }

    pub(crate) fn take_return(self: Pin<&mut Self>) -> Option<R> {
        // SAFETY: `ret` is not structurally pinned.
        unsafe { self.get_unchecked_mut().ret.take() }
    }
}
#[cold]
#[inline(never)]
#[track_caller]
fn resumed_after_completion() -> ! {
    panic!("coroutine resumed after completion")
}

#[cold]
#[inline(never)]
#[track_caller]
fn resumed_after_panicking() -> ! {
    panic!("coroutine resumed after panicking")
}

#[cold]
#[inline(never)]
#[track_caller]
fn missing_argument() -> ! {
    panic!(
        "a coroutine step without a resume argument (`poll_resume` with `&mut None`) while \
         the coroutine waits for one, at its start or at a yield point (or, for an `async \
         fn` coroutine, after its body panicked)"
    )
}

/// A synchronous coroutine: what a `#[coroutine::coroutine]` fn (not `async`) returns.
///
/// `F` is the compiler-generated state machine of the body, `Y` the yield type, `A` the
/// resume argument type. It holds its whole state inline (no allocation), is
/// `Send`/`Sync` when that state is, and can be moved freely until first resumed.
///
/// - [`Coroutine<A>`] once pinned (`core::pin::pin!` or `Box::pin`);
/// - [`IntoIterator`] when `A = ()` (boxes itself once, requires the `alloc` feature),
///   or [`Gen::iter`] on a stack-pinned coroutine (no allocation);
/// - [`Future`] when `Y = ()` and `A = ()`: each `yield_!()` wakes the task once and
///   returns `Pending` (a cooperative yield point);
/// - [`futures_core::Stream`] when `A = ()`.
///
/// ```
/// use coroutine::{yield_, Coroutine, CoroutineState};
/// use core::pin::pin;
///
/// #[coroutine::coroutine(yield = u32)]
/// fn countdown(from: u32) -> &'static str {
///     for i in (1..=from).rev() {
///         yield_!(i);
///     }
///     "liftoff"
/// }
///
/// assert_eq!(countdown(3).into_iter().collect::<Vec<_>>(), [3, 2, 1]);
///
/// let mut c = pin!(countdown(1));
/// assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
/// assert_eq!(c.as_mut().resume(()), CoroutineState::Complete("liftoff"));
/// ```
#[must_use = "a coroutine does nothing unless resumed, iterated or polled"]
pub struct Gen<F: Future, Y, A = ()> {
    body: Body<F::Output, Y, A, F>,
}

impl<F: Future, Y, A> Gen<F, Y, A> {
    /// Makes a coroutine from its identity and its body (whose `yield_!`s use the
    /// yielder made with that identity, [`Yielder::pair`]). What the `#[coroutine]`
    /// expansion calls; sound whatever the body is (see the crate docs, "Soundness").
    #[doc(hidden)]
    #[inline(always)]
    pub fn new(identity: Identity<Y, A>, body: F) -> Self {
        Gen {
            body: Body::new(identity, body),
        }
    }

    /// The body, as the stepping code takes it (see [`Body`]).
    #[inline(always)]
    fn body(self: Pin<&mut Self>) -> Stepped<'_, F, Y, A> {
        // SAFETY: structural pinning of the only field; `Gen` has no `Drop` and is
        // `Unpin` only when `F` is.
        // (Not `map_unchecked_mut`: its closure would be one more function per
        // coroutine for an unoptimised build to compile.)
        unsafe { Pin::new_unchecked(&mut self.get_unchecked_mut().body) }
    }

    /// Takes the return value a [`Stream`](futures_core::Stream) or [`Future`] use of
    /// this coroutine stored when it completed; `None` before the end, or once taken.
    ///
    /// ```
    /// use coroutine::yield_;
    /// use core::pin::pin;
    /// use futures_core::Stream;
    /// use core::task::{Context, Poll, Waker};
    ///
    /// #[coroutine::coroutine(yield = u8)]
    /// fn one() -> &'static str {
    ///     yield_!(1);
    ///     "end"
    /// }
    ///
    /// let mut s = pin!(one());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(1)));
    /// assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None));
    /// assert_eq!(s.as_mut().take_return(), Some("end"));
    /// ```
    pub fn take_return(self: Pin<&mut Self>) -> Option<F::Output> {
        self.body().take_return()
    }

    /// Whether the body has completed.
    ///
    /// ```
    /// use coroutine::Coroutine;
    /// use core::pin::pin;
    ///
    /// #[coroutine::coroutine]
    /// fn empty() {}
    ///
    /// let mut c = pin!(empty());
    /// assert!(!c.is_complete());
    /// c.as_mut().resume(());
    /// assert!(c.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.body.is_done()
    }
}

impl<F: Future, Y, A> Gen<F, Y, A> {
    /// Not an iterator: calling `next` on a coroutine is a compile error that says how to
    /// iterate it ([`IntoIterator`], [`Gen::iter`]).
    #[doc(hidden)]
    #[allow(
        clippy::should_implement_trait,
        reason = "deliberately not `Iterator::next`: only its error message is wanted"
    )]
    pub fn next(&mut self) -> Option<Y>
    where
        Self: crate::hints::IterateInstead,
    {
        unreachable!("`IterateInstead` has no impls")
    }
}

#[cfg(not(feature = "alloc"))]
impl<F: Future, Y, A> Gen<F, Y, A> {
    /// Without the `alloc` feature there is no `IntoIterator`: calling `into_iter` is a
    /// compile error that says so, and what to call instead ([`Gen::iter`]).
    #[doc(hidden)]
    #[allow(
        clippy::should_implement_trait,
        reason = "deliberately not `IntoIterator::into_iter`: only its error message is wanted"
    )]
    pub fn into_iter(self) -> Iter<Self, A>
    where
        Self: crate::hints::NeedsAlloc,
    {
        unreachable!("`NeedsAlloc` has no impls")
    }
}

impl<F: Future, Y, A: NoResumeArgument> Gen<F, Y, A> {
    /// Iterates a pinned coroutine in place: no allocation. The iterator is fused and
    /// keeps the return value ([`Iter::take_return`]). On a coroutine that already
    /// completed it yields nothing, as the coroutine's `Stream` does.
    ///
    /// ```
    /// use coroutine::yield_;
    /// use core::pin::pin;
    ///
    /// #[coroutine::coroutine(yield = u32)]
    /// fn squares(n: u32) -> u32 {
    ///     for i in 0..n {
    ///         yield_!(i * i);
    ///     }
    ///     n
    /// }
    ///
    /// let mut c = pin!(squares(4));
    /// let mut it = c.as_mut().iter();
    /// assert_eq!(it.by_ref().sum::<u32>(), 14);
    /// assert_eq!(it.take_return(), Some(4));
    /// ```
    pub fn iter(self: Pin<&mut Self>) -> Iter<Pin<&mut Self>, A> {
        if self.is_complete() {
            Iter::exhausted(self)
        } else {
            Iter::new(self)
        }
    }
}

impl<F: Future, Y, A> Coroutine<A> for Gen<F, Y, A> {
    type Yield = Y;
    type Return = F::Output;

    #[inline(always)]
    #[track_caller]
    fn resume(self: Pin<&mut Self>, arg: A) -> CoroutineState<Y, F::Output> {
        resume_sync(self.body(), arg)
    }
}

/// [`Coroutine::resume`] of a [`Gen`]: one function for all coroutines of the same types
/// in unoptimised builds (see [`Body`]).
#[cfg_attr(not(debug_assertions), inline(always))]
#[track_caller]
fn resume_sync<R, Y, A, F: Future<Output = R> + ?Sized>(
    mut body: Pin<&mut Body<R, Y, A, F>>,
    arg: A,
) -> CoroutineState<Y, R> {
    let mut arg = Some(arg);
    let step = body.as_mut().step(&mut arg, None);
    // What the body did not take (only a body that binds no `#[resume]` parameter,
    // or one a user macro took apart, leaves an argument) is dropped after the step,
    // so a panic in its `Drop` unwinds with the yielded value instead of leaking it.
    core::mem::drop(arg);
    match step {
        Step::Yielded(y) => CoroutineState::Yielded(y),
        Step::Complete(r) => CoroutineState::Complete(r),
        Step::Pending => {
            body.poison();
            awaited_in_sync_coroutine()
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn awaited_in_sync_coroutine() -> ! {
    panic!(
        "a synchronous coroutine awaited a future that was not ready; \
         `.await` needs an `async fn` coroutine"
    )
}

/// A sync coroutine with no yield value and no resume argument is a future: each
/// `yield_!()` is a cooperative yield point that wakes the task once and returns
/// `Pending`.
///
/// ```
/// use coroutine::yield_;
/// use core::future::Future;
/// use core::pin::pin;
/// use core::task::{Context, Poll, Waker};
///
/// #[coroutine::coroutine]
/// fn work() -> u32 {
///     yield_!();
///     7
/// }
///
/// let mut f = pin!(work());
/// let mut cx = Context::from_waker(Waker::noop());
/// assert_eq!(f.as_mut().poll(&mut cx), Poll::Pending);
/// assert_eq!(f.as_mut().poll(&mut cx), Poll::Ready(7));
/// ```
impl<F: Future, Y: YieldsNothing, A: NoResumeArgument> Future for Gen<F, Y, A> {
    type Output = F::Output;

    #[inline(always)]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.resume(A::arg()) {
            CoroutineState::Yielded(_) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            CoroutineState::Complete(r) => Poll::Ready(r),
        }
    }
}

/// A sync coroutine with no resume argument is a fused stream of its yields; its
/// return value is kept for [`Gen::take_return`].
impl<F: Future, Y, A: NoResumeArgument> futures_core::Stream for Gen<F, Y, A> {
    type Item = Y;

    #[inline(always)]
    #[track_caller]
    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Y>> {
        if self.body.is_done() {
            return Poll::Ready(None);
        }
        poll_next_sync(self.body())
    }
}

/// [`Stream::poll_next`](futures_core::Stream::poll_next) of a [`Gen`] that has not
/// completed: one function for all coroutines of the same types in unoptimised builds
/// (see [`Body`]).
#[cfg_attr(not(debug_assertions), inline(always))]
#[track_caller]
fn poll_next_sync<R, Y, A: NoResumeArgument, F: Future<Output = R> + ?Sized>(
    mut body: Pin<&mut Body<R, Y, A, F>>,
) -> Poll<Option<Y>> {
    match body.as_mut().step(&mut Some(A::arg()), None) {
        Step::Yielded(y) => Poll::Ready(Some(y)),
        Step::Complete(r) => {
            body.keep_return(r);
            Poll::Ready(None)
        }
        Step::Pending => {
            body.poison();
            awaited_in_sync_coroutine()
        }
    }
}

impl<F: Future, Y, A: NoResumeArgument> futures_core::FusedStream for Gen<F, Y, A> {
    fn is_terminated(&self) -> bool {
        self.body.is_done()
    }
}

#[cfg(feature = "alloc")]
impl<F: Future, Y, A: NoResumeArgument> IntoIterator for Gen<F, Y, A> {
    type Item = Y;
    type IntoIter = Iter<Pin<alloc::boxed::Box<Self>>, A>;

    /// Boxes the coroutine (one allocation) so the iterator can be moved freely.
    fn into_iter(self) -> Self::IntoIter {
        Iter::new(alloc::boxed::Box::pin(self))
    }
}

impl<F: Future, Y, A> fmt::Debug for Gen<F, Y, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gen")
            .field("phase", &self.body.phase_name())
            .finish_non_exhaustive()
    }
}

impl<R, Y, A, F: ?Sized> fmt::Debug for Body<R, Y, A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phase_name())
    }
}
