//! `LocalExecutor` and `Task`: exact counts of polls, wakes and drops; cancellation,
//! detach, panics, cross-thread wake-ups, shutdown and fairness.

mod common;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use common::{Counters, DropGuard, Parked, SelfWaking, Slot, panic_message, yield_once};
use executor::LocalExecutor;

#[test]
fn a_ready_task_is_polled_once_and_dropped_once() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let task = ex.spawn(SelfWaking::new(&c, 0));
    assert_eq!(c.polls(), 0, "spawning does not poll");
    assert_eq!(ex.run(task), 1);
    assert_eq!(c.polls(), 1);
    assert_eq!(c.drops(), 1);
}

#[test]
fn each_wake_during_a_poll_schedules_exactly_once() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let task = ex.spawn(SelfWaking::new(&c, 5));
    assert_eq!(ex.run(task), 6);
    assert_eq!((c.polls(), c.wakes(), c.drops()), (6, 5, 1));
}

#[test]
fn wakes_while_scheduled_coalesce_into_one_poll() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slot = Slot::new();
    let task = ex.spawn(Parked::new(&c, &slot));
    assert!(ex.try_tick());
    assert_eq!(c.polls(), 1);
    assert!(!ex.try_tick(), "a pending task is not queued");
    for _ in 0..3 {
        slot.wake();
    }
    assert!(ex.try_tick());
    assert!(!ex.try_tick(), "three wakes, one schedule");
    assert_eq!(c.polls(), 2);
    slot.finish();
    assert!(ex.try_tick());
    assert!(!ex.try_tick());
    assert_eq!(c.polls(), 3);
    assert_eq!(
        c.drops(),
        1,
        "the future is dropped as soon as it completes"
    );
    assert!(task.is_finished());
    ex.run(task);
    // Wakers outliving the task are harmless.
    slot.wake();
    assert!(!ex.try_tick());
    drop(slot.take());
}

#[test]
fn waker_clones_keep_the_task_alive_until_dropped() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slot = Slot::new();
    let task = ex.spawn(Parked::new(&c, &slot));
    assert!(ex.try_tick());
    let clones: Vec<_> = (0..10)
        .map(|_| slot.waker.lock().unwrap().clone().unwrap())
        .collect();
    slot.finish();
    ex.run(task);
    assert_eq!((c.polls(), c.drops()), (2, 1));
    for w in &clones {
        w.wake_by_ref();
    }
    for w in clones {
        w.wake();
    }
    assert!(!ex.try_tick(), "waking a completed task schedules nothing");
    drop(slot.take());
}

#[test]
fn dropping_the_task_cancels_and_drops_the_future_on_the_executor() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slot = Slot::new();
    let task = ex.spawn(Parked::new(&c, &slot));
    assert!(ex.try_tick());
    drop(task);
    assert_eq!(
        c.drops(),
        0,
        "the executor drops the future, not the handle"
    );
    assert!(ex.try_tick());
    assert_eq!(
        (c.polls(), c.drops()),
        (1, 1),
        "cancelled: dropped, not polled"
    );
    slot.wake();
    assert!(!ex.try_tick());
}

#[test]
fn dropping_a_never_polled_task_drops_its_future_unpolled() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    drop(ex.spawn(SelfWaking::new(&c, 3)));
    assert!(ex.try_tick());
    assert!(!ex.try_tick());
    assert_eq!((c.polls(), c.drops()), (0, 1));
}

#[test]
fn cancel_returns_none_for_a_pending_task_and_the_output_for_a_finished_one() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slot = Slot::new();
    let pending = ex.spawn(Parked::new(&c, &slot));
    assert!(ex.try_tick());
    assert_eq!(ex.run(pending.cancel()), None);
    assert_eq!((c.polls(), c.drops()), (1, 1));

    let c2 = Counters::new();
    let done = ex.spawn(SelfWaking::new(&c2, 2));
    while ex.try_tick() {}
    assert_eq!(ex.run(done.cancel()), Some(3));
    assert_eq!((c2.polls(), c2.drops()), (3, 1));
}

#[test]
fn cancel_inside_run_waits_for_the_future_to_be_dropped() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slot = Slot::new();
    let task = ex.spawn(Parked::new(&c, &slot));
    let out = ex.run(async {
        yield_once().await; // let the task run once
        let out = task.cancel().await;
        (out, c.drops())
    });
    assert_eq!(out, (None, 1));
    assert_eq!(c.polls(), 1);
}

#[test]
fn detached_tasks_run_to_completion_and_drop_their_output() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let out = Counters::new();
    let guard_counters = out.clone();
    let inner = SelfWaking::new(&c, 2);
    ex.spawn(async move {
        inner.await;
        DropGuard(guard_counters)
    })
    .detach();
    ex.run(async {});
    while ex.try_tick() {}
    assert_eq!((c.polls(), c.drops()), (3, 1));
    assert_eq!(out.drops(), 1, "the output of a detached task is dropped");
}

