//! Code generation.
//!
//! ```text
//! #[coroutine::coroutine(yield = Y)]
//! fn name(self, x: T, (a, b): U, #[resume] first: A) -> R { body }
//! ```
//! becomes
//! ```text
//! fn name(self, x: T, __arg2: U) -> ::coroutine::Gen<impl Future<Output = R>, Y, A> {
//!     let (__coroutine_identity, __coroutine_yielder) = (&Pick::<Y, A>::new()).__coroutine_pair();
//!     ::coroutine::__private::Gen::new(__coroutine_identity, async move {
//!         let _ = &self;
//!         if let Some(__coroutine_ret) = None::<R> { return __coroutine_ret; }
//!         let __coroutine_yielder: Yielder<Y, A, _> = __coroutine_yielder;
//!         let x = x;
//!         let __arg2 = __arg2;
//!         let (a, b) = __arg2;
//!         let first: A = __coroutine_yielder.first_arg().await;
//!         let __coroutine_ret: R = { body };
//!         return __coroutine_ret;
//!     })
//! }
//! ```
//! When a `yield_!` inside another macro's tokens (or a `yield_from!`) names the body's
//! label, the body block is `'__coroutine_body: { if false { break '__coroutine_body
//! unreachable(); } body }` (see `visit`).
//! The pair is picked by autoref specialization (`PickPlain`/`PickChecked` in scope): the
//! plain mode when `Y` and `A` are `LifetimeFree`, the one with an identity otherwise,
//! or when a type is left to inference (`Yielder::<_, _>::pair()` then).
//! (`async fn` gives an `AsyncGen`; `-> !` gives `R = Infallible`.) The expansion holds
//! no `unsafe`: `crate = path` may point anywhere, and whatever it names runs as safe
//! code.
//!
//! What makes the body behave as an `async fn`'s does:
//! - Parameters are moved in as rustc moves an `async fn`'s: a plain binding by
//!   `let x = x;`, any other pattern by moving the whole parameter first (a `_` in it
//!   does not bind, and would otherwise leave that part to die at the call). A by-value
//!   `self` is captured first, whole (`let _ = &self;`), as rustc's parameter 0 is: an
//!   unused `self` is not dropped at the call, and it drops last.
//! - The dead `return` of type `R` comes first, so the `async` block's return type is
//!   `R` before any of the body's `return`s is checked: each is a coercion site against
//!   `R`, as in an `async fn`, wherever it stands (inside a macro's tokens too).
//! - The body block keeps the span of the user's braces, so the user's edition decides
//!   when its tail expression's temporaries drop (2021: after the body's locals, 2024:
//!   before), and the annotated `let` is the tail's coercion site.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{AttrStyle, Attribute, FnArg, ReceiverKind, ReturnType, Type};

use crate::ast::{self, CoroutineFn, Kind};
use crate::error::Errors;
use crate::visit::{body_label, yielder_ident};
use crate::{attr, valid, visit};

/// The whole attribute: parse, validate, rewrite, generate. On errors, the fn is still
/// emitted (with a stub body) beside them so call sites keep resolving.
pub(crate) fn coroutine(args: TokenStream, item: &TokenStream) -> TokenStream {
    expand(args, item, true)
}

