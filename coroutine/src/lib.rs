//! Stackless coroutines on stable Rust.
//!
//! A *coroutine* is a function that can suspend itself in the middle, hand a value
//! out (`yield_!`), and later be resumed where it left off, optionally receiving a value
//! back. `#[coroutine::coroutine]` turns a function containing `yield_!` into a pinned,
//! self-referential state machine that is at once a resumable generator
//! ([`Coroutine::resume`]), an iterator, a [`Stream`](futures_core::Stream), and (when it
//! yields `()`) a [`Future`] any executor can drive.
//!
//! ```
//! use coroutine::{yield_, Coroutine, CoroutineState};
//! use core::pin::pin;
//!
//! #[coroutine::coroutine(yield = u32)]
//! fn countdown(from: u32) -> &'static str {
//!     for i in (1..=from).rev() {
//!         yield_!(i);
//!     }
//!     "liftoff"
//! }
//!
//! #[coroutine::coroutine(yield = i64)]
//! fn running_sum(#[resume] first: i64) -> ! {
//!     let (mut total, mut x) = (0, first);
//!     loop {
//!         total += x;
//!         x = yield_!(total); // evaluates to the next resume argument
//!     }
//! }
//!
//! assert_eq!(countdown(3).into_iter().collect::<Vec<_>>(), [3, 2, 1]);
//!
//! let mut sum = pin!(running_sum());
//! assert_eq!(sum.as_mut().resume(5), CoroutineState::Yielded(5));
//! assert_eq!(sum.as_mut().resume(10), CoroutineState::Yielded(15));
//! ```
//!
//! # Inline coroutines
//!
//! [`co!`] makes a coroutine as an expression, from a closure (a sync coroutine) or an
//! `async` block (an async coroutine), capturing its environment exactly as that
//! closure or block would: by reference, or by value with `move`, borrows checked by
//! the compiler. The closure's parameter, if any, binds the first resume argument. The
//! yield type is inferred from the `yield_!`s; write it as `co!(yield = T, || ..)`
//! where it cannot be (a coercion at the yield, say), or for speed: with the yield
//! and resume types written out, a coroutine of [`LifetimeFree`] types needs no
//! run-time identity (cheaper to make, and faster as a stream under an executor),
//! which an inferred type is known too late to allow. The value is the same [`Gen`] or
//! [`AsyncGen`] a fn coroutine returns, with every trait above, and holds its state
//! inline.
//!
//! ```
//! use coroutine::{co, yield_, Coroutine, CoroutineState};
//! use core::pin::pin;
//!
//! let words = vec!["a", "b"];
//! let prefix = String::from("> ");
//! let lines = co!(|| for w in &words {
//!     yield_!(format!("{prefix}{w}"))
//! });
//! assert_eq!(lines.into_iter().collect::<Vec<_>>(), ["> a", "> b"]);
//!
//! let mut sum = pin!(co!(|first: i64| {
//!     let mut total = first;
//!     loop {
//!         total += yield_!(total);
//!     }
//! }));
//! assert_eq!(sum.as_mut().resume(5), CoroutineState::Yielded(5));
//! assert_eq!(sum.as_mut().resume(10), CoroutineState::Yielded(15));
//! ```
//!
//! rustfmt formats `co!(|| ..)` and `co!(async { .. })` as the closure or block they
//! are (not the form with `yield = T`, which is not an expression); `co!` is found by
//! name inside a fn coroutine's body, and its `yield_!`s are its own.
//!
//! # Guide
//!
//! ## Which form to use
//!
//! | you want | write | costs (measured, `cargo run --release -p coroutine-bench`) |
//! |---|---|---|
//! | step by step, with resume arguments | `let mut c = pin!(f()); c.as_mut().resume(arg)` | a resume costs what a hand-written state machine's step does (1.00x); no allocation |
//! | a `for` loop or iterator adapters, in place | `pin!(f()).iter()` | an item costs what a hand-written `Iterator::next` does (1.00x); no allocation |
//! | an iterator to return or store | `f().into_iter()` | one allocation (`Box::pin`) per coroutine; then 1.00-1.07x per item |
//! | coroutines of different bodies in one field or `Vec` | [`BoxCoroutine`] (`Box::pin(f())`) | one allocation, and a dynamic call per resume |
//! | an async consumer | the `Stream` impl (`s.next().await`, combinators) | 1.00x a hand-written `Stream` under a no-op waker and under `executor::block_on`, about 2.3x under `futures::executor` (where the hand-written one keeps its state in memory too); for [`LifetimeFree`] yield types, see below |
//! | a cooperative task | the `Future` impl of a coroutine that yields `()` | each `yield_!()` wakes the task and returns `Pending` once |
//!
//! Making a coroutine allocates nothing; a stack-pinned one that yields three values
//! costs 1.3x a hand-written three-item iterator.
//!
//! These figures are for yield and resume types that are [`LifetimeFree`] (numbers,
//! `String`, the standard containers of such types, and types of your own that
//! implement it): their yields prove they belong to their coroutine by their types
//! alone. Any other coroutine (borrowed yields, `yield = T` with no `LifetimeFree`
//! bound, `co!` with an inferred yield type) takes a run-time identity: making it costs
//! 2.2x the iterator, and under an executor a stream of it runs at about 5x the
//! hand-written one (still a little faster than async-stream). Both are equally sound (see
//! "Soundness").
//!
//! ## Methods and traits
//!
//! The attribute works on methods with any receiver, and in trait impls whose trait
//! names the coroutine through `impl Coroutine<..>` (or a boxed alias). A borrowed
//! receiver stays borrowed while the coroutine lives, as with an `async fn`:
//!
//! ```
//! use coroutine::{yield_, Coroutine};
//!
//! struct Counter {
//!     names: Vec<String>,
//!     hits: u32,
//! }
//!
//! trait Names {
//!     fn names(&self) -> impl Coroutine<Yield = &str, Return = usize>;
//! }
//!
//! impl Names for Counter {
//!     // `&str` is the receiver's lifetime, as the signature's elision gives.
//!     #[coroutine::coroutine(yield = &str)]
//!     fn names(&self) -> usize {
//!         for n in &self.names {
//!             yield_!(n.as_str());
//!         }
//!         self.names.len()
//!     }
//! }
//!
//! impl Counter {
//!     #[coroutine::coroutine(yield = u32)]
//!     fn count(&mut self, n: u32) {
//!         for _ in 0..n {
//!             self.hits += 1;
//!             yield_!(self.hits);
//!         }
//!     }
//!
//!     #[coroutine::coroutine(yield = String)]
//!     fn into_names(self) {
//!         for n in self.names {
//!             yield_!(n);
//!         }
//!     }
//! }
//!
//! let mut c = Counter { names: vec!["a".into(), "b".into()], hits: 0 };
//! assert_eq!(coroutine::Iter::new(Box::pin(c.names())).collect::<Vec<_>>(), ["a", "b"]);
//! assert_eq!(c.count(2).into_iter().collect::<Vec<_>>(), [1, 2]);
//! assert_eq!(c.into_names().into_iter().collect::<Vec<_>>(), ["a", "b"]);
//! ```
//!
//! ## On tokio, end to end
//!
//! An `async fn` coroutine is `Send` when what it holds across `.await`s and yields is,
//! so it can be a task of a multi-threaded runtime, and its `Stream` takes the usual
//! combinators (this program runs in the crate's test suite, with `tokio` and
//! `futures`):
//!
//! ```ignore
//! use futures::StreamExt;
//!
//! #[coroutine::coroutine(yield = u32)]
//! async fn evens_from(mut rx: tokio::sync::mpsc::Receiver<u32>) -> usize {
//!     let mut seen = 0;
//!     while let Some(n) = rx.recv().await {
//!         seen += 1;
//!         if n % 2 == 0 {
//!             coroutine::yield_!(n);
//!         }
//!     }
//!     seen
//! }
//!
//! #[tokio::main]
//! async fn main() {
//!     let (tx, rx) = tokio::sync::mpsc::channel(4);
//!     tokio::spawn(async move {
//!         for n in 1..=10 {
//!             tx.send(n).await.unwrap();
//!         }
//!     });
//!     let sum = tokio::spawn(async move {
//!         evens_from(rx).map(|n| n * 10).fold(0, |acc, n| async move { acc + n }).await
//!     })
//!     .await
//!     .unwrap();
//!     assert_eq!(sum, 300);
//! }
//! ```
//!
//! ## Recursion
//!
//! A coroutine can delegate to itself through a box: `yield_from!(Box::pin(f(..)))`.
//! Each level is a coroutine of its own, so every item passes through every level
//! between it and the consumer: a walk to depth `d` costs `O(d)` per item, and each
//! level's resume is a nested call, so a very deep chain (about 10 000 levels in a debug
//! build) overflows the stack.
//!
//! ```
//! use coroutine::{yield_, yield_from};
//!
//! /// `0..n`, one level per number.
//! #[coroutine::coroutine(yield = u32)]
//! fn down(n: u32) {
//!     if n > 0 {
//!         yield_from!(Box::pin(down(n - 1)));
//!         yield_!(n - 1);
//!     }
//! }
//!
//! assert_eq!(down(4).into_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
//! ```
//!
//! ## Features and `no_std`
//!
//! The crate is `#![no_std]`. `alloc` adds what needs a box: `IntoIterator` (which
//! boxes the coroutine once so the iterator can move), the boxed aliases, and
//! [`Coroutine`] for `Box`/`Pin<Box>`. `std` (the default) implies `alloc`, and makes
//! coroutines cheaper: identities (of coroutines that take one) come from a
//! thread-local block instead of a global atomic counter, and a yield checks its thread
//! through a thread-local instead of its context's address. With `default-features = false`, coroutines are made and
//! run without an allocator: iterate them in place with `pin!(c).iter()`.
//!
//! # Writing the attribute
//!
//! Write the attribute with its path, `#[coroutine::coroutine]`, or import it under
//! another name (`use coroutine::coroutine as coro;` then `#[coro]`). rustc reserves the
//! bare `#[coroutine]` for nightly coroutine closures and rejects it on stable with
//! E0659 ("`coroutine` is ambiguous ... name conflict with a builtin attribute").
//!
//! Arguments: `yield = T` sets the yield type (default `()`); `crate = path` names this
//! crate for re-exporters (default `::coroutine`). A parameter marked `#[resume]`
//! binds the argument of the *first* `resume` call and sets the resume type; every
//! `yield_!(v)` evaluates to the argument of the `resume` that continues it.
//! [`yield_from!`] runs another coroutine to completion inside this one.
//!
//! # Async coroutines
//!
//! On an `async fn`, the body may also `.await` other futures. The result
//! ([`AsyncGen`]) is a [`Stream`](futures_core::Stream) of its yields when it takes no
//! resume argument, a `Future` when it yields `()`, and is resumed with
//! [`AsyncGen::resume`]`(arg).await` otherwise. The waker of whoever polls it reaches
//! every future the body awaits, so it runs on any executor and inside any combinator.
//! `yield_from!` there also delegates to async coroutines and to any `Stream` (which
//! evaluates to `()`).
//!
//! `?` completes the coroutine with the error, as in an `async fn`; a stream consumer
//! finds the return value with [`AsyncGen::take_return`] once the stream ended:
//!
//! ```
//! use coroutine::yield_;
//! use core::pin::pin;
//! use futures_util::StreamExt;
//!
//! #[coroutine::coroutine(yield = u32)]
//! async fn parse_all(inputs: Vec<&'static str>) -> Result<u32, std::num::ParseIntError> {
//!     let mut sum = 0;
//!     for s in inputs {
//!         let n: u32 = async { s.parse() }.await?; // an error ends the stream
//!         sum += n;
//!         yield_!(n);
//!     }
//!     Ok(sum)
//! }
//!
//! # futures_executor::block_on(async {
//! let mut s = pin!(parse_all(vec!["1", "x", "3"]));
//! assert_eq!(s.as_mut().collect::<Vec<_>>().await, [1]);
//! assert!(s.as_mut().take_return().unwrap().is_err());
//! # });
//! ```
//!
//! # Explanation
//!
//! The attribute lowers the body to an `async move` block (so the compiler computes
//! the state machine: exact types, borrows held across `yield_!`, drop order) and wraps
//! it in a [`Gen`]:
//!
//! ```text
//! #[coroutine::coroutine(yield = u32)]
//! fn countdown(from: u32) -> &'static str { ...yield_!(i)... }
//!
//! // becomes, roughly:
//! fn countdown(from: u32) -> coroutine::Gen<impl Future<Output = &'static str>, u32, ()> {
//!     let (identity, yielder) = Pick::<u32, ()>::pair(); // see `LifetimeFree`
//!     Gen::new(identity, async move {
//!         let from = from;
//!         let ret: &'static str = 'body: { ...yielder.yield_(i).await... };
//!         ret
//!     })
//! }
//! ```
//!
//! Nothing that crosses a `yield_!` goes through a pointer stored in the coroutine:
//! during one `resume`, the yield slot and the resume argument live on the resumer's
//! stack and reach the body through the waker of the poll `Context` (recognised by its
//! vtable). Creating a coroutine allocates nothing; resuming it costs about what a
//! hand-written iterator's `next` costs.
//!
//! # Soundness
//!
//! No safe program can cause undefined behaviour through this crate, whatever it does
//! with the expansion: the expansion holds no `unsafe` (so `crate = path` may point
//! anywhere), and every item it names is sound under any use, even taken apart by a
//! user macro or named by its `#[doc(hidden)]` path. The yielder's types are tied to the
//! coroutine's by the type system (one `Yielder::pair` call makes both, so
//! elided lifetimes in `yield = T` or the resume type mean what the signature's elision
//! gives); and a yield future touches a resume's slot only after checking, at run time,
//! that it is polled by its own coroutine (or, when the yield and resume types are
//! [`LifetimeFree`], by a coroutine of exactly its types: a check the compiler folds
//! away), on that coroutine's thread, from inside its body. Misuse that gets past the
//! compiler is a panic with a message that says what happened. `SOUNDNESS.md` in the repository holds the whole argument, and the tests
//! attack each step of it.
//!
//! # What does not compile
//!
//! `yield_!` outside a coroutine:
//!
//! ```compile_fail
//! fn not_a_coroutine() {
//!     coroutine::yield_!(1);
//! }
//! ```
//!
//! `yield_!` inside a closure (or an `async` block, or a nested fn) in the body:
//!
//! ```compile_fail
//! #[coroutine::coroutine(yield = u32)]
//! fn f() {
//!     let g = || coroutine::yield_!(1);
//! }
//! ```
//!
//! `.await` in a coroutine that is not an `async fn`:
//!
//! ```compile_fail
//! #[coroutine::coroutine]
//! fn f() {
//!     core::future::ready(1).await;
//! }
//! ```
//!
//! A yielded value of the wrong type:
//!
//! ```compile_fail
//! #[coroutine::coroutine(yield = u32)]
//! fn f() {
//!     coroutine::yield_!("text");
//! }
//! ```
//!
//! # Features
//!
//! `#![no_std]`. `alloc` (on by default through `std`) adds `IntoIterator` for
//! coroutines (one allocation) and the `Box` impls of [`Coroutine`].
#![no_std]
#![allow(
    clippy::inline_always,
    reason = "the resume path's thin wrappers (resume, step, poll_next, Iter::next) must \
              inline for LLVM to see the whole state machine; measured in BENCHMARKS.md"
)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(feature = "std")]
extern crate std;

