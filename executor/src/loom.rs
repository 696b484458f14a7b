//! The synchronization primitives of the executor, from `std` or from [loom].
//!
//! Everything the task core, the parker, the multi-threaded `Executor` and the timer
//! driver share between threads comes through this module, so that
//! `RUSTFLAGS="--cfg loom"` swaps in loom's model-checked types and the models in
//! `tests/loom_*.rs` explore every interleaving of the real code: the task state
//! machine, the parker's `notified` flag, the `Executor`'s injector with its idle/notify
//! handshake and its shutdown drain, the tables of live tasks, and the timer driver.
//!
//! What stays on `std` under loom, and why:
//!
//! * `LocalExecutor`'s process-wide registry of remote queues (a `static` that loom
//!   cannot construct in a `const`); `LocalExecutor` is not modelled.
//! * The work-stealing deques of the `Executor`: crossbeam-deque has no loom support,
//!   so under loom [`queue`](crate::queue) replaces them with a locked `VecDeque` of the
//!   same interface (the handshake around them is the real code).
//!
//! Under loom, a task's allocation is never handed back to the allocator: its
//! destructor runs through the real `dealloc` path, which also marks the header freed
//! (a loom-tracked write), so a later or concurrent access to the header is reported as
//! a use after free instead of reading freed memory; see `task::state`.
//!
//! [loom]: https://docs.rs/loom

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};

#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// `std::thread_local!`, or loom's (loom's model threads share one OS thread, so a
/// `std` thread-local would be shared by all of them).
#[cfg(not(loom))]
macro_rules! loom_thread_local {
    ($($tt:tt)*) => { std::thread_local!($($tt)*); };
}

/// `std::thread_local!`, or loom's (loom's model threads share one OS thread, so a
/// `std` thread-local would be shared by all of them).
#[cfg(loom)]
macro_rules! loom_thread_local {
    ($($tt:tt)*) => { loom::thread_local!($($tt)*); };
}

pub(crate) use loom_thread_local as thread_local_shim;

/// Threads: `std::thread`, or loom's model threads.
pub(crate) mod thread {
    #[cfg(loom)]
    pub(crate) use loom::thread::{Builder, JoinHandle, Thread, current, park, yield_now};

    #[cfg(not(loom))]
    pub(crate) use std::thread::{
        Builder, JoinHandle, Thread, current, park, park_timeout, yield_now,
    };

    /// Loom has no clock: a timed park is a yield, i.e. a timeout that has already
    /// elapsed (which `park_timeout` may always do). A lost wake-up still shows up: a
    /// thread that should have been woken parks *without* a timeout and never returns,
    /// which loom reports as a deadlock.
    #[cfg(loom)]
    pub(crate) fn park_timeout(_timeout: std::time::Duration) {
        yield_now();
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `std`'s `UnsafeCell` with loom's closure-based API, so the same code compiles both ways.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a shared raw pointer to the contents.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a mutable raw pointer to the contents.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
