//! The process-wide timer store, and the protocol by which run loops drive it.
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
//! # Who drives the timers
//!
//! Our run loops (`block_on`, `LocalExecutor::run`, the workers of `Executor`) fire the
//! expired timers while they are busy (at least every 61 tasks, and before re-polling a
//! main future that woke itself) and when they go idle ([`TimerStore::park`], called by
//! the one idle routine of every loop). While the store holds timers, exactly one party
//! is responsible for waking up at the earliest deadline, so no timer is stranded and
//! no deadline wakes more than one thread:
//!
//! * **the leader**: the one idle run loop that parks with a timeout, until the earliest
//!   deadline. Every other idle run loop parks *without* a timer timeout. A timer
//!   inserted as the new earliest unparks the leader alone (it re-parks with the new
//!   timeout), never every idle loop. The first run loop to park while there is no
//!   leader becomes it; the leader gives the role up when it wakes (for any reason).
//! * **a busy run loop**: a run loop that inserted a timer while there was no leader, or
//!   a leader that woke with timers still pending, is responsible while it runs (it
//!   fires expired timers as it goes, and becomes the leader when it parks). When it
//!   stops (its `block_on` returns), it hands the role over: to an idle run loop,
//!   promoted to leader and unparked, or to the fallback driver.
//! * **the fallback driver**: one thread, started the first time it is needed (as
//!   async-io's driver thread), that fires the timers when no run loop of ours drives
//!   them: a `Sleep` polled under another runtime (`futures::executor::block_on`,
//!   tokio), or left registered when the loop that polled it returned. It parks until the
//!   earliest deadline while it is responsible, and without a timeout otherwise; the
//!   first run loop to park takes the role back.
//!
//! A timer inserted when no driver is parked goes to the inserting thread if it is
//! inside one of our run loops, else to an idle run loop (promoted), else (if no busy
//! run loop is responsible) to the fallback driver; a timer inserted while somebody is responsible changes nothing
//! unless it is the new earliest and that somebody is parked (the leader or the fallback
//! driver), which is then unparked. All of it happens under the store's lock, and a
//! driver reads the earliest deadline under the same lock as it takes the role, so an
//! insertion either is seen by that read or unparks the driver afterwards
//! (`Thread::unpark` before `park` makes the `park` return at once: no lost wake-up).
//! Spurious unparks are harmless: every run loop re-checks its work.
//!
//! A run loop busy inside one long poll delays the timers it is responsible for until
//! that poll returns (as in other runtimes that drive timers from their run loops):
//! timers need a loop that gets to run, or no loop of ours at all.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::{OnceLock, PoisonError};
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::loom::thread::{self, Thread};
use crate::loom::{AtomicU64, Mutex, MutexGuard, Ordering};

/// The value of [`TimerStore::earliest`] while the store is empty.
const NONE: u64 = u64::MAX;

/// The name of the fallback driver thread (Linux keeps 15 bytes of a thread's name).
#[cfg(not(loom))]
const FALLBACK_NAME: &str = "exec-timers";

/// The one store every timer of the process registers in.
#[cfg(not(loom))]
static STORE: TimerStore = TimerStore::new(true);

#[cfg(loom)]
loom::lazy_static! {
    /// Under loom: one store per model execution. The models run the fallback driver on
    /// a model thread of their own (see [`TimerStore::install_fallback`]).
    static ref STORE: TimerStore = TimerStore::new(false);
}

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

/// Inserts a timer into the global store from the calling thread, which takes the
/// responsibility for the timers if it is inside one of our run loops and nobody else
/// has it (see the module docs).
pub(crate) fn insert(deadline: Instant, waker: Waker) -> TimerKey {
    crate::park::with_driver_flag(|caller| STORE.insert(deadline, waker, caller))
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
    /// Whether this store starts a fallback driver thread when one is needed (the
    /// global store, outside loom); the others use the one installed with
    /// [`TimerStore::install_fallback`], if any.
    spawns_fallback: bool,
    /// The timers and who drives them.
    inner: Mutex<Inner>,
}

