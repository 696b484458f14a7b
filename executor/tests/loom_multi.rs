//! Loom models of the real multi-threaded `Executor` (one worker thread; crossbeam's
//! deques replaced under loom by locked queues of the same interface, see `queue.rs`):
//! the injector's push against a worker's idle registration and park (the idle/notify
//! handshake), the awaiting thread's parker, the table of live tasks against the drop,
//! and the shutdown drain against a wake-up and a handle drop on another thread. Run
//! with `.ci/loom`.
//!
//! A worker, the awaiting thread and a third one make too many interleavings to explore
//! them all: these models explore every interleaving with at most [`PREEMPTIONS`]
//! preemptions (unless `LOOM_MAX_PREEMPTIONS` says otherwise), which finds the lost
//! wake-up of the idle/notify handshake without its fences (with two).
#![cfg(loom)]

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use executor::Executor;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

/// The preemption bound of these models (about 30 s for all of them on 2 cores).
const PREEMPTIONS: usize = 3;

/// Checks `f` under loom with at most [`PREEMPTIONS`] preemptions per execution.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(PREEMPTIONS);
    }
    builder.check(f);
}

/// A task spawned from outside the workers reaches the worker through the injector
/// (which may be parking or parked), and its completion wakes the thread awaiting it in
/// `run`; then the executor is dropped.
#[test]
fn spawn_from_outside_run_and_drop() {
    model(|| {
        let ex = Executor::with_threads(1);
        let task = ex.spawn(async { 7 });
        assert_eq!(ex.run(task), 7);
        drop(ex);
    });
}

/// What a parked task and the thread watching it share.
#[derive(Default)]
struct Shared {
    /// The task's waker, stored at each of its polls.
    task: Mutex<Option<Waker>>,
    /// The waker of the future waiting until the task has been polled once.
    watcher: Mutex<Option<Waker>>,
    ready: AtomicBool,
    drops: AtomicUsize,
}

/// Pending until `ready`; stores its waker and wakes the watcher at each poll.
struct ParkedTask(Arc<Shared>);

impl Future for ParkedTask {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.0.task.lock().unwrap() = Some(cx.waker().clone());
        if let Some(watcher) = self.0.watcher.lock().unwrap().take() {
            watcher.wake();
        }
        if self.0.ready.load(SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for ParkedTask {
    fn drop(&mut self) {
        self.0.drops.fetch_add(1, SeqCst);
    }
}

/// Runs `ex` until the task sharing `shared` has been polled (and so is in the table
/// of live tasks, waiting).
fn until_polled(ex: &Executor, shared: &Arc<Shared>) {
    ex.run(poll_fn(|cx| {
        *shared.watcher.lock().unwrap() = Some(cx.waker().clone());
        if shared.task.lock().unwrap().is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }));
}

/// A task waiting in the table of live tasks is made ready and woken (by value) from
/// another thread, which then drops its `Task`, while the executor is dropped: the wake
/// only queues it (the worker may still run it to completion, releasing its table
/// entry, or the drop cancels it), the drop drains what the wake queues, and the
/// future is dropped exactly once, the task freed (loom checks the leak).
#[test]
fn a_foreign_wake_and_handle_drop_race_the_executor_drop() {
    model(|| {
        let shared = Arc::new(Shared::default());
        let ex = Executor::with_threads(1);
        let task = ex.spawn(ParkedTask(shared.clone()));
        until_polled(&ex, &shared);
        let other = {
            let shared = shared.clone();
            thread::spawn(move || {
                shared.ready.store(true, SeqCst);
                let waker = shared.task.lock().unwrap().take();
                if let Some(waker) = waker {
                    waker.wake();
                }
                drop(task);
            })
        };
        drop(ex);
        other.join().unwrap();
        assert_eq!(shared.drops.load(SeqCst), 1);
        drop(shared.task.lock().unwrap().take());
    });
}

/// A waker of a task waiting in the table is dropped on another thread while the
/// executor is dropped (which cancels the task through the table): the last reference
/// frees the task, whichever thread holds it.
#[test]
fn a_foreign_waker_drop_races_the_executor_drop() {
    model(|| {
        let shared = Arc::new(Shared::default());
        let ex = Executor::with_threads(1);
        ex.spawn(ParkedTask(shared.clone())).detach();
        until_polled(&ex, &shared);
        let waker = shared.task.lock().unwrap().take().unwrap();
        let other = thread::spawn(move || drop(waker));
        drop(ex);
        other.join().unwrap();
        assert_eq!(shared.drops.load(SeqCst), 1);
    });
}
