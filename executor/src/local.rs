//! [`LocalExecutor`]: a single-threaded executor for `!Send` futures.
//!
//! # Design
//!
//! * The run queue is a `VecDeque` that only the executor's thread touches: spawning a
//!   task, or waking one while the executor runs, is a `push_back`, with no lock and no
//!   atomic besides the task's own state word. Tasks do not point to their executor
//!   (no `Arc`): they hold its id and find it through a thread-local set while it runs.
//! * Any other wake-up (from another thread, or while the executor is not running)
//!   finds the executor in a locked process-wide registry, pushes into its
//!   mutex-protected remote queue, raises a flag and unparks the executor's thread; the
//!   run loop moves the remote queue into the local one when it sees the flag (one
//!   atomic load per task otherwise).
//! * Every task that has returned `Pending` and not completed has a slot in the
//!   executor's table of live tasks, which holds one reference (a task that completes in
//!   its first poll never touches the table). When the executor is dropped it drops the
//!   futures of all tasks still alive, on its own thread (queued ones with the queues,
//!   the others through the table): a `!Send` future is never dropped elsewhere, even if
//!   wakers or `Task` handles outlive the executor on other threads.
//!
//! # Fairness
//!
//! The run queue is FIFO. A task woken while it is being polled (e.g. by
//! [`yield_now`](crate::yield_now)) is put at the *back* of the queue, behind every task
//! that was already runnable, so a task that always wakes itself cannot starve the
//! others. The future given to [`run`](LocalExecutor::run), once woken, is polled again
//! after at most 61 tasks; expired timers are fired at least every 61 tasks and before
//! every re-poll of the main future, so neither busy tasks nor a busy main future starve
//! them.

use std::cell::{Cell, UnsafeCell};
use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use crate::loom::thread::Thread;
use crate::park::{current_ctx, fire_timers, park_idle, with_ctx};
use crate::slab::Slab;
use crate::task::raw::Header;
use crate::task::{Runnable, Schedule, Task, spawn_unchecked};

/// How many tasks run between two looks at the main future and the timers.
const BATCH: u32 = 61;

/// A single-threaded executor: runs `!Send` futures on the thread that created it.
///
/// Spawn tasks with [`spawn`](Self::spawn); they run while [`run`](Self::run) is driving
/// the executor (or one at a time with [`try_tick`](Self::try_tick)). The run queue is
/// FIFO and a task that wakes itself goes to the back of it (see the module docs for
/// the fairness guarantee). Wakers may be used from any thread.
///
/// Dropping the executor drops the futures of the tasks that have not completed, on
/// this thread; awaiting their `Task` handles afterwards panics.
///
/// ```
/// use std::rc::Rc;
///
/// let ex = executor::LocalExecutor::new();
/// let shared = Rc::new(5); // not `Send`
/// let s = shared.clone();
/// let task = ex.spawn(async move { *s * 2 });
/// assert_eq!(ex.run(task), 10);
/// ```
pub struct LocalExecutor {
    /// Boxed: the tasks point to it.
    shared: Box<Shared>,
    /// `!Send` and `!Sync`: the executor belongs to the thread that created it.
    _not_send: PhantomData<*const ()>,
}

/// The part of the executor its tasks reach while it runs. Only the owner thread
/// touches it.
struct Shared {
    /// This executor's key in [`REMOTES`] and in [`RUNNING`].
    id: u64,
    /// The run queue.
    local: UnsafeCell<VecDeque<Runnable>>,
    /// The live tasks: each one that has not completed holds a slot (and the table holds
    /// a reference to it).
    tasks: UnsafeCell<Slab>,
    /// The queue other threads hand `Runnable`s over with.
    remote: Arc<Remote>,
}

/// What other threads see of a `LocalExecutor`.
struct Remote {
    /// Set when `queue` may be non-empty.
    flag: AtomicBool,
    /// The executor's thread, unparked after a push.
    thread: Thread,
    queue: Mutex<RemoteQueue>,
}

struct RemoteQueue {
    runnables: Vec<Runnable>,
    /// The executor is gone: `Runnable`s are released, never queued.
    closed: bool,
}

/// The remote queues of all live `LocalExecutor`s, by id.
///
/// A task of a `LocalExecutor` holds a plain pointer to its executor, no `Arc` (that
/// saves two atomic operations per spawned task). The pointer is only used while the
/// executor is running on the current thread ([`RUNNING`]). Any other wake-up looks the
/// executor up here, under this lock, which the executor's `Drop` takes to remove itself
/// first, so a wake-up racing with the drop finds either a live remote queue or none.
static REMOTES: Mutex<BTreeMap<u64, Arc<Remote>>> = Mutex::new(BTreeMap::new());

