//! The yield channel: how a value crosses a `yield_!` without any pointer stored in the
//! coroutine's state.
//!
//! For the duration of one `resume`, the caller owns a [`Channel`] on its stack and polls
//! the body's state machine with a [`Context`] whose waker's data pointer is the
//! channel's address and whose vtable is our own [`VTABLE`] (a `static`, so its address
//! is unique). A `yield_!` finds the channel through
//! `cx.waker()`: its [`HandOut`] moves the value into `yielded`, then its [`Suspend`]
//! returns `Pending`; polled again (in the next `resume`, with a fresh channel) the
//! `Suspend` takes `arg` and completes with it.
//!
//! Soundness: the channel's type `Channel<Y, A>` is not recorded at run time. It is
//! guaranteed by construction: [`Yielder`] (the only way to make a [`HandOut`] or [`Suspend`]) is created
//! by `unsafe` code the `#[coroutine]` macro emits at the top of the body it hands to
//! [`Gen::new`](crate::Gen), with the same `Y` and `A`, and every rewritten `yield_!`
//! breaks (dead code) to a label of the body's outermost block, so it cannot compile in
//! a closure or nested `async` block that could be polled anywhere else. If the body is
//! nevertheless polled under a foreign waker, they panic instead of touching memory.
//!
//! When an `async fn` coroutine is polled by a real executor, the channel also carries
//! that executor's waker (`outer`): cloning or waking our waker forwards to it, so
//! futures awaited inside the body register the real waker.

use core::future::Future;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// The per-`resume` slot shared between the resumer and the body. `repr(C)` so the
/// type-erased vtable functions can read `outer` at offset 0 whatever `Y` and `A` are.
#[repr(C)]
pub(crate) struct Channel<'w, Y, A> {
    /// The waker of the task polling an `async fn` coroutine, if any.
    outer: Option<&'w Waker>,
    /// Written by a suspending `yield_!`, taken by the resumer.
    pub(crate) yielded: Option<Y>,
    /// Written by the resumer, taken by the `yield_!` (or first-argument binding) it continues.
    pub(crate) arg: Option<A>,
}

/// The vtable that marks a waker as carrying a [`Channel`]. Being a `static` (not a
/// `const`), it has exactly one address, which [`channel_of`] compares against.
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop);

/// Reads the `outer` waker through the type-erased channel pointer.
///
/// # Safety
///
/// `data` must be the address of a live `Channel<'_, Y, A>` (for any `Y`, `A`).
unsafe fn outer<'a>(data: *const ()) -> Option<&'a Waker> {
    // SAFETY: `Channel` is `repr(C)` with `outer` first, so `data` points at an
    // `Option<&Waker>` that the caller guarantees is live; it is only read.
    unsafe { *data.cast::<Option<&'a Waker>>() }
}

/// Cloning our waker yields a clone of the real waker (so a future that stores it wakes
/// the right task after this `resume` ends), or a no-op waker in sync coroutines.
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: `VTABLE` is only attached to channel pointers (see `Channel::waker`), and
    // the waker cannot outlive the channel: it is lent by reference for one poll.
    let waker = match unsafe { outer(data) } {
        Some(w) => w.clone(),
        None => Waker::noop().clone(),
    };
    let waker = ManuallyDrop::new(waker);
    RawWaker::new(waker.data(), waker.vtable())
}

unsafe fn wake(data: *const ()) {
    // SAFETY: as in `clone`; our waker owns nothing, so waking by value is waking by ref.
    unsafe { wake_by_ref(data) }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: as in `clone`.
    if let Some(w) = unsafe { outer(data) } {
        w.wake_by_ref();
    }
}

unsafe fn drop(_: *const ()) {}

impl<'w, Y, A> Channel<'w, Y, A> {
    #[inline]
    pub(crate) fn new(arg: Option<A>, outer: Option<&'w Waker>) -> Self {
        Channel {
            outer,
            yielded: None,
            arg,
        }
    }

    /// Polls `body` with this channel attached to the context.
    #[inline(always)]
    pub(crate) fn poll<F: Future>(&mut self, body: Pin<&mut F>) -> Poll<F::Output> {
        let data: *mut Self = self;
        // SAFETY: the data pointer is a live `Channel`, as every `VTABLE` function
        // requires; the waker is only lent by reference to `poll` below, so it cannot
        // outlive `self`. It owns nothing, hence `ManuallyDrop`.
        let waker = ManuallyDrop::new(unsafe { Waker::new(data.cast_const().cast(), &VTABLE) });
        body.poll(&mut Context::from_waker(&waker))
    }
}

