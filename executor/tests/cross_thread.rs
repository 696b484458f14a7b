//! Wake-ups, cancellations and handle drops racing across threads, with exact counts.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use common::{Counters, DropGuard, Parked, Slot, yield_once};
use executor::{Executor, LocalExecutor};

const TASKS: usize = 2_000;

/// Many threads wake `Parked` local tasks while the executor runs: every task completes,
/// each future is dropped exactly once.
#[test]
fn remote_wake_storm_into_a_local_executor() {
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let slots: Vec<_> = (0..TASKS).map(|_| Slot::new()).collect();
    let tasks: Vec<_> = slots.iter().map(|s| ex.spawn(Parked::new(&c, s))).collect();
    // Park every task's waker in its slot.
    while ex.try_tick() {}
    assert_eq!(c.polls(), TASKS);
    let slots = Arc::new(slots);
    let wakers: Vec<_> = (0..4)
        .map(|k| {
            let slots = slots.clone();
            thread::spawn(move || {
                for (i, slot) in slots.iter().enumerate() {
                    if i % 4 == k {
                        slot.finish();
                    } else {
                        slot.wake(); // spurious wakes from other threads too
                    }
                }
            })
        })
        .collect();
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    for w in wakers {
        w.join().unwrap();
    }
    assert_eq!(c.drops(), TASKS);
    for s in slots.iter() {
        drop(s.take());
    }
}

/// Records a drop on a thread other than the owner.
struct OnOwner(thread::ThreadId, Arc<AtomicUsize>);
impl Drop for OnOwner {
    fn drop(&mut self) {
        if thread::current().id() != self.0 {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// `Task` handles of local tasks dropped on other threads: each future is dropped once,
/// on the executor's thread.
#[test]
fn handles_dropped_on_other_threads_cancel_on_the_owner() {
    let ex = LocalExecutor::new();
    let owner = thread::current().id();
    let dropped_elsewhere = Arc::new(AtomicUsize::new(0));
    let c = Counters::new();
    let (tx, rx) = mpsc::channel();
    for _ in 0..TASKS {
        let guard = DropGuard(c.clone());
        let on_owner = OnOwner(owner, dropped_elsewhere.clone());
        let task = ex.spawn(async move {
            let _g = (guard, on_owner);
            std::future::pending::<()>().await;
        });
        tx.send(task).unwrap();
    }
    drop(tx);
    while ex.try_tick() {}
    let dropper = thread::spawn(move || {
        for task in rx {
            drop(task);
        }
    });
    dropper.join().unwrap();
    ex.run(async {
        while c.drops() < TASKS {
            yield_once().await;
        }
    });
    assert_eq!(c.drops(), TASKS);
    assert_eq!(dropped_elsewhere.load(Ordering::SeqCst), 0);
}

/// A `LocalExecutor` dropped while other threads are still waking its tasks: nothing
/// is dropped twice or on the wrong thread, nothing leaks.
#[test]
fn local_executor_dropped_during_remote_wakes() {
    for _ in 0..20 {
        let c = Counters::new();
        let slots: Vec<_> = (0..64).map(|_| Slot::new()).collect();
        let ex = LocalExecutor::new();
        let tasks: Vec<_> = slots.iter().map(|s| ex.spawn(Parked::new(&c, s))).collect();
        while ex.try_tick() {}
        let slots = Arc::new(slots);
        let start = Arc::new(Barrier::new(2));
        let waker = {
            let slots = slots.clone();
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                for _ in 0..10 {
                    for s in slots.iter() {
                        s.wake();
                    }
                }
            })
        };
        start.wait();
        drop(ex);
        waker.join().unwrap();
        assert_eq!(c.drops(), 64);
        assert!(tasks.iter().all(executor::Task::is_finished));
        drop(tasks);
        for s in slots.iter() {
            drop(s.take());
        }
    }
}

/// Tasks on the work-stealing executor wake each other in a ring across workers.
#[test]
fn ring_of_tasks_waking_each_other_across_workers() {
    let ex = Executor::with_threads(2);
    let n = 64;
    let rounds = 200;
    let c = Counters::new();
    let slots: Vec<_> = (0..n).map(|_| Slot::new()).collect();
    let slots = Arc::new(slots);
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let slots = slots.clone();
            let guard = DropGuard(c.clone());
            ex.spawn(async move {
                let _g = guard;
                for _ in 0..rounds {
                    // Wake the next task, then wait until woken (or just yield).
                    slots[(i + 1) % n].wake();
                    std::future::poll_fn(|cx| {
                        *slots[i].waker.lock().unwrap() = Some(cx.waker().clone());
                        std::task::Poll::Ready(())
                    })
                    .await;
                    yield_once().await;
                }
            })
        })
        .collect();
    ex.run(async {
        for t in tasks {
            t.await;
        }
    });
    assert_eq!(c.drops(), n);
    for s in slots.iter() {
        drop(s.take());
    }
}

/// Wakers of a completed task woken (by value) and dropped on two other threads while
/// this thread drops the task's handle: whichever releases the last reference frees the
/// task, and the others never touch it after their release (the use after free that
/// `.ci/tsan` reports in `wake`/`drop_waker` if they read the task's header after their
/// atomic release). Many rounds, with the three releases lined up by a barrier.
#[test]
fn wakers_released_on_other_threads_while_the_handle_frees_the_task() {
    const ROUNDS: usize = 2_000;
    let ex = LocalExecutor::new();
    let c = Counters::new();
    let start = Arc::new(Barrier::new(3));
    let (wake_tx, wake_rx) = mpsc::channel::<std::task::Waker>();
    let (drop_tx, drop_rx) = mpsc::channel::<std::task::Waker>();
    let waking = {
        let start = start.clone();
        thread::spawn(move || {
            for waker in wake_rx {
                start.wait();
                waker.wake();
            }
        })
    };
    let dropping = {
        let start = start.clone();
        thread::spawn(move || {
            for waker in drop_rx {
                start.wait();
                drop(waker);
            }
        })
    };
    for _ in 0..ROUNDS {
        let slot = Slot::new();
        slot.ready.store(true, Ordering::SeqCst);
        let task = ex.spawn(StoresWakerThenReady(Parked::new(&c, &slot)));
        while ex.try_tick() {}
        assert!(task.is_finished());
        let waker = slot.take().unwrap();
        drop_tx.send(waker.clone()).unwrap();
        wake_tx.send(waker).unwrap();
        start.wait();
        drop(task);
    }
    drop((wake_tx, drop_tx));
    waking.join().unwrap();
    dropping.join().unwrap();
    assert_eq!(c.drops(), ROUNDS);
}

/// A `Parked` future that stores its waker before it completes (even when ready).
struct StoresWakerThenReady(Parked);

impl std::future::Future for StoresWakerThenReady {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let parked = &self.0;
        *parked.slot.waker.lock().unwrap() = Some(cx.waker().clone());
        parked.counters.polls.fetch_add(1, Ordering::SeqCst);
        if parked.slot.ready.load(Ordering::SeqCst) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    }
}
