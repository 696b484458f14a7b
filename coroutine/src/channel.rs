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
//! 4. **The future belongs to the coroutine being stepped**, proven one of two ways,
//!    chosen by the yielder's mode ([`Mode`]):
//!    - **An [`Id`]** (any coroutine): on its first poll, the future's coroutine
//!      identity is the frame's. Every such coroutine gets a fresh `Id` when it is
//!      made, and only its constructor makes a [`Yielder`] with it, with the
//!      coroutine's own `Y` and `A`. So a yielder's types are the coroutine's up to
//!      lifetimes, which the type system ties: the body receives the yielder as a
//!      closure argument typed by the coroutine's parameters, never by re-written
//!      tokens.
//!    - **[`Plain`]** (a coroutine whose `Y` and `A` are [`LifetimeFree`], picked at
//!      compile time by [`Pick`]): on every poll, the frame's `(Y, A)` is the
//!      future's, compared as type identities with lifetimes erased (`typeid::of`).
//!      Only lifetime-free types get such a yielder, and a lifetime-free type equals
//!      another with lifetimes erased only if it is that type, so the frame's slots
//!      have exactly the future's types. Nothing else in the frame depends on which
//!      coroutine the future came from: a plain future polled in another coroutine of
//!      its own types hands its value out there, which is defined. Both identities are
//!      constants, so the comparison folds; the future carries nothing, and a plain
//!      coroutine takes no identity (its frame holds [`Id::PLAIN`], which no yielder
//!      with an identity has).
//!
//! Later polls of a future with an identity skip check 4. They rely on checks 2 and 3
//! and on pinning instead: the futures are `!Unpin`, so a future that passed check 4
//! (its value is gone then) still lies where it did, inside the coroutine that checked
//! it. Another coroutine whose range holds that place is nested in it or holds it
//! nested, and its step can never poll the future: a `Context` cannot outlive the poll
//! it was lent to (its lifetimes are higher-ranked in `Future::poll`), so the only code
//! that can poll with a coroutine's context runs inside that poll, and it can only reach
//! that coroutine's own state (locals of a body cannot be borrowed out of it) or memory
//! made during the poll (which is not inside any coroutine made before it). A coroutine
//! dropped takes the futures inside it along. (Check 4 stays out of later polls because
//! the identity lives in the coroutine's memory: the compiler cannot fold the
//! comparison there. Even on first polls it does not fold where a consumer reaches the
//! coroutine through a stored pointer, as an `async fn` awaiting a pinned stream does,
//! and that one branch kept the stream's whole state machine in memory: 5x the
//! hand-written stream under an executor. That is what the plain mode is for.)
//!
//! Variance keeps the lifetimes honest: a coroutine is covariant in `Y` and contravariant
//! in `A` (it produces `Y`s and consumes `A`s); a yielder is the other way round; a
//! [`Yield`] seals the value it was made with (no method replaces it).
//!
//! When an `async fn` coroutine is polled by a real executor, the frame also carries
//! that executor's waker (`outer`): cloning or waking our waker forwards to it, so
//! futures awaited inside the body register the real waker.

use core::any::TypeId;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{ManuallyDrop, MaybeUninit};
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::id::Id;
use crate::plain::LifetimeFree;

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
    /// Check 4: the coroutine being stepped (futures of an [`Id`]).
    id: Id,
    /// Check 4: the frame's `(Y, A)`, lifetimes erased ([`Plain`] futures).
    types: TypeId,
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
            types: typeid::of::<(Y, A)>(),
        });
        (&raw mut (*at).yielded).write(None);
        (&raw mut (*at).arg).write(arg);
    }
    // If the body unwinds, the slots are dropped where they lie: an argument it never
    // took (say, one sent after it panicked) and a value it handed out. Only slots
    // that need it get the guard: even an empty one changed what the optimiser did
    // with a stream under an executor (`BENCHMARKS.md`).
    let poll = if const { core::mem::needs_drop::<Y>() || core::mem::needs_drop::<A>() } {
        let unwinding = DropSlots(at);
        let poll = body.poll(&mut cx);
        core::mem::forget(unwinding);
        poll
    } else {
        body.poll(&mut cx)
    };
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

/// Drops a frame's slots when the poll of its body unwinds (forgotten otherwise).
struct DropSlots<'o, Y, A>(*mut Frame<'o, Y, A>);

