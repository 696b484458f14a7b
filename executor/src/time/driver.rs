//! The process-wide timer store, and the interface run loops use to drive it.
//!
//! # The store
//!
//! Every pending [`Sleep`](super::Sleep) that has been polled once owns one entry in a
//! `BTreeMap` keyed by `(deadline, id)`: ordered by deadline, ties broken by registration
//! order, so the earliest timer is the first key. Insert, cancel and "pop the expired
//! front" are all `O(log n)`; a dropped `Sleep` removes its entry at once, so a
//! cancelled timer costs nothing afterwards and nothing leaks. Deadlines are kept as the
//! exact `Instant`: nothing is rounded to whole milliseconds.
//!
//! The map lives behind one `Mutex`. Beside it, an `AtomicU64` holds the earliest
//! deadline as nanoseconds since a process-wide base instant ([`NONE`] while the store is
//! empty), so the question every idle run loop asks first, [`fire_expired`], costs one
//! atomic load and takes no lock while no timer exists or none has expired yet;
//! [`next_deadline`] takes no lock either.
//!
//! # The protocol for run loops
//!
//! Whoever parks drives the timers: `block_on`, `LocalExecutor::run` and every worker of
//! the multi-threaded `Executor` follow the same rule when they have nothing to run:
//!
//! ```text
//! register_parker(thread::current())      // once per run loop, or before each park
//! loop {
//!     ... run what is runnable ...
//!     if fire_expired(Instant::now()) > 0 { continue }     // woke someone: run again
//!     match next_deadline() {
//!         Some(d) => thread::park_timeout(d.saturating_duration_since(Instant::now())),
//!         None => thread::park(),
//!     }
//! }
//! unregister_parker()                     // when the loop stops driving
//! ```
//!
//! ([`park_timeout`] computes the `Option<Duration>` of that `match`.) The timeout is the
//! exact remaining `Duration`, so a 300 µs sleep parks for 300 µs, not 1 ms.
//!
//! A timer inserted from another thread while the drivers are parked must shorten their
//! park: when an insertion makes a new earliest deadline, the store unparks **every**
//! registered driver except the calling thread. Each one recomputes its timeout when it
//! next goes idle. Waking all of them (rather than one) keeps a simple invariant with no
//! hand-off: every registered driver parks no longer than the earliest deadline, so a
//! driver that stops driving (its `block_on` returned) never strands a timer. The
//! registration must happen *before* the driver reads [`next_deadline`]; then an
//! insertion either is seen by that read or unparks the driver afterwards, and
//! `Thread::unpark` before `park` makes the `park` return at once (no lost wake-up).
//! Spurious unparks are harmless: every run loop already re-checks its work.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::Waker;
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// The value of [`TimerStore::earliest`] while the store is empty.
const NONE: u64 = u64::MAX;

/// The one store every timer of the process registers in.
static STORE: TimerStore = TimerStore::new();

/// The store the `Sleep` futures and the run loops use.
pub(crate) fn global() -> &'static TimerStore {
    &STORE
}

/// The earliest pending timer's deadline, if any timer is pending (any thread).
///
/// One atomic load while no timer exists.
pub(crate) fn next_deadline() -> Option<Instant> {
    STORE.next_deadline()
}

/// Wakes every timer whose deadline is `<= now` and returns how many were woken.
///
/// One atomic load, and no lock, while no timer exists or none has expired yet. The
/// wakers run after the store's lock is released, in deadline order; when several
/// threads fire at once, their batches may interleave.
pub(crate) fn fire_expired(now: Instant) -> usize {
    STORE.fire_expired(now)
}

/// How long a driver that goes idle at `now` may park: the exact time until the earliest
/// deadline (zero if it has passed), or `None` (park without a timeout) when no timer is
/// pending.
#[allow(
    dead_code,
    reason = "offered to run loops that prefer it to computing `deadline - now` themselves"
)]
pub(crate) fn park_timeout(now: Instant) -> Option<Duration> {
    STORE.park_timeout(now)
}

/// Registers `thread` as a driver: it will be unparked when a new earliest deadline is
/// inserted. Idempotent for a thread that is already registered.
pub(crate) fn register_parker(thread: Thread) {
    STORE.register_parker(thread);
}

