//! The `#[coroutine]` attribute. Use it through the `coroutine` crate, which re-exports
//! it and provides the runtime types the expansion names.
//!
//! The pipeline, one file per stage: `attr` parses the attribute arguments, `ast`
//! builds the model of the fn, `valid` checks it, `visit` rewrites `yield_!` /
//! `yield_from!` in the body, `expand` generates the code, `error` collects errors.
//! `inline` is `co!`, the same for a closure or an `async` block.

mod ast;
mod attr;
mod error;
mod expand;
mod inline;
mod valid;
mod visit;

use proc_macro::TokenStream;

/// Turns a fn containing `yield_!` into a coroutine. Documented in the `coroutine`
/// crate, which re-exports it; use it from there.
///
/// ```
/// use coroutine::yield_;
///
/// #[coroutine::coroutine(yield = u8)]
/// fn two() {
///     yield_!(1);
///     yield_!(2);
/// }
///
/// assert_eq!(two().into_iter().collect::<Vec<_>>(), [1, 2]);
/// ```
#[proc_macro_attribute]
pub fn coroutine(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::coroutine(args.into(), &item.into()).into()
}

/// A coroutine written inline, from a closure or an `async` block. Documented in the
/// `coroutine` crate, which re-exports it; use it from there.
///
/// ```
/// use coroutine::{co, yield_};
///
/// let words = ["a", "b"];
/// let c = co!(|| for w in words {
///     yield_!(w)
/// });
/// assert_eq!(c.into_iter().collect::<Vec<_>>(), ["a", "b"]);
/// ```
#[proc_macro]
pub fn co(input: TokenStream) -> TokenStream {
    inline::co(input.into()).into()
}
