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

// The macros' documentation is on their re-exports in the `coroutine` crate (rustdoc
// would show both, one above the other, on the re-export's page).
#[allow(
    missing_docs,
    reason = "documented where users find it: the coroutine crate"
)]
#[proc_macro_attribute]
pub fn coroutine(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::coroutine(args.into(), &item.into()).into()
}

#[allow(
    missing_docs,
    reason = "documented where users find it: the coroutine crate"
)]
#[proc_macro]
pub fn co(input: TokenStream) -> TokenStream {
    inline::co(input.into()).into()
}
