//! A coroutine as an iterator, a future and a stream; allocation counts; `Send`/`Sync`.
#![deny(warnings)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use coroutine::{Coroutine, CoroutineState, yield_};
use futures_core::{FusedStream, Stream};

/// Counts this thread's allocations (tests run on parallel threads).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System` unchanged; the counter does not touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
        // SAFETY: the caller's guarantees are forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's guarantees are forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

#[coroutine::coroutine(yield = u32)]
fn countdown(from: u32) -> &'static str {
    for i in (1..=from).rev() {
        yield_!(i);
    }
    "liftoff"
}

#[test]
fn into_iterator_is_fused_and_keeps_the_return_value() {
    let mut it = countdown(2).into_iter();
    assert_eq!(it.take_return(), None);
    assert_eq!(it.next(), Some(2));
    assert_eq!(it.next(), Some(1));
    assert!(!it.is_complete());
    assert_eq!(it.next(), None);
    assert!(it.is_complete());
    for _ in 0..3 {
        assert_eq!(it.next(), None, "fused: never resumed after completion");
    }
    assert_eq!(it.take_return(), Some("liftoff"));
    assert_eq!(it.take_return(), None, "taken once");
}

#[test]
fn for_loop_over_a_coroutine() {
    let mut seen = vec![];
    for i in countdown(3) {
        seen.push(i);
    }
    assert_eq!(seen, [3, 2, 1]);
}

#[test]
fn into_iterator_allocates_once() {
    let (sum, allocs) = allocations_during(|| countdown(100).into_iter().sum::<u32>());
    assert_eq!(sum, 5050);
    assert_eq!(allocs, 1);
}

#[test]
fn creating_resuming_and_iterating_a_stack_pinned_coroutine_allocates_nothing() {
    let ((sum, ret), allocs) = allocations_during(|| {
        let mut c = pin!(countdown(100));
        let mut it = c.as_mut().iter();
        let sum = it.by_ref().sum::<u32>();
        (sum, it.take_return())
    });
    assert_eq!((sum, ret), (5050, Some("liftoff")));
    assert_eq!(allocs, 0);

    let (state, allocs) = allocations_during(|| {
        let mut c = pin!(countdown(1));
        c.as_mut().resume(());
        c.as_mut().resume(())
    });
    assert_eq!(state, CoroutineState::Complete("liftoff"));
    assert_eq!(allocs, 0);
}

/// A waker that counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[coroutine::coroutine]
fn cooperative(steps: u32) -> u32 {
    for _ in 0..steps {
        yield_!();
    }
    steps * 10
}

#[test]
fn as_a_future_each_yield_wakes_once_then_returns_pending() {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(cooperative(3));
    for expected_wakes in 1..=3 {
        assert_eq!(f.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(counter.0.load(Ordering::SeqCst), expected_wakes);
    }
    assert_eq!(f.as_mut().poll(&mut cx), Poll::Ready(30));
    assert_eq!(counter.0.load(Ordering::SeqCst), 3, "no wake on completion");
}

#[test]
fn as_a_future_any_executor_drives_it() {
    assert_eq!(futures::executor::block_on(cooperative(5)), 50);
    // Inside an async fn, awaited like any future.
    let total = futures::executor::block_on(async { cooperative(1).await + cooperative(2).await });
    assert_eq!(total, 30);
}

#[test]
fn as_a_fused_stream_keeping_the_return_value() {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut s = pin!(countdown(2));
    assert!(!s.is_terminated());
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(2)));
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(1)));
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None));
    assert!(s.is_terminated());
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None), "fused");
    assert_eq!(s.as_mut().take_return(), Some("liftoff"));
    assert_eq!(s.as_mut().take_return(), None);
    assert_eq!(
        counter.0.load(Ordering::SeqCst),
        0,
        "a sync stream never waits"
    );
}

#[test]
fn as_a_stream_with_stream_combinators() {
    use futures::StreamExt;
    let v: Vec<u32> = futures::executor::block_on(countdown(4).map(|x| x * 2).collect());
    assert_eq!(v, [8, 6, 4, 2]);
}

fn is_send<T: Send>(_: &T) {}
fn is_sync<T: Sync>(_: &T) {}

/// Compiles only when `T` is *not* `Send` (two impls would make `_` ambiguous).
trait NotSend<Marker> {
    fn check(&self) {}
}
impl<T: ?Sized> NotSend<()> for T {}
impl<T: ?Sized + Send> NotSend<u8> for T {}

/// Compiles only when `T` is *not* `Sync`.
trait NotSync<Marker> {
    fn check(&self) {}
}
impl<T: ?Sized> NotSync<()> for T {}
impl<T: ?Sized + Sync> NotSync<u8> for T {}

#[coroutine::coroutine(yield = usize)]
fn holds_rc_across_yield() {
    let rc = Rc::new(5);
    yield_!(*rc);
    drop(rc);
}

#[coroutine::coroutine(yield = usize)]
fn drops_rc_before_yield() {
    let n = {
        let rc = Rc::new(5);
        *rc
    };
    yield_!(n);
}

#[coroutine::coroutine(yield = u8)]
fn captures_cell(c: Cell<u8>) {
    yield_!(c.get());
}

#[test]
fn send_and_sync_are_inferred_from_what_is_held() {
    is_send(&countdown(1));
    is_sync(&countdown(1));
    is_send(&drops_rc_before_yield());
    is_sync(&drops_rc_before_yield());
    NotSend::check(&holds_rc_across_yield());
    NotSync::check(&holds_rc_across_yield());
    is_send(&captures_cell(Cell::new(1)));
    NotSync::check(&captures_cell(Cell::new(1)));
    // And a `Send` one really moves to another thread mid-iteration.
    let mut it = countdown(3).into_iter();
    assert_eq!(it.next(), Some(3));
    let rest = std::thread::spawn(move || it.collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(rest, [2, 1]);
}
