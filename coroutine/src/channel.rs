//! The yield channel: how a value crosses a `yield_!` without any pointer stored in the
//! coroutine's state, and why no safe program can misuse it.
//!
//! For the duration of one step, [`poll_body`] owns a [`Frame`] on its stack: a
//! [`Header`], the yield slot and the resume argument. It polls the body with a
//! [`Context`] whose waker has the frame's address as its data pointer and our own
//! [`VTABLE`] (a `static`, so its address is unique). A `yield_!` is one [`Yield`]
//! future: its first poll moves the value into `yielded` and returns `Pending`; polled
//! again (in the next step, with a fresh frame) it takes `arg` and completes with it.
//!
//! # Soundness
//!
//! The frame's type `Frame<Y, A>` is not recorded at run time, and every item here can
//! be reached by safe code (a user macro can take the `yield_!` expansion apart, and
//! `#[doc(hidden)]` items can be named), so nothing may rely on how the expansion uses
//! them. A [`Yield`] or [`FirstArg`] may be polled any number of times, in any order,
//! under any context, on any thread, after being moved anywhere. It touches a frame
//! only after these checks, in [`frame_of`] (each failure is a panic):
//!
//! 1. **The waker's vtable is [`VTABLE`].** Only `poll_body` makes such a waker, and
//!    lends it by reference for the one poll, so its data pointer is a live frame. A
//!    clone of it is the outer or a no-op waker, never ours.
//! 2. **The poll runs on the thread of the step** (the frame records an address unique
//!    to that thread: a thread-local's with the `std` feature, else the address of the
//!    step's `Context`, which is neither `Send` nor `Sync`). The waker is `Sync`, so a
//!    scoped thread could be lent it; this keeps every other thread off the frame.
//! 3. **The future lies inside the coroutine being stepped** (the frame records the
//!    coroutine's address range).
//! 4. **On its first poll, the future's coroutine [`Id`] is the frame's.** Every
//!    coroutine gets a fresh `Id` when it is made, and only its constructor makes a
//!    [`Yielder`] with it, with the coroutine's own `Y` and `A`. So a yielder's types
//!    are the coroutine's up to lifetimes, which the type system ties: the body receives
//!    the yielder as a closure argument typed by the coroutine's parameters, never by
//!    re-written tokens.
//!
//! Later polls skip check 4. They rely on checks 2 and 3 and on pinning instead: the
//! futures are `!Unpin`, so a future that passed check 4 (its value is gone then) still
//! lies where it did, inside the coroutine that checked it. Another coroutine whose
//! range holds that place is nested in it or holds it nested, and its step can never
//! poll the future: a `Context` cannot outlive the poll it was lent to (its lifetimes
//! are higher-ranked in `Future::poll`), so the only code that can poll with a
//! coroutine's context runs inside that poll, and it can only reach that coroutine's
//! own state (locals of a body cannot be borrowed out of it) or memory made during the
//! poll (which is not inside any coroutine made before it). A coroutine dropped takes
//! the futures inside it along. (Check 4 stays out of later polls because the identity
//! lives in the coroutine's memory: the compiler cannot fold the comparison there, and
//! it would keep the whole state machine of a stream in memory; on a first poll it
//! folds, the future having just been made from the yielder.)
//!
//! Variance keeps the lifetimes honest: a coroutine is covariant in `Y` and contravariant
//! in `A` (it produces `Y`s and consumes `A`s); a yielder is the other way round; a
//! [`Yield`] seals the value it was made with (no method replaces it).
//!
//! When an `async fn` coroutine is polled by a real executor, the frame also carries
//! that executor's waker (`outer`): cloning or waking our waker forwards to it, so
//! futures awaited inside the body register the real waker.

use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{ManuallyDrop, MaybeUninit};
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::id::Id;

/// Everything one step of a body shares with the yield futures it polls. `repr(C)`, the
/// header first: the waker's data pointer is the frame's address, and the type-erased
/// readers find the header there whatever `Y` and `A` are.
#[repr(C)]
struct Frame<'o, Y, A> {
    header: Header<'o>,
    /// Written by a suspending `yield_!`, taken by the step.
    yielded: Option<Y>,
    /// Written by the step, taken by the `yield_!` (or first-argument binding) it
    /// continues; what is left is handed back.
    arg: Option<A>,
}

/// The part of a frame readable without knowing `Y` and `A`. Written before the poll
/// starts, only read while it runs: any thread holding the waker may read it.
#[repr(C)]
struct Header<'o> {
    /// The waker of the task polling an `async fn` coroutine, if any.
    outer: Option<&'o Waker>,
    /// Check 2: an address unique to the thread running the step.
    thread: *const (),
    /// Check 3: where the coroutine being stepped lies.
    start: *const u8,
    len: usize,
    /// Check 4: the coroutine being stepped.
    id: Id,
}

