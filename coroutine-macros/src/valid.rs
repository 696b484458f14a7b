//! Checks that make a fn unusable as a coroutine, reported together.

use syn::{FnArg, ItemFn};

use crate::ast::is_resume_attr;
use crate::error::Errors;

pub(crate) fn check(item: &ItemFn, errors: &mut Errors) {
    let sig = &item.sig;
    if let Some(c) = &sig.constness {
        errors.push_spanned(c, "a `const fn` cannot be a coroutine");
    }
    if let Some(abi) = &sig.abi {
        errors.push_spanned(abi, "an `extern` fn cannot be a coroutine");
    }
    if let Some(v) = &sig.variadic {
        errors.push_spanned(v, "a variadic fn cannot be a coroutine");
    }
    let mut seen_resume = false;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                if let Some(attr) = r.attrs.iter().find(|a| is_resume_attr(a)) {
                    errors.push_spanned(attr, "`#[resume]` cannot be used on `self`");
                }
            }
            FnArg::Typed(pt) => {
                let mut resumes = pt.attrs.iter().filter(|a| is_resume_attr(a));
                if let Some(attr) = resumes.next() {
                    if !matches!(attr.meta, syn::Meta::Path(_)) {
                        errors.push_spanned(attr, "`#[resume]` takes no arguments");
                    }
                    if seen_resume {
                        errors.push_spanned(
                            attr,
                            "a coroutine can have at most one `#[resume]` parameter",
                        );
                    }
                    seen_resume = true;
                }
                for attr in resumes {
                    errors.push_spanned(attr, "duplicate `#[resume]` attribute");
                }
            }
        }
    }
}
