//! The expansion is clean under strict lints in the user's crate, including
//! `forbid(unsafe_code)` (the expansion's own `unsafe` comes from the macro).
#![forbid(unsafe_code)]
#![deny(
    warnings,
    missing_docs,
    rust_2018_idioms,
    unused_qualifications,
    unused_results,
    single_use_lifetimes,
    trivial_casts,
    unreachable_pub,
    let_underscore_drop
)]

use coroutine::coroutine as co;
use coroutine::{yield_, yield_from};

/// Documented, with a renamed attribute import.
#[co(yield = u32)]
fn inner(n: u32) -> u32 {
    for i in 0..n {
        yield_!(i);
    }
    n
}

/// Delegates and awaits.
#[co(yield = u32)]
async fn outer(first: u32) -> u32 {
    yield_!(first);
    let n = yield_from!(inner(first));
    core::future::ready(n).await
}

fn main() {
    let total: u32 = inner(4).into_iter().sum();
    assert_eq!(total, 6);
    drop(outer(2));
}