/// The coroutine a step polls: its identity and where it lies in memory.
#[derive(Clone, Copy)]
pub(crate) struct Owner {
    pub(crate) id: Id,
    pub(crate) start: *const u8,
    pub(crate) len: usize,
}

/// What one poll of a body produced, with what was left in its frame.
pub(crate) struct Outcome<R, Y, A> {
    pub(crate) poll: Poll<R>,
    pub(crate) yielded: Option<Y>,
    /// The argument the body did not take.
    pub(crate) arg: Option<A>,
}

/// Polls `body`, the body of the coroutine `owner` whose yield and resume types are `Y`
/// and `A`, once, with a fresh frame holding `arg`.
#[inline(always)]
pub(crate) fn poll_body<F: Future + ?Sized, Y, A>(
    body: Pin<&mut F>,
    owner: Owner,
    arg: Option<A>,
    outer: Option<&Waker>,
) -> Outcome<F::Output, Y, A> {
    let mut frame = MaybeUninit::<Frame<'_, Y, A>>::uninit();
    let at = frame.as_mut_ptr();
    // SAFETY: the data pointer is a frame, as every `VTABLE` function requires, and it
    // stays live while the waker is in use: the waker is only lent by reference, inside
    // the context below, to the poll below. It owns nothing, hence `ManuallyDrop`.
    let waker = ManuallyDrop::new(unsafe { Waker::new(at.cast_const().cast(), &VTABLE) });
    let mut cx = Context::from_waker(&waker);
    // SAFETY: `at` points at the uninitialised frame, which we initialise field by
    // field before any reader can see the waker.
    unsafe {
        (&raw mut (*at).header).write(Header {
            outer,
            thread: this_thread(&cx),
            start: owner.start,
            len: owner.len,
            id: owner.id,
        });
        (&raw mut (*at).yielded).write(None);
        (&raw mut (*at).arg).write(arg);
    }
    let poll = body.poll(&mut cx);
    // SAFETY: the poll is over, so nothing else uses the frame; both fields are
    // initialised and are moved out once (the header needs no drop).
    unsafe {
        Outcome {
            poll,
            yielded: (&raw const (*at).yielded).read(),
            arg: (&raw const (*at).arg).read(),
        }
    }
}

/// An address unique to the calling thread while it runs: a thread-local's.
///
/// `try_with`, not `with`: `with` is not `#[inline]`, so in a crate split into several
/// codegen units its instance can land in another unit than the coroutine's code, and
/// an opaque call in every poll keeps the optimiser from holding the coroutine's state
/// in registers. A thread-local without a destructor is never torn down, so the `Err`
/// arm is dead where thread-locals are native; where it is not, the step's own
/// `Context` address serves, as without `std` (a `Context` is neither `Send` nor
/// `Sync`, and a live one on another thread has another address).
#[cfg(feature = "std")]
#[inline(always)]
fn this_thread(cx: &Context<'_>) -> *const () {
    std::thread_local! {
        static MARK: u8 = const { 0 };
    }
    MARK.try_with(|mark| ptr::from_ref(mark).cast())
        .unwrap_or_else(|_| ptr::from_ref(cx).cast())
}

/// Without thread-locals, the address of the step's own `Context`: neither `Send` nor
/// `Sync`, so only the step's thread polls with it. (Storing it makes the frame refer
/// to itself, which keeps some of the optimiser's work undone: `std` avoids that.)
#[cfg(not(feature = "std"))]
#[inline(always)]
fn this_thread(cx: &Context<'_>) -> *const () {
    ptr::from_ref(cx).cast()
}

/// The vtable that marks a waker as a frame's. Being a `static` (not a `const`), it has
/// exactly one address, which [`frame_of`] compares against.
static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop);

/// Reads the `outer` waker through the type-erased frame pointer.
///
/// # Safety
///
/// `data` must be the address of a live `Frame<'_, Y, A>` (for any `Y`, `A`).
unsafe fn outer<'a>(data: *const ()) -> Option<&'a Waker> {
    // SAFETY: the header is at offset 0 of every frame, and the caller guarantees the
    // frame is live; the header is not written while the poll runs.
    unsafe { (*data.cast::<Header<'a>>()).outer }
}

/// Cloning our waker yields a clone of the real waker (so a future that stores it wakes
/// the right task after this step ends), or a no-op waker in sync coroutines.
///
/// # Safety
///
/// As for every function of [`VTABLE`]: `data` is the address of a live frame (only
/// `poll_body` makes a waker with this vtable, and lends it by reference for one poll).
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: `VTABLE` is only attached to frame pointers (see `poll_body`), and the
    // waker cannot outlive the frame: it is lent by reference for one poll.
    let waker = match unsafe { outer(data) } {
        Some(w) => w.clone(),
        None => Waker::noop().clone(),
    };
    let waker = ManuallyDrop::new(waker);
    RawWaker::new(waker.data(), waker.vtable())
}

/// Wakes the real waker, if any (our waker owns nothing, so by value is by reference).
///
/// # Safety
///
/// As for [`clone`].
unsafe fn wake(data: *const ()) {
    // SAFETY: as in `clone`; our waker owns nothing, so waking by value is waking by ref.
    unsafe { wake_by_ref(data) }
}

/// Wakes the real waker, if any.
///
/// # Safety
///
/// As for [`clone`].
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: as in `clone`.
    if let Some(w) = unsafe { outer(data) } {
        w.wake_by_ref();
    }
}

