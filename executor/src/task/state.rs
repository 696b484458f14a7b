//! The task state word and every transition of it.
//!
//! # The word
//!
//! One `AtomicUsize` per task. The low six bits are flags, the rest counts references:
//!
//! | bit | name        | set means                                                         |
//! |-----|-------------|-------------------------------------------------------------------|
//! | 0   | `SCHEDULED` | the task has been woken and not polled since; while it is not `RUNNING`, exactly one [`Runnable`](super::Runnable) exists for it |
//! | 1   | `RUNNING`   | someone owns the future (the stage) right now: polling it or dropping it |
//! | 2   | `COMPLETE`  | the future is gone: the stage holds the output, or nothing after a cancellation |
//! | 3   | `CLOSED`    | the task was cancelled: it is not polled again and its future is dropped by whoever runs it next |
//! | 4   | `HANDLE`    | the [`Task`](super::Task) handle is alive                          |
//! | 5   | `AWAITER`   | the awaiter waker slot is filled and belongs to the task (see below) |
//! | 6.. | references  | how many pointers to the allocation exist                         |
//!
//! # References
//!
//! Every pointer to the allocation owns one reference: the `Task` handle, the one
//! `Runnable`, each `Waker`, and the `LocalExecutor`'s table of live tasks. The last
//! reference to go frees the allocation. A new task starts `SCHEDULED | HANDLE` with the
//! references of its handle, its first `Runnable` and (for local tasks) the table.
//!
//! # The protocol
//!
//! * **Wake** ([`State::transition_to_notified_by_ref`] / `_by_val`): an idle task (none
//!   of `SCHEDULED`, `RUNNING`, `COMPLETE`, `CLOSED`) becomes `SCHEDULED` and the waker
//!   must [`Notify::Submit`] a new `Runnable` to the scheduler, which owns one new
//!   reference. A `RUNNING` task only gets the `SCHEDULED` bit: the runner resubmits it
//!   after the poll, to the *back* of the queue (this is the fairness rule). Anything
//!   else ignores the wake.
//! * **Run** ([`State::transition_to_running`]): `SCHEDULED` becomes `RUNNING`; the
//!   runner owns the stage. After a `Pending` poll, [`State::transition_to_idle`] says
//!   whether to go idle (dropping the `Runnable`'s reference), resubmit (the task was
//!   woken during the poll), or drop the future (the task was cancelled during the poll).
//! * **Complete** ([`State::transition_to_complete`]): `RUNNING` becomes `COMPLETE`. The
//!   runner wrote the output (or dropped the future) *before*; afterwards it never touches
//!   the stage again unless `HANDLE` was already gone, in which case nobody can read the
//!   output and the runner drops it. If `AWAITER` is set, the runner wakes the awaiter.
//!   When neither applies, the runner's references are released in the same
//!   compare-exchange.
//! * **Cancel** ([`State::transition_to_cancelled`], from the handle): sets `CLOSED`. An
//!   idle task is also made `SCHEDULED` so that a `Runnable` reaches the executor and the
//!   future is dropped *there*, on the executor's thread (which is what makes `!Send`
//!   futures of a `LocalExecutor` safe to cancel from anywhere).
//! * **Shutdown** ([`State::transition_to_shutdown`]): a `Runnable` dropped unrun, or the
//!   `LocalExecutor` dropping its live tasks, claims the stage (`RUNNING | CLOSED`) to
//!   drop the future, then completes.
//! * **The awaiter slot** follows tokio's `JOIN_WAKER` rule: while `AWAITER` is clear the
//!   handle owns the slot and may write it; it then sets `AWAITER`
//!   ([`State::set_awaiter`]), which fails if the task completed meanwhile. While
//!   `AWAITER` is set the slot is shared read-only; the handle may take it back
//!   ([`State::unset_awaiter`]) only while the task is not `COMPLETE`. So after
//!   `COMPLETE` the slot is frozen and the runner can wake it without a lock; it is
//!   dropped with the allocation.
//! * **Dropping the handle** ([`State::drop_handle`]) clears `HANDLE` (and takes the
//!   awaiter slot back if the task has not completed); if the task had completed, the
//!   handle owns the output and drops it. A handle that sees `COMPLETE` first takes the
//!   output and then clears `HANDLE` and releases its reference in one step
//!   ([`State::drop_handle_after_complete`]).
//!
//! Every flag change goes through [`State::fetch_update_action`], one compare-exchange
//! loop; only pure reference counting uses `fetch_add`/`fetch_sub`.

