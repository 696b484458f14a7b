//! The async oracle's runtime (native side only, `src/nrt.rs`): an `async` block whose
//! yields are `Chan::yield_(v).await`, a future that hands `v` out and suspends, then
//! completes with the next resume argument. The body is compiled by rustc as any
//! `async` block, so its drop order is an `async fn`'s.
#![allow(dead_code)]

use std::cell::Cell;
use std::future::Future;
use std::ops::CoroutineState;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

pub struct Chan<Y, A> {
    y: Cell<Option<Y>>,
    a: Cell<Option<A>>,
}

impl<Y, A> Chan<Y, A> {
    pub fn new() -> Rc<Self> {
        Rc::new(Chan { y: Cell::new(None), a: Cell::new(None) })
    }

    /// The first resume argument (the body's `#[resume]` binding).
    pub fn first(&self) -> A {
        self.a.take().expect("oracle: no first resume argument")
    }

    pub fn yield_(&self, v: Y) -> YieldFut<'_, Y, A> {
        YieldFut { chan: self, value: Some(v) }
    }
}

pub struct YieldFut<'c, Y, A> {
    chan: &'c Chan<Y, A>,
    value: Option<Y>,
}

impl<Y, A> Unpin for YieldFut<'_, Y, A> {}

impl<Y, A> Future for YieldFut<'_, Y, A> {
    type Output = A;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<A> {
        let this = self.get_mut();
        match this.value.take() {
            Some(v) => {
                this.chan.y.set(Some(v));
                Poll::Pending
            }
            None => Poll::Ready(this.chan.a.take().expect("oracle: resumed without an argument")),
        }
    }
}

pub struct NGen<F, Y, A> {
    chan: Rc<Chan<Y, A>>,
    fut: F,
}

impl<F: Future, Y, A> NGen<F, Y, A> {
    pub fn new(chan: Rc<Chan<Y, A>>, fut: F) -> Self {
        NGen { chan, fut }
    }

    pub fn resume(self: Pin<&mut Self>, arg: A) -> NResume<'_, F, Y, A> {
        NResume { g: self, arg: Some(arg) }
    }
}

pub struct NResume<'a, F, Y, A> {
    g: Pin<&'a mut NGen<F, Y, A>>,
    arg: Option<A>,
}

impl<F, Y, A> Unpin for NResume<'_, F, Y, A> {}

/// Drops an argument the body did not take, on return and during unwinding.
struct Leftover<'c, Y, A>(&'c Chan<Y, A>);

impl<Y, A> Drop for Leftover<'_, Y, A> {
    fn drop(&mut self) {
        drop(self.0.a.take());
    }
}

impl<F: Future, Y, A> Future for NResume<'_, F, Y, A> {
    type Output = CoroutineState<Y, F::Output>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // SAFETY: `fut` is structurally pinned: never moved out of `NGen`, which has no
        // `Drop` and is only reached through `Pin`.
        let g = unsafe { this.g.as_mut().get_unchecked_mut() };
        let chan = &*g.chan;
        let fut = unsafe { Pin::new_unchecked(&mut g.fut) };
        if let Some(a) = this.arg.take() {
            chan.a.set(Some(a));
        }
        let _leftover = Leftover(chan);
        match fut.poll(cx) {
            Poll::Ready(r) => Poll::Ready(CoroutineState::Complete(r)),
            Poll::Pending => match chan.y.take() {
                Some(v) => Poll::Ready(CoroutineState::Yielded(v)),
                None => Poll::Pending,
            },
        }
    }
}

/// One resume of an async delegate, for the oracle's `yield_from!` loop.
pub fn nresume<F: Future, Y, A>(g: Pin<&mut NGen<F, Y, A>>, arg: A) -> NResume<'_, F, Y, A> {
    g.resume(arg)
}

/// The same through a `Pin<Box<_>>` delegate.
pub fn nresume_boxed<F: Future, Y, A>(
    g: Pin<&mut Pin<Box<NGen<F, Y, A>>>>,
    arg: A,
) -> NResume<'_, F, Y, A> {
    g.get_mut().as_mut().resume(arg)
}