thread_local! {
    /// The `LocalExecutor` running on this thread (in `run`, `try_tick` or its `Drop`):
    /// its id (0 for none) and where it is.
    static RUNNING: Cell<(u64, *const Shared)> = const { Cell::new((0, std::ptr::null())) };
}

/// Marks an executor as running on this thread; restores the previous one when dropped.
struct RunningGuard((u64, *const Shared));

impl RunningGuard {
    #[inline]
    fn enter(shared: &Shared) -> Self {
        Self(RUNNING.replace((shared.id, shared)))
    }
}

impl Drop for RunningGuard {
    #[inline]
    fn drop(&mut self) {
        RUNNING.set(self.0);
    }
}

fn remotes() -> MutexGuard<'static, BTreeMap<u64, Arc<Remote>>> {
    // No user code runs under this lock; a poisoned map is still consistent.
    REMOTES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The scheduler stored in each local task: which executor it belongs to, and its slot
/// in that executor's table of live tasks once it has one.
struct LocalSchedule {
    id: u64,
    /// [`NO_SLOT`] until the task first returns `Pending`. Only the task's runner (on
    /// the executor's thread) reads or writes it.
    slot: AtomicU32,
}

/// [`LocalSchedule::slot`] of a task that is not in the table.
const NO_SLOT: u32 = u32::MAX;

impl Schedule for LocalSchedule {
    #[inline]
    unsafe fn schedule(this: *const Self, runnable: Runnable) {
        // SAFETY: `this` is live until `runnable` is handed over (trait contract); the
        // fields are copied out first.
        let id = unsafe { (*this).id };
        let (running, shared) = RUNNING.get();
        if running == id {
            // SAFETY: the executor is running on this thread (`run`, `try_tick` and
            // `drop` borrow it while `RUNNING` names it), so `shared` is live and this
            // is its owner thread.
            unsafe { (*shared).push_local(runnable) };
        } else {
            let remote = remotes().get(&id).cloned();
            match remote {
                Some(remote) => remote.push(runnable),
                // The executor is gone and has dropped every future already: give up
                // the reference without touching the (`!Send`) future.
                None => runnable.release_unrun(),
            }
        }
    }

    fn on_pending(&self, task: NonNull<Header>) {
        if self.slot.load(Ordering::Relaxed) != NO_SLOT {
            return;
        }
        let (running, shared) = RUNNING.get();
        debug_assert_eq!(running, self.id, "a local task runs inside its executor");
        // SAFETY: the runner holds a reference, so the task is alive; the table's
        // reference is counted before the entry exists.
        unsafe { task.as_ref() }.state.ref_inc();
        // SAFETY: `RUNNING` names this executor (local tasks run only in its `run` and
        // `try_tick`): `shared` is live, this is its thread; the borrow ends at once.
        let slot = unsafe { (*shared).tasks() }.insert(task);
        self.slot.store(slot, Ordering::Relaxed);
    }

    fn release(&self, task: NonNull<Header>) -> usize {
        // A local task's future is only completed or dropped by its executor's `run`,
        // `try_tick` or `drop`, on its thread, while `RUNNING` names it.
        let (running, shared) = RUNNING.get();
        assert_eq!(
            running, self.id,
            "a local task completed outside its executor"
        );
        let slot = self.slot.load(Ordering::Relaxed);
        if slot == NO_SLOT {
            return 0;
        }
        // SAFETY: `RUNNING` names this executor: `shared` is live, this is its thread;
        // the borrow ends at once.
        let removed = unsafe { (*shared).tasks() }.remove(slot, task);
        debug_assert!(removed, "a live local task holds its slot");
        1
    }
}

impl Remote {
    fn lock(&self) -> MutexGuard<'_, RemoteQueue> {
        // No user code runs under this lock; a poisoned lock still holds a valid queue.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, runnable: Runnable) {
        let mut queue = self.lock();
        if queue.closed {
            drop(queue);
            // See `LocalSchedule::schedule`.
            runnable.release_unrun();
            return;
        }
        queue.runnables.push(runnable);
        self.flag.store(true, Ordering::Release);
        drop(queue);
        self.thread.unpark();
    }
}

impl Shared {
    /// # Safety
    ///
    /// Owner thread only.
    #[inline]
    unsafe fn push_local(&self, runnable: Runnable) {
        // SAFETY: owner thread (caller's contract); no reference into the queue lives
        // across user code, so this is the only one.
        unsafe { (*self.local.get()).push_back(runnable) };
    }