/// Nothing to release: the frame is the step's, not the waker's.
///
/// # Safety
///
/// None needed: it does nothing (`unsafe` for the vtable's signature).
unsafe fn drop(_: *const ()) {}

/// Finds the frame of the step currently polling a yield future that lies at `me`
/// (`size` bytes) and, on its first poll, belongs to the coroutine `first`: the checks
/// of the module docs.
///
/// # Panics
///
/// When a check fails: a yield future was polled outside its coroutine, on another
/// thread, after being moved out of its body, or inside another coroutine. Only code
/// taking the expansion apart can do any of that.
#[inline(always)]
fn frame_of<Y, A>(
    cx: &Context<'_>,
    me: *const u8,
    size: usize,
    first: Option<Id>,
) -> *mut Frame<'static, Y, A> {
    let waker = cx.waker();
    if !ptr::eq(waker.vtable(), &raw const VTABLE) {
        polled_outside_coroutine();
    }
    let frame = waker.data().cast::<Header<'static>>();
    // SAFETY: a waker with `VTABLE` exists only inside a running `poll_body` (check 1),
    // whose data pointer is that live frame, the header at offset 0. The header is not
    // written while the poll runs, so reading it from this thread, whichever it is,
    // races with nothing.
    let header = unsafe { &*frame };
    if !ptr::eq(header.thread, this_thread(cx)) {
        polled_on_another_thread();
    }
    let offset = me.addr().wrapping_sub(header.start.addr());
    if offset > header.len.saturating_sub(size) {
        polled_outside_body();
    }
    if let Some(id) = first
        && id != header.id
    {
        polled_in_another_coroutine();
    }
    frame.cast_mut().cast()
}

#[cold]
#[inline(never)]
#[track_caller]
fn polled_outside_coroutine() -> ! {
    panic!("a `yield_!` was polled outside the coroutine it belongs to")
}

#[cold]
#[inline(never)]
#[track_caller]
fn polled_on_another_thread() -> ! {
    panic!(
        "a `yield_!` was polled on another thread than its coroutine's step \
         (or under a re-made `Context`)"
    )
}

#[cold]
#[inline(never)]
#[track_caller]
fn polled_outside_body() -> ! {
    panic!("a `yield_!` was polled outside its coroutine's body (it was moved out of it)")
}

#[cold]
#[inline(never)]
#[track_caller]
fn polled_in_another_coroutine() -> ! {
    panic!("a `yield_!` was polled inside another coroutine than the one it belongs to")
}

/// The handle a coroutine's body holds; `yield_!` and `yield_from!` call it.
///
/// Made only by [`Yielder::pair`], with the [`Identity`] the coroutine is then made
/// with, and the same types (see the module docs); everything it makes is sound under
/// any use.
#[doc(hidden)]
pub struct Yielder<Y, A> {
    id: Id,
    /// Contravariant in `Y` (it takes them), covariant in `A` (it gives them).
    _types: PhantomData<fn(Y) -> A>,
}

/// The other half of [`Yielder::pair`]: what `Gen::new` / `AsyncGen::new` take to make
/// the coroutine whose body holds the yielder. Neither half can be copied, so an
/// identity belongs to one coroutine (and a yielder to one body, at most).
#[doc(hidden)]
pub struct Identity<Y, A> {
    /// Read as a field, not through a method: a coroutine's constructor then calls
    /// nothing that could unwind, and an unoptimised build compiles no cleanup path
    /// into each of them.
    pub(crate) id: Id,
    /// As the coroutine: covariant in `Y`, contravariant in `A`.
    _types: PhantomData<fn(A) -> Y>,
}

impl<Y, A> core::fmt::Debug for Identity<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Identity")
    }
}

