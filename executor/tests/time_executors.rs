//! Timers driven by every kind of run loop: `LocalExecutor::run` and the workers of the
//! multi-threaded `Executor`, including timers registered on one thread and fired by
//! another. Only lower bounds on elapsed time are asserted.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use executor::{
    Executor, LocalExecutor, block_on, interval, sleep, sleep_until, timeout, yield_now,
};

#[test]
fn local_executor_wakes_sleeping_tasks_in_deadline_order() {
    let ex = LocalExecutor::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    // Far enough ahead that every task registers before the first deadline, even on a
    // loaded machine or under AddressSanitizer (an already expired `Sleep` completes in
    // poll order, not deadline order).
    let base = Instant::now() + Duration::from_millis(100);
    // Deadlines 1 ms apart: far enough that each fires in its own batch of the driver,
    // and a batch wakes its timers in deadline order anyway.
    let tasks: Vec<_> = [3u64, 0, 4, 1, 2]
        .into_iter()
        .map(|k| {
            let order = order.clone();
            ex.spawn(async move {
                sleep_until(base + Duration::from_millis(k)).await;
                order.borrow_mut().push(k);
            })
        })
        .collect();
    ex.run(async {
        for task in tasks {
            task.await;
        }
    });
    assert!(Instant::now() >= base + Duration::from_millis(4));
    let order = order.borrow();
    assert_eq!(order.len(), 5);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(*order, sorted);
}

#[test]
fn local_executor_timeout_and_interval() {
    let ex = LocalExecutor::new();
    let slow = ex.spawn(timeout(
        Duration::from_millis(1),
        sleep(Duration::from_secs(60 * 60)),
    ));
    let quick = ex.spawn(timeout(Duration::from_secs(60 * 60), async {
        sleep(Duration::from_micros(300)).await;
        "done"
    }));
    let ticks = ex.spawn(async {
        let mut every = interval(Duration::from_micros(500));
        let mut last = every.tick().await;
        for _ in 0..4 {
            let tick = every.tick().await;
            assert!(tick > last);
            last = tick;
        }
    });
    ex.run(async {
        assert!(slow.await.is_err());
        assert_eq!(quick.await, Ok("done"));
        ticks.await;
    });
}

#[test]
fn multi_threaded_workers_drive_timers() {
    let ex = Executor::with_threads(2);
    let start = Instant::now();
    let tasks: Vec<_> = (0..100u64)
        .map(|i| {
            ex.spawn(async move {
                let d = Duration::from_micros(50 * (i % 20));
                sleep(d).await;
                yield_now().await;
                d
            })
        })
        .collect();
    let longest = ex.run(async {
        let mut longest = Duration::ZERO;
        for task in tasks {
            longest = longest.max(task.await);
        }
        longest
    });
    assert!(start.elapsed() >= longest);
}

#[test]
fn timer_from_a_worker_fires_while_other_threads_park() {
    // A task on a worker sleeps while the caller of `run` waits on it (parked, driving
    // timers too): whoever parks must fire it.
    let ex = Executor::with_threads(2);
    let fired = Arc::new(Mutex::new(None));
    let task = {
        let fired = fired.clone();
        ex.spawn(async move {
            let deadline = Instant::now() + Duration::from_millis(3);
            sleep_until(deadline).await;
            *fired.lock().unwrap() = Some(deadline);
        })
    };
    ex.run(task);
    let deadline = fired.lock().unwrap().expect("the task ran");
    assert!(Instant::now() >= deadline);
}

#[test]
fn block_on_threads_share_the_timer_store() {
    // Several threads, each its own driver, with interleaved deadlines.
    let handles: Vec<_> = (0..4u64)
        .map(|t| {
            thread::spawn(move || {
                for k in 0..5u64 {
                    let d = Duration::from_micros(100 * (t + 4 * k));
                    let start = Instant::now();
                    block_on(sleep(d));
                    assert!(start.elapsed() >= d);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn sleep_moved_between_executors_still_fires() {
    // Registered under a `LocalExecutor`, completed under `block_on` on another thread.
    let ex = LocalExecutor::new();
    // 50 ms: still pending at the first poll even on a loaded machine.
    let mut nap = Box::pin(sleep(Duration::from_millis(50)));
    ex.run(async {
        std::future::poll_fn(|cx| {
            assert!(nap.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
    });
    let done = thread::spawn(move || block_on(nap)).join();
    assert!(done.is_ok());
}

#[test]
fn timers_fire_while_a_local_executor_is_busy() {
    // One task yields in a loop, so the executor never goes idle: the run loop must still
    // fire the timer the main future waits on.
    let ex = LocalExecutor::new();
    let stop = Rc::new(std::cell::Cell::new(false));
    let spinner = {
        let stop = stop.clone();
        ex.spawn(async move {
            let mut spins = 0u64;
            while !stop.get() {
                yield_now().await;
                spins += 1;
            }
            spins
        })
    };
    // 50 ms: long enough that the spinner is polled before the deadline even on a
    // loaded machine (the count below must be non-zero).
    let deadline = Instant::now() + Duration::from_millis(50);
    ex.run(async {
        sleep_until(deadline).await;
        stop.set(true);
    });
    assert!(Instant::now() >= deadline);
    assert!(ex.run(spinner) > 0);
}

#[test]
fn timers_fire_while_every_worker_is_busy() {
    let ex = Executor::with_threads(2);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let spinners: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            ex.spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    yield_now().await;
                }
            })
        })
        .collect();
    let sleeper = ex.spawn(async {
        let deadline = Instant::now() + Duration::from_millis(2);
        sleep_until(deadline).await;
        deadline
    });
    let deadline = ex.run(sleeper);
    assert!(Instant::now() >= deadline);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    ex.run(async {
        for s in spinners {
            s.await;
        }
    });
}