impl<Y, A> Drop for DropSlots<'_, Y, A> {
    fn drop(&mut self) {
        // SAFETY: made after both slots were initialised, and only dropped while the
        // body's poll unwinds: the yield futures touch the slots only inside a poll,
        // through `Option` methods that leave them initialised when a `Drop` they run
        // unwinds, and nothing reads the frame after this.
        unsafe {
            ptr::drop_in_place(&raw mut (*self.0).yielded);
            ptr::drop_in_place(&raw mut (*self.0).arg);
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

/// Which coroutines a yield future may be polled in (check 4 of the module docs).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum Owned {
    /// An [`Id`] future polled before: checks 2 and 3 suffice.
    Placed,
    /// An [`Id`] future's first poll: the coroutine with this identity.
    By(Id),
    /// A [`Plain`] future: any coroutine of exactly its `Y` and `A`.
    Typed,
}

/// Finds the frame of the step currently polling a yield future that lies at `me`
/// (`size` bytes) and is `owned` as that says: the checks of the module docs.
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
    owned: Owned,
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
    let belongs = match owned {
        Owned::Placed => true,
        Owned::By(id) => id == header.id,
        Owned::Typed => header.types == typeid::of::<(Y, A)>(),
    };
    if !belongs {
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

/// What a yielder's futures carry to prove they belong to the coroutine being stepped
/// (check 4 of the module docs): an [`Id`] (any coroutine), or [`Plain`]. Sealed.
#[doc(hidden)]
pub trait Mode: sealed::Sealed + Copy {
    /// What check 4 asks of a future of this mode, on its first poll or a later one.
    fn owned(self, first: bool) -> Owned;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Id {}
    impl Sealed for super::Plain {}
}

/// The mode of any coroutine: a yield future's first poll compares its coroutine's
/// [`Id`] with the frame's.
impl Mode for Id {
    #[inline(always)]
    fn owned(self, first: bool) -> Owned {
        if first {
            Owned::By(self)
        } else {
            Owned::Placed
        }
    }
}

/// The mode of a coroutine whose `Y` and `A` name no lifetime ([`LifetimeFree`]): a
/// yield future may be polled in any coroutine of exactly its types, checked on every
/// poll by comparing type identities, which the compiler folds (nothing is loaded from
/// the coroutine's memory, and the futures carry nothing). With no lifetime to
/// confuse, a future polled in another coroutine of its own types moves values of the
/// right types, which is all the frame relies on.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Plain {
    _private: (),
}

impl Mode for Plain {
    #[inline(always)]
    fn owned(self, _first: bool) -> Owned {
        Owned::Typed
    }
}

/// The handle a coroutine's body holds; `yield_!` and `yield_from!` call it.
///
/// Made only by [`Yielder::pair`] (or, for [`LifetimeFree`] types, [`Pick`]), with the
/// [`Identity`] the coroutine is then made with, and the same types (see the module
/// docs); everything it makes is sound under any use.
#[doc(hidden)]
pub struct Yielder<Y, A, K: Mode = Id> {
    key: K,
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

impl<Y, A> Yielder<Y, A, Id> {
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
                key: id,
                _types: PhantomData,
            },
        )
    }
}

/// Picks the yielder of a coroutine by its types, at compile time: [`Plain`] when `Y`
/// and `A` are [`LifetimeFree`], else an [`Id`]. The expansion calls
/// `(&Pick::<Y, A>::new()).__coroutine_pair()` with [`PickPlain`] and [`PickChecked`] in scope: the
/// first applies by value when its bounds hold, the second after auto-reference
/// (autoref specialization). The method has a name no user trait in scope is expected
/// to share (a method call, unlike a path, can meet the user's traits). Either way, the pair is sound: each mode checks what it
/// relies on, and a plain yielder is only made for lifetime-free types.
#[doc(hidden)]
pub struct Pick<Y, A>(PhantomData<fn(A) -> Y>);

impl<Y, A> Pick<Y, A> {
    #[inline(always)]
    #[allow(clippy::new_without_default, reason = "only the expansion makes one")]
    pub fn new() -> Self {
        Pick(PhantomData)
    }
}

impl<Y, A> core::fmt::Debug for Pick<Y, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pick")
    }
}

/// See [`Pick`].
#[doc(hidden)]
pub trait PickPlain<Y, A> {
    fn __coroutine_pair(&self) -> (Identity<Y, A>, Yielder<Y, A, Plain>);
}

