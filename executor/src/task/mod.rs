//! The task: one allocation holding a future, its scheduler and, later, its output.
//!
//! * [`raw`]: the allocation and its type-erased operations.
//! * [`state`]: the state word and the protocol every transition follows.
//! * [`waker`]: the task's own waker (a reference to the same allocation).
//! * [`handle`]: [`Task<T>`], the user's handle to the output.
//!
//! An executor creates a task with [`spawn`] (or [`spawn_unchecked`] for `!Send`
//! futures), receives [`Runnable`]s through its [`Schedule`] implementation and calls
//! [`Runnable::run`] to poll the task once.

mod handle;
pub(crate) mod raw;
pub(crate) mod state;
mod waker;

use std::fmt;
use std::future::Future;
use std::ptr::NonNull;

pub(crate) use handle::start_cancel;
pub use handle::{Cancel, Task};
use raw::{Header, RawTask};

/// How an executor receives the tasks that are ready to be polled.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queues `runnable`.
    ///
    /// # Safety
    ///
    /// `this` points to the scheduler inside a live task. The task may be run, and freed,
    /// by another thread as soon as `runnable` is handed over: the implementation must
    /// not read `*this` after that (copy what it needs first).
    unsafe fn schedule(this: *const Self, runnable: Runnable);

    /// Called by the runner after each poll that returned `Pending`, while it still owns
    /// the task (before the task can go idle and be woken elsewhere). A scheduler with a
    /// table of live tasks records the task there the first time, taking a reference
    /// for the table (`task.state.ref_inc()`, before the entry is visible), which
    /// [`release`](Self::release) gives back. A task that completes in its first poll
    /// never costs the table anything.
    fn on_pending(&self, task: NonNull<Header>) {
        let _ = task;
    }

    /// Called once, when the future of `task` is gone (completed or cancelled), on the
    /// thread that owns the future. Returns how many references the scheduler itself
    /// held and gives up now (e.g. the `LocalExecutor`'s table of live tasks).
    fn release(&self, task: NonNull<Header>) -> usize {
        let _ = task;
        0
    }
}

/// Creates a task for a `Send` future: the `Runnable` to queue and the user's handle.
/// The task holds `refs_extra` references beyond the handle's and the `Runnable`'s, for
/// the scheduler (released through [`Schedule::release`]).
#[cfg_attr(not(loom), allow(dead_code, reason = "used by the loom models"))]
pub(crate) fn spawn<F, S>(future: F, scheduler: S, refs_extra: usize) -> (Runnable, Task<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the future and its output are `Send`: any thread may poll or drop them.
    unsafe { spawn_unchecked(future, scheduler, refs_extra) }
}

/// Creates a task without requiring `Send`.
///
/// # Safety
///
/// If `F` or `F::Output` is not `Send`, the scheduler must make sure that the future is
/// polled and dropped, and the output dropped, only on the thread that called this: its
/// `Runnable`s may be sent elsewhere only to be given back to that thread, or released
/// with [`Runnable::release_unrun`].
pub(crate) unsafe fn spawn_unchecked<F, S>(
    future: F,
    scheduler: S,
    refs_extra: usize,
) -> (Runnable, Task<F::Output>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    let ptr = RawTask::allocate(future, scheduler, 2 + refs_extra);
    (Runnable { ptr }, Task::from_raw(ptr))
}

/// Gives up one reference to the task at `ptr`, freeing it if that was the last: for
/// an executor done with its table's reference to a task (at shutdown).
///
/// # Safety
///
/// The caller owns one reference to the task at `ptr`, which it gives up, and the task's
/// future is gone or another reference outlives this one: were this the last reference
/// to a task whose future is alive, `dealloc` would drop that future here, on whatever
/// thread this is, which only the thread that polls the future may do.
pub(crate) unsafe fn release_ref(ptr: NonNull<Header>) {
    // SAFETY: the caller's reference keeps the task alive until it is released.
    let header = unsafe { ptr.as_ref() };
    // Read before the reference is given up (after it, another thread may free the task).
    let vtable = header.vtable();
    if header.state.ref_dec(1) {
        // SAFETY: that was the last reference.
        unsafe { (vtable.dealloc)(ptr) }
    }
}

/// The right to poll a task once: exactly one exists per `SCHEDULED` task.
///
/// Running it polls the future (or drops it, if the task was cancelled); dropping it
/// without running cancels the task and drops its future.
pub struct Runnable {
    ptr: NonNull<Header>,
}

// SAFETY: a `Runnable` is a counted pointer to a task whose state is atomic. For tasks of
// `Send` futures any thread may run or drop it. For the `!Send` futures of a
// `LocalExecutor`, `spawn_unchecked`'s contract makes the executor run and drop them on
// its own thread only; other threads only move them into its remote queue or release
// them with `release_unrun`, which never touches the future.
unsafe impl Send for Runnable {}

impl Runnable {
    /// Takes over a reference to the task at `ptr`.
    pub(crate) fn from_raw(ptr: NonNull<Header>) -> Self {
        Self { ptr }
    }

    /// Polls the task once (or drops its future if it was cancelled).
    #[inline]
    pub(crate) fn run(self) {
        let ptr = self.ptr;
        std::mem::forget(self);
        // SAFETY: the `Runnable` owned a reference, given up to `run`; exactly one
        // `Runnable` exists while the task is `SCHEDULED`.
        unsafe { (ptr.as_ref().vtable().run)(ptr) }
    }

    /// Gives up this `Runnable`'s reference without touching the future: for a thread
    /// that may not drop it (a `LocalExecutor`'s future, once that executor is gone).
    /// Leaks the task in the (unreachable) case where this was the last reference to a
    /// task whose future is still alive.
    pub(crate) fn release_unrun(self) {
        let ptr = self.ptr;
        std::mem::forget(self);
        // SAFETY: the `Runnable`'s reference keeps the task alive for this call.
        let header = unsafe { ptr.as_ref() };
        // Read before the reference is given up (after it, another thread may free it).
        let vtable = header.vtable();
        // After the last reference is released nobody else can change the state, so
        // the load that follows sees the final value.
        if header.state.ref_dec(1) && header.state.load().is_complete() {
            // SAFETY: that was the last reference, and the future is gone already.
            unsafe { (vtable.dealloc)(ptr) }
        }
    }
}

impl Drop for Runnable {
    fn drop(&mut self) {
        // SAFETY: the `Runnable`'s reference keeps the task alive and is given up here;
        // the task is scheduled, not running; see the `Send` impl for the thread.
        unsafe { (self.ptr.as_ref().vtable().shutdown)(self.ptr, 1) }
    }
}

impl fmt::Debug for Runnable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: the `Runnable`'s reference keeps the task alive.
        let state = unsafe { self.ptr.as_ref() }.state.load();
        f.debug_struct("Runnable").field("state", &state).finish()
    }
}
