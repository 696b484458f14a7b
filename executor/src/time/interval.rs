//! [`interval`]: a timer that ticks periodically.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::sleep::{Sleep, after, sleep_until};

/// A timer that ticks every `period`, the first tick completing at once.
///
/// Tick `k` is scheduled at `start + k * period` exactly, and [`tick`](Interval::tick)
/// returns that instant: late wake-ups cause no drift. When the consumer falls behind,
/// the missed ticks complete at once, one per call, until it has caught up (tokio's
/// default, `MissedTickBehavior::Burst`).
///
/// # Panics
///
/// Panics if `period` is zero.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// executor::block_on(async {
///     let start = Instant::now();
///     let mut every = executor::interval(Duration::from_millis(2));
///     let first = every.tick().await; // at once
///     let second = every.tick().await;
///     assert_eq!(second - first, Duration::from_millis(2));
///     assert!(start.elapsed() >= Duration::from_millis(2));
/// });
/// ```
pub fn interval(period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "`interval` period must be non-zero"
    );
    Interval {
        timer: sleep_until(Instant::now()),
        period,
    }
}

/// A periodic timer made by [`interval`]; await [`tick`](Interval::tick), or use it as a
/// [`Stream`](futures_core::Stream) of tick instants.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let mut every = executor::interval(Duration::from_micros(500));
/// assert_eq!(every.period(), Duration::from_micros(500));
/// executor::block_on(async {
///     for _ in 0..3 {
///         every.tick().await;
///     }
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    /// Sleeps until the next tick.
    timer: Sleep,
    /// The time between ticks.
    period: Duration,
}

impl Interval {
    /// Completes at the next tick and returns its scheduled instant.
    ///
    /// Cancel safe: dropping the future before it completes loses no tick.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let mut every = executor::interval(Duration::from_millis(1));
    /// let ticks: Vec<Instant> = executor::block_on(async {
    ///     let mut ticks = Vec::new();
    ///     for _ in 0..3 {
    ///         ticks.push(every.tick().await);
    ///     }
    ///     ticks
    /// });
    /// assert_eq!(ticks[2] - ticks[0], Duration::from_millis(2));
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: `Ready` with its scheduled instant once it is due.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::time::Duration;
    ///
    /// let mut every = executor::interval(Duration::from_millis(1));
    /// executor::block_on(poll_fn(|cx| every.poll_tick(cx)));
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if self.timer.poll_at(cx).is_pending() {
            return Poll::Pending;
        }
        let tick = self.timer.deadline();
        let next = after(tick, self.period);
        self.timer.reset(next);
        Poll::Ready(tick)
    }

    /// The time between ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// assert_eq!(executor::interval(Duration::from_secs(1)).period(), Duration::from_secs(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Restarts the interval: the next tick is one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let mut every = executor::interval(Duration::from_millis(1));
    /// let before = Instant::now();
    /// every.reset();
    /// let tick = executor::block_on(every.tick());
    /// assert!(tick >= before + Duration::from_millis(1));
    /// ```
    pub fn reset(&mut self) {
        self.timer.reset(after(Instant::now(), self.period));
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}