impl<Y: LifetimeFree, A: LifetimeFree> PickPlain<Y, A> for Pick<Y, A> {
    /// No fresh identity: a plain coroutine's frame carries [`Id::PLAIN`], which no
    /// other yielder has, and its futures check types instead.
    #[inline(always)]
    fn __coroutine_pair(&self) -> (Identity<Y, A>, Yielder<Y, A, Plain>) {
        (
            Identity {
                id: Id::PLAIN,
                _types: PhantomData,
            },
            Yielder {
                key: Plain { _private: () },
                _types: PhantomData,
            },
        )
    }
}

/// See [`Pick`].
#[doc(hidden)]
pub trait PickChecked<Y, A> {
    fn __coroutine_pair(&self) -> (Identity<Y, A>, Yielder<Y, A, Id>);
}

impl<Y, A> PickChecked<Y, A> for &Pick<Y, A> {
    #[inline(always)]
    fn __coroutine_pair(&self) -> (Identity<Y, A>, Yielder<Y, A, Id>) {
        Yielder::pair()
    }
}

impl<Y, A, K: Mode> Yielder<Y, A, K> {
    /// A `yield_!(value)`: a future that hands `value` out and suspends, then evaluates
    /// to the next resume argument. The `()` is where the expansion puts its dead
    /// `break` to the body's label.
    #[inline]
    pub fn yield_(&self, (): (), value: Y) -> Yield<Y, A, K> {
        Yield {
            key: self.key,
            value: Some(value),
            _types: PhantomData,
            _pinned: PhantomPinned,
        }
    }

    /// The future that binds the `#[resume]` parameter to the first resume argument.
    #[inline]
    pub fn first_arg(&self) -> FirstArg<Y, A, K> {
        FirstArg {
            key: self.key,
            _types: PhantomData,
            _pinned: PhantomPinned,
        }
    }
}

impl<A, K: Mode> Yielder<(), A, K> {
    /// [`yield_`](Self::yield_) in a coroutine that names no yield type: a value other
    /// than `()` is an error that says to add `yield = T`.
    #[inline]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the value is taken as a yield's is; it can only be `()`"
    )]
    pub fn yield_unit<V: crate::hints::UnitYield>(&self, (): (), value: V) -> Yield<(), A, K> {
        let _ = value;
        self.yield_((), ())
    }
}

impl<Y, A, K: Mode> core::fmt::Debug for Yielder<Y, A, K> {
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
pub struct Yield<Y, A, K: Mode = Id> {
    key: K,
    value: Option<Y>,
    _types: PhantomData<fn() -> A>,
    _pinned: PhantomPinned,
}

impl<Y, A, K: Mode> Future for Yield<Y, A, K> {
    type Output = A;

    #[inline]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A> {
        let me = ptr::from_ref(&*self).cast::<u8>();
        // SAFETY: nothing here is structurally pinned: the value is moved out by value,
        // and the future itself is never moved.
        let this = unsafe { self.get_unchecked_mut() };
        let owned = this.key.owned(this.value.is_some());
        let frame = frame_of::<Y, A>(cx, me, size_of::<Self>(), owned);
        // SAFETY: `frame` is the live `Frame<Y, A>` of the current step, polled on its
        // thread (`frame_of`'s checks); nothing else accesses it during this call.
        unsafe {
            // Tested before it is taken: a later poll then only reads it (a stream
            // whose state stays in memory stores nothing for it).
            if this.value.is_some()
                && let Some(value) = this.value.take()
            {
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

impl<Y, A, K: Mode> core::fmt::Debug for Yield<Y, A, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Yield")
    }
}

/// The future that binds the `#[resume]` parameter: always ready on its only poll (the
/// body's first), so the compiler can see it never suspends.
#[doc(hidden)]
#[must_use = "the first resume argument is only bound when awaited"]
pub struct FirstArg<Y, A, K: Mode = Id> {
    key: K,
    _types: PhantomData<fn(Y) -> A>,
    _pinned: PhantomPinned,
}

impl<Y, A, K: Mode> Future for FirstArg<Y, A, K> {
    type Output = A;

    #[inline]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A> {
        let me = ptr::from_ref(&*self).cast::<u8>();
        let frame = frame_of::<Y, A>(cx, me, size_of::<Self>(), self.key.owned(true));
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

impl<Y, A, K: Mode> core::fmt::Debug for FirstArg<Y, A, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FirstArg")
    }
}