mod async_gen;
#[cfg(feature = "alloc")]
mod boxed;
mod channel;
mod delegate;
mod generator;
mod hints;
mod id;
mod iter;
mod plain;
mod state;

pub use async_gen::{AsyncGen, Resume};
#[cfg(feature = "alloc")]
pub use boxed::{BoxAsyncCoroutine, BoxCoroutine, LocalBoxAsyncCoroutine, LocalBoxCoroutine};
pub use delegate::{AsyncCoroutine, AsyncStep};
pub use generator::Gen;
pub use iter::Iter;
pub use plain::LifetimeFree;
pub use state::{Coroutine, CoroutineState};

/// Marks a fn as a coroutine. See the [crate docs](crate) for the full story.
///
/// ```
/// use coroutine::yield_;
///
/// #[coroutine::coroutine(yield = &'static str)]
/// fn words() {
///     yield_!("hello");
///     yield_!("world");
/// }
///
/// assert_eq!(words().into_iter().collect::<Vec<_>>(), ["hello", "world"]);
/// ```
pub use coroutine_macros::coroutine;

/// A coroutine written inline, as an expression: from a closure (a sync coroutine) or
/// an `async` block (an async coroutine), capturing its environment exactly as the
/// closure or block would. See [the crate docs](crate#inline-coroutines).
///
/// ```
/// use coroutine::{co, yield_};
///
/// let words = vec!["a", "b"];
/// let prefix = String::from("> ");
/// let lines = co!(|| for w in &words {
///     yield_!(format!("{prefix}{w}"))
/// });
/// assert_eq!(lines.into_iter().collect::<Vec<_>>(), ["> a", "> b"]);
/// ```
pub use coroutine_macros::co;

