//! Panic isolation: a panic in a future's `Drop` or in its output's `Drop` never escapes
//! a run loop, never kills a worker, never leaves a task "running", and never leaks the
//! task (checked by counting this thread's live allocations).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use common::{Counters, panic_message, yield_once};
use executor::{Executor, LocalExecutor};

/// Counts the live allocations of the current thread (other test threads do not disturb
/// the count; the tests below allocate and free on one thread).
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|n| n.set(n.get() - 1));
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

/// Counts its drop, then panics with its message.
#[derive(Debug)]
struct PanicOnDrop(&'static str, Arc<Counters>);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.1.drops.fetch_add(1, Ordering::SeqCst);
        panic!("{}", self.0);
    }
}

/// Pending once (it wakes itself), then ready with a `PanicOnDrop("output drop")`; its
/// own `Drop` panics with "future drop".
struct BadFuture {
    polled: bool,
    counters: Arc<Counters>,
}

impl BadFuture {
    fn new(counters: &Arc<Counters>) -> Self {
        Self {
            polled: false,
            counters: counters.clone(),
        }
    }
}

impl Future for BadFuture {
    type Output = PanicOnDrop;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<PanicOnDrop> {
        if std::mem::replace(&mut self.polled, true) {
            Poll::Ready(PanicOnDrop("output drop", self.counters.clone()))
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Drop for BadFuture {
    fn drop(&mut self) {
        self.counters.drops.fetch_add(1, Ordering::SeqCst);
        panic!("future drop");
    }
}

/// Defect 4: the future's `Drop` panics, then the output's `Drop` panics too. The task's
/// outcome is the first panic; the second one is swallowed with the output; the task
/// completes, the executor keeps working and is dropped cleanly.
#[test]
fn future_and_output_drop_panics_do_not_escape_local_executor_run() {
    let c = Counters::new();
    let ex = LocalExecutor::new();
    let task = ex.spawn(BadFuture::new(&c));
    let err = catch_unwind(AssertUnwindSafe(|| ex.run(task))).unwrap_err();
    assert_eq!(panic_message(&*err), "future drop");
    assert_eq!(c.drops(), 2, "the future and the output, each dropped once");
    assert_eq!(ex.run(ex.spawn(async { 5 })), 5);
    drop(ex);
    assert_eq!(c.drops(), 2);
}

/// Defect 4 on the multi-threaded executor: the one worker survives the double panic
/// and runs the next task.
#[test]
fn future_and_output_drop_panics_do_not_kill_a_worker() {
    let c = Counters::new();
    let ex = Executor::with_threads(1);
    let task = ex.spawn(BadFuture::new(&c));
    let err = catch_unwind(AssertUnwindSafe(|| ex.run(task))).unwrap_err();
    assert_eq!(panic_message(&*err), "future drop");
    assert_eq!(c.drops(), 2);
    assert_eq!(ex.run(ex.spawn(async { 6 })), 6);
    drop(ex);
    assert_eq!(c.drops(), 2);
}

/// A completed task whose output panics when dropped, made on `ex`.
fn completed_task_with_panicking_output(
    ex: &LocalExecutor,
    c: &Arc<Counters>,
) -> executor::Task<PanicOnDrop> {
    let c = c.clone();
    let task = ex.spawn(async move {
        yield_once().await;
        PanicOnDrop("output drop", c)
    });
    while ex.try_tick() {}
    assert!(task.is_finished());
    task
}

/// Warms up what the first spawn, run and caught panic allocate once per thread, and
/// silences the panic hook for this file's deliberate panics (with `RUST_BACKTRACE` set,
/// the default hook caches symbols at each new panic site, which would count as live
/// allocations); any other panic, a failed assertion, is still printed.
fn warm_up(ex: &LocalExecutor) {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = panic_message(info.payload());
            if !["future drop", "output drop", "warm-up"].contains(&message.as_str()) {
                eprintln!("{info}");
            }
        }));
    });
    ex.run(ex.spawn(yield_once()));
    drop(catch_unwind(|| panic!("warm-up")));
}

/// Defect 5: dropping the handle of a completed task whose output's `Drop` panics
/// swallows that panic and still frees the task.
#[test]
fn dropping_a_handle_whose_output_panics_in_drop_frees_the_task() {
    let c = Counters::new();
    let ex = LocalExecutor::new();
    warm_up(&ex);
    let before = live();
    let task = completed_task_with_panicking_output(&ex, &c);
    // The panic payload, if any, is freed at the end of the statement.
    let swallowed = catch_unwind(AssertUnwindSafe(|| drop(task))).is_ok();
    assert_eq!(c.drops(), 1);
    assert_eq!(live(), before, "the task's allocation is freed");
    assert!(swallowed, "the output's panic is swallowed");
}

/// Defect 5, with `detach`.
#[test]
fn detaching_a_handle_whose_output_panics_in_drop_frees_the_task() {
    let c = Counters::new();
    let ex = LocalExecutor::new();
    warm_up(&ex);
    let before = live();
    let task = completed_task_with_panicking_output(&ex, &c);
    let swallowed = catch_unwind(AssertUnwindSafe(|| task.detach())).is_ok();
    assert_eq!(c.drops(), 1);
    assert_eq!(live(), before, "the task's allocation is freed");
    assert!(swallowed, "the output's panic is swallowed");
}

/// A task whose handle is gone and whose output panics when the runner drops it.
#[test]
fn an_output_nobody_takes_may_panic_in_drop() {
    let c = Counters::new();
    let ex = LocalExecutor::new();
    warm_up(&ex);
    let before = live();
    let cc = c.clone();
    ex.spawn(async move {
        yield_once().await;
        PanicOnDrop("output drop", cc)
    })
    .detach();
    while ex.try_tick() {}
    assert_eq!(c.drops(), 1);
    assert_eq!(live(), before, "the task's allocation is freed");
}