/// The locked part of a [`TimerStore`].
struct Inner {
    /// Pending timers, earliest first.
    timers: BTreeMap<TimerKey, Waker>,
    /// The id of the next timer inserted.
    next_id: u64,
    /// The idle run loop parked until the earliest deadline, if any.
    leader: Option<Thread>,
    /// The other idle run loops, parked without a timer timeout.
    idle: Vec<Thread>,
    /// How many busy run loops are responsible for the timers (each has its flag set,
    /// see [`TimerStore::insert`]).
    busy: usize,
    /// The fallback driver's thread, once started (or installed).
    fallback: Option<Thread>,
    /// Whether the fallback driver is the responsible one.
    fallback_on: bool,
    /// How many times this store has unparked a driver (for the tests).
    #[cfg(test)]
    unparks: usize,
}

impl Inner {
    /// Unparks `thread`, a driver.
    #[cfg_attr(not(test), allow(clippy::unused_self, reason = "counts, under test"))]
    fn unpark(&mut self, thread: &Thread) {
        #[cfg(test)]
        {
            self.unparks += 1;
        }
        thread.unpark();
    }

    /// How long a driver parking at `now` may park: the exact time until the earliest
    /// deadline (zero if it has passed; a 300 µs sleep parks for 300 µs, not a whole
    /// millisecond), or `None` (no timeout) when no timer is pending.
    fn timeout(&self, now: Instant) -> Option<Duration> {
        self.timers
            .first_key_value()
            .map(|(&(deadline, _), _)| deadline.saturating_duration_since(now))
    }

    /// Whether somebody is responsible for the timers now.
    fn has_driver(&self) -> bool {
        self.leader.is_some() || self.busy > 0 || self.fallback_on
    }
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
    /// An empty store; `spawns_fallback` says whether it starts a fallback driver thread
    /// when one is needed.
    #[cfg(not(loom))]
    pub(crate) const fn new(spawns_fallback: bool) -> Self {
        Self {
            earliest: AtomicU64::new(NONE),
            base: OnceLock::new(),
            spawns_fallback,
            inner: Mutex::new(Inner::new()),
        }
    }

    /// An empty store; `spawns_fallback` says whether it starts a fallback driver thread
    /// when one is needed.
    #[cfg(loom)]
    pub(crate) fn new(spawns_fallback: bool) -> Self {
        Self {
            earliest: AtomicU64::new(NONE),
            base: OnceLock::new(),
            spawns_fallback,
            inner: Mutex::new(Inner::new()),
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

    /// Inserts a timer that wakes `waker` at `deadline`; returns its key.
    ///
    /// `caller` is the responsibility flag of the calling thread's run loop if it is
    /// inside one of ours (see [`crate::park::with_driver_flag`]), `None` otherwise. When
    /// `deadline` is the new earliest: the parked leader, or the fallback driver if it is
    /// the responsible one, is unparked (one thread); if nobody is responsible, the
    /// caller's run loop takes the role (no thread is woken), else an idle run loop is
    /// promoted to leader and unparked, else the fallback driver takes the role.
    pub(crate) fn insert(
        &self,
        deadline: Instant,
        waker: Waker,
        caller: Option<&Cell<bool>>,
    ) -> TimerKey {
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
            if let Some(leader) = inner.leader.clone() {
                inner.unpark(&leader);
            } else if inner.fallback_on {
                if let Some(fallback) = inner.fallback.clone() {
                    inner.unpark(&fallback);
                }
            } else if let Some(flag) = caller {
                if !flag.replace(true) {
                    inner.busy += 1;
                }
            } else if inner.busy == 0 || !inner.idle.is_empty() {
                // From a foreign thread: an idle loop (even if a busy one is responsible:
                // it may be busy for long), else the fallback driver if nobody else.
                self.hand_to_idle_or_fallback(&mut inner);
            }
        }
        key
    }

    /// No driver is parked for the timers pending in `inner`: promote an idle run loop
    /// to leader, or else make the fallback driver responsible (starting it if needed).
    fn hand_to_idle_or_fallback(&self, inner: &mut Inner) {
        debug_assert!(inner.leader.is_none() && !inner.fallback_on);
        if let Some(idle) = inner.idle.pop() {
            inner.unpark(&idle);
            inner.leader = Some(idle);
            return;
        }
        inner.fallback_on = true;
        if let Some(fallback) = inner.fallback.clone() {
            inner.unpark(&fallback);
        } else if self.spawns_fallback {
            inner.fallback = spawn_fallback();
        }
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

    /// The idle step of a run loop on `thread` whose responsibility flag is
    /// `responsible` (the caller has just fired the expired timers): parks as the leader
    /// (until the earliest deadline) if there is none, else without a timer timeout, and
    /// returns after any wake-up. A leader that wakes with timers pending stays
    /// responsible while it runs (its flag is set).
    pub(crate) fn park(&self, thread: &Thread, responsible: &Cell<bool>) {
        let timeout = {
            let mut inner = self.lock();
            if responsible.replace(false) {
                inner.busy -= 1;
            }
            if inner.leader.is_none() {
                inner.leader = Some(thread.clone());
                // The fallback driver, if it was responsible, wakes once more at its
                // deadline and then parks without a timeout.
                inner.fallback_on = false;
                // Read under the lock that made us the leader: a later insertion of an
                // earlier timer unparks us.
                Some(inner.timeout(Instant::now()))
            } else {
                inner.idle.push(thread.clone());
                None
            }
        };
        match timeout {
            Some(Some(timeout)) => thread::park_timeout(timeout),
            Some(None) | None => thread::park(),
        }
        let mut inner = self.lock();
        if inner.leader.as_ref().is_some_and(|l| l.id() == thread.id()) {
            // The leader (or an idle loop promoted meanwhile) gives the role up; with
            // timers pending it keeps it while it runs.
            inner.leader = None;
            if !inner.timers.is_empty() {
                responsible.set(true);
                inner.busy += 1;
            }
        } else if let Some(index) = inner.idle.iter().position(|t| t.id() == thread.id()) {
            inner.idle.swap_remove(index);
        }
    }

    /// A run loop whose responsibility flag is `responsible` stops (its `block_on`
    /// returned): it hands the role over if it had it and nobody else has, to an idle
    /// run loop or to the fallback driver.
    pub(crate) fn hand_off(&self, responsible: &Cell<bool>) {
        if !responsible.get() {
            return;
        }
        let mut inner = self.lock();
        responsible.set(false);
        inner.busy -= 1;
        if !inner.timers.is_empty() && !inner.has_driver() {
            self.hand_to_idle_or_fallback(&mut inner);
        }
    }

    /// Makes `thread` this store's fallback driver (instead of one the store starts),
    /// for the tests and the loom models, which run [`Self::fallback_turn`] on it.
    #[cfg_attr(
        not(any(test, loom)),
        allow(dead_code, reason = "for tests and loom models")
    )]
    pub(crate) fn install_fallback(&self, thread: Thread) {
        self.lock().fallback = Some(thread);
    }