/// Suspends the coroutine, handing a value out; evaluates to the resume argument of the
/// `resume` call that continues it. `yield_!()` yields `()`.
///
/// Only usable directly in the body of a `#[coroutine::coroutine]` fn: not in a closure,
/// an `async` block or a nested fn there (a compile error says so). The attribute finds
/// it by its name, written `yield_!` or with a path (`coroutine::yield_!`); a renamed
/// import (`use coroutine::yield_ as y;`) is not recognised, and says so.
///
/// ```
/// use coroutine::{yield_, Coroutine, CoroutineState};
/// use core::pin::pin;
///
/// #[coroutine::coroutine(yield = String)]
/// fn echo(#[resume] first: u32) -> u32 {
///     let second = yield_!(format!("got {first}"));
///     first + second
/// }
///
/// let mut c = pin!(echo());
/// assert_eq!(c.as_mut().resume(1), CoroutineState::Yielded("got 1".to_string()));
/// assert_eq!(c.as_mut().resume(2), CoroutineState::Complete(3));
/// ```
#[macro_export]
macro_rules! yield_ {
    // What the attribute rewrites this to is `__yield!`'s business (hidden: not public).
    ($($tokens:tt)*) => {
        $crate::__yield!($($tokens)*)
    };
}

/// The expansion of [`yield_!`]: the attribute rewrites each `yield_!(e)` in a body to
/// an internal arm of it. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __yield {
    // The `#[coroutine]` attribute rewrites each `yield_!(e)` inside another macro's
    // tokens to this arm, passing a label of the body's outermost block and the body's
    // yielder (the `direct` arms below are for the `yield_!`s it sees in the body
    // itself). The dead `break` makes the expansion fail to compile anywhere the label
    // is unreachable: in a closure, an `async` block or a nested fn, wherever that
    // macro puts the `yield_!`. Soundness does not rest on it: every
    // future the yielder makes checks at run time that it is polled by its own
    // coroutine (see the crate docs, "Soundness").
    //
    // One expression, no block: the temporaries of `e` live to the end of the enclosing
    // statement, across the suspension, as for `.await` and native `yield`.
    (@__coroutine_unused) => {};
    (@__coroutine_internal $label:lifetime, $yielder:ident $(,)?) => {
        $crate::__yield!(@__coroutine_internal $label, $yielder, ())
    };
    // A coroutine that names no yield type: the same, but a value that is not `()` gets
    // an error that says to add `yield = T`.
    (@__coroutine_internal_unit $label:lifetime, $yielder:ident $(,)?) => {
        $crate::__yield!(@__coroutine_internal_unit $label, $yielder, ())
    };
    (@__coroutine_internal_unit $label:lifetime, $yielder:ident, $value:expr $(,)?) => {
        $yielder
            .yield_unit(
                if false {
                    break $label $crate::__private::unreachable();
                },
                $value,
            )
            .await
    };
    (@__coroutine_internal $label:lifetime, $yielder:ident, $value:expr $(,)?) => {
        $yielder
            .yield_(
                if false {
                    break $label $crate::__private::unreachable();
                },
                $value,
            )
            .await
    };
    // A `yield_!` the attribute saw directly in the body, not in another macro's tokens
    // (and not in a closure or `async` block, which it rejects): no guard needed.
    (@__coroutine_direct $yielder:ident $(,)?) => {
        $crate::__yield!(@__coroutine_direct $yielder, ())
    };
    (@__coroutine_direct $yielder:ident, $value:expr $(,)?) => {
        $yielder.yield_((), $value).await
    };
    (@__coroutine_direct_unit $yielder:ident $(,)?) => {
        $crate::__yield!(@__coroutine_direct_unit $yielder, ())
    };
    (@__coroutine_direct_unit $yielder:ident, $value:expr $(,)?) => {
        $yielder.yield_unit((), $value).await
    };
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`yield_!` outside a coroutine: mark the fn `#[coroutine::coroutine]`, with the path \
             (the bare `#[coroutine]` is rustc's builtin attribute, not this crate's), and call \
             `yield_!` directly in its body by its own name (`yield_!` or `path::yield_!`; a \
             renamed import is not recognised)"
        )
    };
}

