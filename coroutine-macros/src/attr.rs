//! The attribute's arguments: `#[coroutine(yield = T, crate = path)]`.

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token, Type};

use crate::error::Errors;

/// The parsed arguments; absent ones are `None`.
#[derive(Default)]
pub(crate) struct Args {
    /// `yield = T`: the yield type (default `()`).
    pub(crate) yield_ty: Option<Type>,
    /// `crate = path`: where the `coroutine` crate is (default `::coroutine`).
    pub(crate) krate: Option<Path>,
}

/// One `key = value` pair, before we know which key it is.
struct Arg {
    key: Ident,
    value: TokenStream,
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `yield` and `crate` are keywords: accept any ident-like token as a key.
        let key = input.call(Ident::parse_any)?;
        input.parse::<Token![=]>()?;
        let mut value = TokenStream::new();
        while !input.is_empty() && !input.peek(Token![,]) {
            value.extend([input.parse::<proc_macro2::TokenTree>()?]);
        }
        if value.is_empty() {
            return Err(syn::Error::new(
                key.span(),
                format!("expected a value after `{key} =`"),
            ));
        }
        Ok(Arg { key, value })
    }
}

/// Parses the arguments, reporting unknown, duplicate and malformed ones together.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
    let mut args = Args::default();
    let pairs = match Punctuated::<Arg, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(pairs) => pairs,
        Err(e) => {
            errors.push(e);
            return args;
        }
    };
    for Arg { key, value } in pairs {
        match key.to_string().as_str() {
            "yield" if args.yield_ty.is_some() => {
                errors.push_spanned(&key, "duplicate `yield` argument");
            }
            "yield" => match syn::parse2::<Type>(value) {
                Ok(ty) => args.yield_ty = Some(ty),
                Err(e) => errors.push(e),
            },
            "crate" if args.krate.is_some() => {
                errors.push_spanned(&key, "duplicate `crate` argument");
            }
            "crate" => match syn::parse2::<Path>(value) {
                Ok(path) => args.krate = Some(path),
                Err(e) => errors.push(e),
            },
            other => errors.push_spanned(
                &key,
                &format!("unknown argument `{other}`, expected `yield = Type` or `crate = path`"),
            ),
        }
    }
    args
}
