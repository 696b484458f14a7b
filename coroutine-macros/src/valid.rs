//! Checks that make a fn unusable as a coroutine, reported together.

use syn::{FnArg, ItemFn};

use crate::ast::{is_coroutine_attr, is_lint_attr, is_resume_attr};
use crate::error::Errors;

pub(crate) fn check(item: &ItemFn, errors: &mut Errors) {
    // The attribute a second time (by its path or a path ending in `coroutine`): it
    // would run again on the generated fn.
    for attr in item.attrs.iter().filter(|a| is_coroutine_attr(a)) {
        errors.push_spanned(attr, "`#[coroutine]` is applied twice: remove one");
    }
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
                if pt.attrs.iter().any(is_resume_attr) {
                    for attr in pt
                        .attrs
                        .iter()
                        .filter(|a| !is_resume_attr(a) && !is_lint_attr(a))
                    {
                        let message = if attr.path().is_ident("cfg")
                            || attr.path().is_ident("cfg_attr")
                        {
                            "`#[cfg]` cannot be used on the `#[resume]` parameter: it sets the \
                             coroutine's resume type; put the `#[cfg]` on the whole fn"
                        } else {
                            "only lint attributes (`#[allow(..)]`, `#[expect(..)]`, ...) can be \
                             used on the `#[resume]` parameter"
                        };
                        errors.push_spanned(attr, message);
                    }
                }
            }
        }
    }
}
