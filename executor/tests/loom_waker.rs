//! Loom models of a waker giving up its reference while another thread frees the task.
//!
//! Under loom the task's header is "freed" through the real `dealloc` path, which writes
//! a loom-tracked cell that every access to the header reads (see `task::state`): a
//! thread that touches the header after its atomic operation gave up its reference
//! (the bug these models were written for: `wake` and `drop_waker` read the vtable after
//! their `fetch_sub`) races with that write, and loom reports it. A task that is never
//! freed is reported as a leak. Run with `.ci/loom`.
#![cfg(loom)]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use executor::__loom::{Runnable, spawn};
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

type Queue = Arc<Mutex<VecDeque<Runnable>>>;

fn scheduler(queue: &Queue) -> impl Fn(Runnable) + Send + Sync + 'static {
    let queue = queue.clone();
    move |runnable| queue.lock().unwrap().push_back(runnable)
}

/// Stores a clone of its waker in `slot` at every poll; ready once `polls` polls are done.
struct StoresWaker {
    slot: Arc<Mutex<Option<Waker>>>,
    polls: usize,
    drops: Arc<AtomicUsize>,
}

impl Future for StoresWaker {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.slot.lock().unwrap() = Some(cx.waker().clone());
        self.polls -= 1;
        if self.polls == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for StoresWaker {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

/// A completed task whose only references are its handle and one waker; returns both.
fn completed_task() -> (executor::Task<()>, Waker, Arc<AtomicUsize>) {
    let queue: Queue = Arc::new(Mutex::new(VecDeque::new()));
    let slot = Arc::new(Mutex::new(None));
    let drops = Arc::new(AtomicUsize::new(0));
    let future = StoresWaker {
        slot: slot.clone(),
        polls: 1,
        drops: drops.clone(),
    };
    let (runnable, task) = spawn(future, scheduler(&queue));
    runnable.run_now();
    assert!(task.is_finished());
    let waker = slot.lock().unwrap().take().unwrap();
    assert!(queue.lock().unwrap().is_empty());
    (task, waker, drops)
}

/// `Waker::wake` (by value) on a completed task releases the waker's reference while the
/// handle is dropped on another thread: whichever goes last frees the task, and the
/// other never touches it after its release.
#[test]
fn wake_by_value_races_with_the_last_handle_drop() {
    loom::model(|| {
        let (task, waker, drops) = completed_task();
        let t = thread::spawn(move || waker.wake());
        drop(task);
        t.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// Dropping a waker of a completed task races with the handle's drop.
#[test]
fn waker_drop_races_with_the_last_handle_drop() {
    loom::model(|| {
        let (task, waker, drops) = completed_task();
        let t = thread::spawn(move || drop(waker));
        drop(task);
        t.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// A waker woken by value while its task runs to completion on another thread (the
/// handle detached): the wake only sets `SCHEDULED` on the running task and gives up its
/// reference; the runner's completion may free the task right after.
#[test]
fn wake_by_value_races_with_the_completing_runner() {
    loom::model(|| {
        let queue: Queue = Arc::new(Mutex::new(VecDeque::new()));
        let slot = Arc::new(Mutex::new(None));
        let drops = Arc::new(AtomicUsize::new(0));
        let future = StoresWaker {
            slot: slot.clone(),
            polls: 2,
            drops: drops.clone(),
        };
        let (runnable, task) = spawn(future, scheduler(&queue));
        task.detach();
        runnable.run_now();
        let waker = slot.lock().unwrap().take().unwrap();
        let waker2 = waker.clone();
        // Queued again, to be run on the main thread while `waker2` is woken.
        waker.wake();
        let runnable = queue.lock().unwrap().pop_front().unwrap();
        let t = thread::spawn(move || waker2.wake());
        runnable.run_now();
        t.join().unwrap();
        // A wake that came while the task ran rescheduled it; running that completes
        // nothing more (the task completed) but frees it.
        let rest: Vec<_> = queue.lock().unwrap().drain(..).collect();
        drop(rest);
        drop(slot.lock().unwrap().take());
        assert_eq!(drops.load(SeqCst), 1);
    });
}
