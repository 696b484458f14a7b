//! [`Executor`]: a multi-threaded, work-stealing executor for `Send` futures.
//!
//! # Design
//!
//! Each worker thread owns a FIFO deque of `Runnable`s (crossbeam-deque); a task spawned
//! or woken on a worker goes to that worker's deque, with no lock. Tasks spawned or woken
//! from other threads go to a global injector queue. A worker looks for work in its own
//! deque, then the injector (taking a batch), then steals half of another worker's
//! deque. A worker that finds nothing spins briefly, then registers as idle and parks
//! (driving the timers, as every run loop does: see `park_idle`); a push to the
//! injector unparks one idle worker.
//!
//! Every task that has returned `Pending` and not completed has an entry, holding one
//! reference, in a table of live tasks split into cache-padded shards with a lock each:
//! such a task locks a shard once when it first returns `Pending` and once when it
//! completes; a task that completes in its first poll never does.
//!
//! # Shutdown
//!
//! Dropping the executor sets the `shutdown` flag, joins the workers (each drops the
//! `Runnable`s left in its deque), then cancels every task left in the table and drops
//! every future left, on the dropping thread, one at a time (`Shared::shut_down`): a
//! `Runnable` made meanwhile (a cancelled task, a wake-up from any thread) only goes to
//! a queue that loop drains. So the shutdown is iterative for any number of tasks, and
//! no task is ever dropped inside a `Waker::wake`. A task that returns `Pending` after
//! the shutdown began is cancelled then and there, so no future outlives the `drop`.
//!
//! # Fairness
//!
//! Each deque is FIFO, and a task woken while it runs goes to the back of its worker's
//! deque, so a task that always wakes itself cannot starve the tasks queued behind it.
//! Every 61 tasks a worker takes from the injector first (so tasks from outside are not
//! starved by a busy worker) and fires expired timers.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::{Arc, OnceLock, PoisonError};

use crossbeam_utils::CachePadded;

use crate::block_on::block_on_named;
use crate::loom::thread::{self, JoinHandle, Thread};
use crate::loom::{AtomicBool, AtomicU64, AtomicUsize, Mutex, MutexGuard, Ordering, fence};
use crate::park::{WORKER_LOOP, fire_timers, park_idle, with_ctx};
use crate::queue::{Injector, Steal, Stealer, Worker};
use crate::slab::Slab;
use crate::task::raw::Header;
use crate::task::{Runnable, Schedule, Task, release_ref, spawn, start_cancel};

/// How many tasks a worker runs between two looks at the injector and the timers.
const GLOBAL_INTERVAL: u32 = 61;
/// How many rounds an idle worker looks for work before it parks (none under loom: the
/// models check the parking handshake, and each round multiplies their state space).
const SPIN_ROUNDS: u32 = if cfg!(loom) { 0 } else { 16 };

