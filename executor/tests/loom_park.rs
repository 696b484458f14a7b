//! Loom models of the real `block_on` and its parker: the `notified` flag set by a wake
//! from another thread races with the loop's check-then-park; a wake-up is never lost
//! (a lost one parks the thread for good, which loom reports as a deadlock), and foreign
//! `unpark`s of the same thread cause no extra poll. Run with `.ci/loom`.
#![cfg(loom)]

use std::future::poll_fn;
use std::task::{Poll, Waker};

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

/// The state a `block_on`'d future shares with the thread that completes it.
#[derive(Default)]
struct Shared {
    ready: AtomicBool,
    waker: Mutex<Option<Waker>>,
    polls: AtomicUsize,
}

impl Shared {
    /// Polled by `block_on`: ready once `ready` is set, else stores the waker.
    fn poll(&self, waker: &Waker) -> Poll<()> {
        self.polls.fetch_add(1, SeqCst);
        // Store the waker before checking the flag, as real futures do: a completer
        // that sets the flag after the check finds the waker.
        *self.waker.lock().unwrap() = Some(waker.clone());
        if self.ready.load(SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Sets the flag, then wakes the stored waker (by value, or by reference).
    fn complete(&self, by_value: bool) {
        self.ready.store(true, SeqCst);
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            if by_value {
                waker.wake();
            } else {
                waker.wake_by_ref();
            }
        }
    }
}

/// A wake by value from another thread races with `block_on`'s poll, flag check and
/// park: `block_on` returns, after at most two polls.
#[test]
fn block_on_is_woken_by_another_thread() {
    loom::model(|| {
        let shared = Arc::new(Shared::default());
        let completer = {
            let shared = shared.clone();
            thread::spawn(move || shared.complete(true))
        };
        executor::block_on(poll_fn(|cx| shared.poll(cx.waker())));
        completer.join().unwrap();
        assert!(shared.polls.load(SeqCst) <= 2);
    });
}

/// As above with `wake_by_ref`, while a third party also unparks the thread (as other
/// code sharing the thread's park token may): no lost wake-up, and the foreign unpark
/// causes no poll of its own.
#[test]
fn block_on_survives_foreign_unparks() {
    loom::model(|| {
        let shared = Arc::new(Shared::default());
        let me = executor::__loom::current_thread();
        let completer = {
            let shared = shared.clone();
            thread::spawn(move || {
                me.unpark(); // someone else's use of park/unpark
                shared.complete(false);
            })
        };
        executor::block_on(poll_fn(|cx| shared.poll(cx.waker())));
        completer.join().unwrap();
        assert!(shared.polls.load(SeqCst) <= 2);
    });
}
