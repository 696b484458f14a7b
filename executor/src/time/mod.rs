//! Timers and cooperative yielding: [`sleep()`], [`sleep_until()`], [`timeout()`],
//! [`interval()`] and [`yield_now()`] (all re-exported at the crate root).
//!
//! Timers are precise: a deadline is kept as the exact [`Instant`](std::time::Instant)
//! and the thread that drives the timers parks for exactly the remaining
//! [`Duration`](std::time::Duration), so a 300 µs sleep wakes after about 300 µs, not
//! after a whole millisecond. They are driven by our run loops: [`block_on`](crate::block_on()),
//! [`LocalExecutor::run`](crate::LocalExecutor::run) and the workers of the
//! multi-threaded [`Executor`](crate::Executor) fire expired timers while they are busy
//! and before they park, and one idle loop at a time (the leader) parks no longer than
//! the earliest deadline: a new earliest timer wakes that one thread, not every idle
//! one. Every timer is registered in one process-wide store, so a [`Sleep`] created
//! under one of these run loops may be awaited under any other, on any thread.
//!
//! A timer fires wherever it is polled: under another runtime's loop too
//! (`futures::executor::block_on`, tokio, ...). When no run loop of ours is there to
//! drive the timers, a fallback driver does: one thread named `exec-timers`, started the
//! first time it is needed (as async-io starts its driver thread) and kept for the life
//! of the process; it parks until the earliest deadline while it is responsible, without
//! a timeout otherwise, and gives the timers back to the first run loop of ours that
//! goes idle. A program that only uses our run loops never starts it.
//!
//! Pending timers are cheap: one ordered-map entry each, removed as soon as the
//! [`Sleep`] is dropped, so a hundred thousand abandoned timeouts leave nothing behind.
//! A program that never creates a timer pays one atomic load each time a run loop goes
//! idle.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use executor::{LocalExecutor, sleep, timeout};
//!
//! let ex = LocalExecutor::new();
//! let start = Instant::now();
//! let slow = ex.spawn(async {
//!     sleep(Duration::from_millis(2)).await;
//!     "slow"
//! });
//! let result = ex.run(timeout(Duration::from_secs(5), slow));
//! assert_eq!(result, Ok("slow"));
//! assert!(start.elapsed() >= Duration::from_millis(2));
//! ```

pub(crate) mod driver;
mod interval;
mod sleep;
mod timeout;
mod yield_now;

pub use interval::{Interval, interval};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout};
pub use yield_now::{YieldNow, yield_now};