/// A multi-threaded executor with work stealing.
///
/// [`spawn`](Self::spawn) starts a `Send` future on the worker threads; [`run`](Self::run)
/// blocks the calling thread until a future completes (the workers keep running all the
/// tasks meanwhile). Idle workers park and drive the timers.
///
/// Dropping the executor stops and joins the workers, then cancels every task that has
/// not completed: their futures are dropped then and there, on the dropping thread,
/// including those of tasks waiting for a wake-up. Awaiting the `Task` of a cancelled
/// task panics. Wake-ups and `Task` drops on other threads during the drop only queue
/// work for it: a future's destructor never runs inside a `Waker::wake`.
///
/// The executor may also be dropped from inside one of its own tasks (the last `Arc`
/// of it, say): the other workers are joined and every other future is dropped before
/// `drop` returns, as above. The dropping task itself runs on: if it completes, its
/// output reaches its `Task` as usual; the first time it returns `Pending` it is
/// cancelled instead (its future is dropped when that poll returns).
///
/// ```
/// let ex = executor::Executor::with_threads(2);
/// let tasks: Vec<_> = (0..10u64).map(|i| ex.spawn(async move { i * i })).collect();
/// let sum = ex.run(async {
///     let mut sum = 0;
///     for t in tasks {
///         sum += t.await;
///     }
///     sum
/// });
/// assert_eq!(sum, 285);
/// ```
pub struct Executor {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

struct Shared {
    injector: Injector<Runnable>,
    stealers: Vec<Stealer<Runnable>>,
    /// Each worker's thread, set by the worker itself before it can go idle.
    threads: Vec<OnceLock<Thread>>,
    /// Indices of the workers that are (about to be) parked.
    idle: Mutex<Vec<usize>>,
    /// `idle.len()`, readable without the lock.
    num_idle: AtomicUsize,
    shutdown: AtomicBool,
    /// The tasks that returned `Pending` and have not completed, for `Drop` to cancel.
    registry: Registry,
}

/// The executor's table of live tasks, in shards behind locks of their own (see the
/// module docs for when a task is in it). Each entry holds one reference to its task.
/// Dropping the executor cancels every task still in it, so a task that only its own
/// wakers keep alive (say, its future stores its own waker) is freed, not leaked.
struct Registry {
    /// Each on cache lines of its own: a spawning thread and the workers completing
    /// tasks lock different shards at once.
    shards: Box<[CachePadded<Mutex<Shard>>]>,
    /// Spreads spawns over the shards, round robin.
    next: AtomicUsize,
}

struct Shard(Slab);

// SAFETY: the table holds pointers to tasks of `Send` futures with `Send` outputs (all
// that `Executor::spawn` accepts), whose state is atomic: any thread may hold them, and
// the table is only used under its lock.
unsafe impl Send for Shard {}

impl Registry {
    fn new(threads: usize) -> Self {
        Self {
            shards: (0..(threads * 4).next_power_of_two())
                .map(|_| CachePadded::new(Mutex::new(Shard(Slab::default()))))
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    fn lock(&self, shard: u32) -> MutexGuard<'_, Shard> {
        // No user code runs under these locks; a poisoned table is still consistent.
        self.shards[shard as usize]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The shard the next new entry goes to.
    fn next_shard(&self) -> u32 {
        let n = self.next.fetch_add(1, Ordering::Relaxed) & (self.shards.len() - 1);
        u32::try_from(n).expect("fewer than 2^32 shards")
    }
}

/// The worker running on this thread, if any.
struct WorkerCtx {
    shared: Arc<Shared>,
    index: usize,
    local: Worker<Runnable>,
    tick: Cell<u32>,
}

#[cfg(not(loom))]
thread_local! {
    static WORKER: Cell<*const WorkerCtx> = const { Cell::new(std::ptr::null()) };
}

#[cfg(loom)]
loom::thread_local! {
    static WORKER: Cell<*const WorkerCtx> = Cell::new(std::ptr::null());
}

/// Calls `f` with this thread's worker if this thread is a worker of `shared`.
#[inline]
fn with_worker<R>(shared: *const Shared, f: impl FnOnce(&WorkerCtx) -> R) -> Option<R> {
    let ctx = WORKER.with(Cell::get);
    // SAFETY: a non-null `WORKER` points to the `WorkerCtx` on the stack of the worker
    // loop of this thread, which clears it before returning.
    match unsafe { ctx.as_ref() } {
        Some(ctx) if std::ptr::eq(Arc::as_ptr(&ctx.shared), shared) => Some(f(ctx)),
        _ => None,
    }
}

/// Pushes `runnable` onto this thread's deque if this thread is a worker of `shared`;
/// gives it back otherwise.
#[inline]
fn push_to_worker(shared: *const Shared, runnable: Runnable) -> Result<(), Runnable> {
    let ctx = WORKER.with(Cell::get);
    // SAFETY: as in `with_worker`.
    match unsafe { ctx.as_ref() } {
        Some(ctx) if std::ptr::eq(Arc::as_ptr(&ctx.shared), shared) => {
            ctx.push_local(runnable);
            Ok(())
        }
        _ => Err(runnable),
    }
}

/// The scheduler stored in each task: its executor, and its entry in the registry.
struct MultiSchedule {
    shared: Arc<Shared>,
    /// `shard << 32 | slot` once the task is in the registry, [`NO_ENTRY`] before. Only
    /// the task's runner reads or writes it (the state word's `RUNNING` transitions
    /// order the accesses of successive runners).
    entry: AtomicU64,
}

/// [`MultiSchedule::entry`] of a task that is not in the registry.
const NO_ENTRY: u64 = u64::MAX;

impl Schedule for MultiSchedule {
    #[inline]
    unsafe fn schedule(this: *const Self, runnable: Runnable) {
        // SAFETY: `this` is live until `runnable` is handed over (trait contract); only
        // the `Shared` pointer is copied out.
        let shared: *const Shared = unsafe { Arc::as_ptr(&(*this).shared) };
        if let Err(runnable) = push_to_worker(shared, runnable) {
            // SAFETY: the task's `Arc` keeps `Shared` alive until the hand-over; the
            // extra strong count keeps it alive after that.
            let shared = unsafe {
                Arc::increment_strong_count(shared);
                Arc::from_raw(shared)
            };
            shared.push_global(runnable);
        }
    }

    fn on_pending(&self, task: NonNull<Header>) {
        if self.entry.load(Ordering::Relaxed) != NO_ENTRY {
            return;
        }
        if self.shared.shutdown.load(Ordering::SeqCst) {
            // The executor is being dropped and may have emptied the registry already:
            // cancel the task instead (it is running, so this only sets `CLOSED`, and
            // the runner drops the future as soon as this poll is over).
            // SAFETY: the runner's reference keeps the task alive.
            unsafe { start_cancel(task) };
            return;
        }
        let registry = &self.shared.registry;
        let shard = registry.next_shard();
        // SAFETY: the runner holds a reference, so the task is alive; the registry's
        // reference is counted before the entry exists.
        unsafe { task.as_ref() }.state.ref_inc();
        let slot = registry.lock(shard).0.insert(task);
        self.entry
            .store(u64::from(shard) << 32 | u64::from(slot), Ordering::Relaxed);
    }

    fn release(&self, task: NonNull<Header>) -> usize {
        let entry = self.entry.load(Ordering::Relaxed);
        if entry == NO_ENTRY {
            return 0;
        }
        let shard = u32::try_from(entry >> 32).expect("a shard index");
        let slot = u32::try_from(entry & u64::from(u32::MAX)).expect("a slot index");
        // The entry is gone if the executor's `Drop` took it (and its reference).
        usize::from(self.shared.registry.lock(shard).0.remove(slot, task))
    }
}

impl Shared {
    fn lock_idle(&self) -> MutexGuard<'_, Vec<usize>> {
        // No user code runs under this lock.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a task from outside the workers and wakes an idle worker.
    ///
    /// Never runs a task (nor drops one): this is what a `Waker::wake` from any thread
    /// comes to, and the waking thread may hold a lock the task's destructor takes.
    /// During shutdown the executor's `Drop` drops what lands here (see
    /// [`Shared::shut_down`]).
    fn push_global(&self, runnable: Runnable) {
        self.injector.push(runnable);
        fence(Ordering::SeqCst);
        self.notify_one();
    }

    /// Unparks one idle worker, if any. The caller pushed work and then issued a
    /// `SeqCst` fence (pairs with the one in `Worker::park`).
    fn notify_one(&self) {
        if self.num_idle.load(Ordering::SeqCst) == 0 {
            return;
        }
        let index = {
            let mut idle = self.lock_idle();
            let index = idle.pop();
            self.num_idle.store(idle.len(), Ordering::SeqCst);
            index
        };
        if let Some(thread) = index.and_then(|i| self.threads[i].get()) {
            thread.unpark();
        }
    }

    /// The next `Runnable` queued where the shutdown must find it: in the injector, or in
    /// this thread's deque if this thread is one of the workers (an executor dropped from
    /// inside one of its own tasks).
    fn pop_queued(&self) -> Option<Runnable> {
        if let Some(Some(runnable)) = with_worker(self, |ctx| ctx.local.pop()) {
            return Some(runnable);
        }
        loop {
            match self.injector.steal() {
                Steal::Success(runnable) => return Some(runnable),
                Steal::Retry => {}
                Steal::Empty => return None,
            }
        }
    }

    /// The second half of the executor's `Drop`, once no other thread runs its tasks (the
    /// other workers are joined): drops every future left, on this thread, one at a
    /// time. Iterative, whatever the tasks do: dropping a future may cancel or wake other
    /// tasks (a chain of tasks awaiting each other cancels the next, completing one wakes
    /// its awaiter), and their `Runnable`s only go to the queues this loop drains, never
    /// dropped where they are made (so no recursion, and never inside a `Waker::wake` on
    /// another thread, which may hold a lock the destructor takes).
    fn shut_down(&self) {
        // Every task that has returned `Pending` and not completed, with the table's
        // references: cancelling an idle one queues a `Runnable` for it.
        let mut tasks = Vec::new();
        for shard in 0..self.registry.shards.len() {
            let shard = u32::try_from(shard).expect("fewer than 2^32 shards");
            // Taken out first: cancelling runs destructors, which may complete other
            // tasks and lock this shard.
            tasks.extend(self.registry.lock(shard).0.take_all());
        }
        for &task in &tasks {
            // SAFETY: `take_all` handed over the table's reference to the task.
            unsafe { start_cancel(task) };
        }
        loop {
            while let Some(runnable) = self.pop_queued() {
                // Dropping a `Runnable` drops its task's future.
                drop(runnable);
            }
            // A task of the table is done with once its future is gone, or if it is
            // running: then it runs on this thread (the other workers are joined), below
            // us in the stack: the task whose poll is dropping the executor, cancelled
            // above, whose runner drops the future when the poll returns.
            tasks.retain(|&task| {
                // SAFETY: the table's reference keeps the task alive.
                let header = unsafe { task.as_ref() };
                let state = header.state.load();
                if !state.is_complete() && !state.is_running() {
                    return true;
                }
                // SAFETY: the table's reference, given up; the future is gone, or the
                // task's runner holds a reference of its own.
                unsafe { release_ref(task) };
                false
            });
            if tasks.is_empty() {
                break;
            }
            // The task left is scheduled, and its `Runnable` not queued yet: a wake-up on
            // another thread made it `SCHEDULED` an instant ago and is about to push it.
            thread::yield_now();
        }
        // Nothing can be queued any more: every task is complete, or running here and
        // cancelled (its runner drops its future without queueing it again).
    }
}

impl WorkerCtx {
    #[inline]
    fn push_local(&self, runnable: Runnable) {
        self.local.push(runnable);
        // A heuristic without a fence: this worker runs the task itself if nobody
        // steals it, so a missed wake-up costs parallelism, never progress.
        if self.shared.num_idle.load(Ordering::Relaxed) > 0 && self.local.len() > 1 {
            self.shared.notify_one();
        }
    }

    fn find_task(&self) -> Option<Runnable> {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        if tick.is_multiple_of(GLOBAL_INTERVAL) {
            fire_timers();
            if let Some(r) = self.steal_global() {
                return Some(r);
            }
        }
        if let Some(r) = self.local.pop() {
            return Some(r);
        }
        self.steal_global().or_else(|| self.steal_others())
    }

    fn steal_global(&self) -> Option<Runnable> {
        loop {
            match self.shared.injector.steal_batch_and_pop(&self.local) {
                Steal::Success(r) => return Some(r),
                Steal::Retry => {}
                Steal::Empty => return None,
            }
        }
    }

    fn steal_others(&self) -> Option<Runnable> {
        let n = self.shared.stealers.len();
        loop {
            let mut retry = false;
            for k in 1..n {
                let stealer = &self.shared.stealers[(self.index + k) % n];
                match stealer.steal_batch_and_pop(&self.local) {
                    Steal::Success(r) => return Some(r),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    fn has_work(&self) -> bool {
        !self.local.is_empty()
            || !self.shared.injector.is_empty()
            || self.shared.stealers.iter().any(|s| !s.is_empty())
    }

    /// Parks until woken (or a timer is due). Registers as idle first and re-checks for
    /// work, so a push that saw no idle worker happened before the re-check.
    fn park(&self) {
        let shared = &*self.shared;
        {
            let mut idle = shared.lock_idle();
            idle.push(self.index);
            shared.num_idle.store(idle.len(), Ordering::SeqCst);
        }
        fence(Ordering::SeqCst);
        if !self.has_work() && !shared.shutdown.load(Ordering::SeqCst) {
            with_ctx(park_idle);
        } else {
            // Work that `find_task` just missed (a push or a steal in flight): look again.
            // Loom must be told that this loop waits for another thread.
            #[cfg(loom)]
            thread::yield_now();
        }
        let mut idle = shared.lock_idle();
        if let Some(pos) = idle.iter().position(|&i| i == self.index) {
            idle.swap_remove(pos);
            shared.num_idle.store(idle.len(), Ordering::SeqCst);
        }
    }

    #[cfg_attr(
        loom,
        allow(clippy::reversed_empty_ranges, reason = "no spinning under loom")
    )]
    fn run(&self) {
        'outer: loop {
            if let Some(runnable) = self.find_task() {
                runnable.run();
                // A busy worker (say, with a task that always wakes itself) still
                // notices a shutdown.
                if self.tick.get().is_multiple_of(GLOBAL_INTERVAL)
                    && self.shared.shutdown.load(Ordering::Acquire)
                {
                    break;
                }
                continue;
            }
            for _ in 0..SPIN_ROUNDS {
                if self.shared.shutdown.load(Ordering::Acquire) {
                    break 'outer;
                }
                std::hint::spin_loop();
                if let Some(runnable) = self.find_task() {
                    runnable.run();
                    continue 'outer;
                }
            }
            if self.shared.shutdown.load(Ordering::Acquire) {
                break;
            }
            self.park();
        }
        // Cancel what is left in this worker's deque (the futures are `Send`).
        while let Some(runnable) = self.local.pop() {
            drop(runnable);
        }
    }
}

fn worker_main(shared: Arc<Shared>, index: usize, local: Worker<Runnable>) {
    /// Clears `WORKER` when the loop ends, also on unwinding.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            WORKER.with(|w| w.set(std::ptr::null()));
        }
    }
    let _ = shared.threads[index].set(thread::current());
    let ctx = WorkerCtx {
        shared,
        index,
        local,
        tick: Cell::new(0),
    };
    with_ctx(|thread_ctx| {
        let _entered = thread_ctx.enter(WORKER_LOOP);
        WORKER.with(|w| w.set(&raw const ctx));
        let _reset = Reset;
        ctx.run();
    });
}

/// The name of worker `index`: `exec-worker-{index}`, which fits the 15 bytes Linux
/// keeps of a thread's name for every index below 1000 (so top, ps and perf show it
/// whole); `exec-{index}` beyond.
fn worker_name(index: usize) -> String {
    /// Linux's limit on a thread name, without the terminating NUL.
    const MAX: usize = 15;
    let name = format!("exec-worker-{index}");
    if name.len() <= MAX {
        name
    } else {
        format!("exec-{index}")
    }
}

impl Executor {
    /// Creates an executor with one worker per available CPU.
    ///
    /// ```
    /// let ex = executor::Executor::new();
    /// assert_eq!(ex.run(ex.spawn(async { 1 })), 1);
    /// ```
    pub fn new() -> Self {
        Self::with_threads(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }

    /// Creates an executor with `threads` workers (at least one).
    ///
    /// ```
    /// let ex = executor::Executor::with_threads(3);
    /// assert_eq!(ex.threads(), 3);
    /// ```
    pub fn with_threads(threads: usize) -> Self {
        let threads = threads.max(1);
        let locals: Vec<Worker<Runnable>> = (0..threads).map(|_| Worker::new_fifo()).collect();
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            stealers: locals.iter().map(Worker::stealer).collect(),
            threads: (0..threads).map(|_| OnceLock::new()).collect(),
            idle: Mutex::new(Vec::with_capacity(threads)),
            num_idle: AtomicUsize::new(0),
            shutdown: AtomicBool::new(false),
            registry: Registry::new(threads),
        });
        let workers = locals
            .into_iter()
            .enumerate()
            .map(|(index, local)| {
                let shared = shared.clone();
                thread::Builder::new()
                    .name(worker_name(index))
                    .spawn(move || worker_main(shared, index, local))
                    .expect("failed to spawn an executor worker thread")
            })
            .collect();
        Self { shared, workers }
    }

