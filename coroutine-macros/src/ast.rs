//! The parsed model of the annotated fn.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::parse::{ParseStream, Parser};
use syn::{
    Attribute, Block, Expr, FnArg, Ident, Item, ItemFn, Pat, Path, Signature, Stmt, Type,
    Visibility,
};

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
/// `fast`: try [`parse_signature_only`] first (off only in tests, to compare).
pub(crate) fn parse_item(item: &TokenStream, errors: &mut Errors, fast: bool) -> Option<ItemFn> {
    if fast && let Some(f) = parse_signature_only(item) {
        return Some(f);
    }
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

/// The fast path of [`parse_item`]: a fn whose body the `yield_!` rewrite can walk as
/// tokens, with the same result as over the parsed body (see [`plain_tokens`]). Only
/// the signature is parsed; the body is kept as one verbatim statement, which the
/// rewrite walks token by token. Parsing and printing every expression of every body
/// is most of what the attribute costs a build (`benches/compile-time`).
///
/// `None` sends the fn down the full parse, which also reports what is wrong with it.
fn parse_signature_only(item: &TokenStream) -> Option<ItemFn> {
    let mut trees: Vec<TokenTree> = item.clone().into_iter().collect();
    let Some(TokenTree::Group(body)) = trees.pop() else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace || !plain_tokens(body.stream(), true) {
        return None;
    }
    let head: TokenStream = trees.into_iter().collect();
    let (attrs, vis, sig) = (|input: ParseStream| {
        Ok((
            input.call(Attribute::parse_outer)?,
            input.parse::<Visibility>()?,
            input.parse::<Signature>()?,
        ))
    })
    .parse2(head)
    .ok()?;
    let block = Block {
        brace_token: syn::token::Brace(body.delim_span()),
        stmts: vec![Stmt::Expr(Expr::Verbatim(body.stream()), None)],
    };
    Some(ItemFn {
        attrs,
        vis,
        modifiers: syn::FnModifiers::default(),
        sig,
        block: Box::new(block),
    })
}

/// Whether a body can be rewritten as tokens: it has nothing the parsed rewrite treats
/// apart from a macro's tokens. No closure (`|`), `async` block or `move`, nested item,
/// nightly `yield`, inner attribute (at the top, `top`; the full parse moves those onto
/// the fn), and no `yield_!`/`yield_from!` with more than one argument (the full parse
/// checks their arity). Anything else is walked the same way either path.
fn plain_tokens(tokens: TokenStream, top: bool) -> bool {
    let mut prev_hash = false;
    let mut ours = 0u8;
    for tree in tokens {
        let hash = matches!(&tree, TokenTree::Punct(p) if p.as_char() == '#');
        match &tree {
            TokenTree::Punct(p) => match p.as_char() {
                '|' => return false,
                '!' if top && prev_hash => return false,
                '!' if ours == 1 => ours = 2,
                _ => ours = 0,
            },
            TokenTree::Ident(i) => {
                let name = i.to_string();
                if matches!(
                    name.as_str(),
                    "async"
                        | "move"
                        | "yield"
                        | "fn"
                        | "impl"
                        | "trait"
                        | "mod"
                        | "struct"
                        | "enum"
                        | "union"
                        | "static"
                        | "const"
                        | "macro_rules"
                ) {
                    return false;
                }
                ours = u8::from(name == "yield_" || name == "yield_from");
            }
            TokenTree::Group(g) => {
                if ours == 2 && has_top_level_comma(g.stream()) {
                    return false;
                }
                if !plain_tokens(g.stream(), false) {
                    return false;
                }
                ours = 0;
            }
            TokenTree::Literal(_) => ours = 0,
        }
        prev_hash = hash;
    }
    true
}

fn has_top_level_comma(tokens: TokenStream) -> bool {
    tokens
        .into_iter()
        .any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
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

#[cfg(test)]
mod tests {
    use super::plain_tokens;
    use quote::quote;

    #[test]
    fn bodies_with_what_the_parsed_rewrite_treats_apart_take_the_full_parse() {
        let full = [
            quote!(let f = || yield_!(1);),
            quote!(let f = |x| x + 1; yield_!(f(1));),
            quote!(if a || b {
                yield_!(1);
            }),
            quote!(let x = async { 1 };),
            quote!(let x = async move { 1 };),
            quote!(yield 1;),
            quote!(
                fn inner() {
                    yield_!(1);
                }
            ),
            quote!(impl T for U {}),
            quote!(
                const N: u32 = 1;
            ),
            quote!(
                static N: u32 = 1;
            ),
            quote!(struct S; enum E {} union U { a: u8 } mod m {} trait T {}),
            quote!(
                macro_rules! m {
                    () => {};
                }
            ),
            quote!(#![allow(unused)] yield_!(1);),
            quote!(yield_!(a, b);),
            quote!(coroutine::yield_from!(c, first);),
            quote!(loop {
                yield_!(f::<A, B>());
            }),
        ];
        for body in full {
            assert!(!plain_tokens(body.clone(), true), "{body}");
        }
    }

    #[test]
    fn plain_bodies_take_the_fast_path() {
        let plain = [
            quote!(for k in 0..n {
                yield_!(k);
                acc = acc.wrapping_add(k);
            }),
            quote!(let v = vec![1, 2]; println!("{}", yield_!(v[0]));),
            quote!(yield_!(); yield_from!(other(3)); if a != b { return x?; }),
            quote!(match x {
                Some(y) => yield_!(y),
                None => {}
            }),
            quote!({
                #[allow(unused)]
                let x = 1;
            }),
            quote!(co!(inner())),
        ];
        for body in plain {
            assert!(plain_tokens(body.clone(), true), "{body}");
        }
    }
}