use crate::loom::{AtomicUsize, Ordering};

/// The task was woken and has not been polled since.
const SCHEDULED: usize = 1 << 0;
/// The stage is owned by a runner right now.
const RUNNING: usize = 1 << 1;
/// The future is gone: the stage holds the output or nothing.
const COMPLETE: usize = 1 << 2;
/// The task was cancelled.
const CLOSED: usize = 1 << 3;
/// The `Task` handle is alive.
const HANDLE: usize = 1 << 4;
/// The awaiter slot is filled and shared (see the module doc).
const AWAITER: usize = 1 << 5;
/// One reference, in the bits above the flags.
const REF_ONE: usize = 1 << 6;
/// Beyond this many references the count is treated as leaked and the process aborts,
/// as `Arc` does: half of what the count's bits hold, so the increments that race past
/// the check (one per thread) cannot wrap it round. (It was once `isize::MAX / 2`, a
/// bound on the whole word that the count, 6 bits narrower, never reaches: on a 32-bit
/// target `2^26` forgotten waker clones wrapped it, and the task was freed while wakers
/// still pointed at it.)
const REF_MAX: usize = (usize::MAX / REF_ONE) / 2;

/// Whether adding a reference to a word that was `prev` overflows the count's headroom.
#[inline]
const fn ref_overflows(prev: usize) -> bool {
    prev / REF_ONE > REF_MAX
}

/// The atomic state word of one task.
pub(crate) struct State {
    val: AtomicUsize,
    /// Under loom only: `true` until the task is freed. Every operation on the state
    /// (and every read of the vtable) reads it, and [`State::mark_freed`], on the real
    /// `dealloc` path, writes it, so loom reports any access that is not ordered before
    /// the free, the use after free of a thread that gave up its reference and then
    /// touched the header, as a causality violation, and any access after it as a
    /// use after free.
    #[cfg(loom)]
    live: loom::cell::UnsafeCell<bool>,
}

/// A copy of the state word at one instant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("scheduled", &self.is_scheduled())
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("closed", &self.is_closed())
            .field("handle", &self.has_handle())
            .field("awaiter", &self.has_awaiter())
            .field("refs", &self.ref_count())
            .finish()
    }
}

impl Snapshot {
    pub(crate) fn is_scheduled(self) -> bool {
        self.0 & SCHEDULED != 0
    }
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_closed(self) -> bool {
        self.0 & CLOSED != 0
    }
    pub(crate) fn has_handle(self) -> bool {
        self.0 & HANDLE != 0
    }
    pub(crate) fn has_awaiter(self) -> bool {
        self.0 & AWAITER != 0
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 / REF_ONE
    }
    /// Neither scheduled, running, complete nor closed.
    fn is_idle(self) -> bool {
        self.0 & (SCHEDULED | RUNNING | COMPLETE | CLOSED) == 0
    }
    fn set(&mut self, bits: usize) {
        self.0 |= bits;
    }
    fn unset(&mut self, bits: usize) {
        self.0 &= !bits;
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0, "task reference count underflow");
        self.0 -= REF_ONE;
    }
}

/// What [`State::transition_to_running`] tells the runner to do.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransitionToRunning {
    /// Poll the future.
    Poll,
    /// The task was cancelled: drop the future, then complete.
    Cancelled,
}

