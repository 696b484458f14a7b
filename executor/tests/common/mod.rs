//! Counting helpers shared by the executor's tests.
#![allow(dead_code, reason = "each test file uses a subset")]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Counts polls, wakes issued and drops of the futures made from it.
#[derive(Default, Debug)]
pub struct Counters {
    pub polls: AtomicUsize,
    pub wakes: AtomicUsize,
    pub drops: AtomicUsize,
}

impl Counters {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    pub fn polls(&self) -> usize {
        self.polls.load(Ordering::SeqCst)
    }
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
    pub fn drops(&self) -> usize {
        self.drops.load(Ordering::SeqCst)
    }
}

/// Increments `drops` when dropped.
#[derive(Debug)]
pub struct DropGuard(pub Arc<Counters>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that wakes itself `self_wakes` times (each time during its own poll) and is
/// ready on the next poll; counts polls, wakes and its drop.
#[derive(Debug)]
pub struct SelfWaking {
    pub counters: Arc<Counters>,
    pub self_wakes: usize,
    pub _guard: DropGuard,
}

impl SelfWaking {
    pub fn new(counters: &Arc<Counters>, self_wakes: usize) -> Self {
        Self {
            counters: counters.clone(),
            self_wakes,
            _guard: DropGuard(counters.clone()),
        }
    }
}

impl Future for SelfWaking {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let polls = self.counters.polls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.self_wakes == 0 {
            return Poll::Ready(polls);
        }
        self.self_wakes -= 1;
        self.counters.wakes.fetch_add(1, Ordering::SeqCst);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A future that stores its waker in a shared slot and is ready once `ready` is set;
/// counts polls and its drop.
#[derive(Debug)]
pub struct Parked {
    pub counters: Arc<Counters>,
    pub slot: Arc<Slot>,
    pub _guard: DropGuard,
}

/// The shared slot of a [`Parked`] future.
#[derive(Default, Debug)]
pub struct Slot {
    pub waker: Mutex<Option<Waker>>,
    pub ready: std::sync::atomic::AtomicBool,
}

impl Slot {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    /// Wakes the stored waker by reference (keeps it stored).
    pub fn wake(&self) {
        if let Some(w) = self.waker.lock().unwrap().as_ref() {
            w.wake_by_ref();
        }
    }
    /// Marks ready, then wakes.
    pub fn finish(&self) {
        self.ready.store(true, Ordering::SeqCst);
        self.wake();
    }
    pub fn take(&self) -> Option<Waker> {
        self.waker.lock().unwrap().take()
    }
}

impl Parked {
    pub fn new(counters: &Arc<Counters>, slot: &Arc<Slot>) -> Self {
        Self {
            counters: counters.clone(),
            slot: slot.clone(),
            _guard: DropGuard(counters.clone()),
        }
    }
}

impl Future for Parked {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.counters.polls.fetch_add(1, Ordering::SeqCst);
        if self.slot.ready.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *self.slot.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Yields once (wakes itself during its poll, then is ready), without the time module.
pub async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// The message of a caught panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<non-string panic>")
    }
}
