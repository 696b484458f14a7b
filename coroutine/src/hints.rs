//! Traits that exist only so that misuse gets an error naming the fix: each is
//! implemented by `()` alone and carries a `#[diagnostic::on_unimplemented]` message.

/// A coroutine without a resume argument: iterators, streams and futures need one.
#[diagnostic::on_unimplemented(
    message = "this coroutine takes a resume argument of type `{Self}`, so it cannot be iterated, streamed or awaited",
    label = "resumed with a `{Self}` each time",
    note = "resume it with `.resume(arg)` (an `async fn` coroutine: `.resume(arg).await`); iterating, streaming or awaiting needs a coroutine without a `#[resume]` parameter"
)]
pub trait NoResumeArgument: Sized {
    /// The argument each step passes.
    fn arg() -> Self;
}

impl NoResumeArgument for () {
    #[inline(always)]
    fn arg() {}
}

/// A coroutine that yields `()`: only those are futures.
#[diagnostic::on_unimplemented(
    message = "this coroutine yields `{Self}` values, so it is not a `Future`",
    label = "yields `{Self}`",
    note = "a coroutine is a `Future` (each `yield_!()` a cooperative yield point) only when it yields `()`; for its values, iterate it (`.into_iter()`, `pin!(c).iter()`) or consume it as a `Stream`"
)]
pub trait YieldsNothing {}

impl YieldsNothing for () {}

/// The value of a `yield_!` in a coroutine that names no yield type (so yields `()`).
#[diagnostic::on_unimplemented(
    message = "this coroutine yields `()`, not `{Self}`",
    label = "a `{Self}` is yielded here",
    note = "name the yield type in the attribute: `#[coroutine::coroutine(yield = {Self})]`"
)]
pub trait UnitYield {}

impl UnitYield for () {}

/// Never implemented: calling `next` on a sync coroutine says how to iterate it.
#[diagnostic::on_unimplemented(
    message = "a coroutine is not an iterator",
    label = "`next` called on a coroutine",
    note = "iterate it with `.into_iter()` (boxes it once), or without allocating with `core::pin::pin!(c).iter()`, or resume it step by step with `.resume(arg)`; iterating or streaming needs a coroutine without a `#[resume]` parameter"
)]
pub trait IterateInstead {}

/// Never implemented: `into_iter` without the `alloc` feature says what to do instead.
#[diagnostic::on_unimplemented(
    message = "`into_iter` on a coroutine needs the `alloc` feature of `stable-coroutine`",
    label = "needs `alloc`",
    note = "it boxes the coroutine once, so it can move; enable `alloc` (or `std`, on by default), or iterate without allocating: `core::pin::pin!(c).iter()`"
)]
pub trait NeedsAlloc {}