/// What [`State::transition_to_complete`] tells the runner to do.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransitionToComplete {
    /// Nothing: the handle will take the output and nobody awaits it yet; the runner's
    /// references were released.
    Done,
    /// Act on the new value: drop the output if `HANDLE` is gone, wake the awaiter if
    /// `AWAITER` is set, then release the references.
    Notify(Snapshot),
}

/// What [`State::transition_to_idle`] tells the runner to do after a `Pending` poll.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransitionToIdle {
    /// The task is idle; the runner's reference was released.
    Idle,
    /// As `Idle`, and that was the last reference: free the task.
    IdleDealloc,
    /// The task was woken while it ran: submit it again (the runner's reference moves to
    /// the new `Runnable`).
    Reschedule,
    /// The task was cancelled while it ran: the runner still owns the stage, it must drop
    /// the future and complete.
    Cancelled,
}

/// What a waker must do after [`State::transition_to_notified_by_ref`] or
/// [`State::transition_to_cancelled`].
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notify {
    /// Submit a new `Runnable` (which owns a reference already counted) to the scheduler.
    Submit,
    /// Nothing: the task is already scheduled, running, complete or closed.
    DoNothing,
}

/// What a waker consumed by value must do after [`State::transition_to_notified_by_val`].
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotifyByVal {
    /// Submit a new `Runnable`; the waker's reference moved to it.
    Submit,
    /// Nothing; the waker's reference was released.
    DoNothing,
    /// The waker's reference was the last: free the task.
    Dealloc,
}

/// What [`State::transition_to_shutdown`] tells its caller to do.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shutdown {
    /// The caller now owns the stage: drop the future, then complete.
    DropFuture,
    /// The task had already completed: nothing to drop.
    AlreadyComplete,
}

impl State {
    /// A new task: `SCHEDULED | HANDLE`, with `refs` references.
    pub(crate) fn new(refs: usize) -> Self {
        Self {
            val: AtomicUsize::new(SCHEDULED | HANDLE | (refs * REF_ONE)),
            #[cfg(loom)]
            live: loom::cell::UnsafeCell::new(true),
        }
    }

