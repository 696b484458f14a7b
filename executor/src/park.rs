//! Per-thread state shared by every run loop: the "inside a run loop" flag that detects
//! nesting, the thread's parker (a cached waker that unparks it), and the one idle
//! routine that drives the timers and parks.

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};
use std::time::Instant;

use crate::loom::thread::{self, Thread};
use crate::loom::{AtomicBool, Ordering};

use crate::time::driver;

/// The state of one thread.
pub(crate) struct ThreadCtx {
    /// The name of the run loop this thread is inside, if any.
    entered: Cell<Option<&'static str>>,
    /// Whether that run loop drives the timers (`block_on`, `LocalExecutor::run`, a
    /// worker; not `LocalExecutor::try_tick`, which never parks).
    drives: Cell<bool>,
    /// Whether that run loop is responsible for the timers while it runs (see the
    /// module docs of `time::driver`); written under the timer store's lock.
    responsible: Cell<bool>,
    /// This thread's parker; its waker is lent to the futures the run loops poll.
    parker: Arc<Parker>,
}

crate::loom::thread_local_shim! {
    static CTX: ThreadCtx = ThreadCtx {
        entered: Cell::new(None),
        drives: Cell::new(false),
        responsible: Cell::new(false),
        parker: Arc::new(Parker {
            thread: thread::current(),
            notified: AtomicBool::new(false),
        }),
    };
}

/// Calls `f` with the timer responsibility flag of the run loop the calling thread is
/// inside, if it is inside one that drives the timers (`None` otherwise, and from a
/// thread-local destructor).
pub(crate) fn with_driver_flag<R>(f: impl FnOnce(Option<&Cell<bool>>) -> R) -> R {
    let mut f = Some(f);
    let called = CTX.try_with(|ctx| {
        let f = f.take().expect("called once");
        if ctx.drives.get() {
            f(Some(&ctx.responsible))
        } else {
            f(None)
        }
    });
    match called {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called"))(None),
    }
}

/// Runs `f` with the calling thread's context.
#[inline]
pub(crate) fn with_ctx<R>(f: impl FnOnce(&ThreadCtx) -> R) -> R {
    CTX.with(f)
}

/// The calling thread's context, borrowed without a closure, so that a run loop's poll
/// loop sits in its caller's function (where the optimizer can keep a future's state in
/// registers) instead of inside `LocalKey::with`.
///
/// # Safety
///
/// The reference must not be used once this thread starts running its thread-local
/// destructors, except by the destructor that obtained it. A run loop that drops it
/// before returning meets this: the destructors run one at a time after the thread's
/// code is done, so none of them (`CTX`'s included) runs while the loop does.
///
/// # Panics
///
/// When called from a thread-local destructor after `CTX` was destroyed (as
/// [`LocalKey::with`](std::thread::LocalKey::with) does).
#[inline]
pub(crate) unsafe fn current_ctx<'a>() -> &'a ThreadCtx {
    let ctx: *const ThreadCtx = CTX.with(std::ptr::from_ref);
    // SAFETY: `CTX` is alive (`with` just lent it), and stays alive and unmoved until its
    // destructor runs, which the caller guarantees happens after the last use.
    unsafe { &*ctx }
}

impl ThreadCtx {
    /// Marks the thread as inside the run loop `name` until the guard is dropped.
    ///
    /// # Panics
    ///
    /// If the thread is inside a run loop already (nesting would block the outer one).
    #[inline]
    pub(crate) fn enter(&self, name: &'static str) -> EnterGuard<'_> {
        if let Some(outer) = self.entered.get() {
            nested(name, outer);
        }
        self.entered.set(Some(name));
        self.drives.set(true);
        EnterGuard { ctx: self }
    }

    /// Marks the thread as inside `name` until the guard is dropped, unless it is inside
    /// a run loop already (then nothing changes, and `None` is returned): for
    /// [`LocalExecutor::try_tick`](crate::LocalExecutor::try_tick), which runs one task
    /// without blocking, so it may be called from anywhere, but a task it polls must not
    /// block the thread either.
    #[inline]
    pub(crate) fn enter_unless_entered(&self, name: &'static str) -> Option<EnterGuard<'_>> {
        if self.entered.get().is_some() {
            return None;
        }
        self.entered.set(Some(name));
        Some(EnterGuard { ctx: self })
    }

    /// This thread's parker.
    pub(crate) fn parker(&self) -> &Arc<Parker> {
        &self.parker
    }
}

#[cold]
#[inline(never)]
fn nested(name: &str, outer: &str) -> ! {
    let message = if outer == WORKER_LOOP {
        format!(
            "`{name}` cannot be called from inside a task of `executor::Executor` (nested): \
             it would block a worker thread; `.await` the future instead"
        )
    } else {
        format!(
            "`{name}` cannot be called from inside `{outer}` on the same thread (nested): \
             the inner call would block the outer executor; `.await` the future instead"
        )
    };
    panic!("{message}")
}

/// The run-loop name of the worker threads of `executor::Executor`.
pub(crate) const WORKER_LOOP: &str = "executor::Executor worker";

/// Clears the "inside a run loop" flag when dropped (also on unwinding).
pub(crate) struct EnterGuard<'a> {
    ctx: &'a ThreadCtx,
}

impl Drop for EnterGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.ctx.responsible.get() {
            // The loop stops driving the timers it was responsible for: hand them over.
            driver::global().hand_off(&self.ctx.responsible);
        }
        self.ctx.drives.set(false);
        self.ctx.entered.set(None);
    }
}