impl<Y, A> Yielder<Y, A> {
    /// A fresh identity, for the coroutine to be made with, and the yielder of that
    /// coroutine, for its body: same `Y` and `A` (up to the variance of each half).
    #[inline]
    pub fn pair() -> (Identity<Y, A>, Self) {
        let id = Id::new();
        (
            Identity {
                id,
                _types: PhantomData,
            },
            Yielder {
                id,
                _types: PhantomData,
            },
        )
    }

    /// A `yield_!(value)`: a future that hands `value` out and suspends, then evaluates
    /// to the next resume argument. The `()` is where the expansion puts its dead
    /// `break` to the body's label.
    #[inline]
    pub fn yield_(&self, (): (), value: Y) -> Yield<Y, A> {
        Yield {
            id: self.id,
            value: Some(value),
            _types: PhantomData,
            _pinned: PhantomPinned,
        }
    }

    /// The future that binds the `#[resume]` parameter to the first resume argument.
    #[inline]
    pub fn first_arg(&self) -> FirstArg<Y, A> {
        FirstArg {
            id: self.id,
            _types: PhantomData,
            _pinned: PhantomPinned,
        }
    }
}

impl<A> Yielder<(), A> {
    /// [`yield_`](Self::yield_) in a coroutine that names no yield type: a value other
    /// than `()` is an error that says to add `yield = T`.
    #[inline]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the value is taken as a yield's is; it can only be `()`"
    )]
    pub fn yield_unit<V: crate::hints::UnitYield>(&self, (): (), value: V) -> Yield<(), A> {
        let _ = value;
        self.yield_((), ())
    }
}

impl<Y, A> core::fmt::Debug for Yielder<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Yielder")
    }
}

/// A `yield_!`: its first poll hands the value out and suspends; a poll in a later step
/// takes that step's resume argument and completes with it.
///
/// The value is its only state: once it is gone, the future is waiting for an argument
/// (the frame tells a poll in the same step, whose `yielded` is still full, from one in
/// a later step). `!Unpin`: see the module docs.
#[doc(hidden)]
#[must_use = "a `yield_!` does nothing unless awaited"]
pub struct Yield<Y, A> {
    id: Id,
    value: Option<Y>,
    _types: PhantomData<fn() -> A>,
    _pinned: PhantomPinned,
}

impl<Y, A> Future for Yield<Y, A> {
    type Output = A;

    #[inline]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A> {
        let me = ptr::from_ref(&*self).cast::<u8>();
        // SAFETY: nothing here is structurally pinned: the value is moved out by value,
        // and the future itself is never moved.
        let this = unsafe { self.get_unchecked_mut() };
        let first = this.value.is_some().then_some(this.id);
        let frame = frame_of::<Y, A>(cx, me, size_of::<Self>(), first);
        // SAFETY: `frame` is the live `Frame<Y, A>` of the current step, polled on its
        // thread (`frame_of`'s checks); nothing else accesses it during this call.
        unsafe {
            if let Some(value) = this.value.take() {
                // A value already waiting (only a yield polled out of order puts one
                // there) is dropped once the frame is consistent again.
                let earlier = (*frame).yielded.replace(value);
                core::mem::drop(earlier);
                return Poll::Pending;
            }
            // A value waiting in the frame was handed out during this very step (each
            // step makes a fresh, empty frame): still suspended.
            if (*frame).yielded.is_some() {
                return Poll::Pending;
            }
            match (*frame).arg.take() {
                Some(arg) => Poll::Ready(arg),
                // No argument: a step that finishes one an abandoned `Resume` began
                // keeps its argument (the body is not at a yield point then). Staying
                // suspended is right.
                None => Poll::Pending,
            }
        }
    }
}

impl<Y, A> core::fmt::Debug for Yield<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Yield")
    }
}

/// The future that binds the `#[resume]` parameter: always ready on its only poll (the
/// body's first), so the compiler can see it never suspends.
#[doc(hidden)]
#[must_use = "the first resume argument is only bound when awaited"]
pub struct FirstArg<Y, A> {
    id: Id,
    _types: PhantomData<fn(Y) -> A>,
    _pinned: PhantomPinned,
}

impl<Y, A> Future for FirstArg<Y, A> {
    type Output = A;

    #[inline]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A> {
        let me = ptr::from_ref(&*self).cast::<u8>();
        let frame = frame_of::<Y, A>(cx, me, size_of::<Self>(), Some(self.id));
        // SAFETY: `frame` is the live `Frame<Y, A>` of the current step, polled on its
        // thread (`frame_of`'s checks); we take one field.
        match unsafe { (*frame).arg.take() } {
            Some(arg) => Poll::Ready(arg),
            None => first_arg_missing(),
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn first_arg_missing() -> ! {
    panic!("the `#[resume]` parameter was bound in a step that carries no resume argument")
}

impl<Y, A> core::fmt::Debug for FirstArg<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FirstArg")
    }
}
