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
    #[cfg(not(loom))]
    pub(crate) use std::thread::{
        Builder, JoinHandle, Thread, current, park, park_timeout, yield_now,
    };

    #[cfg(loom)]
    pub(crate) use self::model::{Thread, current, park, park_timeout};
    #[cfg(loom)]
    pub(crate) use loom::thread::{Builder, JoinHandle, yield_now};

    /// Under loom, `Thread` keeps its park token in a loom `Mutex` and `Condvar`, as
    /// `std` keeps it in the thread, instead of using `loom::thread::park`: loom's
    /// `unpark` of a thread blocked on something else (a mutex, a join) wakes that
    /// wait as if it were the park and trips loom's own assertions, while a `std`
    /// unpark only leaves the token for the next park, which the run loops rely on
    /// (any thread may unpark a run loop's thread at any time).
    #[cfg(loom)]
    mod model {
        use std::sync::Arc;
        use std::time::Duration;

        use loom::sync::{Condvar, Mutex};
        use loom::thread::ThreadId;

        /// A handle to a model thread, to unpark it.
        #[derive(Clone)]
        pub(crate) struct Thread {
            id: ThreadId,
            parker: Arc<Parker>,
        }

        struct Parker {
            token: Mutex<bool>,
            condvar: Condvar,
        }

        impl Thread {
            pub(crate) fn id(&self) -> ThreadId {
                self.id
            }

            /// Makes the token available, waking the thread if it is parked.
            pub(crate) fn unpark(&self) {
                *self.parker.token.lock().unwrap() = true;
                self.parker.condvar.notify_one();
            }
        }

        impl std::fmt::Debug for Thread {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Thread")
                    .field("id", &self.id)
                    .finish_non_exhaustive()
            }
        }

        loom::thread_local! {
            static CURRENT: Thread = Thread {
                id: loom::thread::current().id(),
                parker: Arc::new(Parker {
                    token: Mutex::new(false),
                    condvar: Condvar::new(),
                }),
            };
        }

        /// The calling thread's handle.
        pub(crate) fn current() -> Thread {
            CURRENT.with(Clone::clone)
        }

        /// Blocks until the token is available, and consumes it.
        pub(crate) fn park() {
            CURRENT.with(|me| {
                let mut token = me.parker.token.lock().unwrap();
                while !*token {
                    token = me.parker.condvar.wait(token).unwrap();
                }
                *token = false;
            });
        }

        /// Loom has no clock: a timed park consumes the token if it is there and
        /// returns, as if the timeout had elapsed (which `park_timeout` may always do).
        /// A lost wake-up still shows: a thread that should have been woken parks
        /// *without* a timeout and never returns, which loom reports as a deadlock.
        pub(crate) fn park_timeout(_timeout: Duration) {
            CURRENT.with(|me| *me.parker.token.lock().unwrap() = false);
            loom::thread::yield_now();
        }
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
