//! `co!`: a coroutine written inline, from a closure or an `async` block.
//!
//! ```text
//! co!(yield = Y, move |first: A| body)
//! ```
//! becomes
//! ```text
//! {
//!     let (__coroutine_identity, __coroutine_yielder) = (&Pick::<Y, A>::new()).__coroutine_pair();
//!     Gen::new(__coroutine_identity, async move {
//!         let __coroutine_yielder: Yielder<Y, A, _> = __coroutine_yielder;
//!         let first: A = __coroutine_yielder.first_arg().await;
//!         let __coroutine_ret = { '__coroutine_body: { body } };
//!         __coroutine_ret
//!     })
//! }
//! ```
//! An `async` block (or `async` closure) gives an `AsyncGen` whose body may `.await`.
//! Without `move`, the block captures by reference as the closure would; only the
//! yielder is moved in (the first `let` uses it by value). `Y` is inferred from the
//! yields unless written; `A` is the parameter's type (inferred if not written), or `()`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Pat, ReturnType, Token};

use crate::ast::Kind;
use crate::error::Errors;
use crate::expand::ret_ident;
use crate::visit::{body_label, yielder_ident};
use crate::{attr, visit};

/// The macro's input: the `key = value` arguments, then the closure or block.
struct Input {
    args: TokenStream,
    expr: Expr,
}

fn parse_input(input: ParseStream) -> syn::Result<Input> {
    let mut args = TokenStream::new();
    while input.peek(Ident::peek_any) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
        // One `key = value` pair, up to its comma, for `attr::parse`.
        while !input.is_empty() && !input.peek(Token![,]) {
            args.extend([input.parse::<proc_macro2::TokenTree>()?]);
        }
        let comma: Token![,] = input.parse()?;
        comma.to_tokens(&mut args);
    }
    if input.peek(Token![static]) {
        let s: Token![static] = input.parse()?;
        return Err(syn::Error::new(
            s.span,
            "a `co!` closure cannot be `static`: every coroutine is pinned anyway",
        ));
    }
    let expr = input.parse()?;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    Ok(Input { args, expr })
}

/// The body as written: what kind of coroutine, how it captures, its parameter and the
/// return type it declares.
struct Form {
    kind: Kind,
    moves: bool,
    param: Option<(Pat, Option<TokenStream>)>,
    ret: Option<TokenStream>,
    body: Expr,
}

const EXPECTED: &str = "`co!` takes a closure (`|| ..`, `move |first: A| ..`) or an `async` block \
                        (`async { .. }`, `async move { .. }`), after optional `yield = T` and \
                        `crate = path`";

fn form(expr: Expr, errors: &mut Errors) -> Option<Form> {
    match expr {
        Expr::Closure(c) => {
            if let Some(k) = &c.constness {
                errors.push_spanned(k, "a `co!` closure cannot be `const`");
            }
            if let Some(l) = &c.lifetimes {
                errors.push_spanned(l, "a `co!` closure cannot have `for<..>` lifetimes");
            }
            let mut inputs = c.inputs.into_iter();
            let param = inputs.next().map(|pat| match pat {
                Pat::Type(t) => (*t.pat, Some(t.ty.to_token_stream())),
                pat => (pat, None),
            });
            for extra in inputs {
                errors.push_spanned(
                    extra,
                    "a coroutine takes at most one resume argument: `|first: A|`",
                );
            }
            let ret = match c.output {
                ReturnType::Default => None,
                ReturnType::Type(_, ty) => Some(ty.to_token_stream()),
            };
            Some(Form {
                kind: if c.asyncness.is_some() {
                    Kind::Async
                } else {
                    Kind::Sync
                },
                moves: c.capture.is_some(),
                param,
                ret,
                body: *c.body,
            })
        }
        Expr::Async(a) => Some(Form {
            kind: Kind::Async,
            moves: a.capture.is_some(),
            param: None,
            ret: None,
            body: Expr::Block(syn::ExprBlock {
                attrs: a.attrs,
                label: None,
                block: a.block,
            }),
        }),
        other => {
            errors.push_spanned(other, EXPECTED);
            None
        }
    }
}

