//! [`timeout`]: bound the time a future may take.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::sleep::{Sleep, sleep};

/// Runs `future` for at most `duration`: `Ok` with its output if it completes in time,
/// `Err(Elapsed)` otherwise (and `future` is dropped with the [`Timeout`]).
///
/// The future is polled before the deadline is checked, so a future that is ready at
/// once completes with `Ok` even with a zero duration.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use executor::{sleep, timeout};
///
/// executor::block_on(async {
///     let quick = timeout(Duration::from_secs(5), async { 42 }).await;
///     assert_eq!(quick, Ok(42));
///
///     let slow = timeout(Duration::from_millis(1), sleep(Duration::from_secs(60 * 60))).await;
///     assert!(slow.is_err());
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        deadline: sleep(duration),
    }
}

/// The future returned by [`timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let bounded = executor::timeout(Duration::from_millis(1), std::future::pending::<()>());
/// let result: Result<(), executor::Elapsed> = executor::block_on(bounded);
/// assert!(result.is_err());
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Timeout<F> {
    /// The bounded future; structurally pinned.
    future: F,
    /// The deadline (`Unpin`, never pinned).
    deadline: Sleep,
}

impl<F> Timeout<F> {
    /// The wrapped future.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let bounded = executor::timeout(Duration::from_secs(1), std::future::ready(7));
    /// let inner: &std::future::Ready<i32> = bounded.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// Unwraps the future, dropping the deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let bounded = executor::timeout(Duration::from_secs(1), std::future::ready(7));
    /// assert_eq!(executor::block_on(bounded.into_inner()), 7);
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is only ever reached through this
        // `Pin` projection, `Timeout` has no `Drop` impl and is not `#[repr(packed)]`, its
        // `Unpin` is the auto impl (so `Unpin` only when `F: Unpin`), and `into_inner`
        // takes `self` by value, which a pinned `Timeout` cannot give. `deadline` is not
        // structurally pinned (it is `Unpin`), and nothing here moves `future`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: `this.future` is pinned because `this` was (see above), and it is not
        // moved out of `this` before `this` itself is dropped.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        this.deadline.poll_at(cx).map(|()| Err(Elapsed(())))
    }
}

/// The error of a [`timeout`] whose deadline passed before its future completed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let err = executor::block_on(executor::timeout(
///     Duration::ZERO,
///     executor::sleep(Duration::from_secs(60)),
/// ))
/// .unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// assert_eq!(format!("{err:?}"), "Elapsed");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Elapsed(());

impl fmt::Debug for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Elapsed")
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}