/// Runs another coroutine to completion inside this one: each of its yields is yielded
/// out of this coroutine, each resume argument passed in; evaluates to its return value.
///
/// The delegate has the same yield and resume types. It may be a coroutine value, a
/// `Pin<&mut _>` or a `Pin<Box<_>>` of one (so recursion through `Box::pin` works). With a
/// resume type other than `()`, its first resume argument is given explicitly:
/// `yield_from!(c, first)`. Where it may be used, and under which names, is as for
/// [`yield_!`].
///
/// ```
/// use coroutine::{yield_, yield_from};
///
/// #[coroutine::coroutine(yield = u32)]
/// fn range(lo: u32, hi: u32) -> u32 {
///     for i in lo..hi {
///         yield_!(i);
///     }
///     hi - lo
/// }
///
/// #[coroutine::coroutine(yield = u32)]
/// fn two_ranges() -> u32 {
///     let a = yield_from!(range(0, 2));
///     let b = yield_from!(Box::pin(range(10, 13)));
///     a + b
/// }
///
/// let mut it = two_ranges().into_iter();
/// assert_eq!(it.by_ref().collect::<Vec<_>>(), [0, 1, 10, 11, 12]);
/// assert_eq!(it.take_return(), Some(5));
/// ```
#[macro_export]
macro_rules! yield_from {
    ($($tokens:tt)*) => {
        $crate::__yield_from!($($tokens)*)
    };
}

