//! The parsed model of the annotated fn.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Attribute, Block, FnArg, Ident, Item, ItemFn, Pat, Path, Signature, Type, Visibility};

use crate::attr::Args;
use crate::error::Errors;

/// Whether the body may `.await` (an `async fn` coroutine) or not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Sync,
    Async,
}

/// A fn parameter other than the receiver and the `#[resume]` one.
pub(crate) struct Param {
    /// What the generated fn's parameter is called: the user's ident for a plain
    /// `x` / `mut x` binding, `__arg{i}` otherwise.
    pub(crate) ident: Ident,
    /// The user's pattern, bound to `ident` inside the body (`let mut x = x;`).
    pub(crate) pat: Pat,
    /// Whether `pat` is that plain binding (else the body moves `ident` in whole first).
    pub(crate) plain: bool,
    pub(crate) ty: Type,
    pub(crate) attrs: Vec<Attribute>,
}

/// The `#[resume]` parameter: bound to the first resume argument.
pub(crate) struct Resume {
    /// Its other attributes (lint levels only; `valid` rejects the rest), put on the
    /// binding.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) pat: Pat,
    pub(crate) ty: Type,
}

/// Everything the expansion needs, in the order it is emitted.
pub(crate) struct CoroutineFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    /// The user's signature: its inputs still include the receiver, the `#[resume]`
    /// parameter and patterns; `expand` rebuilds them from `params`.
    pub(crate) sig: Signature,
    pub(crate) receiver: Option<FnArg>,
    /// Parameters in order; `resume_at` says where the `#[resume]` one stood.
    pub(crate) params: Vec<Param>,
    pub(crate) resume: Option<(usize, Resume)>,
    pub(crate) block: Block,
    pub(crate) kind: Kind,
    pub(crate) yield_ty: Type,
    pub(crate) krate: Path,
}

impl CoroutineFn {
    /// The resume argument type: the `#[resume]` parameter's, or `()`.
    pub(crate) fn resume_ty(&self) -> TokenStream {
        self.resume
            .as_ref()
            .map_or_else(|| quote!(()), |(_, r)| r.ty.to_token_stream())
    }
}

/// Parses the item the attribute is on. Anything but a fn with a body is an error; the
/// item's tokens come back so they can still be emitted.
pub(crate) fn parse_item(item: &TokenStream, errors: &mut Errors) -> Option<ItemFn> {
    match syn::parse2::<ItemFn>(item.clone()) {
        Ok(f) => Some(f),
        Err(fn_error) => {
            // A fn without a body (a trait method) parses as a `TraitItemFn`, and as an
            // `Item::Verbatim`: check it first.
            if let Ok(f) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
                errors.push_spanned(&f.sig, "`#[coroutine]` needs a fn with a body");
            } else {
                match syn::parse2::<Item>(item.clone()) {
                    Ok(other) => errors.push_spanned(
                        item_keyword(&other).unwrap_or_else(|| other.to_token_stream()),
                        "`#[coroutine]` can only be used on a fn",
                    ),
                    Err(_) => errors.push(fn_error),
                }
            }
            None
        }
    }
}

/// The keyword that names an item's kind (`struct`, `impl`, ...), for the error span.
fn item_keyword(item: &Item) -> Option<TokenStream> {
    Some(match item {
        Item::Struct(i) => i.struct_token.to_token_stream(),
        Item::Enum(i) => i.enum_token.to_token_stream(),
        Item::Impl(i) => i.impl_token.to_token_stream(),
        Item::Trait(i) => i.trait_token.to_token_stream(),
        Item::Const(i) => i.const_token.to_token_stream(),
        Item::Static(i) => i.static_token.to_token_stream(),
        Item::Mod(i) => i.mod_token.to_token_stream(),
        Item::Type(i) => i.type_token.to_token_stream(),
        Item::Union(i) => i.union_token.to_token_stream(),
        Item::Use(i) => i.use_token.to_token_stream(),
        _ => return None,
    })
}

/// Builds the model. `valid` has already reported what makes a fn unusable.
pub(crate) fn build(item: ItemFn, args: Args) -> CoroutineFn {
    let ItemFn {
        mut attrs,
        vis,
        sig,
        block,
        ..
    } = item;
    // A second `#[coroutine]` is an error (`valid`), not run again on the generated fn.
    attrs.retain(|a| !is_coroutine_attr(a));
    let mut receiver = None;
    let mut params = Vec::new();
    let mut resume = None;
    for (index, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(r) => {
                let mut r = r.clone();
                r.attrs.retain(|a| !is_resume_attr(a));
                receiver = Some(FnArg::Receiver(r));
            }
            FnArg::Typed(pt) => {
                let (resume_attrs, attrs): (Vec<_>, Vec<_>) =
                    pt.attrs.iter().cloned().partition(is_resume_attr);
                if !resume_attrs.is_empty() {
                    if resume.is_none() {
                        let r = Resume {
                            attrs,
                            pat: (*pt.pat).clone(),
                            ty: (*pt.ty).clone(),
                        };
                        resume = Some((params.len(), r));
                    }
                    continue;
                }
                let (ident, plain) = match &*pt.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        (p.ident.clone(), true)
                    }
                    _ => (
                        Ident::new(&format!("__arg{index}"), Span::mixed_site()),
                        false,
                    ),
                };
                params.push(Param {
                    ident,
                    plain,
                    pat: (*pt.pat).clone(),
                    ty: (*pt.ty).clone(),
                    attrs,
                });
            }
        }
    }
    let kind = if sig.asyncness.is_some() {
        Kind::Async
    } else {
        Kind::Sync
    };
    CoroutineFn {
        attrs,
        vis,
        sig,
        receiver,
        params,
        resume,
        block: *block,
        kind,
        yield_ty: args.yield_ty.unwrap_or_else(|| syn::parse_quote!(())),
        krate: args.krate.unwrap_or_else(|| syn::parse_quote!(::coroutine)),
    }
}

/// `#[coroutine]` or any path ending in `coroutine` (`#[coroutine::coroutine]`).
pub(crate) fn is_coroutine_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "coroutine")
}

pub(crate) fn is_resume_attr(attr: &Attribute) -> bool {
    attr.path().is_ident("resume")
}

/// A lint-level attribute (`#[allow(..)]` and the like), which may stand on the
/// `#[resume]` parameter: it applies to the binding.
pub(crate) fn is_lint_attr(attr: &Attribute) -> bool {
    ["allow", "warn", "deny", "forbid", "expect"]
        .iter()
        .any(|lint| attr.path().is_ident(lint))
}
