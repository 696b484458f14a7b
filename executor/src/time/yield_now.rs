//! [`yield_now`]: give the other tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields once to the executor: the returned future wakes its task and returns
/// [`Poll::Pending`] the first time it is polled, then [`Poll::Ready`].
///
/// Other runnable tasks get to run before the current one continues. A long computation
/// that awaits `yield_now()` now and then keeps a single-threaded executor responsive.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// let ex = executor::LocalExecutor::new();
/// let log = Rc::new(Cell::new(0));
/// let other = {
///     let log = log.clone();
///     ex.spawn(async move { log.set(log.get() + 1) })
/// };
/// ex.run(async {
///     // The spawned task has not run yet; yielding lets it.
///     while log.get() == 0 {
///         executor::yield_now().await;
///     }
///     other.await;
/// });
/// assert_eq!(log.get(), 1);
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
///
/// # Examples
///
/// ```
/// let yielding = executor::yield_now();
/// executor::block_on(yielding);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    /// Whether the one `Pending` was returned already.
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
