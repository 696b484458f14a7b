//! [`block_on`]: run one future to completion on the current thread.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use crate::park::{current_ctx, fire_timers, park_idle};

/// Runs `future` to completion on the current thread and returns its output.
///
/// The thread parks while the future is pending (it never spins), and it drives the
/// crate's timers ([`sleep`](crate::sleep), [`timeout`](crate::timeout), ...): while
/// parked, and before every re-poll of a future that woke itself (see
/// [`time`](crate::time) for how the run loops share that work).
/// The future is woken through a cached per-thread waker that sets a flag and unparks
/// the thread, so `block_on` is unaffected by other code that parks or unparks the same
/// thread: a foreign `unpark` only causes a re-check of the flag. A future that is ready
/// at once costs one poll: no allocation, no atomic read-modify-write.
///
/// ```
/// let v = executor::block_on(async { 40 + 2 });
/// assert_eq!(v, 42);
/// ```
///
/// # Panics
///
/// If called from inside another `block_on`, [`LocalExecutor::run`](crate::LocalExecutor::run),
/// a task polled by [`LocalExecutor::try_tick`](crate::LocalExecutor::try_tick) or
/// [`Executor::run`](crate::Executor::run) (or a worker of an [`Executor`](crate::Executor))
/// on the same thread: the inner call would block the outer executor. `.await` the
/// future instead. Panics of `future` itself propagate.
///
/// ```should_panic
/// executor::block_on(async {
///     executor::block_on(async {}); // panics: nested
/// });
/// ```
#[inline]
pub fn block_on<F: Future>(future: F) -> F::Output {
    block_on_named(future, "executor::block_on")
}

/// [`block_on`], with the name of the public entry point for the nesting panic.
#[inline]
pub(crate) fn block_on_named<F: Future>(future: F, name: &'static str) -> F::Output {
    // SAFETY: `ctx` is used only until this function returns, inside the thread's code.
    let ctx = unsafe { current_ctx() };
    let _entered = ctx.enter(name);
    // Declared after the guard, so dropped before it: the guard's drop may call into the
    // timer driver, and a future still alive at that call would have to be kept in memory
    // through the whole loop rather than in registers.
    let mut future = pin!(future);
    let parker = ctx.parker();
    let waker = parker.waker_ref();
    let mut cx = Context::from_waker(&waker);
    // The loop is here rather than in a `LocalKey::with` closure: inlined into the
    // caller, a future that completes in one poll (a stream drained in a loop) can have
    // its state kept in registers.
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if parker.take_notified() {
            // Woken during the poll: poll again at once, but keep the timers going
            // (a future that always wakes itself must not starve them).
            fire_timers();
            continue;
        }
        while !parker.take_notified() {
            park_idle(ctx);
        }
    }
}