#[test]
fn an_unawaited_output_is_dropped_with_the_handle() {
    let ex = LocalExecutor::new();
    let out = Counters::new();
    let oc = out.clone();
    let task = ex.spawn(async move { DropGuard(oc) });
    while ex.try_tick() {}
    assert_eq!(out.drops(), 0, "the handle owns the output");
    drop(task);
    assert_eq!(out.drops(), 1);
}

#[test]
fn a_panic_is_re_raised_where_the_task_is_awaited_and_others_keep_running() {
    let ex = LocalExecutor::new();
    let bad = ex.spawn(async {
        yield_once().await;
        panic!("boom in a task");
    });
    let c = Counters::new();
    let good = ex.spawn(SelfWaking::new(&c, 3));
    let caught = catch_unwind(AssertUnwindSafe(|| ex.run(bad))).unwrap_err();
    assert_eq!(panic_message(&*caught), "boom in a task");
    assert_eq!(ex.run(good), 4);
    assert_eq!(c.drops(), 1);
}

#[test]
fn the_panic_of_a_detached_task_is_swallowed() {
    let ex = LocalExecutor::new();
    ex.spawn(async { panic!("nobody hears this") }).detach();
    let task = ex.spawn(async { 5 });
    assert_eq!(ex.run(task), 5);
    while ex.try_tick() {}
}

#[test]
fn a_panicking_future_is_dropped_exactly_once() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let guard = DropGuard(c.clone());
    let task = ex.spawn(async move {
        let _g = guard;
        yield_once().await;
        panic!("after a yield");
    });
    assert!(catch_unwind(AssertUnwindSafe(|| ex.run(task))).is_err());
    assert_eq!(c.drops(), 1);
}

#[test]
fn a_waker_used_on_another_thread_wakes_the_local_executor() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slot = Slot::new();
    let not_send = Rc::new(Cell::new(0));
    let nc = not_send.clone();
    let parked = Parked::new(&c, &slot);
    let task = ex.spawn(async move {
        parked.await;
        nc.set(nc.get() + 1);
        nc.get()
    });
    let remote = slot.clone();
    let helper = thread::spawn(move || {
        // Wait until the task has parked its waker, then wake it from here.
        loop {
            if remote.waker.lock().unwrap().is_some() {
                break;
            }
            thread::yield_now();
        }
        remote.finish();
    });
    assert_eq!(ex.run(task), 1);
    helper.join().unwrap();
    assert_eq!((c.polls(), c.drops()), (2, 1));
    assert_eq!(not_send.get(), 1);
}

#[test]
fn a_task_handle_dropped_on_another_thread_cancels_on_the_owner_thread() {
    struct RecordDrop(
        Arc<std::sync::Mutex<Option<thread::ThreadId>>>,
        std::marker::PhantomData<*const ()>,
    );
    impl Drop for RecordDrop {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(thread::current().id());
        }
    }
    let ex = LocalExecutor::new();
    let owner = thread::current().id();
    let dropped_on = Arc::new(std::sync::Mutex::new(None));
    let record = RecordDrop(dropped_on.clone(), std::marker::PhantomData);
    let task = ex.spawn(async move {
        let _r = record; // `!Send` future
        std::future::pending::<()>().await;
    });
    assert!(ex.try_tick());
    thread::spawn(move || drop(task)).join().unwrap();
    assert_eq!(*dropped_on.lock().unwrap(), None);
    // The cancellation arrives through the remote queue.
    ex.run(async {
        while dropped_on.lock().unwrap().is_none() {
            yield_once().await;
        }
    });
    assert_eq!(*dropped_on.lock().unwrap(), Some(owner));
}

#[test]
fn dropping_the_executor_drops_every_live_future() {
    let c = Counters::new();
    let slot = Slot::new();
    let ex = LocalExecutor::new();
    let pending = ex.spawn(Parked::new(&c, &slot));
    let never_polled = ex.spawn(SelfWaking::new(&c, 0));
    ex.spawn(Parked::new(&c, &slot)).detach();
    assert!(ex.try_tick());
    drop(ex);
    assert_eq!(c.drops(), 3);
    assert!(pending.is_finished());
    // Waking after the executor is gone does nothing.
    slot.wake();
    let err = catch_unwind(AssertUnwindSafe(|| executor::block_on(never_polled))).unwrap_err();
    assert!(panic_message(&*err).contains("cancelled"));
    drop(pending);
    drop(slot.take());
}