/// Removes the calling thread from the drivers (no-op if it is not registered).
pub(crate) fn unregister_parker() {
    STORE.unregister_parker(thread::current().id());
}

/// Identifies one entry of the store: its deadline and its registration number.
pub(crate) type TimerKey = (Instant, u64);

/// A timer store: the global one is [`global`]; tests make their own.
pub(crate) struct TimerStore {
    /// The earliest deadline, as nanoseconds since `base`, or [`NONE`] when no timer is
    /// pending. A deadline at or before `base` (only a deadline already in the past when
    /// it was inserted can be) is stored as 0, meaning "ask the map". Written only while
    /// `inner` is locked; read without the lock by the fast paths.
    earliest: AtomicU64,
    /// The instant `earliest` is measured from: the time of the first insertion.
    base: OnceLock<Instant>,
    /// The timers and the registered drivers.
    inner: Mutex<Inner>,
}

/// The locked part of a [`TimerStore`].
struct Inner {
    /// Pending timers, earliest first.
    timers: BTreeMap<TimerKey, Waker>,
    /// The id of the next timer inserted.
    next_id: u64,
    /// Threads that drive timers and park; unparked on a new earliest deadline.
    parkers: Vec<Thread>,
}

impl std::fmt::Debug for TimerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerStore")
            .field("pending", &self.len())
            .field("next_deadline", &self.next_deadline())
            .finish_non_exhaustive()
    }
}

impl TimerStore {
    /// An empty store.
    pub(crate) const fn new() -> Self {
        Self {
            earliest: AtomicU64::new(NONE),
            base: OnceLock::new(),
            inner: Mutex::new(Inner {
                timers: BTreeMap::new(),
                next_id: 0,
                parkers: Vec::new(),
            }),
        }
    }

    /// Locks the store. A panic while it was locked (only a user `Waker::clone`/`drop`
    /// could panic there) leaves the map consistent, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `instant` as nanoseconds since `base` (saturating at both ends).
    fn to_nanos(base: Instant, instant: Instant) -> u64 {
        u64::try_from(instant.saturating_duration_since(base).as_nanos()).unwrap_or(NONE - 1)
    }

    /// Publishes the map's first deadline in `earliest`. Called with the lock held.
    fn publish_earliest(&self, inner: &Inner) {
        let value = match inner.timers.first_key_value() {
            // A deadline before `base` saturates to 0: "ask the map".
            Some((&(deadline, _), _)) => {
                Self::to_nanos(*self.base.get_or_init(Instant::now), deadline)
            }
            None => NONE,
        };
        self.earliest.store(value, Ordering::Release);
    }

    /// The number of pending timers.
    pub(crate) fn len(&self) -> usize {
        self.lock().timers.len()
    }

