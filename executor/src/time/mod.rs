//! Timers and cooperative yielding: [`sleep`], [`sleep_until`], [`timeout`],
//! [`interval`] and [`yield_now`].
//!
//! Timers are precise: a deadline is kept as the exact [`Instant`](std::time::Instant)
//! and the thread that drives the timers parks for exactly the remaining
//! [`Duration`](std::time::Duration), so a 300 µs sleep wakes after about 300 µs, not
//! after a whole millisecond. They are driven by whoever parks: [`block_on`](crate::block_on),
//! [`LocalExecutor::run`](crate::LocalExecutor::run) and the workers of the
//! multi-threaded [`Executor`](crate::Executor) all fire expired timers before they park,
//! and park no longer than the earliest deadline. A timer is registered in one
//! process-wide store (see `driver`), so a [`Sleep`] created on one executor may be
//! awaited on any other of this crate.
//!
//! Pending timers are cheap: one ordered-map entry each, removed as soon as the
//! [`Sleep`] is dropped, so a hundred thousand abandoned timeouts leave nothing behind.
//! A program that never creates a timer pays one atomic load each time a run loop goes
//! idle.

pub(crate) mod driver;
mod interval;
mod sleep;
mod timeout;
mod yield_now;

pub use interval::{Interval, interval};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout};
pub use yield_now::{YieldNow, yield_now};
