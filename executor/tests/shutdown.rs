//! Dropping an `Executor`: iterative for any number of tasks, no destructor run inside a
//! `Waker::wake`, the same from inside one of its own tasks; exact drop counts.

mod common;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use std::thread::{self, ThreadId};

use common::{Counters, DropGuard, Parked, Slot, panic_message, yield_once};
use executor::Executor;

/// Runs `f` on a thread with a 2 MiB stack (the default of spawned threads, and a
/// common main-thread size) and waits for it.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// Defect 2: a chain of 100k tasks, each awaiting the next, dropped with the executor
/// on a 2 MiB thread. The shutdown drops one future at a time (dropping one cancels the
/// next, completing one wakes its awaiter): no recursion, so no stack overflow.
#[test]
fn dropping_an_executor_with_a_100k_chain_of_awaiting_tasks() {
    const N: usize = 100_000;
    let c = Counters::new();
    let ex = Executor::with_threads(1);
    let first = {
        let guard = DropGuard(c.clone());
        let c = c.clone();
        ex.spawn(async move {
            let _g = guard;
            c.polls.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        })
    };
    let mut last = first;
    for _ in 1..N {
        let guard = DropGuard(c.clone());
        let c = c.clone();
        let next = last;
        last = ex.spawn(async move {
            let _g = guard;
            c.polls.fetch_add(1, Ordering::SeqCst);
            next.await;
        });
    }
    // Every task is waiting for the one before it.
    ex.run(async {
        while c.polls() < N {
            yield_once().await;
        }
    });
    assert_eq!(c.drops(), 0);
    on_small_stack(move || drop(ex));
    assert_eq!(c.drops(), N);
    let err = catch_unwind(AssertUnwindSafe(|| executor::block_on(last))).unwrap_err();
    assert!(panic_message(&*err).contains("cancelled"));
}

/// A future that stores its waker in a shared registry and, when dropped, deregisters
/// it, under the registry's lock: the common "deregister on drop" pattern. Its `Drop`
/// records the thread it ran on and whether the lock was free (a `lock()` there would
/// deadlock if the thread waking it holds the lock: `try_lock` records that instead).
struct Deregisters {
    registry: Arc<Mutex<Option<Waker>>>,
    dropped: mpsc::Sender<(ThreadId, bool)>,
}