/// The expansion of [`yield_from!`]. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __yield_from {
    // The operands are the scrutinee of a `match`, so their temporaries live to the end
    // of the enclosing statement, as for `.await`.
    (@__coroutine_unused) => {};
    (@__coroutine_internal $label:lifetime, $yielder:ident, $delegate:expr $(,)?) => {
        $crate::__yield_from!(@__coroutine_internal $label, $yielder, $delegate, ())
    };
    (@__coroutine_internal $label:lifetime, $yielder:ident, $delegate:expr, $first:expr $(,)?) => {
        match ($delegate, $first) {
            (delegate, mut arg) => {
                if false {
                    break $label $crate::__private::unreachable();
                }
                let mut delegate = $crate::__private::pin!(delegate);
                loop {
                    match $crate::__private::resume(delegate.as_mut(), arg) {
                        $crate::CoroutineState::Yielded(value) => {
                            arg = $yielder.yield_((), value).await;
                        }
                        $crate::CoroutineState::Complete(ret) => break ret,
                    }
                }
            }
        }
    };
    // In an `async fn` coroutine the delegate may also be an async coroutine or a
    // stream; see `delegate.rs` for how the kind is chosen.
    (@__coroutine_internal_async $label:lifetime, $yielder:ident, $delegate:expr $(,)?) => {
        $crate::__yield_from!(@__coroutine_internal_async $label, $yielder, $delegate, ())
    };
    (@__coroutine_internal_async $label:lifetime, $yielder:ident, $delegate:expr, $first:expr $(,)?) => {
        match ($delegate, $first) {
            (delegate, mut arg) => {
                if false {
                    break $label $crate::__private::unreachable();
                }
                #[allow(unused_imports)]
                use $crate::__private::{AsyncKind as _, StreamKind as _, SyncKind as _};
                let mut delegate = $crate::__private::pin!(delegate);
                let kind = (&&&$crate::__private::Probe::new(&delegate, &arg)).__coroutine_kind();
                loop {
                    match kind.step(delegate.as_mut(), arg).await {
                        $crate::CoroutineState::Yielded(value) => {
                            arg = $yielder.yield_((), value).await;
                        }
                        $crate::CoroutineState::Complete(ret) => break ret,
                    }
                }
            }
        }
    };
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`yield_from!` outside a coroutine: mark the fn `#[coroutine::coroutine]`, with the \
             path (the bare `#[coroutine]` is rustc's builtin attribute, not this crate's), and \
             call `yield_from!` directly in its body by its own name (`yield_from!` or \
             `path::yield_from!`; a renamed import is not recognised)"
        )
    };
}