    /// One turn of the fallback driver, on its thread: parks until the earliest deadline
    /// while it is responsible (without a timeout otherwise), then fires the expired
    /// timers if it still is.
    pub(crate) fn fallback_turn(&self) {
        let timeout = {
            let inner = self.lock();
            if inner.fallback_on {
                inner.timeout(Instant::now())
            } else {
                None
            }
        };
        match timeout {
            Some(timeout) => thread::park_timeout(timeout),
            None => thread::park(),
        }
        let on = self.lock().fallback_on;
        if on {
            self.fire_expired(Instant::now());
        }
    }

    /// See [`Inner::timeout`].
    #[cfg(all(test, not(loom)))]
    fn park_timeout(&self, now: Instant) -> Option<Duration> {
        self.lock().timeout(now)
    }

    /// The number of drivers parked (the leader and the idle run loops).
    #[cfg(all(test, not(loom)))]
    fn parked(&self) -> usize {
        let inner = self.lock();
        usize::from(inner.leader.is_some()) + inner.idle.len()
    }

    /// How many times the store has unparked a driver.
    #[cfg(all(test, not(loom)))]
    fn unparks(&self) -> usize {
        self.lock().unparks
    }
}

impl Inner {
    const fn new() -> Self {
        Self {
            timers: BTreeMap::new(),
            next_id: 0,
            leader: None,
            idle: Vec::new(),
            busy: 0,
            fallback: None,
            fallback_on: false,
            #[cfg(test)]
            unparks: 0,
        }
    }
}

/// Under loom the models run the fallback driver on a thread of their own.
#[cfg(loom)]
fn spawn_fallback() -> Option<Thread> {
    None
}

