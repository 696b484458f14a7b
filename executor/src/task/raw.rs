//! The one allocation of a task, its header, and the type-erased functions that act on
//! it (the vtable).
//!
//! ```text
//! RawTask<F, S> (#[repr(C)], one Box)
//! ┌──────────────────────────────┐  ◄── NonNull<Header> (Runnable, Waker, Task<T>)
//! │ Header                       │
//! │   state: State (flags | refs)│
//! │   vtable: &'static VTable    │
//! │   awaiter: Option<Waker>     │
//! ├──────────────────────────────┤
//! │ scheduler: S                 │
//! ├──────────────────────────────┤
//! │ stage: Running(F)            │
//! │      | Finished(Result<T>)   │
//! │      | Consumed              │
//! └──────────────────────────────┘
//! ```

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};
use std::thread;

use super::state::{Shutdown, State, TransitionToComplete, TransitionToIdle, TransitionToRunning};
use super::{Runnable, Schedule, waker};
use crate::loom::UnsafeCell;

/// The first field of every task: what is needed without knowing the future's type.
#[repr(C)]
pub(crate) struct Header {
    /// Flags and reference count; see [`super::state`].
    pub(crate) state: State,
    /// The functions that know the concrete types; read through [`Header::vtable`].
    vtable: &'static VTable,
    /// The waker of whoever awaits the `Task` handle; ownership follows the `AWAITER` bit.
    pub(crate) awaiter: UnsafeCell<Option<Waker>>,
    /// Under loom only: makes loom report a task that is never freed as a leak.
    #[cfg(loom)]
    _leak_check: loom::alloc::Track<()>,
}

impl Header {
    /// The functions that know the concrete types.
    ///
    /// Read it *before* any operation that may give up the caller's reference: once
    /// that reference is gone another thread may free the task (under loom, the read
    /// checks that the task is still alive).
    #[inline]
    pub(crate) fn vtable(&self) -> &'static VTable {
        self.state.assert_live();
        self.vtable
    }
}

/// The type-erased operations on a task.
pub(crate) struct VTable {
    /// Runs the task: polls the future once (or drops it if cancelled). Consumes the
    /// `Runnable`'s reference.
    pub(crate) run: unsafe fn(NonNull<Header>),
    /// Hands a new `Runnable` (whose reference is already counted) to the scheduler.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Drops the future of a task that is not running, completes it, and releases the
    /// given number of references.
    pub(crate) shutdown: unsafe fn(NonNull<Header>, usize),
    /// Moves the output out of a completed task into `*mut Option<thread::Result<T>>`.
    pub(crate) take_output: unsafe fn(NonNull<Header>, *mut ()),
    /// Frees the allocation.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
}

/// What the task holds besides its header.
pub(crate) enum Stage<F: Future> {
    /// The future, not yet complete.
    Running(F),
    /// The output, or the panic the future raised.
    Finished(thread::Result<F::Output>),
    /// Nothing: the output was taken, or the future was cancelled.
    Consumed,
}

/// The allocation: header first, so a pointer to it is a pointer to the header.
#[repr(C)]
pub(crate) struct RawTask<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
}