/// Finds the channel of the `resume` currently polling the body.
///
/// # Panics
///
/// When the body is polled under a waker that is not a coroutine channel's: the body
/// of a `#[coroutine]` is only ever polled by its own coroutine, so this means a
/// `yield_!` future escaped, which the macro rejects at compile time.
#[inline]
fn channel_of<Y, A>(cx: &Context<'_>) -> *mut Channel<'static, Y, A> {
    let waker = cx.waker();
    if !ptr::eq(waker.vtable(), &raw const VTABLE) {
        polled_outside_coroutine();
    }
    waker.data().cast_mut().cast()
}

#[cold]
#[inline(never)]
fn polled_outside_coroutine() -> ! {
    panic!("a `yield_!` was polled outside the coroutine it belongs to")
}

/// The handle the `#[coroutine]` expansion creates at the top of a body; `yield_!` and
/// `yield_from!` call it. Zero-sized.
#[doc(hidden)]
pub struct Yielder<Y, A> {
    _types: PhantomData<fn(Y) -> A>,
}

impl<Y, A> Yielder<Y, A> {
    /// # Safety
    ///
    /// Only the `#[coroutine]` expansion calls this, at the top of the body it passes to
    /// `Gen::new::<_, Y, A>` / `AsyncGen::new::<_, Y, A>` (same `Y` and `A`), so every
    /// future this handle makes is polled with a `Channel<Y, A>` attached, and awaits
    /// each [`HandOut`] it makes at once (so it is polled exactly once: it is always
    /// ready).
    #[inline]
    pub const unsafe fn new() -> Self {
        Yielder {
            _types: PhantomData,
        }
    }

    /// The first half of a `yield_!(value)`: a future that moves `value` into the
    /// channel and is ready at once. [`suspend`](Self::suspend) is awaited right after it.
    #[inline]
    pub fn yield_(&self, value: Y) -> HandOut<Y, A> {
        HandOut {
            value: ManuallyDrop::new(value),
            _types: PhantomData,
        }
    }

    /// The second half of a `yield_!`: suspends the body, and evaluates to the next
    /// resume argument.
    #[inline]
    pub fn suspend(&self) -> Suspend<Y, A> {
        Suspend {
            _types: PhantomData,
        }
    }

    /// The future that binds the `#[resume]` parameter to the first resume argument.
    #[inline]
    pub fn first_arg(&self) -> FirstArg<Y, A> {
        FirstArg {
            _types: PhantomData,
        }
    }
}

impl<Y, A> core::fmt::Debug for Yielder<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Yielder")
    }
}

/// The first half of a `yield_!`: moves the value into the channel of the current
/// `resume`; ready on its only poll.
///
/// The yield is split in two futures so that neither keeps a "first poll or not" flag in
/// the coroutine's state: this one is never suspended (and holds its value without a
/// tag), and [`Suspend`] reads its phase from the channel, which is fresh for every
/// `resume`. Once inlined, both fold to straight-line code, so a yield costs only the
/// body's own state-byte update.
///
/// It is polled exactly once (see `Yielder::new`): the poll moves the value out. A
/// `HandOut` dropped unpolled (only if the body unwinds first) leaks its value.
#[doc(hidden)]
#[must_use = "a `yield_!` does nothing unless awaited"]
pub struct HandOut<Y, A> {
    value: ManuallyDrop<Y>,
    _types: PhantomData<fn() -> A>,
}

// The value is moved out by value, never pinned.
impl<Y, A> Unpin for HandOut<Y, A> {}

impl<Y, A> Future for HandOut<Y, A> {
    type Output = ();

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let chan = channel_of::<Y, A>(cx);
        // SAFETY: this is the only poll of this `HandOut` (the `Yielder::new` contract:
        // it is awaited at once and is ready), so the value is still there and is never
        // read again; `ManuallyDrop` keeps it from being dropped a second time.
        let value = unsafe { ManuallyDrop::take(&mut self.get_mut().value) };
        // SAFETY: `chan` is the live channel of the current `resume`, of type
        // `Channel<Y, A>` (see `Yielder::new`); nothing else accesses it during this
        // poll, and we write one field through the raw pointer.
        unsafe { (*chan).yielded = Some(value) };
        Poll::Ready(())
    }
}

/// The second half of a `yield_!`: `Pending` in the `resume` whose [`HandOut`] just
/// filled the channel; in the next `resume`, ready with its argument.
#[doc(hidden)]
#[must_use = "a `yield_!` does nothing unless awaited"]
pub struct Suspend<Y, A> {
    _types: PhantomData<fn(Y) -> A>,
}

impl<Y, A> Future for Suspend<Y, A> {
    type Output = A;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A> {
        let chan = channel_of::<Y, A>(cx);
        // SAFETY: `chan` is the live `Channel<Y, A>` of the current `resume` (see
        // `Yielder::new`); nothing else accesses it during this poll, and we read and
        // take fields through the raw pointer.
        unsafe {
            // A value waiting in the channel was handed out by this `yield_!` during
            // this very `resume` (each `resume` makes a fresh, empty channel): suspend.
            if (*chan).yielded.is_some() {
                return Poll::Pending;
            }
            match (*chan).arg.take() {
                Some(arg) => Poll::Ready(arg),
                // A spurious poll of an `async fn` coroutine's body while no resume is in
                // flight (a `Resume` polled again after it completed) finds no argument:
                // staying suspended is the correct answer to it.
                None => Poll::Pending,
            }
        }
    }
}

/// The future that binds the `#[resume]` parameter: always ready on its only poll (the
/// body's first), so the compiler can see it never suspends.
#[doc(hidden)]
#[must_use = "the first resume argument is only bound when awaited"]
pub struct FirstArg<Y, A> {
    _types: PhantomData<fn(Y) -> A>,
}

impl<Y, A> Future for FirstArg<Y, A> {
    type Output = A;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A> {
        let chan = channel_of::<Y, A>(cx);
        // SAFETY: `chan` is the live `Channel<Y, A>` of the current `resume` (see
        // `Yielder::new`); we take one field through the raw pointer.
        match unsafe { (*chan).arg.take() } {
            Some(arg) => Poll::Ready(arg),
            None => first_arg_missing(),
        }
    }
}

#[cold]
#[inline(never)]
fn first_arg_missing() -> ! {
    unreachable!("the first poll of a coroutine body always carries a resume argument")
}

impl<Y, A> core::fmt::Debug for FirstArg<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FirstArg")
    }
}

impl<Y, A> core::fmt::Debug for HandOut<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HandOut")
    }
}

impl<Y, A> core::fmt::Debug for Suspend<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Suspend")
    }
}
