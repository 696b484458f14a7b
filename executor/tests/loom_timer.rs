//! Loom models of the timer driver's protocol: a timer registered from one thread races
//! with a run loop taking the driver role (registering as the leader, reading the
//! earliest deadline, parking) and with `fire_expired`, and with the fallback driver.
//! A lost wake-up parks a driver without a timeout for good: loom reports the deadlock.
//! Under loom a timed park returns at once (the deadline of these timers has passed by
//! the time anyone parks for them). Run with `.ci/loom`.
#![cfg(loom)]

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use executor::__loom::{
    ThreadHandle, current_thread, install_timer_fallback, timer_fallback_turn, timers_pending,
};
use executor::Sleep;
use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

/// A timer's waker: sets `set`, then wakes whoever waits for it (a stored waker, or
/// a thread waiting on `wait`).
struct Fired {
    set: AtomicBool,
    waker: Mutex<Option<Waker>>,
    done: Mutex<bool>,
    condvar: Condvar,
}

impl Fired {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            set: AtomicBool::new(false),
            waker: Mutex::new(None),
            done: Mutex::new(false),
            condvar: Condvar::new(),
        })
    }

    /// Blocks until the timer has fired.
    fn wait(&self) {
        let mut done = self.done.lock().unwrap();
        while !*done {
            done = self.condvar.wait(done).unwrap();
        }
    }
}

/// `std::task::Wake` needs a `std` `Arc`: a thin wrapper around the loom one.
struct FiredWaker(Arc<Fired>);

impl Wake for FiredWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.set.store(true, SeqCst);
        if let Some(waker) = self.0.waker.lock().unwrap().take() {
            waker.wake();
        }
        *self.0.done.lock().unwrap() = true;
        self.0.condvar.notify_one();
    }
}

/// The fallback timer driver, run on a model thread of its own (under loom the store
/// starts none): the real driver's turns, until stopped.
struct Fallback {
    done: Arc<AtomicBool>,
    handle: ThreadHandle,
    thread: thread::JoinHandle<()>,
}

impl Fallback {
    fn start() -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let (installed_tx, installed_rx) = loom::sync::mpsc::channel();
        let thread = {
            let done = done.clone();
            thread::spawn(move || {
                install_timer_fallback();
                installed_tx.send(current_thread()).unwrap();
                while !done.load(SeqCst) {
                    timer_fallback_turn();
                }
            })
        };
        let handle = installed_rx.recv().unwrap();
        Self {
            done,
            handle,
            thread,
        }
    }

    fn stop(self) {
        self.done.store(true, SeqCst);
        self.handle.unpark();
        self.thread.join().unwrap();
    }
}

/// Registers a timer that has expired by the time anyone fires it, from this thread,
/// with a waker that sets its `set` flag; returns the `Sleep`, which must stay alive (dropping
/// it removes the timer).
fn register(fired: &Arc<Fired>) -> Sleep {
    let mut nap = executor::sleep(Duration::from_nanos(1));
    let waker = Waker::from(StdArc::new(FiredWaker(fired.clone())));
    // The first poll registers without reading the clock.
    assert!(
        Pin::new(&mut nap)
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    nap
}

/// A timer registered from a foreign thread while `block_on` goes idle on another: the
/// idle loop either sees the timer when it takes the leader's role, or is unparked by
/// the registration; either way it fires the timer.
#[test]
fn a_timer_from_another_thread_is_fired_by_a_parking_block_on() {
    loom::model(|| {
        let fired = Fired::new();
        let registrar = {
            let fired = fired.clone();
            thread::spawn(move || register(&fired))
        };
        executor::block_on(poll_fn(|cx| {
            *fired.waker.lock().unwrap() = Some(cx.waker().clone());
            if fired.set.load(SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        let nap = registrar.join().unwrap();
        assert_eq!(timers_pending(), 0);
        drop(nap);
    });
}

/// With no run loop of ours, a timer registered from a foreign thread is fired by the
/// fallback driver (here a model thread running the real driver's turns), which may be
/// parked without a timeout when the timer arrives.
#[test]
fn a_foreign_timer_is_fired_by_the_fallback_driver() {
    loom::model(|| {
        let fallback = Fallback::start();
        let fired = Fired::new();
        let nap = register(&fired);
        fired.wait();
        fallback.stop();
        drop(nap);
    });
}

/// A `block_on` that registered a timer (so it drives the timers) returns before the
/// timer fires: it hands the timer to the fallback driver, which fires it.
#[test]
fn a_returning_block_on_hands_its_timer_to_the_fallback_driver() {
    loom::model(|| {
        let fallback = Fallback::start();
        let fired = Fired::new();
        // Registered from inside `block_on` (a run loop of ours), which then returns
        // with the `Sleep` (in an `Option`: a bare `Sleep` returned from an async block
        // looks like a forgotten `.await`).
        let nap = executor::block_on(async { Some(register(&fired)) });
        fired.wait();
        fallback.stop();
        drop(nap);
    });
}