impl<F, S> RawTask<F, S>
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    const VTABLE: VTable = VTable {
        run: Self::run,
        schedule: Self::schedule,
        shutdown: Self::shutdown,
        take_output: Self::take_output,
        dealloc: Self::dealloc,
    };

    /// Allocates a task holding `refs` references, `SCHEDULED | HANDLE`.
    pub(crate) fn allocate(future: F, scheduler: S, refs: usize) -> NonNull<Header> {
        let task = Box::new(Self {
            header: Header {
                state: State::new(refs),
                vtable: &Self::VTABLE,
                awaiter: UnsafeCell::new(None),
                #[cfg(loom)]
                _leak_check: loom::alloc::Track::new(()),
            },
            scheduler,
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        NonNull::from(Box::leak(task)).cast()
    }

    /// # Safety
    ///
    /// `ptr` points to a live `RawTask<F, S>`.
    unsafe fn from_header<'a>(ptr: NonNull<Header>) -> &'a Self {
        // SAFETY: the header is the first field of the `#[repr(C)]` `RawTask<F, S>`, so
        // the pointers coincide; the caller guarantees it is live and of these types.
        unsafe { ptr.cast::<Self>().as_ref() }
    }

    /// # Safety
    ///
    /// `ptr` is a `RawTask<F, S>` with a `Runnable` reference owned by the caller, which
    /// gives it up.
    unsafe fn run(ptr: NonNull<Header>) {
        // SAFETY: the `Runnable`'s reference keeps the task alive.
        let task = unsafe { Self::from_header(ptr) };
        match task.header.state.transition_to_running() {
            TransitionToRunning::Poll => {}
            TransitionToRunning::Cancelled => {
                // SAFETY: `RUNNING` is ours, so is the stage.
                unsafe { task.drop_future() };
                // SAFETY: as above; the `Runnable`'s reference is released here.
                if unsafe { Self::complete(ptr, 1) } {
                    // SAFETY: that was the last reference.
                    unsafe { Self::dealloc(ptr) };
                }
                return;
            }
        }
        // The waker lends the `Runnable`'s reference; it is not dropped.
        // SAFETY: `ptr` is a live task header, the contract of `waker::raw`.
        let waker = ManuallyDrop::new(unsafe { Waker::from_raw(waker::raw(ptr)) });
        let mut cx = Context::from_waker(&waker);
        let poll = catch_unwind(AssertUnwindSafe(|| {
            task.stage.with_mut(|stage| {
                // SAFETY: `RUNNING` gives this thread the stage exclusively.
                let stage = unsafe { &mut *stage };
                let Stage::Running(future) = stage else {
                    unreachable!("a running task holds its future")
                };
                // SAFETY: the future is never moved out of the allocation until dropped.
                unsafe { Pin::new_unchecked(future) }.poll(&mut cx)
            })
        }));
        let output = match poll {
            Ok(Poll::Pending) => {
                task.scheduler.on_pending(ptr);
                match task.header.state.transition_to_idle() {
                    TransitionToIdle::Idle => return,
                    TransitionToIdle::IdleDealloc => {
                        // SAFETY: that was the last reference.
                        unsafe { Self::dealloc(ptr) };
                        return;
                    }
                    TransitionToIdle::Reschedule => {
                        // SAFETY: the `Runnable`'s reference moves to the new `Runnable`.
                        unsafe { Self::schedule(ptr) };
                        return;
                    }
                    TransitionToIdle::Cancelled => None,
                }
            }
            Ok(Poll::Ready(output)) => Some(Ok(output)),
            Err(panic) => Some(Err(panic)),
        };
        match output {
            // SAFETY: still `RUNNING`: the stage is ours.
            Some(output) => unsafe { task.finish(output) },
            // SAFETY: as above.
            None => unsafe { task.drop_future() },
        }
        // SAFETY: `RUNNING` and the stage written; the `Runnable`'s reference is ours.
        if unsafe { Self::complete(ptr, 1) } {
            // SAFETY: that was the last reference.
            unsafe { Self::dealloc(ptr) };
        }
    }

    /// # Safety
    ///
    /// `ptr` is a `RawTask<F, S>` and the caller owns a reference for the new `Runnable`.
    unsafe fn schedule(ptr: NonNull<Header>) {
        // SAFETY: the new `Runnable`'s reference keeps the task alive until the call
        // hands it over; `Schedule::schedule` does not touch the task after that.
        unsafe {
            let task = ptr.cast::<Self>().as_ptr();
            let scheduler = &raw const (*task).scheduler;
            S::schedule(scheduler, Runnable::from_raw(ptr));
        }
    }

    /// # Safety
    ///
    /// `ptr` is a `RawTask<F, S>` that is not running, and the caller owns `refs`
    /// references (possibly zero, when the scheduler's own reference is released by
    /// `Schedule::release`), on the thread allowed to drop the future.
    unsafe fn shutdown(ptr: NonNull<Header>, refs: usize) {
        // SAFETY: the caller's reference, or the scheduler's table, keeps it alive.
        let task = unsafe { Self::from_header(ptr) };
        match task.header.state.transition_to_shutdown() {
            Shutdown::DropFuture => {
                // SAFETY: we set `RUNNING`: the stage is ours.
                unsafe { task.drop_future() };
                // SAFETY: as above; the caller owns `refs` references.
                if unsafe { Self::complete(ptr, refs) } {
                    // SAFETY: those were the last references.
                    unsafe { Self::dealloc(ptr) };
                }
            }
            Shutdown::AlreadyComplete => {
                if task.header.state.ref_dec(refs) {
                    // SAFETY: those were the last references.
                    unsafe { Self::dealloc(ptr) };
                }
            }
        }
    }

    /// # Safety
    ///
    /// `ptr` is a completed `RawTask<F, S>` whose output the caller owns (it is the
    /// handle, and the state said `COMPLETE`), and `out` is a valid
    /// `*mut Option<thread::Result<F::Output>>`.
    unsafe fn take_output(ptr: NonNull<Header>, out: *mut ()) {
        // SAFETY: the handle's reference keeps the task alive.
        let task = unsafe { Self::from_header(ptr) };
        task.stage.with_mut(|stage| {
            // SAFETY: after `COMPLETE` the stage belongs to the handle (module doc of
            // `state`), and `out` has the type the caller promised.
            unsafe {
                let output = match std::mem::replace(&mut *stage, Stage::Consumed) {
                    Stage::Finished(output) => Some(output),
                    Stage::Consumed => None,
                    Stage::Running(_) => unreachable!("output taken from a running task"),
                };
                *out.cast::<Option<thread::Result<F::Output>>>() = output;
            }
        });
    }

    /// # Safety
    ///
    /// `ptr` is a `RawTask<F, S>` whose last reference the caller just released; if the
    /// future is still there, this thread may drop it.
    unsafe fn dealloc(ptr: NonNull<Header>) {
        // SAFETY: the caller held the last reference: the task is alive until here.
        unsafe { ptr.as_ref() }.state.mark_freed();
        #[cfg(not(loom))]
        // SAFETY: allocated by `Box::new` in `allocate` with this type; nobody else
        // refers to it any more.
        drop(unsafe { Box::from_raw(ptr.cast::<Self>().as_ptr()) });
        // Under loom the memory is kept (leaked): a racing access must find loom's
        // bookkeeping intact to be reported, instead of reading freed memory. The
        // contents are dropped as `Box` would (the leak check included).
        #[cfg(loom)]
        // SAFETY: as above; the memory is never used again, except by a buggy access
        // that loom then reports.
        unsafe {
            std::ptr::drop_in_place(ptr.cast::<Self>().as_ptr());
        }
    }

    /// Drops the future, swallowing a panic of its destructor (the task is being
    /// cancelled: nobody can receive that panic).
    ///
    /// # Safety
    ///
    /// The caller owns the stage (`RUNNING` is set by it).
    unsafe fn drop_future(&self) {
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: the stage is ours (caller's contract).
            self.stage
                .with_mut(|stage| unsafe { *stage = Stage::Consumed });
        }));
        drop(dropped);
    }

    /// Replaces the future by its output (or its panic).
    ///
    /// # Safety
    ///
    /// The caller owns the stage.
    unsafe fn finish(&self, output: thread::Result<F::Output>) {
        // Drop the future first: its destructor may panic, and that panic then becomes
        // the task's outcome.
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: the stage is ours (caller's contract).
            self.stage
                .with_mut(|stage| unsafe { *stage = Stage::Consumed });
        }));
        let output = match dropped {
            Ok(()) => output,
            Err(panic) => {
                // Nobody will see the output now: drop it here, where its destructor's
                // panic (if any) is swallowed too, not in the runner's frame (it would
                // unwind out of the run loop and leave the task `RUNNING`).
                drop(catch_unwind(AssertUnwindSafe(move || drop(output))));
                Err(panic)
            }
        };
        // SAFETY: the stage is ours; it is `Consumed`, so nothing is dropped here.
        self.stage
            .with_mut(|stage| unsafe { stage.write(Stage::Finished(output)) });
    }

    /// Marks the task complete, then does what the state says: drop the output nobody
    /// can read, wake the awaiter, release `refs` references (and the scheduler's own). Returns
    /// `true` if those were the last references: the caller must then free the task.
    ///
    /// Takes the pointer, not `&self`: once the references are released another thread
    /// may free the task while this call is still running, and a reference argument
    /// (which the language treats as live for the whole call) to memory that is freed
    /// under it is undefined behaviour. Only the state is borrowed across the release
    /// points, and it is all atomics (`UnsafeCell`), as `Arc`'s counts are; the rest of
    /// the task is borrowed only while the references are still held.
    ///
    /// # Safety
    ///
    /// `ptr` is a `RawTask<F, S>`; the caller set `RUNNING` and wrote the stage; it owns
    /// `refs` references, and holds no borrow of the task but the state's past this call.
    #[must_use]
    unsafe fn complete(ptr: NonNull<Header>, refs: usize) -> bool {
        // Release the scheduler's slot first: its reference may be released in the
        // transition.
        // SAFETY: the caller's references keep the task alive; this borrow ends here.
        let refs = refs + unsafe { Self::from_header(ptr) }.scheduler.release(ptr);
        // SAFETY: as above; see the doc for why this borrow may outlive the release.
        let state = unsafe { &(*ptr.as_ptr()).state };
        let snapshot = match state.transition_to_complete(refs) {
            TransitionToComplete::Done => return false,
            TransitionToComplete::Notify(snapshot) => snapshot,
        };
        {
            // SAFETY: on `Notify` the references are still ours (released below).
            let task = unsafe { Self::from_header(ptr) };
            if !snapshot.has_handle() {
                // Nobody can take the output: drop it here, on the executor's thread.
                let dropped = catch_unwind(AssertUnwindSafe(|| {
                    // SAFETY: `COMPLETE` without `HANDLE`: the stage is nobody else's.
                    task.stage
                        .with_mut(|stage| unsafe { *stage = Stage::Consumed });
                }));
                drop(dropped);
            }
            if snapshot.has_awaiter() {
                task.header.awaiter.with(|awaiter| {
                    // SAFETY: `AWAITER` with `COMPLETE`: the slot is frozen and shared
                    // read-only (module doc of `state`).
                    if let Some(waker) = unsafe { &*awaiter } {
                        // A foreign waker may panic: that must not leave the task
                        // half-completed (its references unreleased).
                        drop(catch_unwind(AssertUnwindSafe(|| waker.wake_by_ref())));
                    }
                });
            }
        }
        state.ref_dec(refs)
    }
}
