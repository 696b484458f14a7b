//! Loom models of the task state machine: wake, poll, cancel, await and drop racing on
//! two threads. Run with `.ci/loom` (`RUSTFLAGS="--cfg loom" cargo test -p coroutine-executor
//! --release --test 'loom_*'`).
#![cfg(loom)]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use executor::__loom::{Runnable, spawn};
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

/// A run queue shared by the scheduler closure and the model.
type Queue = Arc<Mutex<VecDeque<Runnable>>>;

fn new_queue() -> Queue {
    Arc::new(Mutex::new(VecDeque::new()))
}

/// A scheduler function pushing onto `queue`.
fn scheduler(queue: &Queue) -> impl Fn(Runnable) + Send + Sync + 'static {
    let queue = queue.clone();
    move |runnable| queue.lock().unwrap().push_back(runnable)
}

/// Runs queued tasks until the queue is empty; returns how many ran.
fn drain(queue: &Queue) -> usize {
    let mut ran = 0;
    loop {
        let next = queue.lock().unwrap().pop_front();
        match next {
            Some(runnable) => {
                runnable.run_now();
                ran += 1;
            }
            None => return ran,
        }
    }
}

#[derive(Default)]
struct Counts {
    polls: AtomicUsize,
    drops: AtomicUsize,
}

/// Pending on its first `pending` polls (storing its waker in `slot` each time), then
/// ready with the number of polls.
struct Fut {
    counts: Arc<Counts>,
    slot: Arc<Mutex<Option<Waker>>>,
    pending: usize,
}

impl Future for Fut {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let polls = self.counts.polls.fetch_add(1, SeqCst) + 1;
        if self.pending == 0 {
            return Poll::Ready(polls);
        }
        self.pending -= 1;
        *self.slot.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Fut {
    fn drop(&mut self) {
        self.counts.drops.fetch_add(1, SeqCst);
    }
}

fn fut(pending: usize) -> (Fut, Arc<Counts>, Arc<Mutex<Option<Waker>>>) {
    let counts = Arc::new(Counts::default());
    let slot = Arc::new(Mutex::new(None));
    let f = Fut {
        counts: counts.clone(),
        slot: slot.clone(),
        pending,
    };
    (f, counts, slot)
}

/// A waker that counts its wakes (for polling the `Task` handle by hand).
struct CountingWaker(std::sync::atomic::AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: StdArc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A wake from another thread races with the poll that stored the waker: the task is
/// polled again exactly when the wake happened, and never lost.
#[test]
fn wake_races_with_poll() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, slot) = fut(1);
        let (runnable, task) = spawn(f, scheduler(&queue));
        let waker_thread = {
            let slot = slot.clone();
            thread::spawn(move || {
                let waker = slot.lock().unwrap().take();
                waker.map(Waker::wake).is_some()
            })
        };
        runnable.run_now();
        let woke = waker_thread.join().unwrap();
        drain(&queue);
        let polls = counts.polls.load(SeqCst);
        assert_eq!(polls, 1 + usize::from(woke));
        assert_eq!(counts.drops.load(SeqCst), usize::from(woke));
        assert_eq!(task.is_finished(), woke);
        drop(task);
        drop(slot.lock().unwrap().take());
        drain(&queue);
        assert_eq!(counts.drops.load(SeqCst), 1);
    });
}

/// Dropping the `Task` (cancel) on another thread races with the poll: the future is
/// dropped exactly once, by the runner, whichever wins.
#[test]
fn cancel_races_with_poll() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, slot) = fut(1);
        let (runnable, task) = spawn(f, scheduler(&queue));
        let canceller = thread::spawn(move || drop(task));
        runnable.run_now();
        canceller.join().unwrap();
        drain(&queue);
        assert_eq!(counts.drops.load(SeqCst), 1);
        assert!(counts.polls.load(SeqCst) <= 1);
        // A stale waker does nothing now.
        if let Some(w) = slot.lock().unwrap().take() {
            w.wake();
        }
        assert_eq!(drain(&queue), 0);
    });
}

