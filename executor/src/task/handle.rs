//! [`Task<T>`]: the handle to a spawned task's output.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};
use std::thread;

use super::raw::Header;
use super::state::Notify;

/// A handle to a spawned task: await it for the task's output.
///
/// * **Dropping** a `Task` cancels the task: its future is dropped by its executor (on
///   the executor's thread, so `!Send` futures of a [`LocalExecutor`](crate::LocalExecutor)
///   are safe to cancel from anywhere) and never polled again.
/// * [`detach`](Task::detach) lets the task run on without a handle.
/// * [`cancel`](Task::cancel) cancels it and waits until the future is gone, returning
///   the output if the task had completed first.
/// * A **panic** inside the task is caught by the executor, which goes on running the
///   other tasks; it is re-raised (with [`std::panic::resume_unwind`]) where the `Task`
///   is awaited. The panic of a detached task, or of one whose `Task` was dropped, is
///   swallowed: nobody is left to receive it.
/// * **Destructors** count as inside the task: if the future's `Drop` panics when it
///   completes, that panic is the task's outcome (and the output, which nobody will
///   see, is dropped, a panic of its `Drop` swallowed). Dropping or detaching a `Task`
///   never panics: when it drops an output whose `Drop` panics, that panic is
///   swallowed, and the task is freed all the same.
///
/// Awaiting a task that was cancelled because its executor was dropped first panics.
///
/// ```
/// let ex = executor::LocalExecutor::new();
/// let task = ex.spawn(async { 1 + 2 });
/// assert_eq!(ex.run(task), 3);
/// ```
#[must_use = "dropping a `Task` cancels it; use `.detach()` to let it run"]
pub struct Task<T> {
    /// The task; `None` once the output was returned (the reference is then released at
    /// once, so a completed task is freed as early as possible).
    ptr: Option<NonNull<Header>>,
    _output: PhantomData<T>,
}

// SAFETY: a `Task<T>` only moves a `T` out (to the thread polling it) and drops one;
// both are fine on any thread when `T: Send`. The future is never touched by the handle:
// cancelling schedules it onto its own executor.
unsafe impl<T: Send> Send for Task<T> {}
// SAFETY: `&Task<T>` gives access to nothing but atomic loads of the state.
unsafe impl<T: Send> Sync for Task<T> {}

impl<T> Unpin for Task<T> {}

impl<T> Task<T> {
    /// Takes over the handle's reference to the task at `ptr`.
    pub(crate) fn from_raw(ptr: NonNull<Header>) -> Self {
        Self {
            ptr: Some(ptr),
            _output: PhantomData,
        }
    }

    /// Lets the task run to completion without a handle; its output is dropped.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let ex = executor::LocalExecutor::new();
    /// let ran = Rc::new(Cell::new(false));
    /// let flag = ran.clone();
    /// ex.spawn(async move { flag.set(true) }).detach();
    /// ex.run(async {});
    /// while ex.try_tick() {}
    /// assert!(ran.get());
    /// ```
    pub fn detach(mut self) {
        if let Some(ptr) = self.ptr.take() {
            // SAFETY: the handle's reference, given up here.
            unsafe { release::<T>(ptr) };
        }
    }

    /// Cancels the task and waits until its future is gone. Returns the output if the
    /// task had completed before it could be cancelled, `None` otherwise. If the task
    /// panicked, the panic is re-raised here.
    ///
    /// ```
    /// let ex = executor::LocalExecutor::new();
    /// let task = ex.spawn(std::future::pending::<()>());
    /// assert_eq!(ex.run(task.cancel()), None);
    ///
    /// let task = ex.spawn(async { 7 });
    /// while ex.try_tick() {}
    /// assert_eq!(ex.run(task.cancel()), Some(7));
    /// ```
    pub fn cancel(self) -> Cancel<T> {
        if let Some(ptr) = self.ptr {
            // SAFETY: the handle's reference keeps the task alive.
            unsafe { start_cancel(ptr) };
        }
        Cancel { task: self }
    }