/// [`coroutine`]; `fast`: whether a plain body is rewritten as tokens, unparsed (see
/// `ast::parse_signature_only`), which only tests turn off.
fn expand(args: TokenStream, item: &TokenStream, fast: bool) -> TokenStream {
    let mut errors = Errors::default();
    let args = attr::parse(args, &mut errors);
    let Some(item_fn) = ast::parse_item(item, &mut errors, fast) else {
        let errors = errors.to_compile_errors();
        return quote!(#errors #item);
    };
    valid::check(&item_fn, &mut errors);
    let unit = args.yield_ty.is_none();
    let mut f = ast::build(item_fn, args);
    let home = f.block.brace_token.span.open();
    let rewritten = visit::rewrite(&mut f.block, f.kind, unit, home, &mut errors);
    if errors.is_empty() {
        generate(&f, &body(&f, rewritten.labeled))
    } else {
        let stub = generate(&f, &stub_body(&f, &rewritten.paths));
        let errors = errors.to_compile_errors();
        quote! {
            #errors
            #[allow(unused_variables, unused_mut, unreachable_code)]
            #stub
        }
    }
}

/// The generated fn around `body`.
fn generate(f: &CoroutineFn, body: &TokenStream) -> TokenStream {
    let attrs = f.attrs.iter().map(outer);
    let vis = &f.vis;
    let sig = &f.sig;
    let (safety, fn_token, ident) = (&sig.safety, &sig.fn_token, &sig.ident);
    let (params, where_clause) = (&sig.generics, &sig.generics.where_clause);
    let receiver = f.receiver.iter();
    let inputs = f.params.iter().map(|p| {
        let (attrs, ident, ty) = (&p.attrs, &p.ident, &p.ty);
        quote!(#(#attrs)* #ident: #ty)
    });
    let output = return_type(f);
    quote! {
        #(#attrs)*
        #vis #safety #fn_token #ident #params (#(#receiver,)* #(#inputs),*) -> #output
        #where_clause
        {
            #body
        }
    }
}

/// `Gen<impl Future<Output = R>, Y, A>` (or `AsyncGen<..>`).
fn return_type(f: &CoroutineFn) -> TokenStream {
    let krate = &f.krate;
    let (y, a, r) = (&f.yield_ty, f.resume_ty(), ret_ty(f));
    let ty = match f.kind {
        Kind::Sync => quote!(#krate::Gen),
        Kind::Async => quote!(#krate::AsyncGen),
    };
    quote!(#ty<impl #krate::__private::Future<Output = #r>, #y, #a>)
}

/// The coroutine's `Return` type: the declared return type, `()` if none, and
/// `Infallible` for `-> !`.
fn ret_ty(f: &CoroutineFn) -> TokenStream {
    let krate = &f.krate;
    match &f.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => match &**ty {
            Type::Never(never) => {
                quote_spanned!(never.bang_token.span=> #krate::__private::Infallible)
            }
            ty => ty.to_token_stream(),
        },
    }
}

/// The type `R` as it can be written in the body (a `let` annotation): `None` when it
/// is (or holds) an `impl Trait`, which cannot be written there.
pub(crate) fn ret_annotation(f: &CoroutineFn) -> Option<TokenStream> {
    Some(ret_ty(f)).filter(|r| !mentions_impl(r.clone()))
}

/// A type as a turbofish argument: `_` when it holds an `impl Trait`.
fn hint(ty: TokenStream) -> TokenStream {
    if mentions_impl(ty.clone()) {
        quote!(_)
    } else {
        ty
    }
}

/// The `(identity, yielder)` pair of a coroutine with yield and resume types `y`, `a`:
/// picked by the types at compile time (`Pick`: the plain mode for lifetime-free types,
/// the checked one otherwise), or the checked pair directly where the pick could choose
/// wrong, because it sees types without their lifetimes:
/// - a type that may be left to inference (`_`, or a macro, which may expand to one):
///   the pick would take the inference variable for lifetime-free, and inference could
///   then choose otherwise;
/// - a type that names a lifetime: it is lifetime-free only through a projection that
///   drops it (`<T as Tr<'b>>::Out`), and a where-clause proving that for another
///   lifetime would be taken for it.
pub(crate) fn pair(krate: &impl ToTokens, y: &TokenStream, a: &TokenStream) -> TokenStream {
    if needs_identity(y.clone()) || needs_identity(a.clone()) {
        quote!(#krate::__private::Yielder::<#y, #a>::pair())
    } else {
        quote! {{
            use #krate::__private::{PickChecked as _, PickPlain as _};
            (&#krate::__private::Pick::<#y, #a>::new()).__coroutine_pair()
        }}
    }
}

fn mentions_impl(tokens: TokenStream) -> bool {
    any_token(tokens, &|t| matches!(t, TokenTree::Ident(i) if i == "impl"))
}

/// Whether a type's tokens hold an inference hole (`_`), a macro call (`!`) or a
/// lifetime (`'`): see [`pair`].
fn needs_identity(tokens: TokenStream) -> bool {
    any_token(tokens, &|t| match t {
        TokenTree::Ident(i) => i == "_",
        TokenTree::Punct(p) => matches!(p.as_char(), '!' | '\''),
        _ => false,
    })
}

/// Whether any token of `tokens`, in any group, is one `hit` is true of (groups
/// themselves are looked into, not tested).
fn any_token(tokens: TokenStream, hit: &dyn Fn(&TokenTree) -> bool) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Group(g) => any_token(g.stream(), hit),
        t => hit(&t),
    })
}

/// The generated body: the state machine and the wrapper around it. `labeled`: the
/// rewritten body names its label (see `visit::Rewriter::prefix`).
fn body(f: &CoroutineFn, labeled: bool) -> TokenStream {
    let yielder = yielder_ident();
    let home = f.block.brace_token.span.open();
    let label = body_label(home, home);
    let krate = &f.krate;
    let mut bindings: Vec<TokenStream> = f
        .params
        .iter()
        .map(|p| {
            // The parameter's attributes (`#[allow(unused_variables)]`, `#[cfg(..)]`)
            // apply to the binding the body sees too.
            let (attrs, pat, ident) = (&p.attrs, &p.pat, &p.ident);
            if p.plain {
                // Moving `_x` in is neither a use of it nor a binding without effect
                // (clippy's pedantic lints would say so, at the user's parameter).
                quote! {
                    #(#attrs)*
                    #[allow(clippy::used_underscore_binding, clippy::no_effect_underscore_binding)]
                    let #pat = #ident;
                }
            } else {
                quote!(#(#attrs)* let #ident = #ident; #(#attrs)* let #pat = #ident;)
            }
        })
        .collect();
    if let Some((at, resume)) = &f.resume {
        let (attrs, pat, ty) = (&resume.attrs, &resume.pat, &resume.ty);
        bindings.insert(
            *at,
            quote!(#(#attrs)* let #pat: #ty = #yielder.first_arg().await;),
        );
    }
    let stmts = &f.block.stmts;
    // The guard keeps the label used whatever the body's forms name it.
    let guard = labeled.then(|| {
        quote! {
            if false {
                break #label #krate::__private::unreachable();
            }
        }
    });
    let mut block = Group::new(Delimiter::Brace, quote!(#guard #(#stmts)*));
    block.set_span(f.block.brace_token.span.join());
    let label = labeled.then(|| quote!(#label:));
    wrap(f, &quote!(#(#bindings)*), &quote!(#label #block))
}

/// `let _ = &self;` for a receiver taken by value (`self`, `mut self`, `self: Box<Self>`):
/// the body then captures the whole `self` before anything else. A receiver that holds a
/// borrow (`&self`, `self: Pin<&mut Self>`) is left to be captured where it is used.
fn capture_self(f: &CoroutineFn) -> Option<TokenStream> {
    let Some(FnArg::Receiver(receiver)) = &f.receiver else {
        return None;
    };
    let by_value = match &receiver.kind {
        ReceiverKind::Value => true,
        ReceiverKind::Typed(_, ty) => !holds_borrow(ty.to_token_stream()),
        _ => false,
    };
    if !by_value {
        return None;
    }
    let self_token = &receiver.self_token;
    Some(quote!(let _ = &#self_token;))
}

fn holds_borrow(tokens: TokenStream) -> bool {
    any_token(
        tokens,
        &|t| matches!(t, TokenTree::Punct(p) if matches!(p.as_char(), '&' | '\'')),
    )
}

/// After errors: a body that type-checks against the signature and does nothing but
/// name the user's `yield_!`/`yield_from!` paths (so their imports stay used).
fn stub_body(f: &CoroutineFn, paths: &[TokenStream]) -> TokenStream {
    wrap(
        f,
        &TokenStream::new(),
        &quote! {{
            #(#paths!(@__coroutine_unused);)*
            ::core::panic!("this coroutine failed to compile")
        }},
    )
}

/// The coroutine made from the parameter `bindings` and the body expression `inner`:
///
/// ```text
/// let (__coroutine_identity, __coroutine_yielder) = (&Pick::<Y, A>::new()).__coroutine_pair();
/// Gen::new(__coroutine_identity, async move {
///     let _ = &self;
///     if let Some(__coroutine_ret) = None::<R> { return __coroutine_ret; }
///     let __coroutine_yielder: Yielder<Y, A, _> = __coroutine_yielder;
///     bindings
///     let __coroutine_ret: R = inner;
///     return __coroutine_ret;
/// })
/// ```
///
/// The yielder and the coroutine's identity come from one call, so the body's yield
/// and resume types are the coroutine's own, whatever the tokens `Y` and `A` mean in
/// the body (elided lifetimes are inferred afresh there, and only tie up through the
/// fn's return type). The annotated `let` is the coercion site of the tail expression,
/// as an `async fn`'s body is.
fn wrap(f: &CoroutineFn, bindings: &TokenStream, inner: &TokenStream) -> TokenStream {
    let krate = &f.krate;
    let (y, a) = (hint(f.yield_ty.to_token_stream()), hint(f.resume_ty()));
    let yielder = yielder_ident();
    let identity = Ident::new("__coroutine_identity", Span::mixed_site());
    let ret = ret_ident();
    let annotation = ret_annotation(f).map(|r| quote!(: #r));
    // Spanned at the declared type: a mismatch's note "return type inferred to be `R`
    // here" then points at the signature.
    let declared = match &f.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let first_return = ret_annotation(f).filter(|_| may_return(inner)).map(|r| {
        let value = Ident::new("__coroutine_ret", Span::mixed_site().located_at(declared));
        quote_spanned! {declared=>
            if let #krate::__private::Option::Some(#value) = #krate::__private::Option::<#r>::None {
                return #value;
            }
        }
    });
    let capture_self = capture_self(f);
    let pair = pair(krate, &y, &a);
    let ty = match f.kind {
        Kind::Sync => quote!(#krate::__private::Gen),
        Kind::Async => quote!(#krate::__private::AsyncGen),
    };
    // The rebinding names the yield and resume types as the user wrote them, so a
    // borrow error speaks of the user's lifetimes (a subtype of the captured yielder's
    // type: the body cannot yield more than the coroutine's `Y` allows).
    quote! {
        let (#identity, #yielder) = #pair;
        #ty::new(#identity, async move {
            #capture_self
            #first_return
            let #yielder: #krate::__private::Yielder<#y, #a, _> = #yielder;
            #bindings
            let #ret #annotation = #inner;
            // A `return`, not a tail: after a body of an uninhabited type (`-> !`),
            // rustc before 1.92 reports the tail as unreachable code.
            #[allow(unreachable_code, clippy::needless_return)]
            return #ret;
        })
    }
}

/// Whether `body` may hold a `return` of its own: a `return`, a `?`, or a macro other
/// than `yield_!`/`yield_from!`, which may expand to either. Only then does the body
/// need the dead first `return` (see [`wrap`]); without one, the annotated final
/// `return` is the block's only one.
fn may_return(body: &TokenStream) -> bool {
    let trees: Vec<TokenTree> = body.clone().into_iter().collect();
    trees.iter().enumerate().any(|(i, tree)| match tree {
        TokenTree::Ident(ident) => ident == "return",
        TokenTree::Punct(p) if p.as_char() == '?' => true,
        // `name!(..)`: a macro invocation (`a != b` and `if !x` are not).
        TokenTree::Punct(p) if p.as_char() == '!' => {
            i > 0
                && matches!(&trees[i - 1], TokenTree::Ident(m) if m != "yield_" && m != "yield_from")
                && matches!(trees.get(i + 1), Some(TokenTree::Group(_)))
        }
        TokenTree::Group(g) => may_return(&g.stream()),
        _ => false,
    })
}

/// The local that holds the return value, in the tail and in rewritten `return`s.
pub(crate) fn ret_ident() -> Ident {
    Ident::new("__coroutine_ret", Span::mixed_site())
}

/// Inner attributes of the fn (`#![..]` at the top of its body) become outer ones.
fn outer(attr: &Attribute) -> Attribute {
    let mut attr = attr.clone();
    attr.style = AttrStyle::Outer;
    attr
}

#[cfg(test)]
mod tests {
    use super::expand;
    use quote::quote;

    /// The fast path (the body rewritten as tokens) gives what the full parse gives.
    #[test]
    fn a_plain_body_expands_the_same_unparsed_as_parsed() {
        let items = [
            quote! {
                pub fn f0(n: u32) {
                    let mut acc = 0u32;
                    for k in 0..n {
                        yield_!(k);
                        acc = acc.wrapping_mul(31).wrapping_add(k);
                        coroutine::yield_!(acc ^ k);
                    }
                }
            },
            quote! {
                fn g(&self, (a, b): (u8, u8), #[resume] first: &str) -> Result<u8, E> {
                    let x = yield_!(first.len() as u8)?;
                    println!("{}", yield_!(a));
                    my_macro!(yield_!(b));
                    yield_from!(other(x));
                    match x { 0 => return Ok(a), _ => {} }
                    Ok(b)
                }
            },
            quote! {
                async fn h() -> u32 {
                    let v = fetch().await;
                    yield_!(v);
                    v
                }
            },
        ];
        for args in [quote!(yield = u32), quote!()] {
            for item in &items {
                let fast = expand(args.clone(), item, true).to_string();
                let full = expand(args.clone(), item, false).to_string();
                assert_eq!(fast, full, "{item}");
            }
        }
    }

    /// The dead first `return` is there whenever the body may return early (a `return`,
    /// a `?`, a macro that may expand to either), and only then.
    #[test]
    fn the_dead_first_return_comes_with_an_early_return() {
        let has_first_return = |body: proc_macro2::TokenStream| {
            let item = quote!(fn f(x: Option<u8>) -> Option<u8> { #body });
            expand(quote!(yield = u8), &item, true)
                .to_string()
                .contains("if let :: coroutine :: __private :: Option :: Some")
        };
        assert!(has_first_return(quote!(if x.is_none() { return None; } x)));
        assert!(has_first_return(quote!(let v = x?; Some(v))));
        assert!(has_first_return(quote!(bail!(); x)));
        assert!(has_first_return(quote!(yield_!(my_macro!(1)); x)));
        assert!(!has_first_return(
            quote!(yield_!(1); if x != None && !false { x } else { None })
        ));
    }

    /// A `yield_!` the rewrite sees directly in the body takes the guard-free arm; one
    /// inside another macro's tokens keeps the dead `break` to the body's label.
    #[test]
    fn only_a_yield_inside_another_macro_is_guarded() {
        let direct = expand(
            quote!(yield = u8),
            &quote!(
                fn f() {
                    yield_!(1);
                }
            ),
            true,
        )
        .to_string();
        assert!(direct.contains("@ __coroutine_direct"), "{direct}");
        assert!(!direct.contains("__coroutine_body"), "{direct}");
        let foreign = expand(
            quote!(yield = u8),
            &quote!(
                fn f() {
                    my_macro!(yield_!(1));
                }
            ),
            true,
        )
        .to_string();
        assert!(
            foreign.contains("@ __coroutine_internal '__coroutine_body"),
            "{foreign}"
        );
        assert!(!foreign.contains("@ __coroutine_direct"), "{foreign}");
    }
}
