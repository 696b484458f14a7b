//! Stress: many tiny tasks and many timers, every future dropped exactly once (no leak).
//!
//! Sizes: 1,000,000 tasks and 100,000 timers, in debug and release builds alike.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Counters, DropGuard, yield_once};
use executor::{Executor, LocalExecutor};

const TASKS: usize = 1_000_000;
const TIMERS: usize = 100_000;

#[test]
fn many_tiny_local_tasks_are_all_dropped() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let sum = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let guard = DropGuard(c.clone());
            let sum = sum.clone();
            ex.spawn(async move {
                let _g = guard;
                if i % 2 == 0 {
                    yield_once().await;
                }
                sum.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    assert_eq!(sum.load(Ordering::Relaxed), TASKS);
    assert_eq!(c.drops(), TASKS);
}

#[test]
fn many_tiny_tasks_on_the_work_stealing_executor_are_all_dropped() {
    let ex = Executor::with_threads(2);
    let c = Counters::new();
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let guard = DropGuard(c.clone());
            ex.spawn(async move {
                let _g = guard;
                if i % 2 == 0 {
                    yield_once().await;
                }
                i
            })
        })
        .collect();
    let total = ex.run(async {
        let mut total = 0usize;
        for t in tasks {
            total = total.wrapping_add(t.await);
        }
        total
    });
    assert_eq!(total, (0..TASKS).sum::<usize>());
    assert_eq!(c.drops(), TASKS);
}

#[test]
fn detached_and_cancelled_tasks_are_all_dropped() {
    let c = Counters::new();
    {
        let ex = LocalExecutor::new();
        for i in 0..TASKS / 10 {
            let guard = DropGuard(c.clone());
            let task = ex.spawn(async move {
                let _g = guard;
                yield_once().await;
                std::future::pending::<()>().await;
            });
            if i % 2 == 0 {
                task.detach();
            }
        }
        ex.run(yield_once());
    }
    assert_eq!(c.drops(), TASKS / 10);
}

/// One of the stress tests' timer tasks: sleeps `i % 1000` µs holding `guard`, whose
/// drop is counted.
async fn sleeper(i: usize, guard: DropGuard) {
    let _g = guard;
    let micros = u64::try_from(i % 1000).unwrap();
    executor::sleep(Duration::from_micros(micros)).await;
}

#[test]
fn many_timers_on_a_local_executor() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let tasks: Vec<_> = (0..TIMERS)
        .map(|i| ex.spawn(sleeper(i, DropGuard(c.clone()))))
        .collect();
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    assert_eq!(c.drops(), TIMERS);
}

#[test]
fn many_timers_on_the_work_stealing_executor() {
    let ex = Executor::with_threads(2);
    let c = Counters::new();
    let tasks: Vec<_> = (0..TIMERS)
        .map(|i| ex.spawn(sleeper(i, DropGuard(c.clone()))))
        .collect();
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    assert_eq!(c.drops(), TIMERS);
}