    /// Whether the task has completed (or was cancelled and its future dropped).
    ///
    /// ```
    /// let ex = executor::LocalExecutor::new();
    /// let task = ex.spawn(async {});
    /// assert!(!task.is_finished());
    /// while ex.try_tick() {}
    /// assert!(task.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        match self.ptr {
            // SAFETY: the handle's reference keeps the task alive.
            Some(ptr) => unsafe { ptr.as_ref() }.state.load().is_complete(),
            None => true,
        }
    }

    /// Polls for the output: `Some(Ok(_))` or `Some(Err(panic))` once the task completed,
    /// `None` if it was cancelled before it completed. Once ready, the handle has given
    /// up its reference (`self.ptr` is `None`).
    fn poll_output(&mut self, cx: &mut Context<'_>) -> Poll<Option<thread::Result<T>>> {
        let ptr = self.ptr.expect("`Task` polled after it completed");
        // SAFETY: the handle's reference keeps the task alive.
        let header = unsafe { ptr.as_ref() };
        let snapshot = header.state.load();
        if !snapshot.is_complete() {
            let registered = if snapshot.has_awaiter() {
                let same = header.awaiter.with(|slot| {
                    // SAFETY: `AWAITER` is set: the slot is shared read-only.
                    unsafe { &*slot }
                        .as_ref()
                        .is_some_and(|w| w.will_wake(cx.waker()))
                });
                if same {
                    return Poll::Pending;
                }
                match header.state.unset_awaiter() {
                    Ok(_) => set_awaiter(header, cx.waker()),
                    Err(s) => Err(s),
                }
            } else {
                set_awaiter(header, cx.waker())
            };
            match registered {
                Ok(()) => return Poll::Pending,
                Err(s) => debug_assert!(s.is_complete()),
            }
        }
        // SAFETY: `COMPLETE`: the output belongs to the handle.
        let output = unsafe { take_output::<T>(ptr) };
        self.ptr = None;
        // Read before the reference is given up (after it, another thread may free it).
        let vtable = header.vtable();
        if header.state.drop_handle_after_complete() {
            // SAFETY: that was the last reference.
            unsafe { (vtable.dealloc)(ptr) }
        }
        Poll::Ready(output)
    }
}

/// Sets `CLOSED` and, if the task was idle, schedules it so that its executor drops the
/// future (a running task's runner drops it once its poll is over).
///
/// # Safety
///
/// The caller holds a reference to the task at `ptr`.
pub(crate) unsafe fn start_cancel(ptr: NonNull<Header>) {
    // SAFETY: the caller's reference keeps the task alive.
    let header = unsafe { ptr.as_ref() };
    let vtable = header.vtable();
    match header.state.transition_to_cancelled() {
        Notify::Submit => {
            // SAFETY: the transition counted a reference for the new `Runnable`.
            unsafe { (vtable.schedule)(ptr) }
        }
        Notify::DoNothing => {}
    }
}

/// Moves the output out of a completed task.
///
/// # Safety
///
/// The caller is the task's handle, holds its reference, and saw `COMPLETE`; `T` is the
/// task's output type.
unsafe fn take_output<T>(ptr: NonNull<Header>) -> Option<thread::Result<T>> {
    let mut output: Option<thread::Result<T>> = None;
    // SAFETY: the caller's contract; `output` has the type the vtable writes.
    unsafe { (ptr.as_ref().vtable().take_output)(ptr, (&raw mut output).cast()) };
    output
}

/// Stores `waker` in the awaiter slot (which the handle owns: `AWAITER` is clear) and
/// publishes it. On failure (the task completed) the slot is emptied again.
fn set_awaiter(header: &Header, waker: &Waker) -> Result<(), super::state::Snapshot> {
    // SAFETY: `AWAITER` is clear: the handle owns the slot.
    header
        .awaiter
        .with_mut(|slot| unsafe { *slot = Some(waker.clone()) });
    match header.state.set_awaiter() {
        Ok(_) => Ok(()),
        Err(s) => {
            // SAFETY: the transition failed, so `AWAITER` is still clear.
            header.awaiter.with_mut(|slot| unsafe { *slot = None });
            Err(s)
        }
    }
}