/// What the `#[coroutine]` expansion and the `yield_!`/`yield_from!` macros use. Not
/// public API: no semver guarantee.
#[doc(hidden)]
pub mod __private {
    pub use crate::async_gen::AsyncGen;
    pub use crate::channel::{
        FirstArg, Identity, Mode, Owned, Pick, PickChecked, PickPlain, Plain, Yield, Yielder,
    };
    pub use crate::delegate::{AsyncKind, Probe, StreamKind, SyncKind};
    pub use crate::generator::Gen;
    pub use crate::hints::{
        IterateInstead, NeedsAlloc, NoResumeArgument, UnitYield, YieldsNothing,
    };
    pub use crate::id::Id;
    pub use core::convert::Infallible;
    pub use core::future::Future;
    pub use core::marker::PhantomData;
    pub use core::option::Option;
    pub use core::pin::{Pin, pin};
    pub use core::task::{Context, Poll};

    /// Gives the `break` in the `yield_!` expansion a value of any type; never runs.
    #[inline]
    pub fn unreachable<T>() -> T {
        unreachable!()
    }

    /// Fixes a body's output type, so `?` and `return` in it know their target.
    #[inline]
    pub fn returning<R, F: Future<Output = R>>(body: F) -> F {
        body
    }

    /// `Coroutine::resume`, callable without the trait in scope.
    #[inline]
    pub fn resume<C: crate::Coroutine<A> + ?Sized, A>(
        c: Pin<&mut C>,
        arg: A,
    ) -> crate::CoroutineState<C::Yield, C::Return> {
        c.resume(arg)
    }
}

/// The package README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