/// Starts the fallback driver thread of the global store; `None` if the thread cannot
/// be spawned (then the timers wait for a run loop of ours, as they would without it).
#[cfg(not(loom))]
fn spawn_fallback() -> Option<Thread> {
    let handle = thread::Builder::new()
        .name(FALLBACK_NAME.to_owned())
        .spawn(|| {
            loop {
                STORE.fallback_turn();
            }
        })
        .ok()?;
    // The thread runs for the rest of the process: the handle is dropped (detached).
    Some(handle.thread().clone())
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::TimerStore;
    use std::cell::Cell;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

    /// A store that starts no fallback thread.
    fn store() -> Arc<TimerStore> {
        Arc::new(TimerStore::new(false))
    }

    #[test]
    fn empty_store_has_no_deadline_and_fires_nothing() {
        let store = TimerStore::new(false);
        assert_eq!(store.next_deadline(), None);
        assert_eq!(store.park_timeout(Instant::now()), None);
        assert_eq!(
            store.fire_expired(Instant::now() + Duration::from_secs(60 * 60)),
            0
        );
    }

    #[test]
    fn park_timeout_is_the_exact_remaining_duration() {
        let store = TimerStore::new(false);
        let now = Instant::now();
        let (_, waker) = counter();
        store.insert(now + Duration::from_micros(200), waker.clone(), None);
        // Exactly 200 µs: not rounded up to a whole millisecond.
        assert_eq!(store.park_timeout(now), Some(Duration::from_micros(200)));
        assert_eq!(
            store.park_timeout(now + Duration::from_micros(150)),
            Some(Duration::from_micros(50))
        );
        // Nanosecond precision is kept too.
        store.insert(now + Duration::from_nanos(12_345), waker, None);
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
        let store = TimerStore::new(false);
        let now = Instant::now();
        let counters: Vec<_> = (0..10u64)
            .map(|i| {
                let (count, waker) = counter();
                // Inserted in scrambled order.
                let ms = (i * 7) % 10;
                store.insert(now + Duration::from_millis(ms), waker, None);
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
        let store = TimerStore::new(false);
        let deadline = Instant::now();
        let (count, waker) = counter();
        for _ in 0..5 {
            store.insert(deadline, waker.clone(), None);
        }
        // `deadline` precedes the store's base instant: still reported exactly.
        assert_eq!(store.next_deadline(), Some(deadline));
        assert_eq!(store.fire_expired(deadline), 5);
        assert_eq!(count.0.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn removed_timer_never_fires_and_deadline_moves_on() {
        let store = TimerStore::new(false);
        let now = Instant::now();
        let (first, w1) = counter();
        let (second, w2) = counter();
        let k1 = store.insert(now + Duration::from_millis(1), w1, None);
        store.insert(now + Duration::from_millis(2), w2, None);
        assert!(store.remove(k1));
        assert!(!store.remove(k1));
        assert_eq!(store.next_deadline(), Some(now + Duration::from_millis(2)));
        assert_eq!(store.fire_expired(now + Duration::from_millis(5)), 1);
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn update_waker_replaces_the_waker() {
        let store = TimerStore::new(false);
        let now = Instant::now();
        let (old, w1) = counter();
        let (new, w2) = counter();
        let key = store.insert(now, w1, None);
        assert!(store.update_waker(key, w2.clone()));
        assert_eq!(store.fire_expired(now), 1);
        assert_eq!(old.0.load(Ordering::SeqCst), 0);
        assert_eq!(new.0.load(Ordering::SeqCst), 1);
        assert!(!store.update_waker(key, w2));
    }

    #[test]
    fn hundred_thousand_timers_inserted_then_removed_leave_it_empty() {
        let store = TimerStore::new(false);
        let now = Instant::now();
        let (count, waker) = counter();
        let keys: Vec<_> = (0..100_000u64)
            .map(|i| {
                store.insert(
                    now + Duration::from_micros(1 + i % 977),
                    waker.clone(),
                    None,
                )
            })
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

    /// Idle run loops on threads of their own, each doing what `park_idle` does (fire
    /// the expired timers; if none, park in the store) until `stop`, counting each
    /// thread's wake-ups.
    struct Drivers {
        store: Arc<TimerStore>,
        stop: Arc<AtomicBool>,
        wakeups: Vec<Arc<AtomicUsize>>,
        threads: Vec<thread::JoinHandle<()>>,
    }

    impl Drivers {
        fn start(store: &Arc<TimerStore>, n: usize) -> Self {
            let stop = Arc::new(AtomicBool::new(false));
            let wakeups: Vec<_> = (0..n).map(|_| Arc::new(AtomicUsize::new(0))).collect();
            let threads = wakeups
                .iter()
                .map(|count| {
                    let (store, stop, count) = (store.clone(), stop.clone(), count.clone());
                    thread::spawn(move || {
                        let responsible = Cell::new(false);
                        while !stop.load(Ordering::SeqCst) {
                            if store.fire_expired(Instant::now()) > 0 {
                                continue;
                            }
                            store.park(&thread::current(), &responsible);
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        store.hand_off(&responsible);
                    })
                })
                .collect();
            let drivers = Self {
                store: store.clone(),
                stop,
                wakeups,
                threads,
            };
            drivers.wait_until_all_parked();
            drivers
        }

        fn wait_until_all_parked(&self) {
            while self.store.parked() < self.threads.len() {
                thread::yield_now();
            }
        }

        /// Each thread's wake-ups so far.
        fn wakeups(&self) -> Vec<usize> {
            self.wakeups
                .iter()
                .map(|w| w.load(Ordering::SeqCst))
                .collect()
        }

        fn stop(self) {
            self.stop.store(true, Ordering::SeqCst);
            for t in &self.threads {
                t.thread().unpark();
            }
            for t in self.threads {
                t.join().unwrap();
            }
        }
    }

    /// Defect 8: a timer inserted as the new earliest unparks one driver (the leader),
    /// not every parked one: ten new earliest timers, ten unparks, and only the leader
    /// ever wakes.
    #[test]
    fn a_new_earliest_timer_unparks_one_driver_not_all() {
        let store = store();
        let drivers = Drivers::start(&store, 4);
        let far = Instant::now() + Duration::from_secs(60 * 60);
        let (count, waker) = counter();
        for k in 0..10u64 {
            // Each one earlier than the last: a new earliest deadline.
            store.insert(
                far.checked_sub(Duration::from_secs(k)).unwrap(),
                waker.clone(),
                None,
            );
            while drivers.wakeups().iter().sum::<usize>() < usize::try_from(k + 1).unwrap() {
                thread::yield_now();
            }
            drivers.wait_until_all_parked();
        }
        assert_eq!(store.unparks(), 10);
        let mut wakeups = drivers.wakeups();
        wakeups.sort_unstable();
        assert_eq!(
            wakeups,
            [0, 0, 0, 10],
            "only the leader woke, once per timer"
        );
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        drivers.stop();
    }

    /// Defect 8, at the deadline: only the leader parks with a timeout, so a timer
    /// wakes one driver when it expires (the others stay parked).
    #[test]
    fn an_expiring_timer_wakes_only_the_leader() {
        let store = store();
        let drivers = Drivers::start(&store, 4);
        let (count, waker) = counter();
        store.insert(Instant::now() + Duration::from_millis(5), waker, None);
        while count.0.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        drivers.wait_until_all_parked();
        let woke = drivers.wakeups().iter().filter(|&&w| w > 0).count();
        assert_eq!(woke, 1, "{:?}", drivers.wakeups());
        drivers.stop();
    }

    /// A timer inserted while a driver is parked shortens that driver's park.
    #[test]
    fn new_earliest_deadline_unparks_a_parked_driver() {
        let store = store();
        let (_, waker) = counter();
        store.insert(Instant::now() + Duration::from_secs(60 * 60), waker, None);
        let drivers = Drivers::start(&store, 1);
        let (count, waker) = counter();
        store.insert(Instant::now() + Duration::from_millis(2), waker, None);
        while count.0.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        drivers.stop();
    }

    /// Runs the fallback driver of `store` on a thread of its own until `stop`.
    fn fallback(store: &Arc<TimerStore>, stop: &Arc<AtomicBool>) -> thread::JoinHandle<()> {
        let (store, stop) = (store.clone(), stop.clone());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let handle = thread::spawn(move || {
            store.install_fallback(thread::current());
            ready_tx.send(()).unwrap();
            while !stop.load(Ordering::SeqCst) {
                store.fallback_turn();
            }
        });
        ready_rx.recv().unwrap();
        handle
    }

    /// Defect 9: with no run loop around, a timer inserted from a foreign thread is
    /// fired by the fallback driver.
    #[test]
    fn the_fallback_driver_fires_a_timer_nobody_else_drives() {
        let store = store();
        let stop = Arc::new(AtomicBool::new(false));
        let driver = fallback(&store, &stop);
        let (count, waker) = counter();
        store.insert(Instant::now() + Duration::from_millis(2), waker, None);
        while count.0.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        stop.store(true, Ordering::SeqCst);
        driver.thread().unpark();
        driver.join().unwrap();
    }

    /// A run loop that inserted a timer (taking the responsibility, waking nobody) and
    /// stops before it fires hands the timer to the fallback driver.
    #[test]
    fn a_stopping_loop_hands_its_timers_to_the_fallback_driver() {
        let store = store();
        let stop = Arc::new(AtomicBool::new(false));
        let driver = fallback(&store, &stop);
        let responsible = Cell::new(false);
        let (count, waker) = counter();
        store.insert(
            Instant::now() + Duration::from_millis(2),
            waker,
            Some(&responsible),
        );
        assert!(responsible.get(), "the inserting loop took the timers");
        assert_eq!(store.unparks(), 0, "and woke nobody");
        store.hand_off(&responsible);
        assert!(!responsible.get());
        while count.0.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        stop.store(true, Ordering::SeqCst);
        driver.thread().unpark();
        driver.join().unwrap();
    }

    /// A run loop that parks once as the leader, then (unparked) stays busy until told
    /// to stop: what leaves the other parked loops idle with no leader.
    fn leader_that_goes_busy(store: &Arc<TimerStore>) -> (thread::JoinHandle<()>, impl FnOnce()) {
        let store = store.clone();
        let (parked_tx, parked_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let handle = thread::spawn(move || {
            let responsible = Cell::new(false);
            parked_tx.send(thread::current()).unwrap();
            store.park(&thread::current(), &responsible);
            stop_rx.recv().unwrap();
            store.hand_off(&responsible);
        });
        let thread = parked_rx.recv().unwrap();
        (handle, move || {
            drop(thread);
            stop_tx.send(()).unwrap();
        })
    }

    /// A leader that parks, then an idle run loop that parks beside it, then the leader
    /// woken as work would wake it: it leaves (busy), the other loop stays idle.
    fn busy_leader_beside_an_idle_loop(
        store: &Arc<TimerStore>,
    ) -> (thread::JoinHandle<()>, impl FnOnce(), Drivers) {
        let (leader, stop_leader) = leader_that_goes_busy(store);
        while store.parked() < 1 {
            thread::yield_now();
        }
        let drivers = Drivers::start(store, 1);
        while store.parked() < 2 {
            thread::yield_now();
        }
        leader.thread().unpark();
        while store.parked() > 1 {
            thread::yield_now();
        }
        (leader, stop_leader, drivers)
    }

    /// With no leader parked, a timer from a foreign thread promotes an idle run loop to
    /// leader (one unpark), even while a busy loop is responsible; that loop fires it.
    #[test]
    fn a_foreign_timer_promotes_an_idle_loop_when_no_leader_is_parked() {
        let store = store();
        let (leader, stop_leader, drivers) = busy_leader_beside_an_idle_loop(&store);
        let unparks = store.unparks();
        let (count, waker) = counter();
        store.insert(Instant::now() + Duration::from_millis(2), waker, None);
        assert_eq!(store.unparks(), unparks + 1, "one idle loop promoted");
        while count.0.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        assert!(drivers.wakeups()[0] > 0);
        stop_leader();
        leader.join().unwrap();
        drivers.stop();
    }

    /// A stopping loop hands its timers to an idle run loop (promoted to leader) rather
    /// than to the fallback driver.
    #[test]
    fn a_stopping_loop_hands_its_timers_to_an_idle_loop() {
        let store = store();
        let (leader, stop_leader, drivers) = busy_leader_beside_an_idle_loop(&store);
        // A loop inserts with no leader parked: it takes the timers, waking nobody.
        let responsible = Cell::new(false);
        let (count, waker) = counter();
        let unparks = store.unparks();
        store.insert(
            Instant::now() + Duration::from_millis(2),
            waker,
            Some(&responsible),
        );
        assert!(responsible.get());
        assert_eq!(store.unparks(), unparks);
        // It stops: the idle loop is promoted.
        store.hand_off(&responsible);
        assert_eq!(store.unparks(), unparks + 1);
        while count.0.load(Ordering::SeqCst) == 0 {
            thread::yield_now();
        }
        stop_leader();
        leader.join().unwrap();
        drivers.stop();
    }
}
