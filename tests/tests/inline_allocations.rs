//! A stack-pinned `co!` coroutine allocates nothing to be made or run. In a binary of its
//! own: it counts the allocations of the whole process.
#![deny(warnings)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use coroutine::{Coroutine, CoroutineState, co, yield_};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System` unchanged; the counter does not affect the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn made_and_run_stack_pinned_without_allocating() {
    let base = 3u64;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut c = pin!(co!(move |first: u64| {
        let mut total = first;
        for i in 0..base {
            total += yield_!(i);
        }
        total
    }));
    let mut sum = 0;
    let mut arg = 1;
    loop {
        match c.as_mut().resume(arg) {
            CoroutineState::Yielded(i) => sum += i,
            CoroutineState::Complete(total) => {
                assert_eq!(total, 1 + 10 + 10 + 10);
                break;
            }
        }
        arg = 10;
    }
    let mut iterated = pin!(co!(|| {
        yield_!(1u8);
        yield_!(2u8);
    }));
    assert_eq!(iterated.as_mut().iter().map(u32::from).sum::<u32>(), 3);
    assert_eq!(sum, 3);
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), before);
}