/// Wakes one thread: a `notified` flag plus `Thread::unpark`.
///
/// The flag is what makes the parker survive other users of `park`/`unpark` on the same
/// thread: a foreign `unpark` makes `park` return, the flag is still clear, and the
/// thread parks again; a wake-up is never lost, because the flag is set before
/// `unpark` and checked after every `park`.
pub(crate) struct Parker {
    thread: Thread,
    notified: AtomicBool,
}

static PARKER_WAKER: RawWakerVTable =
    RawWakerVTable::new(parker_clone, parker_wake, parker_wake_by_ref, parker_drop);

/// Clones a parker waker: one more strong count.
///
/// # Safety
///
/// `data` comes from `Arc::as_ptr` of an `Arc<Parker>` (see [`Parker::waker_ref`]) and
/// the waker it belongs to owns one strong count of it, or borrows one for the duration of
/// the call.
unsafe fn parker_clone(data: *const ()) -> RawWaker {
    // SAFETY: `data` comes from `Arc::as_ptr` of a live `Arc<Parker>` (the waker being
    // cloned owns or borrows one), so adding a strong count is sound.
    unsafe { Arc::increment_strong_count(data.cast::<Parker>()) };
    RawWaker::new(data, &PARKER_WAKER)
}

/// Wakes by value: unparks, then releases the waker's strong count.
///
/// # Safety
///
/// `data` comes from `Arc::as_ptr` of an `Arc<Parker>` (see [`Parker::waker_ref`]) and
/// the waker it belongs to owns one strong count of it, which this call consumes.
unsafe fn parker_wake(data: *const ()) {
    // SAFETY: this waker owns one strong count (made by `parker_clone`), taken back here.
    let parker = unsafe { Arc::from_raw(data.cast::<Parker>()) };
    parker.unpark();
}

/// Wakes by reference: unparks.
///
/// # Safety
///
/// `data` comes from `Arc::as_ptr` of an `Arc<Parker>` (see [`Parker::waker_ref`]) and
/// the waker it belongs to owns one strong count of it, or borrows one for the duration of
/// the call.
unsafe fn parker_wake_by_ref(data: *const ()) {
    // SAFETY: the waker keeps the `Parker` alive for this call.
    unsafe { &*data.cast::<Parker>() }.unpark();
}

/// Releases the waker's strong count.
///
/// # Safety
///
/// `data` comes from `Arc::as_ptr` of an `Arc<Parker>` (see [`Parker::waker_ref`]) and
/// the waker it belongs to owns one strong count of it, which this call releases.
unsafe fn parker_drop(data: *const ()) {
    // SAFETY: this waker owns one strong count, released here.
    drop(unsafe { Arc::from_raw(data.cast::<Parker>()) });
}

impl Parker {
    /// A waker for this parker that borrows `self`'s strong count (no refcount change):
    /// it must not outlive `self` (cloning it makes an owning waker).
    #[inline]
    pub(crate) fn waker_ref(self: &Arc<Self>) -> ManuallyDrop<Waker> {
        let raw = RawWaker::new(Arc::as_ptr(self).cast(), &PARKER_WAKER);
        // SAFETY: the vtable's functions uphold the `RawWaker` contract for a pointer
        // obtained from `Arc::as_ptr`; the result is `ManuallyDrop`, so the borrowed
        // strong count is never released by it.
        ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
    }

    /// Sets the flag and unparks the thread (once per wake-up).
    pub(crate) fn unpark(&self) {
        if !self.notified.swap(true, Ordering::Release) {
            self.thread.unpark();
        }
    }

    /// Clears the flag; returns whether it was set.
    #[inline]
    pub(crate) fn take_notified(&self) -> bool {
        self.notified.load(Ordering::Relaxed) && self.notified.swap(false, Ordering::Acquire)
    }

    /// The parked thread.
    pub(crate) fn thread(&self) -> &Thread {
        &self.thread
    }
}

/// The idle step of every run loop (the parking rule every loop follows): fire the
/// expired timers; if that woke nobody, park: until the earliest deadline if this loop
/// is the timers' leader, else until unparked (see `time::driver`). Returns after any
/// wake-up, spurious ones included: the caller re-checks its work.
pub(crate) fn park_idle(ctx: &ThreadCtx) {
    if driver::fire_expired(Instant::now()) > 0 {
        return;
    }
    driver::global().park(ctx.parker.thread(), &ctx.responsible);
}

/// Fires the expired timers while the loop is busy (so a busy executor does not starve
/// them). Cheap when no timer exists.
#[inline]
pub(crate) fn fire_timers() {
    if driver::next_deadline().is_some() {
        driver::fire_expired(Instant::now());
    }
}
