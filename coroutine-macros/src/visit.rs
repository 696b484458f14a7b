//! The `yield_!` rewrite: a visitor over the body that tracks its scope.
//!
//! ```text
//! yield_!(e)            =>  yield_!(@__coroutine_direct __coroutine_yielder, e)    (in the body)
//! yield_!(e)            =>  yield_!(@__coroutine_internal '__coroutine_body, __coroutine_yielder, e)
//!                                                                 (in another macro's tokens)
//! yield_from!(c, first) =>  yield_from!(@__coroutine_internal '__coroutine_body, __coroutine_yielder, c, first)
//! ```
//!
//! The user's macro path is kept (so a `use coroutine::yield_;` stays used); the
//! `coroutine` crate's `macro_rules!` arm does the rest. Inside a closure or an `async`
//! block a `yield_!` is an error, nested items are left alone (their own `#[coroutine]`,
//! if any, rewrites them), and `.await` is an error in a sync coroutine. Macros other
//! than ours are scanned token by token, so `yield_!` inside `println!`, `vec!` or a
//! user's `macro_rules!` is rewritten too; wherever such a macro puts it, the rewritten
//! form only compiles in the body's own block (see the `coroutine` crate's `yield_!`).
//! A plain body (`ast::parse_signature_only`) is not parsed at all: it arrives as one
//! verbatim statement and is scanned the same way, which for such a body gives what
//! the visitor would.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::parse::ParseStream;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Lifetime, Macro, Token};

use crate::ast::Kind;
use crate::error::Errors;

/// Where the visitor is, relative to the coroutine body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Body,
    Closure,
    AsyncBlock,
}

impl Scope {
    /// The error for a `yield_!` found here, if it is not allowed.
    fn yield_error(self, name: &str) -> Option<String> {
        match self {
            Scope::Body => None,
            Scope::Closure => Some(format!("`{name}!` cannot be used inside a closure")),
            Scope::AsyncBlock => Some(format!("`{name}!` cannot be used inside an `async` block")),
        }
    }
}

/// `co!`, recognised by the last segment of its path: an inline coroutine, whose body
/// belongs to it, not to the coroutine around it.
const INLINE: &str = "co";

/// Our two macros, recognised by the last segment of their path.
#[derive(Clone, Copy)]
enum Ours {
    Yield,
    YieldFrom,
}

impl Ours {
    fn of(name: &str) -> Option<Self> {
        match name {
            "yield_" => Some(Ours::Yield),
            "yield_from" => Some(Ours::YieldFrom),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Ours::Yield => "yield_",
            Ours::YieldFrom => "yield_from",
        }
    }
}

/// The label of the body's outermost block, which every rewritten `yield_!` names.
/// `home` is a span of the user's body (its opening brace), whose syntax context the
/// label takes; `at` only moves where errors point (the user's `yield_!`).
///
/// The user's context, not the macro's: a labeled block's span begins at its label, and
/// the edition of that span decides when the block's tail temporaries drop, which must
/// be the user's edition. Every reference takes the same context whatever macro the
/// `yield_!` came from, so it resolves to the label. (Being nameable by the user's code
/// costs nothing: the label is handed to the user's macros in every `yield_!` anyway,
/// and soundness does not rest on it.)
pub(crate) fn body_label(home: Span, at: Span) -> Lifetime {
    Lifetime::new("'__coroutine_body", home.located_at(at))
}

/// The body's yielder local.
pub(crate) fn yielder_ident() -> Ident {
    Ident::new("__coroutine_yielder", Span::mixed_site())
}

pub(crate) struct Rewriter<'e> {
    kind: Kind,
    /// The coroutine names no yield type: `yield_!` uses the arm whose error for a value
    /// that is not `()` says to add `yield = T`.
    unit: bool,
    /// Where the body's label takes its syntax context (see [`body_label`]).
    home: Span,
    scope: Scope,
    /// Inside the tokens of a macro other than ours: what that macro makes of them (a
    /// closure, an `async` block) is not known here.
    foreign: bool,
    /// Some rewritten form names the body's label.
    labeled: bool,
    errors: &'e mut Errors,
    /// The paths our macros were invoked through, so a stub emitted after errors can
    /// still use them (a `use coroutine::yield_;` must not turn into a warning).
    paths: Vec<TokenStream>,
}

impl<'e> Rewriter<'e> {
    pub(crate) fn new(kind: Kind, unit: bool, home: Span, errors: &'e mut Errors) -> Self {
        Rewriter {
            kind,
            unit,
            home,
            scope: Scope::Body,
            foreign: false,
            labeled: false,
            errors,
            paths: Vec::new(),
        }
    }

    /// Rewrites the tokens of a macro other than ours.
    fn rewrite_foreign(&mut self, tokens: TokenStream) -> TokenStream {
        let outer = std::mem::replace(&mut self.foreign, true);
        let tokens = self.rewrite_tokens(tokens);
        self.foreign = outer;
        tokens
    }