/// Polling the `Task` handle races with completion on another thread: if the poll
/// returned `Pending`, the awaiter was woken (no lost wake-up), and the output arrives.
#[test]
fn await_races_with_completion() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, _slot) = fut(0);
        let (runnable, mut task) = spawn(f, scheduler(&queue));
        let runner = thread::spawn(move || runnable.run_now());
        let wakes = StdArc::new(CountingWaker(std::sync::atomic::AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let first = Pin::new(&mut task).poll(&mut cx);
        runner.join().unwrap();
        let output = match first {
            Poll::Ready(v) => v,
            Poll::Pending => {
                assert_eq!(wakes.0.load(std::sync::atomic::Ordering::SeqCst), 1);
                match Pin::new(&mut task).poll(&mut cx) {
                    Poll::Ready(v) => v,
                    Poll::Pending => panic!("woken but not ready"),
                }
            }
        };
        assert_eq!(output, 1);
        assert_eq!(counts.drops.load(SeqCst), 1);
        drop(task);
    });
}

/// A waker clone woken and dropped on another thread while the task completes: no
/// double free, no lost reference, one drop of the future.
#[test]
fn waker_drop_races_with_completion() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, slot) = fut(1);
        let (runnable, task) = spawn(f, scheduler(&queue));
        runnable.run_now();
        let waker = slot.lock().unwrap().take().unwrap();
        let clone = waker.clone();
        let t = thread::spawn(move || {
            clone.wake_by_ref();
            drop(clone);
        });
        waker.wake();
        drain(&queue);
        t.join().unwrap();
        drain(&queue);
        assert_eq!(counts.polls.load(SeqCst), 2);
        assert_eq!(counts.drops.load(SeqCst), 1);
        assert!(task.is_finished());
        task.detach();
    });
}

/// `detach` on one thread while the task runs to completion on another: the output is
/// dropped exactly once, by whoever is last.
#[test]
fn detach_races_with_completion() {
    loom::model(|| {
        let queue = new_queue();
        let out_drops = Arc::new(AtomicUsize::new(0));
        struct Out(Arc<AtomicUsize>);
        impl Drop for Out {
            fn drop(&mut self) {
                self.0.fetch_add(1, SeqCst);
            }
        }
        let od = out_drops.clone();
        let (runnable, task) = spawn(async move { Out(od) }, scheduler(&queue));
        let t = thread::spawn(move || task.detach());
        runnable.run_now();
        t.join().unwrap();
        assert_eq!(out_drops.load(SeqCst), 1);
    });
}

/// A wake and a cancel race while the task is idle: exactly one `Runnable` reaches the
/// queue and the future is dropped once without being polled again.
#[test]
fn wake_races_with_cancel() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, slot) = fut(1);
        let (runnable, task) = spawn(f, scheduler(&queue));
        runnable.run_now();
        let waker = slot.lock().unwrap().take().unwrap();
        let t = thread::spawn(move || waker.wake());
        drop(task);
        t.join().unwrap();
        assert_eq!(
            queue.lock().unwrap().len(),
            1,
            "one Runnable per scheduled task"
        );
        drain(&queue);
        assert_eq!(counts.drops.load(SeqCst), 1);
        assert!(counts.polls.load(SeqCst) <= 2);
    });
}

/// Two threads wake the same idle task at once: exactly one `Runnable` is queued.
#[test]
fn concurrent_wakes_schedule_once() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, slot) = fut(1);
        let (runnable, task) = spawn(f, scheduler(&queue));
        runnable.run_now();
        let waker = slot.lock().unwrap().take().unwrap();
        let other = waker.clone();
        let t = thread::spawn(move || other.wake());
        waker.wake_by_ref();
        t.join().unwrap();
        assert_eq!(queue.lock().unwrap().len(), 1);
        drop(waker);
        drain(&queue);
        assert_eq!(counts.polls.load(SeqCst), 2);
        assert_eq!(counts.drops.load(SeqCst), 1);
        assert!(task.is_finished());
        drop(task);
    });
}