/// Gives up a handle: takes the output if the task completed, takes back the awaiter
/// slot if it has not, releases the handle's reference, and only then drops what it
/// took. A destructor that panics (the output's, or a foreign awaiter waker's) therefore
/// runs after the task is released, so it can neither leak the task nor leave it half
/// released; its panic is swallowed, like the panic of a task nobody awaits.
///
/// # Safety
///
/// The caller is the task's handle, gives up its reference, and `T` is the output type.
unsafe fn release<T>(ptr: NonNull<Header>) {
    // SAFETY: the handle's reference keeps the task alive until released below.
    let header = unsafe { ptr.as_ref() };
    // Read before the reference is given up (after it, another thread may free it).
    let vtable = header.vtable();
    let mut output = None;
    let mut awaiter = None;
    let last = if header.state.load().is_complete() {
        // The common case: the output is ours, the awaiter slot frozen.
        // SAFETY: `COMPLETE`: the output belongs to the handle.
        output = unsafe { take_output::<T>(ptr) };
        header.state.drop_handle_after_complete()
    } else {
        let prev = header.state.drop_handle();
        if prev.is_complete() {
            // SAFETY: `COMPLETE` was seen by the handle: the output is ours.
            output = unsafe { take_output::<T>(ptr) };
        } else if prev.has_awaiter() {
            // SAFETY: `drop_handle` cleared `AWAITER` before completion: the slot is ours.
            awaiter = header.awaiter.with_mut(|slot| unsafe { (*slot).take() });
        }
        header.state.ref_dec(1)
    };
    if last {
        // SAFETY: that was the last reference.
        unsafe { (vtable.dealloc)(ptr) }
    }
    // The task is not touched any more: user destructors last.
    if output.is_some() || awaiter.is_some() {
        drop(catch_unwind(AssertUnwindSafe(move || {
            drop((output, awaiter));
        })));
    }
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.poll_output(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(value))) => Poll::Ready(value),
            Poll::Ready(Some(Err(panic))) => resume_unwind(panic),
            Poll::Ready(None) => {
                panic!("the task was cancelled: its executor was dropped before it completed")
            }
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(ptr) = self.ptr.take() {
            // SAFETY: the handle's reference keeps the task alive.
            if !unsafe { ptr.as_ref() }.state.load().is_complete() {
                // SAFETY: as above.
                unsafe { start_cancel(ptr) };
            }
            // SAFETY: the handle's reference, given up here.
            unsafe { release::<T>(ptr) };
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Task");
        match self.ptr {
            // SAFETY: the handle's reference keeps the task alive.
            Some(ptr) => d.field("state", &unsafe { ptr.as_ref() }.state.load()),
            None => d.field("state", &"output taken"),
        };
        d.finish()
    }
}

/// The future returned by [`Task::cancel`]: resolves to the output if the task completed
/// before it was cancelled, `None` otherwise.
///
/// ```
/// let ex = executor::LocalExecutor::new();
/// let cancel: executor::Cancel<()> = ex.spawn(std::future::pending()).cancel();
/// assert_eq!(ex.run(cancel), None);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Cancel<T> {
    task: Task<T>,
}

impl<T> Future for Cancel<T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if self.task.ptr.is_none() {
            // The output was taken by awaiting the `Task` already.
            return Poll::Ready(None);
        }
        match self.task.poll_output(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(value))) => Poll::Ready(Some(value)),
            Poll::Ready(Some(Err(panic))) => resume_unwind(panic),
            Poll::Ready(None) => Poll::Ready(None),
        }
    }
}

impl<T> fmt::Debug for Cancel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel").field("task", &self.task).finish()
    }
}
