//! Integration tests live in `tests/`; this library runs the workspace README's
//! examples as doctests and holds what several of the tests use.

use core::future::Future;
use core::task::Poll;

/// Returns `Pending` once, then `Ready`.
pub fn pending_once() -> impl Future<Output = ()> {
    let mut first = true;
    core::future::poll_fn(move |_| {
        if core::mem::take(&mut first) {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
}

/// The workspace README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