    /// See [`next_deadline`].
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match self.earliest.load(Ordering::Acquire) {
            NONE => None,
            // The earliest deadline precedes `base`: only the map knows it exactly.
            0 => self
                .lock()
                .timers
                .first_key_value()
                .map(|(&(deadline, _), _)| deadline),
            // `earliest` is published only after `base` is set.
            nanos => Some(*self.base.get()? + Duration::from_nanos(nanos)),
        }
    }

    /// See [`park_timeout`].
    pub(crate) fn park_timeout(&self, now: Instant) -> Option<Duration> {
        self.next_deadline()
            .map(|deadline| deadline.saturating_duration_since(now))
    }

    /// Inserts a timer that wakes `waker` at `deadline`; returns its key. Unparks the
    /// registered drivers (other than the caller) when `deadline` is the new earliest.
    pub(crate) fn insert(&self, deadline: Instant, waker: Waker) -> TimerKey {
        let mut inner = self.lock();
        let key = (deadline, inner.next_id);
        inner.next_id += 1;
        let new_earliest = inner
            .timers
            .first_key_value()
            .is_none_or(|(&first, _)| key < first);
        inner.timers.insert(key, waker);
        if new_earliest {
            self.publish_earliest(&inner);
            if !inner.parkers.is_empty() {
                let me = thread::current().id();
                for parker in inner.parkers.iter().filter(|t| t.id() != me) {
                    parker.unpark();
                }
            }
        }
        key
    }

    /// Replaces the waker of a pending timer. Returns `false` (and drops `waker`) if the
    /// timer is no longer in the store (it fired).
    pub(crate) fn update_waker(&self, key: TimerKey, waker: Waker) -> bool {
        let mut inner = self.lock();
        let Some(slot) = inner.timers.get_mut(&key) else {
            drop(inner);
            return false;
        };
        let old = std::mem::replace(slot, waker);
        drop(inner);
        // Dropped outside the lock: a waker's drop may run arbitrary code (even drop a
        // task holding another `Sleep`, which would lock the store again).
        drop(old);
        true
    }

    /// Removes a timer; returns whether it was still pending.
    pub(crate) fn remove(&self, key: TimerKey) -> bool {
        let mut inner = self.lock();
        let removed = inner.timers.remove(&key);
        if removed.is_some() && inner.timers.first_key_value().is_none_or(|(&k, _)| key < k) {
            // It was the earliest: publish the next one (a later one, so no unpark).
            self.publish_earliest(&inner);
        }
        drop(inner);
        removed.is_some()
    }

    /// See [`fire_expired`].
    pub(crate) fn fire_expired(&self, now: Instant) -> usize {
        let nanos = self.earliest.load(Ordering::Acquire);
        if nanos == NONE {
            return 0;
        }
        // `base + nanos` is the earliest deadline (or, for 0, at most it): `now` before it
        // means nothing expired.
        if let Some(&base) = self.base.get()
            && Self::to_nanos(base, now) < nanos
        {
            return 0;
        }
        let mut expired = Vec::new();
        let mut inner = self.lock();
        while let Some(entry) = inner.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            expired.push(entry.remove());
        }
        if !expired.is_empty() {
            self.publish_earliest(&inner);
        }
        drop(inner);
        let woken = expired.len();
        for waker in expired {
            waker.wake();
        }
        woken
    }

    /// See [`register_parker`].
    pub(crate) fn register_parker(&self, thread: Thread) {
        let mut inner = self.lock();
        if inner.parkers.iter().all(|t| t.id() != thread.id()) {
            inner.parkers.push(thread);
        }
    }

    /// See [`unregister_parker`].
    pub(crate) fn unregister_parker(&self, id: thread::ThreadId) {
        let mut inner = self.lock();
        if let Some(index) = inner.parkers.iter().position(|t| t.id() == id) {
            let thread = inner.parkers.swap_remove(index);
            drop(inner);
            drop(thread);
        }
    }

    /// The number of registered drivers.
    #[cfg(test)]
    fn parkers(&self) -> usize {
        self.lock().parkers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::TimerStore;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};
    use std::thread;
    use std::time::{Duration, Instant};

    /// A waker that counts its wakes.
    #[derive(Default)]
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    #[test]
    fn empty_store_has_no_deadline_and_fires_nothing() {
        let store = TimerStore::new();
        assert_eq!(store.next_deadline(), None);
        assert_eq!(store.park_timeout(Instant::now()), None);
        assert_eq!(
            store.fire_expired(Instant::now() + Duration::from_hours(1)),
            0
        );
    }

    #[test]
    fn park_timeout_is_the_exact_remaining_duration() {
        let store = TimerStore::new();
        let now = Instant::now();
        let (_, waker) = counter();
        store.insert(now + Duration::from_micros(200), waker.clone());
        // Exactly 200 µs: not rounded up to a whole millisecond.
        assert_eq!(store.park_timeout(now), Some(Duration::from_micros(200)));
        assert_eq!(
            store.park_timeout(now + Duration::from_micros(150)),
            Some(Duration::from_micros(50))
        );
        // Nanosecond precision is kept too.
        store.insert(now + Duration::from_nanos(12_345), waker);
        assert_eq!(store.park_timeout(now), Some(Duration::from_nanos(12_345)));
        assert_eq!(
            store.next_deadline(),
            Some(now + Duration::from_nanos(12_345))
        );
        // A passed deadline parks for zero.
        assert_eq!(
            store.park_timeout(now + Duration::from_secs(1)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn fires_in_deadline_order_and_only_expired() {
        let store = TimerStore::new();
        let now = Instant::now();
        let counters: Vec<_> = (0..10u64)
            .map(|i| {
                let (count, waker) = counter();
                // Inserted in scrambled order.
                let ms = (i * 7) % 10;
                store.insert(now + Duration::from_millis(ms), waker);
                (ms, count)
            })
            .collect();
        for step in 0..10u64 {
            assert_eq!(
                store.next_deadline(),
                Some(now + Duration::from_millis(step))
            );
            assert_eq!(store.fire_expired(now + Duration::from_millis(step)), 1);
            for (ms, count) in &counters {
                let expected = usize::from(*ms <= step);
                assert_eq!(
                    count.0.load(Ordering::SeqCst),
                    expected,
                    "timer {ms} at {step}"
                );
            }
        }
        assert_eq!(store.len(), 0);
        assert_eq!(store.next_deadline(), None);
    }

    #[test]
    fn equal_deadlines_all_fire() {
        let store = TimerStore::new();
        let deadline = Instant::now();
        let (count, waker) = counter();
        for _ in 0..5 {
            store.insert(deadline, waker.clone());
        }
        // `deadline` precedes the store's base instant: still reported exactly.
        assert_eq!(store.next_deadline(), Some(deadline));
        assert_eq!(store.fire_expired(deadline), 5);
        assert_eq!(count.0.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn removed_timer_never_fires_and_deadline_moves_on() {
        let store = TimerStore::new();
        let now = Instant::now();
        let (first, w1) = counter();
        let (second, w2) = counter();
        let k1 = store.insert(now + Duration::from_millis(1), w1);
        store.insert(now + Duration::from_millis(2), w2);
        assert!(store.remove(k1));
        assert!(!store.remove(k1));
        assert_eq!(store.next_deadline(), Some(now + Duration::from_millis(2)));
        assert_eq!(store.fire_expired(now + Duration::from_millis(5)), 1);
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn update_waker_replaces_the_waker() {
        let store = TimerStore::new();
        let now = Instant::now();
        let (old, w1) = counter();
        let (new, w2) = counter();
        let key = store.insert(now, w1);
        assert!(store.update_waker(key, w2.clone()));
        assert_eq!(store.fire_expired(now), 1);
        assert_eq!(old.0.load(Ordering::SeqCst), 0);
        assert_eq!(new.0.load(Ordering::SeqCst), 1);
        assert!(!store.update_waker(key, w2));
    }

    #[test]
    fn hundred_thousand_timers_inserted_then_removed_leave_it_empty() {
        let store = TimerStore::new();
        let now = Instant::now();
        let (count, waker) = counter();
        let keys: Vec<_> = (0..100_000u64)
            .map(|i| store.insert(now + Duration::from_micros(1 + i % 977), waker.clone()))
            .collect();
        assert_eq!(store.len(), 100_000);
        // Only the store and `waker` hold the counter now.
        assert_eq!(Arc::strong_count(&count), 100_002);
        for key in keys {
            assert!(store.remove(key));
        }
        assert_eq!(store.len(), 0);
        assert_eq!(store.next_deadline(), None);
        assert_eq!(Arc::strong_count(&count), 2);
        assert_eq!(store.fire_expired(now + Duration::from_secs(1)), 0);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn registering_is_idempotent_and_unregistering_removes() {
        let store = TimerStore::new();
        store.register_parker(thread::current());
        store.register_parker(thread::current());
        assert_eq!(store.parkers(), 1);
        store.unregister_parker(thread::current().id());
        store.unregister_parker(thread::current().id());
        assert_eq!(store.parkers(), 0);
    }

    #[test]
    fn new_earliest_deadline_unparks_a_parked_driver() {
        let store = Arc::new(TimerStore::new());
        let far = Instant::now() + Duration::from_hours(1);
        let (_, waker) = counter();
        store.insert(far, waker.clone());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let driver = {
            let store = store.clone();
            thread::spawn(move || {
                store.register_parker(thread::current());
                ready_tx.send(()).unwrap();
                // Park until the earliest deadline, recomputing after each wake-up, until
                // the deadline we park for is no longer the hour-long one.
                loop {
                    let timeout = store.park_timeout(Instant::now()).unwrap();
                    if timeout < Duration::from_mins(1) {
                        break;
                    }
                    thread::park_timeout(timeout);
                }
                store.unregister_parker(thread::current().id());
            })
        };
        ready_rx.recv().unwrap();
        // A nearer timer from this thread must unpark the driver parked for an hour.
        store.insert(Instant::now() + Duration::from_secs(1), waker);
        driver.join().unwrap();
        assert_eq!(store.parkers(), 0);
    }
}
