//! A small, fast executor for coroutines and any other [`Future`].
//!
//! * [`block_on()`] runs one future on the current thread.
//! * [`LocalExecutor`] runs many `!Send` futures on one thread.
//! * [`Executor`] runs `Send` futures on a pool of worker threads, with work stealing.
//! * [`Task`] is the handle to a spawned future: await it for the output, drop it to
//!   cancel, [`detach`](Task::detach) it to let it run.
//! * Timers and cooperative yielding: [`sleep`], [`sleep_until`], [`timeout`],
//!   [`interval`], [`yield_now`]. Our run loops drive the timers; under another
//!   runtime, a fallback driver thread does (see [`time`]).
//!
//! ```
//! use executor::{LocalExecutor, yield_now};
//!
//! let ex = LocalExecutor::new();
//! let task = ex.spawn(async {
//!     yield_now().await;
//!     "done"
//! });
//! assert_eq!(ex.run(task), "done");
//! ```
//!
//! # How a task works
//!
//! A spawned future lives in one heap allocation with a header in front: an atomic
//! state word (flag bits plus a reference count) and a pointer to the functions that
//! know the future's type. The task's [`Waker`](std::task::Waker) is a pointer to that
//! same allocation: cloning it is a reference-count increment, waking it pushes the task
//! onto its executor's queue. The state machine (the transitions of that state word)
//! is documented in the crate's source and model-checked with
//! [loom](https://docs.rs/loom), on the real task code.
//!
//! # Fairness
//!
//! Both executors run their queues in FIFO order, and a task that wakes itself while it
//! is being polled (as [`yield_now`] does) goes to the *back* of the queue: a task that
//! always wakes itself gets one poll per round and cannot starve the others. A
//! [`LocalExecutor`] polls the future given to [`run`](LocalExecutor::run) at least
//! every 61 tasks once it is woken; the workers of an [`Executor`] look at the tasks
//! injected from other threads, and both fire expired timers, at least every 61 tasks;
//! [`block_on()`] and `run` also fire them before re-polling a future that woke itself.
//!
//! # What does not compile
//!
//! The multi-threaded executor only takes `Send` futures:
//!
//! ```compile_fail
//! let ex = executor::Executor::new();
//! let rc = std::rc::Rc::new(1);
//! ex.spawn(async move { *rc }); // `Rc` is not `Send`
//! ```
//!
//! A `LocalExecutor` belongs to its thread:
//!
//! ```compile_fail
//! let ex = executor::LocalExecutor::new();
//! std::thread::spawn(move || ex.run(async {})); // `LocalExecutor` is not `Send`
//! ```
//!
//! A `Task` of a `!Send` output cannot leave its thread:
//!
//! ```compile_fail
//! let ex = executor::LocalExecutor::new();
//! let task = ex.spawn(async { std::rc::Rc::new(1) });
//! std::thread::spawn(move || drop(task));
//! ```
//!
//! # Panics
//!
//! A panic inside a task is caught; the executor goes on running the other tasks, and
//! the panic is re-raised where the task's [`Task`] handle is awaited (or swallowed if
//! the task was detached). A task's destructors are inside the task: a panic in its
//! future's `Drop` or in its output's `Drop` never escapes a run loop, never stops a
//! worker thread and never leaks the task (see [`Task`] for where it goes).
//!
//! ```
//! let ex = executor::LocalExecutor::new();
//! let bad = ex.spawn(async { panic!("boom") });
//! let good = ex.spawn(async { 1 });
//! let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ex.run(bad)));
//! assert!(caught.is_err());
//! assert_eq!(ex.run(good), 1);
//! ```

mod block_on;
mod local;
mod loom;
mod multi;
mod park;
mod queue;
mod slab;
mod task;
pub mod time;

pub use block_on::block_on;
pub use local::LocalExecutor;
pub use multi::Executor;
pub use task::{Cancel, Task};
pub use time::{
    Elapsed, Interval, Sleep, Timeout, YieldNow, interval, sleep, sleep_until, timeout, yield_now,
};

/// Internals exposed to the loom models only (`RUSTFLAGS="--cfg loom"`).
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    pub use crate::task::Runnable;
    use crate::task::{Schedule, Task, spawn as spawn_task};
    use std::future::Future;

    /// A scheduler that calls a function with each `Runnable`.
    pub struct FnSchedule<F>(pub F);

    impl<F> std::fmt::Debug for FnSchedule<F> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("FnSchedule")
        }
    }

    impl<F: Fn(Runnable) + Send + Sync + 'static> Schedule for FnSchedule<F> {
        unsafe fn schedule(this: *const Self, runnable: Runnable) {
            // SAFETY: `this` is live until the hand-over, which is the call itself; the
            // models' functions own what they touch (an `Arc`'d queue).
            unsafe { ((*this).0)(runnable) }
        }
    }

    /// Spawns `future` with `schedule` as its scheduler.
    pub fn spawn<F, S>(future: F, schedule: S) -> (Runnable, Task<F::Output>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        S: Fn(Runnable) + Send + Sync + 'static,
    {
        spawn_task(future, FnSchedule(schedule), 0)
    }

    impl Runnable {
        /// Polls the task once.
        pub fn run_now(self) {
            self.run();
        }
    }

    /// Makes the calling model thread the fallback timer driver of this execution's
    /// store (under loom the store starts no thread of its own): it must then run
    /// [`timer_fallback_turn`] in a loop.
    pub fn install_timer_fallback() {
        crate::time::driver::global().install_fallback(crate::loom::thread::current());
    }

    /// One turn of the fallback timer driver (see `TimerStore::fallback_turn`).
    pub fn timer_fallback_turn() {
        crate::time::driver::global().fallback_turn();
    }

    /// The number of timers pending in this execution's store.
    pub fn timers_pending() -> usize {
        crate::time::driver::global().len()
    }

    /// The calling thread's handle as the executor's run loops park and unpark it (under
    /// loom the park token is the executor's own, see `crate::loom::thread`).
    #[derive(Clone, Debug)]
    pub struct ThreadHandle(crate::loom::thread::Thread);

    impl ThreadHandle {
        /// Leaves the park token for the thread, as any other code may.
        pub fn unpark(&self) {
            self.0.unpark();
        }
    }

    /// The calling thread's [`ThreadHandle`].
    pub fn current_thread() -> ThreadHandle {
        ThreadHandle(crate::loom::thread::current())
    }

    /// Parks the calling thread until its token is available (see [`ThreadHandle`]).
    pub fn park() {
        crate::loom::thread::park();
    }
}

/// The package README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
