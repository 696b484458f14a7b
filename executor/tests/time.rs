//! Timers driven by `block_on`: ordering, cancellation, timeouts, intervals, yielding.
//!
//! No test asserts an upper bound on elapsed time; lower bounds ("not before the
//! deadline") are guaranteed and are asserted.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use executor::{Elapsed, block_on, interval, sleep, sleep_until, timeout, yield_now};

/// A waker that counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl CountingWaker {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `fut` once with `waker`.
fn poll_once<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

#[test]
fn sleep_completes_not_before_its_deadline() {
    for micros in [0, 1, 200, 300, 1_500] {
        let duration = Duration::from_micros(micros);
        let start = Instant::now();
        block_on(sleep(duration));
        assert!(start.elapsed() >= duration, "{micros} µs");
    }
}

#[test]
fn sleep_until_a_past_instant_is_ready_at_once() {
    let waker = Waker::from(Arc::new(CountingWaker::default()));
    let mut past = sleep_until(Instant::now());
    assert!(past.is_elapsed());
    assert_eq!(poll_once(&mut past, &waker), Poll::Ready(()));
}

#[test]
fn dropped_sleep_never_wakes_and_releases_its_waker() {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    // 50 ms of margin: the first poll must come before the deadline even on a loaded
    // machine or under AddressSanitizer.
    let deadline = Instant::now() + Duration::from_millis(50);
    let mut nap = sleep_until(deadline);
    assert!(poll_once(&mut nap, &waker).is_pending());
    assert!(Arc::strong_count(&counter) > 2, "the timer holds the waker");
    drop(nap);
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "only `counter` and `waker` remain"
    );
    // Drive timers well past the dropped deadline.
    block_on(sleep_until(deadline + Duration::from_millis(2)));
    assert_eq!(counter.count(), 0);
}

#[test]
fn hundred_thousand_dropped_sleeps_leave_nothing_registered() {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let far = Instant::now() + Duration::from_secs(60 * 60);
    let sleeps: Vec<_> = (0..100_000u64)
        .map(|i| {
            let mut nap = sleep_until(far + Duration::from_nanos(i % 1000));
            assert!(poll_once(&mut nap, &waker).is_pending());
            nap
        })
        .collect();
    assert!(Arc::strong_count(&counter) >= 100_002);
    drop(sleeps);
    // Every registration released its waker clone: the store holds none of them.
    assert_eq!(Arc::strong_count(&counter), 2);
    assert_eq!(counter.count(), 0);
}

#[test]
fn repoll_with_another_waker_wakes_the_new_one() {
    let first = Arc::new(CountingWaker::default());
    let second = Arc::new(CountingWaker::default());
    // 50 ms of margin: both polls must come before the deadline even on a loaded machine
    // or under AddressSanitizer.
    let deadline = Instant::now() + Duration::from_millis(50);
    let mut nap = sleep_until(deadline);
    assert!(poll_once(&mut nap, &Waker::from(first.clone())).is_pending());
    assert!(poll_once(&mut nap, &Waker::from(second.clone())).is_pending() || nap.is_elapsed());
    block_on(sleep_until(deadline + Duration::from_millis(1)));
    assert_eq!(first.count(), 0);
    assert!(second.count() <= 1);
}

#[test]
fn reset_moves_the_deadline() {
    let mut nap = sleep(Duration::from_secs(60 * 60));
    let deadline = Instant::now() + Duration::from_micros(300);
    nap.reset(deadline);
    assert_eq!(nap.deadline(), deadline);
    block_on(&mut nap);
    assert!(Instant::now() >= deadline);
}

#[test]
fn timeout_elapses_on_a_slow_future() {
    let start = Instant::now();
    let result = block_on(timeout(
        Duration::from_millis(2),
        sleep(Duration::from_secs(60 * 60)),
    ));
    let elapsed: Elapsed = result.unwrap_err();
    assert_eq!(elapsed.to_string(), "deadline has elapsed");
    assert!(start.elapsed() >= Duration::from_millis(2));
    assert_eq!(
        block_on(timeout(
            Duration::from_micros(100),
            std::future::pending::<u8>()
        ))
        .unwrap_err()
        .to_string(),
        "deadline has elapsed"
    );
}

#[test]
fn timeout_does_not_elapse_on_a_quick_future() {
    assert_eq!(
        block_on(timeout(Duration::from_secs(60 * 60), async {
            sleep(Duration::from_micros(200)).await;
            7
        })),
        Ok(7)
    );
    // A ready future wins even against a zero timeout.
    assert_eq!(
        block_on(timeout(Duration::ZERO, std::future::ready(1))),
        Ok(1)
    );
}

#[test]
fn interval_ticks_on_its_schedule() {
    let period = Duration::from_millis(2);
    let start = Instant::now();
    let mut every = interval(period);
    let ticks: Vec<Instant> = block_on(async {
        let mut ticks = Vec::new();
        for _ in 0..5 {
            ticks.push(every.tick().await);
            assert!(Instant::now() >= *ticks.last().unwrap());
        }
        ticks
    });
    assert!(ticks[0] >= start);
    for pair in ticks.windows(2) {
        // Ticks are on the `start + k * period` grid, missed ones delivered late, not lost.
        assert_eq!(pair[1] - pair[0], period);
    }
    assert!(start.elapsed() >= 4 * period);
}

#[test]
fn interval_is_a_stream() {
    use futures_core::Stream;

    let mut every = interval(Duration::from_micros(300));
    let count = block_on(async {
        let mut count = 0;
        while count < 3 {
            let tick = poll_fn(|cx| Pin::new(&mut every).poll_next(cx)).await;
            assert!(tick.is_some());
            count += 1;
        }
        count
    });
    assert_eq!(count, 3);
}

#[test]
fn yield_now_wakes_once_and_is_pending_once() {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut yielding = Box::pin(yield_now());
    let mut cx = Context::from_waker(&waker);
    assert!(yielding.as_mut().poll(&mut cx).is_pending());
    assert_eq!(counter.count(), 1);
    assert!(yielding.as_mut().poll(&mut cx).is_ready());
    assert_eq!(counter.count(), 1);
    // And it completes under `block_on`.
    block_on(yield_now());
}

#[test]
fn timer_inserted_by_another_thread_shortens_a_parked_driver() {
    // This thread parks in `block_on` on a one-hour timeout; another thread registers a
    // 2 ms timer without driving it. The parked driver must be unparked, re-compute its
    // park timeout, fire the 2 ms timer, and so see the flag long before the hour.
    struct Flag {
        done: Mutex<(bool, Option<Waker>)>,
    }
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            let mut done = self.done.lock().unwrap();
            done.0 = true;
            if let Some(waker) = done.1.take() {
                waker.wake();
            }
        }
    }
    let flag = Arc::new(Flag {
        done: Mutex::new((false, None)),
    });
    let registrar = {
        let flag = flag.clone();
        thread::spawn(move || {
            // Give the main thread time to park first (correctness does not depend on it).
            thread::sleep(Duration::from_millis(20));
            // 50 ms: registered before it expires even on a loaded machine.
            let mut nap = sleep(Duration::from_millis(50));
            assert!(poll_once(&mut nap, &Waker::from(flag)).is_pending());
            // Keep the timer registered until it has fired.
            nap
        })
    };
    let waited = block_on(timeout(
        Duration::from_secs(60 * 60),
        poll_fn(|cx| {
            let mut done = flag.done.lock().unwrap();
            if done.0 {
                Poll::Ready(())
            } else {
                done.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }),
    ));
    assert_eq!(waited, Ok(()));
    drop(registrar.join().unwrap());
}
