//! `block_on`: exact poll counts, nesting, and other users of park/unpark.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::Poll;
use std::thread;

use common::{Counters, Parked, SelfWaking, Slot, panic_message};
use executor::block_on;

#[test]
fn a_ready_future_is_polled_once() {
    let c = Counters::new();
    assert_eq!(block_on(SelfWaking::new(&c, 0)), 1);
    assert_eq!((c.polls(), c.drops()), (1, 1));
    assert_eq!(block_on(std::future::ready(7)), 7);
}

#[test]
fn self_wakes_are_polled_exactly_once_each() {
    let c = Counters::new();
    assert_eq!(block_on(SelfWaking::new(&c, 10)), 11);
    assert_eq!((c.polls(), c.wakes(), c.drops()), (11, 10, 1));
}

#[test]
fn a_wake_from_another_thread_unparks_block_on() {
    let c = Counters::new();
    let slot = Slot::new();
    let remote = slot.clone();
    let helper = thread::spawn(move || {
        while remote.waker.lock().unwrap().is_none() {
            thread::yield_now();
        }
        remote.finish();
    });
    block_on(Parked::new(&c, &slot));
    helper.join().unwrap();
    assert_eq!((c.polls(), c.drops()), (2, 1));
}

#[test]
fn foreign_unparks_do_not_cause_polls_nor_lose_the_wake() {
    let c = Counters::new();
    let slot = Slot::new();
    let remote = slot.clone();
    let main = thread::current();
    let helper = thread::spawn(move || {
        while remote.waker.lock().unwrap().is_none() {
            thread::yield_now();
        }
        for _ in 0..1000 {
            main.unpark();
        }
        remote.finish();
    });
    block_on(Parked::new(&c, &slot));
    helper.join().unwrap();
    assert_eq!(
        c.polls(),
        2,
        "spurious unparks are absorbed by the notified flag"
    );
}

#[test]
fn a_future_that_parks_the_thread_itself_does_not_lose_its_wake() {
    // The future hands its waker to a thread that wakes it and then unparks us; the
    // future consumes that unpark token with its own `park` inside `poll`. `block_on`
    // must still see the wake.
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    block_on(std::future::poll_fn(move |cx| {
        if p.fetch_add(1, Ordering::SeqCst) == 1 {
            return Poll::Ready(());
        }
        let waker = cx.waker().clone();
        let main = thread::current();
        let d2 = d.clone();
        thread::spawn(move || {
            waker.wake();
            d2.store(true, Ordering::SeqCst);
            main.unpark();
        });
        while !d.load(Ordering::SeqCst) {
            thread::park(); // someone else's use of park
        }
        Poll::Pending
    }));
    assert!(done.load(Ordering::SeqCst));
    assert_eq!(polls.load(Ordering::SeqCst), 2);
}

#[test]
#[should_panic(expected = "`executor::block_on` cannot be called from inside `executor::block_on`")]
fn nested_block_on_panics() {
    block_on(async {
        block_on(async {});
    });
}

#[test]
#[should_panic(expected = "(nested)")]
fn block_on_inside_a_local_executor_panics() {
    let ex = executor::LocalExecutor::new();
    ex.run(async {
        block_on(std::future::ready(1));
    });
}

#[test]
fn block_on_works_again_after_a_nested_panic() {
    let r = std::panic::catch_unwind(|| block_on(async { block_on(async {}) }));
    assert!(r.is_err());
    assert_eq!(block_on(async { 3 }), 3);
}

#[test]
fn block_on_drives_timers() {
    let start = std::time::Instant::now();
    block_on(executor::sleep(std::time::Duration::from_millis(5)));
    assert!(start.elapsed() >= std::time::Duration::from_millis(5));
}

/// `block_on` inside a task that `LocalExecutor::try_tick` polls would block the
/// executor's thread just as under `run` (a task it waits for could never run): it
/// panics with the same nesting message, naming `try_tick`.
#[test]
fn block_on_inside_a_task_run_by_try_tick_panics() {
    let ex = executor::LocalExecutor::new();
    let task = ex.spawn(async { block_on(async { 1 }) });
    assert!(ex.try_tick());
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ex.run(task))).unwrap_err();
    let message = panic_message(&*err);
    assert_eq!(
        message,
        "`executor::block_on` cannot be called from inside `LocalExecutor::try_tick` on the \
         same thread (nested): the inner call would block the outer executor; `.await` the \
         future instead"
    );
    // The thread is no longer marked as inside a run loop.
    assert_eq!(block_on(async { 2 }), 2);
    assert_eq!(ex.run(ex.spawn(async { 3 })), 3);
}

/// `block_on` inside a task under `run`: the message the `try_tick` one mirrors.
#[test]
fn block_on_inside_a_task_run_by_run_panics() {
    let ex = executor::LocalExecutor::new();
    let task = ex.spawn(async { block_on(async { 1 }) });
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ex.run(task))).unwrap_err();
    assert_eq!(
        panic_message(&*err),
        "`executor::block_on` cannot be called from inside `LocalExecutor::run` on the \
         same thread (nested): the inner call would block the outer executor; `.await` the \
         future instead"
    );
}
