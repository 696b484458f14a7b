//! [`sleep`] and [`sleep_until`]: futures that complete at a deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::driver::{self, TimerKey};

/// How far in the future a deadline that overflows `Instant` is put (about 30 years).
const FAR_FUTURE: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 30);

/// `instant + duration`, or about 30 years after `instant` if that overflows.
pub(crate) fn after(instant: Instant, duration: Duration) -> Instant {
    instant
        .checked_add(duration)
        .unwrap_or_else(|| instant + FAR_FUTURE)
}

/// Waits until `duration` has elapsed.
///
/// The deadline is computed when `sleep` is called, and kept exactly: a sleep of 300 µs
/// completes after about 300 µs (plus the scheduler's wake-up latency), not after a whole
/// millisecond. A duration too large for [`Instant`] sleeps for about 30 years.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// executor::block_on(executor::sleep(Duration::from_millis(5)));
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = after(Instant::now(), duration);
    Sleep {
        deadline,
        entry: None,
        unchecked: duration > Duration::ZERO,
    }
}

/// Waits until `deadline` is reached; completes at the first poll if it has passed.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let deadline = Instant::now() + Duration::from_micros(300);
/// executor::block_on(executor::sleep_until(deadline));
/// assert!(Instant::now() >= deadline);
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        entry: None,
        unchecked: deadline > Instant::now(),
    }
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// The first poll before the deadline registers the timer (one entry in the process-wide
/// timer store, holding the task's waker); dropping the `Sleep` removes it again, so a
/// cancelled sleep never wakes its task and leaves nothing behind. `Sleep` is [`Unpin`].
///
/// Reading the clock costs tens of nanoseconds, so a sleep reads it once when it is made
/// and its first poll trusts that reading: it registers the timer without looking at the
/// clock again (as tokio's timers do). A `Sleep` first polled after its deadline has
/// passed therefore returns `Pending` once and completes as soon as the run loop fires the
/// expired timer (at its next turn), never before the deadline.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// executor::block_on(async {
///     let mut nap = executor::sleep(Duration::from_millis(1));
///     assert!(!nap.is_elapsed());
///     (&mut nap).await;
///     assert!(nap.is_elapsed());
///     // Sleep again with the same timer.
///     nap.reset(Instant::now() + Duration::from_micros(500));
///     nap.await;
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    /// When the sleep completes.
    deadline: Instant,
    /// The registered timer, once polled before the deadline.
    entry: Option<Entry>,
    /// The deadline was ahead when the clock was last read (at creation) and the sleep
    /// has not been polled since: the first poll may register without reading the clock.
    unchecked: bool,
}

/// A `Sleep`'s registration in the timer store.
#[derive(Debug)]
struct Entry {
    /// The key of the store's entry (it may have fired and been removed since).
    key: TimerKey,
    /// The waker the store holds, to skip the lock when a re-poll brings the same one.
    waker: Waker,
}

impl Sleep {
    /// The instant at which this sleep completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(executor::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// assert!(executor::sleep_until(Instant::now()).is_elapsed());
    /// assert!(!executor::sleep(Duration::from_secs(60)).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Moves the deadline to `deadline`, whether or not the sleep has completed; the
    /// next poll waits for the new one.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let mut nap = executor::sleep(Duration::from_secs(60 * 60));
    /// nap.reset(Instant::now() + Duration::from_millis(1));
    /// executor::block_on(nap);
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deregister();
        self.deadline = deadline;
        self.unchecked = false;
    }

    /// Removes this sleep's timer from the store, if it is registered.
    fn deregister(&mut self) {
        if let Some(entry) = self.entry.take() {
            driver::global().remove(entry.key);
        }
    }

    /// Polls through `&mut self` (a `Sleep` is `Unpin`); used by [`Interval`] and
    /// [`Timeout`].
    ///
    /// [`Interval`]: super::Interval
    /// [`Timeout`]: super::Timeout
    pub(crate) fn poll_at(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::take(&mut self.unchecked) {
            // First poll of a sleep whose deadline was ahead at creation: register
            // without reading the clock; if the deadline has passed meanwhile, the run
            // loop fires the timer at its next turn.
            let key = driver::insert(self.deadline, cx.waker().clone());
            self.entry = Some(Entry {
                key,
                waker: cx.waker().clone(),
            });
            return Poll::Pending;
        }
        if Instant::now() >= self.deadline {
            // Fired, or about to be: make sure the store forgets it either way.
            self.deregister();
            return Poll::Ready(());
        }
        let store = driver::global();
        match &mut self.entry {
            Some(entry) if entry.waker.will_wake(cx.waker()) => {}
            Some(entry) => {
                entry.waker.clone_from(cx.waker());
                if !store.update_waker(entry.key, cx.waker().clone()) {
                    // Fired by a driver given a `now` ahead of ours: register again.
                    entry.key = driver::insert(self.deadline, cx.waker().clone());
                }
            }
            None => {
                let key = driver::insert(self.deadline, cx.waker().clone());
                self.entry = Some(Entry {
                    key,
                    waker: cx.waker().clone(),
                });
            }
        }
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_at(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.deregister();
    }
}