    /// # Safety
    ///
    /// Owner thread only.
    #[inline]
    unsafe fn pop_local(&self) -> Option<Runnable> {
        // SAFETY: as in `push_local`.
        unsafe { (*self.local.get()).pop_front() }
    }

    /// Moves the remote queue into the local one.
    ///
    /// # Safety
    ///
    /// Owner thread only.
    unsafe fn drain_remote(&self) {
        self.remote.flag.store(false, Ordering::Relaxed);
        let runnables = std::mem::take(&mut self.remote.lock().runnables);
        for runnable in runnables {
            // SAFETY: owner thread (caller's contract).
            unsafe { self.push_local(runnable) };
        }
    }

    /// The table of live tasks.
    ///
    /// # Safety
    ///
    /// Owner thread only, and no other reference to the table may be alive while the
    /// returned one is used (no user code runs meanwhile).
    #[allow(
        clippy::mut_from_ref,
        reason = "an `UnsafeCell` only the owner thread touches"
    )]
    unsafe fn tasks(&self) -> &mut Slab {
        // SAFETY: the caller's contract.
        unsafe { &mut *self.tasks.get() }
    }
}

impl LocalExecutor {
    /// Creates an executor that belongs to the current thread.
    ///
    /// ```
    /// let ex = executor::LocalExecutor::new();
    /// assert_eq!(ex.run(async { 1 }), 1);
    /// ```
    pub fn new() -> Self {
        /// A process-wide `static`: plain `std`, not the loom shim.
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let thread = with_ctx(|ctx| ctx.parker().thread().clone());
        let remote = Arc::new(Remote {
            flag: AtomicBool::new(false),
            thread,
            queue: Mutex::new(RemoteQueue {
                runnables: Vec::new(),
                closed: false,
            }),
        });
        remotes().insert(id, remote.clone());
        Self {
            shared: Box::new(Shared {
                id,
                local: UnsafeCell::new(VecDeque::with_capacity(64)),
                tasks: UnsafeCell::new(Slab::default()),
                remote,
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns `future` as a task; it runs when the executor is driven by
    /// [`run`](Self::run) or [`try_tick`](Self::try_tick). The future need not be `Send`.
    ///
    /// ```
    /// let ex = executor::LocalExecutor::new();
    /// let a = ex.spawn(async { 1 });
    /// let b = ex.spawn(async { 2 });
    /// assert_eq!(ex.run(async { a.await + b.await }), 3);
    /// ```
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let scheduler = LocalSchedule {
            id: self.shared.id,
            slot: AtomicU32::new(NO_SLOT),
        };
        // SAFETY: the scheduler runs and drops the `Runnable`s of this task only on this
        // thread: other threads only push them into the remote queue, drained here, or
        // release them unrun once the executor is closed; the executor is `!Send` and
        // drops every live future on this thread when dropped (queued ones with the
        // queues; idle ones through the table, which holds a reference to each task
        // that ever returned `Pending`). The output is dropped by the runner (this
        // thread) or by the `Task`, which is `Send` only if the output is.
        let (runnable, task) = unsafe { spawn_unchecked(future, scheduler, 0) };
        // SAFETY: `LocalExecutor` is `!Send`: this is the owner thread.
        unsafe { self.shared.push_local(runnable) };
        task
    }

    /// Runs one queued task, if there is one; returns whether it did. Does not block.
    ///
    /// ```
    /// let ex = executor::LocalExecutor::new();
    /// assert!(!ex.try_tick());
    /// ex.spawn(async {}).detach();
    /// assert!(ex.try_tick());
    /// assert!(!ex.try_tick());
    /// ```
    ///
    /// `try_tick` may be called from anywhere on the executor's thread, from inside a
    /// task or another run loop included. The task it polls is inside a run loop, as
    /// under [`run`](Self::run): calling [`block_on`](crate::block_on()) (or `run`) there
    /// panics (nested) instead of blocking the thread.
    pub fn try_tick(&self) -> bool {
        // SAFETY: `ctx` is used only until this function returns, inside the thread's code.
        let ctx = unsafe { current_ctx() };
        // A task polled here that calls `block_on` would block the executor's thread as
        // under `run`: the nesting check names `try_tick` (unless `try_tick` is called
        // from inside a run loop, which is then the one named).
        let _entered = ctx.enter_unless_entered("LocalExecutor::try_tick");
        let _running = RunningGuard::enter(&self.shared);
        match self.next() {
            Some(runnable) => {
                runnable.run();
                true
            }
            None => false,
        }
    }

    /// The next task to run: local queue first, then the remote one.
    #[inline]
    fn next(&self) -> Option<Runnable> {
        let shared = &*self.shared;
        // SAFETY: `LocalExecutor` is `!Send`: this is the owner thread.
        if let Some(runnable) = unsafe { shared.pop_local() } {
            return Some(runnable);
        }
        if shared.remote.flag.load(Ordering::Acquire) {
            // SAFETY: owner thread, as above.
            unsafe {
                shared.drain_remote();
                return shared.pop_local();
            }
        }
        None
    }

    /// Runs the executor on this thread until `future` completes, and returns its
    /// output. Spawned tasks run meanwhile; the thread parks (driving the timers) when
    /// nothing is runnable.
    ///
    /// ```
    /// let ex = executor::LocalExecutor::new();
    /// let out = ex.run(async {
    ///     let t = ex.spawn(async { "hi" });
    ///     t.await
    /// });
    /// assert_eq!(out, "hi");
    /// ```
    ///
    /// # Panics
    ///
    /// If called from inside [`block_on`](crate::block_on()) or another `run` on the same
    /// thread (nested). A panic of `future` propagates; panics of tasks do not (they are
    /// re-raised where their `Task` is awaited).
    pub fn run<T>(&self, future: impl Future<Output = T>) -> T {
        // SAFETY: `ctx` is used only until this function returns, inside the thread's
        // code. Borrowed this way (not in a `LocalKey::with` closure), the loop below
        // sits in the caller's function, where a main future that completes in one
        // poll can keep its state in registers.
        let ctx = unsafe { current_ctx() };
        let _entered = ctx.enter("LocalExecutor::run");
        let _running = RunningGuard::enter(&self.shared);
        // Declared after the guards, so dropped before them (see `block_on`).
        let mut future = pin!(future);
        let parker = ctx.parker();
        let waker = parker.waker_ref();
        let mut cx = Context::from_waker(&waker);
        // Stale wake-ups from an earlier run are irrelevant: poll first.
        let _ = parker.take_notified();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        loop {
            // Run a batch of tasks, then look at the main future again: neither can
            // starve the other.
            let mut ran = 0;
            while ran < BATCH {
                let Some(runnable) = self.next() else { break };
                runnable.run();
                ran += 1;
            }
            if ran == BATCH {
                fire_timers();
            }
            if parker.take_notified() {
                // The main future may be the only thing running (say, it always
                // wakes itself): keep the timers going before each re-poll.
                fire_timers();
                if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                    return output;
                }
            } else if ran == 0 {
                park_idle(ctx);
            }
        }
    }
}

impl Default for LocalExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for LocalExecutor {
    fn drop(&mut self) {
        let shared = &*self.shared;
        // Tasks completing now release their slots through `RUNNING`.
        let _running = RunningGuard::enter(shared);
        remotes().remove(&shared.id);
        let remote = {
            let mut queue = shared.remote.lock();
            queue.closed = true;
            std::mem::take(&mut queue.runnables)
        };
        // Dropping a `Runnable` drops its task's future (here, on the owner thread).
        drop(remote);
        // One pass over the table: no task can be spawned meanwhile, so every slot
        // before `index` stays free once passed.
        let mut index = 0;
        loop {
            // SAFETY: `LocalExecutor` is `!Send`: this is the owner thread.
            if let Some(runnable) = unsafe { shared.pop_local() } {
                drop(runnable);
                continue;
            }
            // A task in the table is not running (nothing runs while the executor is
            // dropped) and not complete (completion frees its slot).
            // SAFETY: `LocalExecutor` is `!Send`: this is the owner thread.
            match unsafe { shared.tasks() }.get(index) {
                (Some(task), _) => {
                    // SAFETY: the table's reference keeps the task alive; this is the
                    // owner thread; `Schedule::release` frees the slot and releases that
                    // reference (hence zero references passed here).
                    unsafe { (task.as_ref().vtable().shutdown)(task, 0) };
                }
                (None, false) => index += 1,
                (None, true) => break,
            }
        }
    }
}

impl fmt::Debug for LocalExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: `LocalExecutor` is `!Send`: this is the owner thread.
        let queued = unsafe { (*self.shared.local.get()).len() };
        f.debug_struct("LocalExecutor")
            .field("queued", &queued)
            .finish_non_exhaustive()
    }
}