    /// The number of worker threads.
    ///
    /// ```
    /// assert_eq!(executor::Executor::with_threads(2).threads(), 2);
    /// ```
    pub fn threads(&self) -> usize {
        self.workers.len()
    }

    /// Spawns `future` onto the workers.
    ///
    /// ```
    /// let ex = executor::Executor::with_threads(2);
    /// let task = ex.spawn(async { std::thread::current().name().map(str::to_owned) });
    /// let name = ex.run(task).unwrap();
    /// assert!(name.starts_with("exec-worker-"));
    /// ```
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let scheduler = MultiSchedule {
            shared: self.shared.clone(),
            entry: AtomicU64::new(NO_ENTRY),
        };
        let (runnable, task) = spawn(future, scheduler, 0);
        if let Err(runnable) = push_to_worker(Arc::as_ptr(&self.shared), runnable) {
            self.shared.push_global(runnable);
        }
        task
    }

    /// Blocks the calling thread until `future` completes, and returns its output. The
    /// future is polled on the calling thread; the workers keep running the tasks.
    ///
    /// ```
    /// let ex = executor::Executor::with_threads(2);
    /// let t = ex.spawn(async { 21 });
    /// assert_eq!(ex.run(async { t.await * 2 }), 42);
    /// ```
    ///
    /// # Panics
    ///
    /// If called from inside [`block_on`](crate::block_on()), another `run`, or a task of an
    /// `Executor` (nested).
    pub fn run<T>(&self, future: impl Future<Output = T>) -> T {
        block_on_named(future, "Executor::run")
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Executor {
    /// Stops and joins the workers, then drops every future left on this thread (see
    /// `Shared::shut_down`). Dropped from inside one of its own tasks, it joins the
    /// other workers and does the same: the dropping task's own worker stops once that
    /// task's poll returns.
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        for thread in self.shared.threads.iter().filter_map(OnceLock::get) {
            thread.unpark();
        }
        let me = thread::current().id();
        for worker in self.workers.drain(..) {
            if worker.thread().id() == me {
                // Dropped from one of its own tasks: that worker exits on its own, when
                // the poll we are in returns.
                continue;
            }
            // A worker only panics if a waker or destructor outside any task did; the
            // executor is being dropped anyway.
            let _ = worker.join();
        }
        self.shared.shut_down();
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("threads", &self.workers.len())
            .field("idle", &self.shared.num_idle.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::worker_name;

    #[test]
    fn worker_names_keep_the_index_within_linux_15_bytes() {
        assert_eq!(worker_name(0), "exec-worker-0");
        assert_eq!(worker_name(12), "exec-worker-12");
        assert_eq!(worker_name(999), "exec-worker-999");
        assert_eq!(worker_name(1000), "exec-1000");
        assert_eq!(worker_name(1_234_567_890), "exec-1234567890");
        for index in [0, 9, 10, 99, 100, 999, 1000, 65_535, 9_999_999_999] {
            assert!(worker_name(index).len() <= 15, "{index}");
            assert!(worker_name(index).ends_with(&index.to_string()));
        }
    }
}