    /// Runs `f` with the scope set to `scope`, restoring it on the way out.
    fn within(&mut self, scope: Scope, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.scope, scope);
        f(self);
        self.scope = outer;
    }

    /// The internal-arm prefix that replaces our macro's arguments; `at` is the user's
    /// macro, where a misplaced `yield_!`'s label error should point. `yield_from!` in
    /// an `async fn` has its own arm (it may also delegate to async coroutines and
    /// streams).
    ///
    /// A `yield_!` seen directly in the body (not in another macro's tokens; closures
    /// and `async` blocks around it are errors here) is known to be in the body's own
    /// block: it takes the `direct` arm, without the dead `break` that makes a
    /// misplaced `yield_!` fail to compile. Those `break`s were a third of what
    /// type-checking a body cost (`benches/compile-time`).
    fn prefix(&mut self, ours: Ours, at: Span) -> TokenStream {
        let yielder = yielder_ident();
        if let (Ours::Yield, false) = (ours, self.foreign) {
            return if self.unit {
                quote!(@__coroutine_direct_unit #yielder)
            } else {
                quote!(@__coroutine_direct #yielder)
            };
        }
        self.labeled = true;
        let label = body_label(self.home, at);
        match (ours, self.kind) {
            (Ours::YieldFrom, Kind::Async) => quote!(@__coroutine_internal_async #label, #yielder),
            (Ours::Yield, _) if self.unit => quote!(@__coroutine_internal_unit #label, #yielder),
            _ => quote!(@__coroutine_internal #label, #yielder),
        }
    }

    /// Rewrites one of our macros, whose arguments are parsed as expressions (and
    /// visited, for nested `yield_!`).
    fn rewrite_ours(&mut self, mac: &mut Macro, ours: Ours) {
        self.paths.push(mac.path.to_token_stream());
        if let Some(message) = self.scope.yield_error(ours.name()) {
            self.errors.push_spanned(&*mac, &message);
            return;
        }
        let parsed = mac.parse_body_with(|input: ParseStream| {
            let mut args = Vec::new();
            while !input.is_empty() {
                args.push(input.parse::<Expr>()?);
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            Ok(args)
        });
        let mut args = match parsed {
            Ok(args) => args,
            Err(e) => {
                self.errors.push(e);
                return;
            }
        };
        let arity_error = match (ours, args.len()) {
            (Ours::Yield, 0 | 1) | (Ours::YieldFrom, 1 | 2) => None,
            (Ours::Yield, _) => Some("`yield_!` takes at most one value: `yield_!(value)`"),
            (Ours::YieldFrom, _) => Some(
                "`yield_from!` takes a coroutine and an optional first resume argument: \
                 `yield_from!(c)` or `yield_from!(c, first)`",
            ),
        };
        if let Some(message) = arity_error {
            self.errors.push_spanned(&*mac, message);
            return;
        }
        for arg in &mut args {
            self.visit_expr_mut(arg);
        }
        let prefix = self.prefix(
            ours,
            mac.path
                .segments
                .last()
                .map_or_else(Span::call_site, |s| s.ident.span()),
        );
        mac.tokens = quote!(#prefix #(, #args)*);
    }

    /// Rewrites our macros inside the tokens of someone else's macro, and rejects
    /// `.await` in a sync body. Tracks `async { .. }` blocks written in the tokens.
    fn rewrite_tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some(tree) = iter.next() {
            match tree {
                TokenTree::Ident(ident) => {
                    let ours = Ours::of(&ident.to_string());
                    let is_async = ident == "async";
                    let is_inline = ident == INLINE;
                    out.push(TokenTree::Ident(ident));
                    let bang =
                        matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                    if bang {
                        out.push(iter.next().expect("peeked"));
                        if let Some(TokenTree::Group(g)) = iter.peek() {
                            let g = g.clone();
                            iter.next();
                            let g = match ours {
                                // `co!(..)` in another macro's tokens: a coroutine of its
                                // own, left for `co!` to rewrite.
                                _ if is_inline => g,
                                Some(ours) => self.rewrite_ours_tokens(&g, ours, &out),
                                // Someone else's macro (or a `!` after a keyword, taken
                                // for one: the labeled form is right everywhere).
                                None => regroup(&g, self.rewrite_foreign(g.stream())),
                            };
                            out.push(TokenTree::Group(g));
                        }
                    } else if is_async {
                        if let Some(TokenTree::Ident(m)) = iter.peek()
                            && m == "move"
                        {
                            out.push(iter.next().expect("peeked"));
                        }
                        if let Some(TokenTree::Group(g)) = iter.peek()
                            && g.delimiter() == Delimiter::Brace
                        {
                            let Some(TokenTree::Group(g)) = iter.next() else {
                                unreachable!("peeked a group")
                            };
                            let mut inner = None;
                            self.within(Scope::AsyncBlock, |this| {
                                inner = Some(this.rewrite_tokens(g.stream()));
                            });
                            out.push(TokenTree::Group(regroup(&g, inner.expect("set"))));
                        }
                    }
                }
                TokenTree::Punct(dot) if dot.as_char() == '.' => {
                    if self.kind == Kind::Sync
                        && self.scope == Scope::Body
                        && let Some(TokenTree::Ident(a)) = iter.peek()
                        && a == "await"
                    {
                        self.errors.push_spanned(
                            quote!(#dot #a),
                            "`.await` is only allowed in an async coroutine (an `async fn`, or `co!(async { .. })`)",
                        );
                    }
                    out.push(TokenTree::Punct(dot));
                }
                TokenTree::Group(g) => {
                    let inner = self.rewrite_tokens(g.stream());
                    out.push(TokenTree::Group(regroup(&g, inner)));
                }
                other => out.push(other),
            }
        }
        out.into_iter().collect()
    }

    /// `yield_!( .. )` found in tokens: its arguments get the internal prefix.
    fn rewrite_ours_tokens(&mut self, group: &Group, ours: Ours, so_far: &[TokenTree]) -> Group {
        // `so_far` ends with the macro's path and `!`: walk back over the path.
        let bang = so_far.len() - 1;
        let mut start = bang;
        while start > 0
            && match &so_far[start - 1] {
                TokenTree::Ident(_) => true,
                TokenTree::Punct(p) => p.as_char() == ':',
                _ => false,
            }
        {
            start -= 1;
        }
        let path: TokenStream = so_far[start..bang].iter().cloned().collect();
        self.paths.push(path);
        let name_span = so_far[bang - 1].span();
        if let Some(message) = self.scope.yield_error(ours.name()) {
            let mut spanned: TokenStream = so_far[bang - 1..].iter().cloned().collect();
            spanned.extend([TokenTree::Group(group.clone())]);
            self.errors.push_spanned(spanned, &message);
            return group.clone();
        }
        let inner = self.rewrite_tokens(group.stream());
        let prefix = self.prefix(ours, name_span);
        let args = if inner.is_empty() {
            prefix
        } else {
            quote!(#prefix, #inner)
        };
        regroup(group, args)
    }
}

/// A group with new contents and the old delimiter and span.
fn regroup(old: &Group, stream: TokenStream) -> Group {
    let mut g = Group::new(old.delimiter(), stream);
    g.set_span(old.span());
    g
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(_) => self.within(Scope::Closure, |this| {
                visit_mut::visit_expr_mut(this, expr);
            }),
            Expr::Async(_) => self.within(Scope::AsyncBlock, |this| {
                visit_mut::visit_expr_mut(this, expr);
            }),
            // A body kept as tokens (`ast::parse_signature_only`): walked as a macro's
            // tokens are, which for such a body is the same as walking it parsed.
            Expr::Verbatim(tokens) => *tokens = self.rewrite_tokens(std::mem::take(tokens)),
            // Nightly's `yield v` (not parsed as our macro): say what to write.
            Expr::Yield(y) => {
                self.errors.push_spanned(
                    y.yield_token,
                    "the `yield` keyword is unstable (nightly coroutines): write `yield_!(value)`",
                );
                visit_mut::visit_expr_mut(self, expr);
            }
            Expr::Await(aw) if self.kind == Kind::Sync && self.scope == Scope::Body => {
                let (dot, await_token) = (&aw.dot_token, &aw.await_token);
                self.errors.push_spanned(
                    quote!(#dot #await_token),
                    "`.await` is only allowed in an async coroutine (an `async fn`, or `co!(async { .. })`)",
                );
                visit_mut::visit_expr_mut(self, expr);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        let last = mac.path.segments.last().map(|s| s.ident.to_string());
        // `co!` is a coroutine of its own: it rewrites its `yield_!`s itself.
        if last.as_deref() == Some(INLINE) {
            return;
        }
        match last.as_deref().and_then(Ours::of) {
            Some(ours) => self.rewrite_ours(mac, ours),
            None => mac.tokens = self.rewrite_foreign(mac.tokens.clone()),
        }
    }

    /// Nested items are not part of the body: a `yield_!` there is theirs (or an error
    /// from the `yield_!` fallback arm).
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// What [`rewrite`] found.
pub(crate) struct Rewritten {
    /// The paths our macros were invoked through.
    pub(crate) paths: Vec<TokenStream>,
    /// Whether the rewritten body names its label (else it needs none).
    pub(crate) labeled: bool,
}

/// Rewrites a body in place. `home` is the span the body's label takes its syntax
/// context from (see [`body_label`]).
pub(crate) fn rewrite(
    block: &mut syn::Block,
    kind: Kind,
    unit: bool,
    home: Span,
    errors: &mut Errors,
) -> Rewritten {
    let mut rewriter = Rewriter::new(kind, unit, home, errors);
    rewriter.visit_block_mut(block);
    Rewritten {
        paths: rewriter.paths,
        labeled: rewriter.labeled,
    }
}
