//! The work-stealing `Executor`: exact counts, cancellation, panics, nesting, shutdown,
//! fairness.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{Counters, Parked, SelfWaking, Slot, panic_message, yield_once};
use executor::Executor;

#[test]
fn tasks_complete_with_exact_poll_and_drop_counts() {
    let ex = Executor::with_threads(2);
    let c = Counters::new();
    let tasks: Vec<_> = (0..100).map(|_| ex.spawn(SelfWaking::new(&c, 3))).collect();
    let total: usize = ex.run(async {
        let mut total = 0;
        for t in tasks {
            total += t.await;
        }
        total
    });
    assert_eq!(c.polls(), 400);
    assert_eq!(c.wakes(), 300);
    assert_eq!(c.drops(), 100);
    assert!(total >= 100 * 4);
}

#[test]
fn spawn_from_inside_tasks() {
    let ex = Arc::new(Executor::with_threads(2));
    let ex2 = ex.clone();
    let out = ex.run(ex.spawn(async move {
        let mut sum = 0u64;
        for i in 0..1000u64 {
            sum += ex2.spawn(async move { i }).await;
        }
        sum
    }));
    assert_eq!(out, 499_500);
}

#[test]
fn dropping_a_task_cancels_it() {
    let ex = Executor::with_threads(2);
    let c = Counters::new();
    let slot = Slot::new();
    let task = ex.spawn(Parked::new(&c, &slot));
    ex.run(async {
        while c.polls() == 0 {
            yield_once().await;
        }
    });
    assert_eq!(ex.run(task.cancel()), None);
    assert_eq!((c.polls(), c.drops()), (1, 1));
}

#[test]
fn a_panic_reaches_the_awaiter_and_the_workers_survive() {
    let ex = Executor::with_threads(2);
    let bad = ex.spawn(async { panic!("worker boom") });
    let err = catch_unwind(AssertUnwindSafe(|| ex.run(bad))).unwrap_err();
    assert_eq!(panic_message(&*err), "worker boom");
    let tasks: Vec<_> = (0..10).map(|i| ex.spawn(async move { i })).collect();
    assert_eq!(
        ex.run(async {
            let mut s = 0;
            for t in tasks {
                s += t.await;
            }
            s
        }),
        45
    );
}

#[test]
fn block_on_inside_a_worker_task_panics_at_the_awaiter() {
    let ex = Executor::with_threads(1);
    let t = ex.spawn(async { executor::block_on(async { 1 }) });
    let err = catch_unwind(AssertUnwindSafe(|| ex.run(t))).unwrap_err();
    assert!(
        panic_message(&*err)
            .starts_with("`executor::block_on` cannot be called from inside a task of `executor::Executor` (nested)"),
        "{}",
        panic_message(&*err)
    );
}

#[test]
#[should_panic(expected = "`Executor::run` cannot be called from inside `executor::block_on`")]
fn run_inside_block_on_panics() {
    let ex = Executor::with_threads(1);
    executor::block_on(async { ex.run(async {}) });
}

#[test]
fn dropping_the_executor_cancels_queued_and_parked_tasks() {
    let c = Counters::new();
    let slot = Slot::new();
    let ex = Executor::with_threads(2);
    let parked = ex.spawn(Parked::new(&c, &slot));
    ex.run(async {
        while c.polls() == 0 {
            yield_once().await;
        }
    });
    drop(ex);
    // The executor's drop cancelled the parked task: its future is gone, and a late
    // wake-up through the waker still in `slot` does nothing.
    assert_eq!(c.drops(), 1);
    slot.wake();
    assert_eq!((c.polls(), c.drops()), (1, 1));
    let err = catch_unwind(AssertUnwindSafe(|| executor::block_on(parked))).unwrap_err();
    assert!(panic_message(&*err).contains("cancelled"));
    drop(slot.take());
}

#[test]
fn dropping_the_executor_frees_a_task_that_holds_its_own_waker() {
    // The future keeps the only `Arc` to the slot its waker is stored in: the task is
    // referenced only from inside itself. Without the executor's table of live tasks it
    // would leak when the executor is dropped.
    let c = Counters::new();
    let ex = Executor::with_threads(2);
    ex.spawn(Parked::new(&c, &Slot::new())).detach();
    let handle_kept = ex.spawn(Parked::new(&c, &Slot::new()));
    ex.run(async {
        while c.polls() < 2 {
            yield_once().await;
        }
    });
    assert_eq!(c.drops(), 0);
    drop(ex);
    assert_eq!((c.polls(), c.drops()), (2, 2));
    let err = catch_unwind(AssertUnwindSafe(|| executor::block_on(handle_kept))).unwrap_err();
    assert!(panic_message(&*err).contains("cancelled"));
}

#[test]
fn wakes_from_foreign_threads() {
    let ex = Executor::with_threads(2);
    let c = Counters::new();
    let slots: Vec<_> = (0..50).map(|_| Slot::new()).collect();
    let tasks: Vec<_> = slots.iter().map(|s| ex.spawn(Parked::new(&c, s))).collect();
    let remote = slots.clone();
    let helper = std::thread::spawn(move || {
        for s in &remote {
            while s.waker.lock().unwrap().is_none() {
                std::thread::yield_now();
            }
            s.finish();
        }
    });
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    helper.join().unwrap();
    assert_eq!(c.drops(), 50);
}

/// The fairness guarantee on one worker: a task that always wakes itself goes to the
/// back of the worker's queue.
#[test]
fn a_self_waking_task_does_not_starve_the_others() {
    let ex = Executor::with_threads(1);
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let hog = ex.spawn(async move {
        while !s.load(Ordering::Relaxed) {
            yield_once().await;
        }
    });
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let done = done.clone();
            ex.spawn(async move {
                for _ in 0..100 {
                    yield_once().await;
                }
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    assert_eq!(done.load(Ordering::SeqCst), 10);
    stop.store(true, Ordering::Relaxed);
    ex.run(hog);
}

#[test]
fn workers_drive_timers() {
    let ex = Executor::with_threads(2);
    let t = ex.spawn(async {
        executor::sleep(std::time::Duration::from_millis(2)).await;
        7
    });
    assert_eq!(ex.run(t), 7);
}

#[test]
fn dropping_the_executor_stops_busy_workers_and_drops_their_tasks() {
    let c = Counters::new();
    let ex = Executor::with_threads(2);
    for _ in 0..4 {
        let guard = common::DropGuard(c.clone());
        ex.spawn(async move {
            let _g = guard;
            loop {
                yield_once().await;
            }
        })
        .detach();
    }
    ex.run(async {
        for _ in 0..100 {
            yield_once().await;
        }
    });
    drop(ex);
    assert_eq!(c.drops(), 4);
}
