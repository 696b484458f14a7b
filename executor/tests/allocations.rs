//! Exact allocation counts: one allocation per spawned task, none per poll, wake, waker
//! clone or `block_on` of a ready future (once the executor's queues have grown).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::task::Waker;

use common::{Counters, Parked, SelfWaking, Slot, yield_once};
use executor::{LocalExecutor, block_on};

/// Counts the allocations made by the current thread (other test threads do not
/// disturb the count).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (r, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn one_allocation_per_spawned_task_and_none_to_run_it() {
    let ex = LocalExecutor::new();
    // Warm up the thread's context and the executor's tables (a task that returns
    // `Pending` once takes a slot in the table of live tasks, and frees it).
    ex.run(ex.spawn(yield_once()));
    let c = Counters::new();
    let fut = SelfWaking::new(&c, 10);
    let (task, n) = allocations(|| ex.spawn(fut));
    assert_eq!(n, 1, "the task is one allocation");
    let (out, n) = allocations(|| ex.run(task));
    assert_eq!(out, 11);
    assert_eq!(n, 0, "polls, self-wakes and awaiting allocate nothing");
    assert_eq!(c.drops(), 1);
}

#[test]
fn waker_clones_and_wakes_allocate_nothing() {
    let ex = LocalExecutor::new();
    ex.run(ex.spawn(yield_once()));
    let c = Counters::new();
    let slot = Slot::new();
    let task = ex.spawn(Parked::new(&c, &slot));
    assert!(ex.try_tick());
    let waker: Waker = slot.take().unwrap();
    let mut clones = Vec::with_capacity(100);
    // Inside `run`, as a task or the main future would.
    let ((), n) = allocations(|| {
        ex.run(async {
            clones.extend((0..100).map(|_| waker.clone()));
            for w in &clones {
                w.wake_by_ref();
            }
            clones.clear();
        });
    });
    assert_eq!(
        n, 0,
        "a waker clone is a reference count increment, a wake a push"
    );
    slot.finish();
    waker.wake();
    let ((), n) = allocations(|| ex.run(task));
    assert_eq!(n, 0);
    assert_eq!((c.polls(), c.drops()), (2, 1));
}

#[test]
fn block_on_a_ready_future_allocates_nothing() {
    block_on(async {}); // initializes the thread's parker
    let (v, n) = allocations(|| {
        let mut sum = 0;
        for i in 0..1000 {
            sum += block_on(std::future::ready(i));
        }
        sum
    });
    assert_eq!(v, 499_500);
    assert_eq!(n, 0);
}
