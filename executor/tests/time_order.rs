//! Expired timers are woken in deadline order.
//!
//! In a test binary of its own: the timer store is process-wide, and the test threads of
//! another binary fire timers concurrently. Each firing wakes its batch in deadline
//! order after releasing the store's lock, so two threads firing at once may interleave
//! their batches (seen on 16 cores); here only this test's thread fires timers: it
//! registers them inside its `block_on`, so that loop is responsible for them from the
//! start (timers registered outside any run loop of ours would go to the fallback
//! driver thread, see `time::driver`).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use executor::{block_on, sleep, sleep_until};

/// A waker that records `index` in `log` when woken.
struct LoggingWaker {
    index: usize,
    log: Arc<Mutex<Vec<usize>>>,
}

impl Wake for LoggingWaker {
    fn wake(self: Arc<Self>) {
        self.log.lock().unwrap().push(self.index);
    }
}

/// Polls `fut` once with `waker`.
fn poll_once<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

#[test]
fn many_timers_wake_in_deadline_order() {
    const N: usize = 200;
    let log = Arc::new(Mutex::new(Vec::new()));
    let base = Instant::now() + Duration::from_millis(20);
    // Deadlines scrambled over 0..N * 20 µs; registered in index order.
    let deadline = |i: usize| base + Duration::from_micros((i * 37 % N) as u64 * 20);
    let mut registered = Vec::new();
    let last = (0..N).map(deadline).max().unwrap();
    let mut sleeps = block_on(async {
        let sleeps: Vec<_> = (0..N)
            .map(|i| {
                let mut nap = sleep_until(deadline(i));
                let waker = Waker::from(Arc::new(LoggingWaker {
                    index: i,
                    log: log.clone(),
                }));
                // On a very slow machine a deadline may pass before its first poll; such a
                // sleep completes at once and registers nothing.
                if poll_once(&mut nap, &waker).is_pending() {
                    registered.push(i);
                }
                nap
            })
            .collect();
        // Drive the timers until every one has fired (bounded: each round parks past
        // them).
        sleep_until(last + Duration::from_micros(100)).await;
        for _ in 0..1000 {
            if log.lock().unwrap().len() == registered.len() {
                break;
            }
            sleep(Duration::from_micros(10)).await;
        }
        sleeps
    });
    let order = log.lock().unwrap().clone();
    assert_eq!(
        order.len(),
        registered.len(),
        "every timer woke exactly once"
    );
    let mut expected = registered;
    expected.sort_by_key(|&i| deadline(i));
    assert_eq!(order, expected, "woken in deadline order");
    // Each one is complete now.
    for nap in &mut sleeps {
        assert_eq!(poll_once(nap, Waker::noop()), Poll::Ready(()));
    }
}