impl Future for Deregisters {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.registry.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Deregisters {
    fn drop(&mut self) {
        let lock_was_free = match self.registry.try_lock() {
            Ok(mut registry) => {
                registry.take();
                true
            }
            Err(_) => false,
        };
        self.dropped
            .send((thread::current().id(), lock_was_free))
            .unwrap();
    }
}

/// Runs `on_drop` when dropped.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// Defect 3: while the executor is being dropped, another thread wakes an idle task
/// under the lock its future's `Drop` takes. The wake must only queue the task: its
/// future is dropped by the thread dropping the executor, with the lock free (before
/// the fix the waking thread ran the destructor inside `wake`, and with `lock()` it
/// would have hung).
#[test]
fn a_wake_during_shutdown_never_runs_the_destructor() {
    let registry = Arc::new(Mutex::new(None::<Waker>));
    let (dropped_tx, dropped_rx) = mpsc::channel();
    let ex = Executor::with_threads(1);
    let idle = ex.spawn(Deregisters {
        registry: registry.clone(),
        dropped: dropped_tx,
    });
    ex.run(async {
        while registry.lock().unwrap().is_none() {
            yield_once().await;
        }
    });
    // The other thread wakes the idle task, holding the registry's lock, once the
    // shutdown has begun: from inside the destructor of a busy task, which the worker
    // drops when it stops.
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let waker_thread = {
        let registry = registry.clone();
        thread::spawn(move || {
            go_rx.recv().unwrap();
            let guard = registry.lock().unwrap();
            guard.as_ref().unwrap().wake_by_ref();
            drop(guard);
            done_tx.send(()).unwrap();
        })
    };
    let busy_polled = Arc::new(AtomicBool::new(false));
    let busy = {
        let polled = busy_polled.clone();
        ex.spawn(async move {
            let _signal = OnDrop(move || {
                go_tx.send(()).unwrap();
                done_rx.recv().unwrap();
            });
            loop {
                polled.store(true, Ordering::SeqCst);
                yield_once().await;
            }
        })
    };
    busy.detach();
    while !busy_polled.load(Ordering::SeqCst) {
        thread::yield_now();
    }
    drop(ex);
    waker_thread.join().unwrap();
    let (thread, lock_was_free) = dropped_rx.recv().unwrap();
    assert_eq!(
        thread,
        thread::current().id(),
        "the future is dropped by the thread dropping the executor"
    );
    assert!(lock_was_free, "not inside the wake, under the waker's lock");
    assert!(dropped_rx.try_recv().is_err(), "dropped exactly once");
    drop(idle);
}

/// Defect 6: the last handle to the executor is dropped inside one of its own tasks.
/// Its idle futures are dropped then and there (before `drop` returns), as the docs
/// say; the dropping task runs on and completes.
#[test]
fn dropping_the_executor_from_inside_its_own_task_drops_the_idle_futures_at_once() {
    let c = Counters::new();
    let slot = Slot::new();
    let ex = Arc::new(Executor::with_threads(2));
    let idle = ex.spawn(Parked::new(&c, &slot));
    ex.run(async {
        while c.polls() == 0 {
            yield_once().await;
        }
    });
    let go = Arc::new(AtomicBool::new(false));
    let (seen_tx, seen_rx) = mpsc::channel();
    let dropper = {
        let ex = ex.clone();
        let go = go.clone();
        let c = c.clone();
        ex.clone().spawn(async move {
            while !go.load(Ordering::SeqCst) {
                yield_once().await;
            }
            // The last handle: `Executor::drop` runs here, on a worker of its own.
            drop(ex);
            seen_tx.send(c.drops()).unwrap();
            "completed"
        })
    };
    drop(ex);
    go.store(true, Ordering::SeqCst);
    assert_eq!(
        seen_rx.recv().unwrap(),
        1,
        "the idle task's future was dropped before `drop` returned"
    );
    assert_eq!(executor::block_on(dropper), "completed");
    assert_eq!((c.polls(), c.drops()), (1, 1));
    let err = catch_unwind(AssertUnwindSafe(|| executor::block_on(idle))).unwrap_err();
    assert!(panic_message(&*err).contains("cancelled"));
    drop(slot.take());
}

/// Stress (run under the address and thread sanitizers by `.ci/run`): executors
/// dropped while other threads wake, clone and drop their tasks' wakers and drop or
/// detach their `Task` handles. Every future is dropped exactly once, nothing leaks, no
/// waker or handle outliving its executor touches freed memory.
#[test]
fn executors_dropped_while_other_threads_wake_clone_and_drop_wakers_and_handles() {
    const ROUNDS: usize = 40;
    const PARKED: usize = 32;
    const BUSY: usize = 4;
    for round in 0..ROUNDS {
        let c = Counters::new();
        let ex = Executor::with_threads(2);
        let slots: Vec<_> = (0..PARKED).map(|_| Slot::new()).collect();
        let mut handles: Vec<_> = slots.iter().map(|s| ex.spawn(Parked::new(&c, s))).collect();
        for _ in 0..BUSY {
            let guard = DropGuard(c.clone());
            ex.spawn(async move {
                let _g = guard;
                loop {
                    yield_once().await;
                }
            })
            .detach();
        }
        ex.run(async {
            while c.polls() < PARKED {
                yield_once().await;
            }
        });
        let slots = Arc::new(slots);
        let start = Arc::new(std::sync::Barrier::new(3));
        let waker_thread = {
            let slots = slots.clone();
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                for pass in 0..20 {
                    for (i, slot) in slots.iter().enumerate() {
                        if (i + pass + round) % 7 == 0 {
                            slot.finish();
                        }
                        let waker = slot.waker.lock().unwrap().clone();
                        if let Some(waker) = waker {
                            let clone = waker.clone();
                            waker.wake_by_ref();
                            clone.wake();
                            drop(waker.clone());
                        }
                    }
                }
            })
        };
        let kept: Vec<_> = handles.drain(PARKED / 2..).collect();
        let handle_thread = {
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                for (i, handle) in handles.into_iter().enumerate() {
                    if i % 2 == 0 {
                        drop(handle);
                    } else {
                        handle.detach();
                    }
                }
            })
        };
        start.wait();
        drop(ex);
        waker_thread.join().unwrap();
        handle_thread.join().unwrap();
        assert_eq!(c.drops(), PARKED + BUSY, "round {round}");
        for handle in kept {
            // Completed (its slot was finished in time) or cancelled by the drop.
            let _ = catch_unwind(AssertUnwindSafe(|| executor::block_on(handle)));
        }
        for slot in slots.iter() {
            drop(slot.take());
        }
        assert_eq!(c.drops(), PARKED + BUSY, "round {round}");
    }
}