    /// Under loom, checks that the task has not been freed (a tracked read, see
    /// `State::live`); nothing otherwise.
    #[inline]
    #[cfg_attr(
        not(loom),
        allow(clippy::unused_self, reason = "a check under loom only")
    )]
    pub(crate) fn assert_live(&self) {
        #[cfg(loom)]
        self.live.with(|live| {
            // SAFETY: loom checks that no write (the free) is concurrent with this read.
            assert!(unsafe { *live }, "use after free: the task was freed");
        });
    }

    /// Under loom, records the free of the task (a tracked write, see `State::live`);
    /// nothing otherwise. Called by `dealloc` once the last reference is gone.
    #[inline]
    #[cfg_attr(
        not(loom),
        allow(clippy::unused_self, reason = "a record under loom only")
    )]
    pub(crate) fn mark_freed(&self) {
        #[cfg(loom)]
        self.live.with_mut(|live| {
            // SAFETY: loom checks that every earlier access happens before this write.
            unsafe { *live = false };
        });
    }

    /// The current value.
    pub(crate) fn load(&self) -> Snapshot {
        self.assert_live();
        Snapshot(self.val.load(Ordering::Acquire))
    }

    /// The one compare-exchange loop every flag transition goes through: `f` looks at the
    /// current value and returns the action for the caller plus the new value, or `None`
    /// to leave the word unchanged. Retries with the fresh value when another thread
    /// changed the word in between.
    fn fetch_update_action<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Option<Snapshot>)) -> T {
        let mut curr = self.load();
        loop {
            let (action, next) = f(curr);
            let Some(next) = next else {
                return action;
            };
            match self.val.compare_exchange_weak(
                curr.0,
                next.0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return action,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    /// A `Runnable` is about to be run: `SCHEDULED` → `RUNNING`.
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update_action(|mut s| {
            debug_assert!(
                s.is_scheduled() && !s.is_running() && !s.is_complete(),
                "{s:?}"
            );
            let action = if s.is_closed() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Poll
            };
            s.unset(SCHEDULED);
            s.set(RUNNING);
            (action, Some(s))
        })
    }

    /// The poll returned `Pending`: go idle, or resubmit, or drop the future.
    pub(crate) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update_action(|mut s| {
            debug_assert!(s.is_running() && !s.is_complete(), "{s:?}");
            if s.is_closed() {
                return (TransitionToIdle::Cancelled, None);
            }
            s.unset(RUNNING);
            if s.is_scheduled() {
                return (TransitionToIdle::Reschedule, Some(s));
            }
            s.ref_dec();
            let action = if s.ref_count() == 0 {
                TransitionToIdle::IdleDealloc
            } else {
                TransitionToIdle::Idle
            };
            (action, Some(s))
        })
    }

    /// The runner stored the output (or dropped the future): `RUNNING` → `COMPLETE`.
    ///
    /// In the common case (the handle is alive, nobody awaits it yet) the runner has
    /// nothing else to do, and its `refs` references are released in the same step.
    pub(crate) fn transition_to_complete(&self, refs: usize) -> TransitionToComplete {
        self.fetch_update_action(|mut s| {
            debug_assert!(s.is_running() && !s.is_complete(), "{s:?}");
            s.unset(RUNNING | SCHEDULED);
            s.set(COMPLETE);
            if s.has_handle() && !s.has_awaiter() {
                // The handle's reference keeps the count above zero.
                debug_assert!(s.ref_count() > refs, "{s:?}");
                s.0 -= refs * REF_ONE;
                (TransitionToComplete::Done, Some(s))
            } else {
                (TransitionToComplete::Notify(s), Some(s))
            }
        })
    }

    /// A waker is woken by reference.
    pub(crate) fn transition_to_notified_by_ref(&self) -> Notify {
        self.fetch_update_action(|mut s| {
            if s.is_idle() {
                s.set(SCHEDULED);
                s.ref_inc();
                (Notify::Submit, Some(s))
            } else if s.is_running() && !s.is_scheduled() && !s.is_closed() {
                s.set(SCHEDULED);
                (Notify::DoNothing, Some(s))
            } else {
                (Notify::DoNothing, None)
            }
        })
    }

    /// A waker is woken by value: like [`Self::transition_to_notified_by_ref`], but the
    /// waker's own reference is moved into the new `Runnable` or released.
    pub(crate) fn transition_to_notified_by_val(&self) -> NotifyByVal {
        self.fetch_update_action(|mut s| {
            if s.is_idle() {
                s.set(SCHEDULED);
                return (NotifyByVal::Submit, Some(s));
            }
            if s.is_running() && !s.is_closed() {
                s.set(SCHEDULED);
            }
            s.ref_dec();
            let action = if s.ref_count() == 0 {
                NotifyByVal::Dealloc
            } else {
                NotifyByVal::DoNothing
            };
            (action, Some(s))
        })
    }

    /// The handle cancels the task: sets `CLOSED`; an idle task is also scheduled, so that
    /// its executor drops the future.
    pub(crate) fn transition_to_cancelled(&self) -> Notify {
        self.fetch_update_action(|mut s| {
            if s.is_complete() || s.is_closed() {
                return (Notify::DoNothing, None);
            }
            s.set(CLOSED);
            if s.is_scheduled() || s.is_running() {
                (Notify::DoNothing, Some(s))
            } else {
                s.set(SCHEDULED);
                s.ref_inc();
                (Notify::Submit, Some(s))
            }
        })
    }

    /// Claims the stage of a task that is not running, to drop its future: from a
    /// `Runnable` dropped without being run, or from an executor shutting down.
    pub(crate) fn transition_to_shutdown(&self) -> Shutdown {
        self.fetch_update_action(|mut s| {
            if s.is_complete() {
                return (Shutdown::AlreadyComplete, None);
            }
            debug_assert!(!s.is_running(), "{s:?}");
            s.unset(SCHEDULED);
            s.set(RUNNING | CLOSED);
            (Shutdown::DropFuture, Some(s))
        })
    }

    /// The handle filled the awaiter slot and publishes it. Fails (returning the current
    /// value) if the task has completed; the handle then still owns the slot.
    pub(crate) fn set_awaiter(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update_action(|mut s| {
            debug_assert!(!s.has_awaiter(), "{s:?}");
            if s.is_complete() {
                return (Err(s), None);
            }
            s.set(AWAITER);
            (Ok(s), Some(s))
        })
    }

    /// The handle takes the awaiter slot back to replace the waker. Fails if the task has
    /// completed: the slot is then frozen.
    pub(crate) fn unset_awaiter(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update_action(|mut s| {
            debug_assert!(s.has_awaiter(), "{s:?}");
            if s.is_complete() {
                return (Err(s), None);
            }
            s.unset(AWAITER);
            (Ok(s), Some(s))
        })
    }

    /// The handle goes away: clears `HANDLE`, and `AWAITER` unless the task has
    /// completed. Returns the value *before*: if it `is_complete`, the handle owns the
    /// output and must drop it; if it was not complete but `has_awaiter`, the handle owns
    /// the awaiter slot again and must empty it.
    pub(crate) fn drop_handle(&self) -> Snapshot {
        self.fetch_update_action(|s| {
            let mut next = s;
            next.unset(HANDLE);
            if !s.is_complete() {
                next.unset(AWAITER);
            }
            (s, Some(next))
        })
    }

    /// The handle of a completed task, having taken the output, goes away: clears
    /// `HANDLE` and releases the handle's reference in one step. Returns `true` if that was
    /// the last reference.
    pub(crate) fn drop_handle_after_complete(&self) -> bool {
        self.fetch_update_action(|mut s| {
            debug_assert!(s.is_complete() && s.has_handle(), "{s:?}");
            s.unset(HANDLE);
            s.ref_dec();
            (s.ref_count() == 0, Some(s))
        })
    }

    /// Adds a reference (a waker was cloned). Aborts on overflow, like `Arc`.
    pub(crate) fn ref_inc(&self) {
        self.assert_live();
        let prev = self.val.fetch_add(REF_ONE, Ordering::Relaxed);
        if ref_overflows(prev) {
            std::process::abort();
        }
    }

    /// Releases `n` references; returns `true` if they were the last ones (the caller
    /// must then free the task).
    pub(crate) fn ref_dec(&self, n: usize) -> bool {
        if n == 0 {
            return false;
        }
        self.assert_live();
        let prev = Snapshot(self.val.fetch_sub(n * REF_ONE, Ordering::AcqRel));
        debug_assert!(prev.ref_count() >= n, "{prev:?}");
        prev.ref_count() == n
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{COMPLETE, HANDLE, REF_MAX, REF_ONE, ref_overflows};

    #[test]
    fn the_overflow_guard_fires_before_the_count_wraps() {
        // The largest count the word can hold, with every flag set: far past the guard.
        let full = usize::MAX;
        assert!(ref_overflows(full));
        // Half the count's range (plus flags) is the last word that is let through.
        let last = REF_MAX.checked_mul(REF_ONE).map(|w| w + HANDLE + COMPLETE);
        let first = (REF_MAX + 1).checked_mul(REF_ONE);
        let (Some(last), Some(first)) = (last, first) else {
            panic!("the guard ({REF_MAX} references) is beyond what the count can hold");
        };
        assert!(!ref_overflows(last));
        assert!(ref_overflows(first));
    }

    #[test]
    fn ordinary_counts_pass() {
        assert!(!ref_overflows(REF_ONE));
        assert!(!ref_overflows(1000 * REF_ONE + HANDLE));
    }
}