pub(crate) fn co(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let input = match parse_input.parse2(input) {
        Ok(input) => input,
        Err(e) => {
            errors.push(e);
            return failed(&errors, &[]);
        }
    };
    let args = attr::parse(input.args, &mut errors);
    let Some(form) = form(input.expr, &mut errors) else {
        return failed(&errors, &[]);
    };
    let krate = args
        .krate
        .map_or_else(|| quote!(::coroutine), |p| p.to_token_stream());
    // The body's label takes the context of the user's body (see `body_label`).
    let home = form
        .body
        .to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let mut block = syn::Block {
        brace_token: syn::token::Brace::default(),
        stmts: vec![syn::Stmt::Expr(form.body, None)],
    };
    let found = visit::rewrite(&mut block, form.kind, false, home, &mut errors).paths;
    if !errors.is_empty() {
        return failed(&errors, &found);
    }
    let y = match args.yield_ty {
        Some(ty) => ty.to_token_stream(),
        // No yield at all (only an inference hole otherwise): a coroutine of `()`.
        None if found.is_empty() => quote!(()),
        None => quote!(_),
    };
    let a = match &form.param {
        Some((_, Some(ty))) => ty.clone(),
        Some((_, None)) => quote!(_),
        None => quote!(()),
    };
    let pair = crate::expand::pair(&krate, &y, &a);
    let yielder = yielder_ident();
    let identity = Ident::new("__coroutine_identity", Span::mixed_site());
    let label = body_label(home, home);
    let ret = ret_ident();
    let bind = form.param.as_ref().map(|(pat, ty)| {
        let ty = ty.as_ref().map(|ty| quote!(: #ty));
        quote!(let #pat #ty = #yielder.first_arg().await;)
    });
    let annotation = form.ret.as_ref().map(|r| quote!(: #r));
    // A declared return type is the block's before any `return` in the body is checked
    // (each is then a coercion site, inside macro tokens too), as in a closure.
    let first_return = form.ret.as_ref().map(|r| {
        quote! {
            if let #krate::__private::Option::Some(#ret) = #krate::__private::Option::<#r>::None {
                return #ret;
            }
        }
    });
    let capture = form.moves.then(|| quote!(move));
    let ty = match form.kind {
        Kind::Sync => quote!(#krate::__private::Gen),
        Kind::Async => quote!(#krate::__private::AsyncGen),
    };
    let stmts = &block.stmts;
    let body = Ident::new("__coroutine_body", Span::mixed_site());
    // The `allow`: clippy takes the dead `break`s of the body's guards (and a body that
    // never returns) for sub-expressions that diverge.
    quote! {{
        let (#identity, #yielder) = #pair;
        #[allow(clippy::diverging_sub_expression)]
        let #body = async #capture {
            #first_return
            // Moves the yielder in whatever else the block captures by reference.
            let #yielder: #krate::__private::Yielder<#y, #a, _> = #yielder;
            #bind
            let #ret #annotation = {
                #label: {
                    if false {
                        break #label #krate::__private::unreachable();
                    }
                    #(#stmts)*
                }
            };
            // A `return`, not a tail: see the attribute's expansion.
            #[allow(unreachable_code, clippy::needless_return)]
            return #ret;
        };
        #ty::new(#identity, #body)
    }}
}

/// The errors, and an expression of any type in place of the coroutine (naming the
/// user's `yield_!` paths, so their imports stay used).
fn failed(errors: &Errors, paths: &[TokenStream]) -> TokenStream {
    let errors = errors.to_compile_errors();
    quote! {{
        #errors
        #(#paths!(@__coroutine_unused);)*
        ::core::panic!("this coroutine failed to compile")
    }}
}
