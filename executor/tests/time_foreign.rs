//! Our timers fire under another runtime's loop too: when no run loop of ours drives
//! them, the fallback driver thread does (started the first time it is needed).
//!
//! In a test binary of its own, with no run loop of ours (no `executor::block_on`, no
//! executor): before the fallback driver, each of these sleeps waited forever (or until
//! something else woke its task).

use std::time::{Duration, Instant};

use executor::{interval, sleep, timeout};

#[test]
fn sleep_completes_under_futures_executor_block_on() {
    let start = Instant::now();
    futures::executor::block_on(sleep(Duration::from_millis(10)));
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn sleep_completes_under_futures_lite_block_on() {
    let start = Instant::now();
    futures_lite::future::block_on(sleep(Duration::from_millis(10)));
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn sleep_completes_under_a_tokio_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let start = Instant::now();
    // `executor::sleep` inside tokio's `timeout`, as a user would write it: the sleep
    // completes on its own deadline, long before tokio's.
    let slept = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(60 * 60),
            sleep(Duration::from_millis(10)),
        )
        .await
    });
    assert!(slept.is_ok());
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn timeout_and_interval_fire_under_futures_executor_block_on() {
    let start = Instant::now();
    let elapsed = futures::executor::block_on(timeout(
        Duration::from_millis(5),
        std::future::pending::<()>(),
    ));
    assert!(elapsed.is_err());
    assert!(start.elapsed() >= Duration::from_millis(5));
    let mut every = interval(Duration::from_millis(2));
    futures::executor::block_on(async {
        for _ in 0..3 {
            every.tick().await;
        }
    });
    assert!(start.elapsed() >= Duration::from_millis(9));
}

/// A sleep registered under a run loop of ours that then returned: the loop hands the
/// timer over when it stops, and the sleep completes under a foreign runtime.
#[test]
fn a_sleep_left_registered_by_a_returned_block_on_completes_elsewhere() {
    let start = Instant::now();
    let mut nap = Box::pin(sleep(Duration::from_millis(10)));
    executor::block_on(async {
        // One poll registers the timer; then this `block_on` returns.
        let waker = std::task::Waker::noop();
        assert!(
            nap.as_mut()
                .poll(&mut std::task::Context::from_waker(waker))
                .is_pending()
        );
    });
    futures::executor::block_on(nap);
    assert!(start.elapsed() >= Duration::from_millis(10));
}

use std::future::Future;