/// `cancel().await` races with the task's first run: it resolves to the output if the
/// task completed first, to `None` otherwise, and is woken if it had to wait.
#[test]
fn cancel_future_races_with_run() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, _slot) = fut(0);
        let (runnable, task) = spawn(f, scheduler(&queue));
        let runner = thread::spawn(move || runnable.run_now());
        let wakes = StdArc::new(CountingWaker(std::sync::atomic::AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let mut cancel = task.cancel();
        let first = Pin::new(&mut cancel).poll(&mut cx);
        runner.join().unwrap();
        drain(&queue);
        let out = match first {
            Poll::Ready(out) => out,
            Poll::Pending => {
                assert_eq!(wakes.0.load(std::sync::atomic::Ordering::SeqCst), 1);
                match Pin::new(&mut cancel).poll(&mut cx) {
                    Poll::Ready(out) => out,
                    Poll::Pending => panic!("woken but not ready"),
                }
            }
        };
        assert!(out.is_none() || out == Some(1));
        assert_eq!(counts.polls.load(SeqCst), usize::from(out.is_some()));
        assert_eq!(counts.drops.load(SeqCst), 1);
    });
}

/// An executor shutting down drops a queued `Runnable` unrun while another thread wakes
/// the task and drops its handle: the future is dropped exactly once and nothing is
/// scheduled afterwards.
#[test]
fn runnable_dropped_unrun_races_with_wake_and_handle_drop() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, slot) = fut(2);
        let (runnable, task) = spawn(f, scheduler(&queue));
        runnable.run_now();
        let waker = slot.lock().unwrap().take().unwrap();
        waker.wake_by_ref(); // queued again
        let t = thread::spawn(move || {
            waker.wake();
            drop(task);
        });
        let queued = queue.lock().unwrap().pop_front();
        drop(queued); // shutdown: dropped without running
        t.join().unwrap();
        // Whatever was scheduled meanwhile is dropped unrun too.
        let rest: Vec<_> = queue.lock().unwrap().drain(..).collect();
        drop(rest);
        assert_eq!(counts.polls.load(SeqCst), 1);
        assert_eq!(counts.drops.load(SeqCst), 1);
    });
}

/// The awaiter re-polls the `Task` with a different waker while the task completes on
/// another thread: if the second poll returned `Pending`, the second waker is woken.
#[test]
fn awaiter_waker_replaced_while_completing() {
    loom::model(|| {
        let queue = new_queue();
        let (f, counts, _slot) = fut(0);
        let (runnable, mut task) = spawn(f, scheduler(&queue));
        let first = StdArc::new(CountingWaker(std::sync::atomic::AtomicUsize::new(0)));
        let second = StdArc::new(CountingWaker(std::sync::atomic::AtomicUsize::new(0)));
        let (w1, w2) = (Waker::from(first.clone()), Waker::from(second.clone()));
        assert!(
            Pin::new(&mut task)
                .poll(&mut Context::from_waker(&w1))
                .is_pending()
        );
        let runner = thread::spawn(move || runnable.run_now());
        let polled = Pin::new(&mut task).poll(&mut Context::from_waker(&w2));
        runner.join().unwrap();
        let output = match polled {
            Poll::Ready(v) => v,
            Poll::Pending => {
                assert_eq!(second.0.load(std::sync::atomic::Ordering::SeqCst), 1);
                match Pin::new(&mut task).poll(&mut Context::from_waker(&w2)) {
                    Poll::Ready(v) => v,
                    Poll::Pending => panic!("woken but not ready"),
                }
            }
        };
        assert_eq!(output, 1);
        assert_eq!(counts.drops.load(SeqCst), 1);
        drop(task);
        drain(&queue);
    });
}