#[test]
fn try_tick_runs_one_task_at_a_time_in_fifo_order() {
    let ex = LocalExecutor::new();
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    for i in 0..3 {
        let log = log.clone();
        ex.spawn(async move { log.borrow_mut().push(i) }).detach();
    }
    assert!(ex.try_tick());
    assert_eq!(*log.borrow(), [0]);
    assert!(ex.try_tick());
    assert!(ex.try_tick());
    assert!(!ex.try_tick());
    assert_eq!(*log.borrow(), [0, 1, 2]);
}

/// The fairness guarantee: a task that always wakes itself goes to the back of the
/// queue, so it cannot starve the other tasks nor the main future.
#[test]
fn a_task_that_always_wakes_itself_does_not_starve_the_others() {
    let ex = LocalExecutor::new();
    let spins = Rc::new(Cell::new(0u64));
    let s = spins.clone();
    let hog = ex.spawn(async move {
        loop {
            s.set(s.get() + 1);
            yield_once().await;
        }
    });
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let workers: Vec<_> = (0..3)
        .map(|i| {
            let log = log.clone();
            ex.spawn(async move {
                for step in 0..10 {
                    log.borrow_mut().push((i, step));
                    yield_once().await;
                }
            })
        })
        .collect();
    ex.run(async {
        for w in workers {
            w.await;
        }
    });
    // Round robin: each worker made step k before any made step k + 1.
    let log = log.borrow();
    assert_eq!(log.len(), 30);
    for (n, &(_, step)) in log.iter().enumerate() {
        assert_eq!(step, n / 3);
    }
    // The hog ran once per round, plus at most one batch (61 tasks) before the main
    // future, woken by the last worker, was polled again.
    assert!((10..=10 + 61).contains(&spins.get()), "{}", spins.get());
    drop(hog);
}

#[test]
fn the_main_future_is_not_starved_by_busy_tasks() {
    let ex = LocalExecutor::new();
    let hog = ex.spawn(async {
        loop {
            yield_once().await;
        }
    });
    let polls = AtomicUsize::new(0);
    ex.run(async {
        for _ in 0..100 {
            polls.fetch_add(1, Ordering::Relaxed);
            yield_once().await;
        }
    });
    assert_eq!(polls.load(Ordering::Relaxed), 100);
    drop(hog);
}

#[test]
fn tasks_spawned_from_tasks_run() {
    let ex = Rc::new(LocalExecutor::new());
    let ex2 = ex.clone();
    let out = ex.run(async move {
        let mut total = 0;
        for i in 0..100u64 {
            let ex3 = ex2.clone();
            let t = ex2.spawn(async move { ex3.spawn(async move { i }).await * 2 });
            total += t.await;
        }
        total
    });
    assert_eq!(out, 9900);
}

#[test]
#[should_panic(expected = "`LocalExecutor::run` cannot be called from inside `executor::block_on`")]
fn run_inside_block_on_panics() {
    executor::block_on(async {
        LocalExecutor::new().run(async {});
    });
}

#[test]
#[should_panic(expected = "`Task` polled after it completed")]
fn polling_a_task_after_completion_panics() {
    let ex = LocalExecutor::new();
    let mut task = ex.spawn(async { 1 });
    ex.run(&mut task);
    ex.run(&mut task);
}

#[test]
fn the_executor_is_usable_after_the_main_future_panics() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let task = ex.spawn(SelfWaking::new(&c, 2));
    let err = catch_unwind(AssertUnwindSafe(|| {
        ex.run(async {
            yield_once().await;
            panic!("main future");
        })
    }))
    .unwrap_err();
    assert_eq!(panic_message(&*err), "main future");
    assert_eq!(ex.run(task), 3);
    executor::block_on(async {}); // the thread is no longer marked as inside `run`
}

#[test]
fn try_tick_from_inside_a_task_runs_another_task() {
    let ex = Rc::new(LocalExecutor::new());
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let (l1, l2) = (log.clone(), log.clone());
    let ex2 = ex.clone();
    let outer = ex.spawn(async move {
        l1.borrow_mut().push("outer start");
        assert!(ex2.try_tick());
        l1.borrow_mut().push("outer end");
    });
    ex.spawn(async move { l2.borrow_mut().push("inner") })
        .detach();
    ex.run(outer);
    assert_eq!(*log.borrow(), ["outer start", "inner", "outer end"]);
}

#[test]
fn a_panicking_destructor_does_not_break_executor_drop() {
    struct PanicOnDrop(Arc<Counters>);
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            self.0.drops.fetch_add(1, Ordering::SeqCst);
            panic!("destructor");
        }
    }
    let c = Counters::new();
    let ex = LocalExecutor::new();
    for _ in 0..3 {
        let guard = PanicOnDrop(c.clone());
        ex.spawn(async move {
            let _g = guard;
            std::future::pending::<()>().await;
        })
        .detach();
    }
    while ex.try_tick() {}
    drop(ex);
    assert_eq!(c.drops(), 3);
}
