//! Renders a program twice: with this workspace's `coroutine` crate (stable) and as
//! the oracle (nightly native coroutines, or `async` blocks for `async fn`s).
//!
//! The oracle spells out what rustc does for an `async fn` (its
//! `lower_maybe_coroutine_body`): the receiver and the parameters are moved into the
//! body in order (`let x = x;` for a plain binding, `let __argN = __argN; let PAT =
//! __argN;` otherwise), the `#[resume]` parameter is bound where it stands among them,
//! and the body's value is computed in a `let` so its temporaries die before the
//! parameters (rustc's `DropTemps`).

use crate::code::{Code, Frag};
use crate::generate::{FnDef, Kind, Mode, PTy, Pat, Program, Recv, Ty};
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Ours,
    Native,
}

struct Cx<'p> {
    side: Side,
    /// The fn being rendered.
    kind: Kind,
    path_macros: bool,
    subs: &'p [FnDef],
    /// The fn's return type.
    ret: Ty,
}

fn render_code(cx: &Cx, code: &Code, out: &mut String) {
    for f in &code.0 {
        match f {
            Frag::Text(s) => out.push_str(s),
            Frag::Coerce(c) => match cx.side {
                Side::Ours => render_code(cx, c, out),
                Side::Native => {
                    out.push('(');
                    render_code(cx, c, out);
                    let _ = write!(out, " as {})", cx.ret.rust());
                }
            },
            Frag::SelfKw => out.push_str(if cx.side == Side::Ours {
                "self"
            } else {
                "this"
            }),
            Frag::Yield(e) => {
                let mut v = String::new();
                match e {
                    Some(e) => render_code(cx, e, &mut v),
                    None if cx.side == Side::Native => v.push_str("()"),
                    None => {}
                }
                match (cx.side, cx.kind) {
                    (Side::Ours, _) => {
                        let path = if cx.path_macros { "coroutine::" } else { "" };
                        let _ = write!(out, "{path}yield_!({v})");
                    }
                    (Side::Native, Kind::Sync) => _ = write!(out, "(yield {v})"),
                    (Side::Native, Kind::Async) => _ = write!(out, "(__chan.yield_({v}).await)"),
                }
            }
            Frag::YieldFrom(yf) => {
                let mut call = String::new();
                render_code(cx, &yf.call, &mut call);
                if yf.boxed {
                    call = format!("Box::pin({call})");
                }
                let mut first = String::new();
                if let Some(f) = &yf.first {
                    render_code(cx, f, &mut first);
                }
                match cx.side {
                    Side::Ours => {
                        let path = if cx.path_macros { "coroutine::" } else { "" };
                        if yf.first.is_some() {
                            let _ = write!(out, "{path}yield_from!({call}, {first})");
                        } else {
                            let _ = write!(out, "{path}yield_from!({call})");
                        }
                    }
                    Side::Native => {
                        if yf.first.is_none() {
                            first = "()".into();
                        }
                        let sub_kind = cx.subs[yf.sub].kind;
                        let step = match (sub_kind, yf.boxed) {
                            (Kind::Sync, _) => {
                                "::core::ops::Coroutine::resume(__d.as_mut(), __arg)".to_string()
                            }
                            (Kind::Async, false) => {
                                "nrt::nresume(__d.as_mut(), __arg).await".into()
                            }
                            (Kind::Async, true) => {
                                "nrt::nresume_boxed(__d.as_mut(), __arg).await".into()
                            }
                        };
                        let suspend = match cx.kind {
                            Kind::Sync => "yield __v".to_string(),
                            Kind::Async => "__chan.yield_(__v).await".to_string(),
                        };
                        let _ = write!(
                            out,
                            "(match ({call}, {first}) {{ (__d, mut __arg) => {{ \
                             let mut __d = ::core::pin::pin!(__d); \
                             loop {{ match {step} {{ \
                             ::core::ops::CoroutineState::Yielded(__v) => {{ __arg = {suspend}; }} \
                             ::core::ops::CoroutineState::Complete(__r) => break __r, \
                             }} }} }} }})"
                        );
                    }
                }
            }
        }
    }
}

fn ret_ty(r: Ty) -> String {
    if r == Ty::Unit {
        String::new()
    } else {
        format!(" -> {}", r.rust())
    }
}

/// The oracle's statements moving the receiver and parameters into the body.
fn lowering(f: &FnDef) -> String {
    let mut s = String::new();
    if f.recv.is_some() {
        s.push_str("let this = self;\n");
    }
    let resume = |s: &mut String| {
        if let Some((_, rp)) = &f.resume {
            let m = if rp.mutable { "mut " } else { "" };
            match f.kind {
                Kind::Sync => _ = writeln!(s, "let {m}{} = __resume;", rp.name),
                Kind::Async => {
                    _ = writeln!(s, "let {m}{}: {} = __chan.first();", rp.name, f.a.rust());
                }
            }
        }
    };
    for (i, p) in f.params.iter().enumerate() {
        if matches!(&f.resume, Some((at, _)) if *at == i) {
            resume(&mut s);
        }
        match &p.pat {
            Pat::Ident { name, mutable } => {
                let _ = writeln!(
                    s,
                    "let {}{name} = {name};",
                    if *mutable { "mut " } else { "" }
                );
            }
            pat => {
                _ = write!(
                    s,
                    "let __arg{i} = __arg{i};\nlet {} = __arg{i};\n",
                    pat.render()
                );
            }
        }
    }
    if matches!(&f.resume, Some((at, _)) if *at == f.params.len()) {
        resume(&mut s);
    }
    s
}

fn render_fn(side: Side, f: &FnDef, subs: &[FnDef], out: &mut String) {
    let cx = Cx {
        side,
        kind: f.kind,
        path_macros: f.path_macros,
        subs,
        ret: f.r,
    };
    let mut body = String::new();
    render_code(&cx, &f.body, &mut body);
    let recv = match f.recv {
        None => None,
        Some(Recv::Value) => Some("self"),
        Some(Recv::Ref) => Some("&self"),
        Some(Recv::Mut) => Some("&mut self"),
    };
    let indent = if recv.is_some() { "    " } else { "" };
    if recv.is_some() {
        out.push_str("impl rt::H {\n");
    }
    match side {
        Side::Ours => {
            let mut params: Vec<String> = recv.iter().map(|r| (*r).to_string()).collect();
            let resume = f.resume.as_ref().map(|(at, rp)| {
                (
                    *at,
                    format!(
                        "#[resume] {}{}: {}",
                        if rp.mutable { "mut " } else { "" },
                        rp.name,
                        f.a.rust()
                    ),
                )
            });
            for (i, p) in f.params.iter().enumerate() {
                if let Some((at, r)) = &resume
                    && *at == i
                {
                    params.push(r.clone());
                }
                params.push(format!("{}: {}", p.pat.render(), p.ty.rust()));
            }
            if let Some((at, r)) = &resume
                && *at == f.params.len()
            {
                params.push(r.clone());
            }
            let attr = if f.y == Ty::Unit && !f.explicit_unit_yield {
                "#[coroutine::coroutine]".to_string()
            } else {
                format!("#[coroutine::coroutine(yield = {})]", f.y.rust())
            };
            let asyncness = if f.kind == Kind::Async { "async " } else { "" };
            let _ = write!(
                out,
                "{indent}{attr}\n{indent}pub {asyncness}fn {}({}){} {{\n{body}}}\n",
                f.name,
                params.join(", "),
                ret_ty(f.r)
            );
        }
        Side::Native => {
            // Lifetimes named and captured explicitly (`+ use<..>`), so the oracle means
            // the same in edition 2021 as in 2024.
            let mut lifetimes = Vec::new();
            let mut params: Vec<String> = Vec::new();
            match f.recv {
                None => {}
                Some(Recv::Value) => params.push("self".into()),
                Some(Recv::Ref) => {
                    lifetimes.push("'ls".to_string());
                    params.push("&'ls self".into());
                }
                Some(Recv::Mut) => {
                    lifetimes.push("'ls".to_string());
                    params.push("&'ls mut self".into());
                }
            }
            for (i, p) in f.params.iter().enumerate() {
                let name = p
                    .pat
                    .simple_ident()
                    .map_or_else(|| format!("__arg{i}"), str::to_owned);
                if p.ty == PTy::RefTracer {
                    lifetimes.push(format!("'l{i}"));
                    params.push(format!("{name}: &'l{i} rt::Tracer"));
                } else {
                    params.push(format!("{name}: {}", p.ty.rust()));
                }
            }
            let generics = if lifetimes.is_empty() {
                String::new()
            } else {
                format!("<{}>", lifetimes.join(", "))
            };
            let captures = format!("use<{}>", lifetimes.join(", "));
            let (y, a, r) = (f.y.rust(), f.a.rust(), f.r.rust());
            let lower = lowering(f);
            match f.kind {
                Kind::Sync => {
                    let closure_params = if f.resume.is_some() {
                        format!("|__resume: {a}|")
                    } else {
                        "||".into()
                    };
                    let _ = write!(
                        out,
                        "{indent}pub fn {}{generics}({}) -> impl ::core::ops::Coroutine<{a}, Yield = {y}, Return = {r}> + {captures} {{\n\
                         #[coroutine] static move {closure_params} {{\n{lower}let __ret: {r} = {{\n{body}}};\n__ret\n}}\n}}\n",
                        f.name,
                        params.join(", "),
                    );
                }
                Kind::Async => {
                    let _ = write!(
                        out,
                        "{indent}pub fn {}{generics}({}) -> nrt::NGen<impl ::core::future::Future<Output = {r}> + {captures}, {y}, {a}> {{\n\
                         let __chan = nrt::Chan::<{y}, {a}>::new();\n\
                         nrt::NGen::new(__chan.clone(), async move {{\n{lower}let __ret: {r} = {{\n{body}}};\n__ret\n}})\n}}\n",
                        f.name,
                        params.join(", "),
                    );
                }
            }
        }
    }
    if recv.is_some() {
        out.push_str("}\n");
    }
}

fn resume_arg(a: Ty, i: &str, salt: u32) -> String {
    match a {
        Ty::Unit => "()".into(),
        Ty::U32 => format!("({i} * 7 + {salt}) % 50"),
        _ => format!("rt::Tracer::new(1000 + {i}, ({i} * 7 + {salt}) % 50)"),
    }
}

fn render_driver(side: Side, p: &Program, out: &mut String) {
    let f = &p.main;
    let (state, native) = match side {
        Side::Ours => ("coroutine::CoroutineState", false),
        Side::Native => ("::core::ops::CoroutineState", true),
    };
    let resume = |c: &str, arg: &str| match (side, f.kind) {
        (Side::Ours, Kind::Sync) => format!("coroutine::Coroutine::resume({c}, {arg})"),
        (Side::Native, Kind::Sync) => format!("::core::ops::Coroutine::resume({c}, {arg})"),
        (_, Kind::Async) => format!("rt::block_on({c}.resume({arg}))"),
    };
    let mut pre = String::new();
    let mut args = Vec::new();
    for (i, (param, v)) in f.params.iter().zip(&p.param_vals).enumerate() {
        let id = 900 + 10 * i;
        args.push(match param.ty {
            PTy::U32 => v.to_string(),
            PTy::Tracer => format!("rt::Tracer::new({id}, {v})"),
            PTy::Pair => format!(
                "(rt::Tracer::new({id}, {v}), rt::Tracer::new({}, {}))",
                id + 1,
                v + 1
            ),
            PTy::RefTracer => {
                let _ = writeln!(pre, "let __own{i} = rt::Tracer::new({}, {v});", 700 + i);
                format!("&__own{i}")
            }
        });
    }
    let call = if f.recv.is_some() {
        pre.push_str("let mut __h = rt::H { t: rt::Tracer::new(950, 7), n: 3 };\n");
        format!("__h.{}({})", f.name, args.join(", "))
    } else {
        format!("{}({})", f.name, args.join(", "))
    };
    let mut post = String::new();
    if matches!(f.recv, Some(Recv::Ref | Recv::Mut)) {
        post.push_str("rt::log(\"drop receiver\");\ndrop(__h);\n");
    }
    for (i, param) in f.params.iter().enumerate() {
        if param.ty == PTy::RefTracer {
            let _ = writeln!(post, "drop(__own{i});");
        }
    }
    let arg = resume_arg(f.a, "__i", p.salt);
    let again_arg = resume_arg(f.a, "999", p.salt);
    // The native side always resumes; ours drives the coroutine the way `p.mode` says.
    let mode = if side == Side::Native {
        Mode::Resume
    } else {
        p.mode
    };
    let (setup, step) = match mode {
        Mode::Resume => (
            "let mut __c = ::core::pin::pin!(__c);\n".to_string(),
            format!(
                "match {} {{ {state}::Yielded(v) => rt::St::Y(v), {state}::Complete(v) => rt::St::R(v) }}",
                resume("__c.as_mut()", "__arg")
            ),
        ),
        Mode::Iter => (
            "let mut __c = ::core::pin::pin!(__c);\nlet mut __it = __c.as_mut().iter();\n".into(),
            "match __it.next() { Some(v) => rt::St::Y(v), None => rt::St::R(__it.take_return().expect(\"the return value\")) }".into(),
        ),
        Mode::IntoIter => (
            "let mut __it = __c.into_iter();\n".into(),
            "match __it.next() { Some(v) => rt::St::Y(v), None => rt::St::R(__it.take_return().expect(\"the return value\")) }".into(),
        ),
        Mode::Stream => (
            "let mut __c = ::core::pin::pin!(__c);\n".into(),
            "match rt::block_on(::core::future::poll_fn(|cx| futures_core::Stream::poll_next(__c.as_mut(), cx))) \
             { Some(v) => rt::St::Y(v), None => rt::St::R(__c.as_mut().take_return().expect(\"the return value\")) }"
                .into(),
        ),
        Mode::Future => (
            "let mut __c = ::core::pin::pin!(__c);\n".into(),
            "match ::core::future::Future::poll(__c.as_mut(), &mut ::core::task::Context::from_waker(::core::task::Waker::noop())) \
             { ::core::task::Poll::Pending => rt::St::Y(()), ::core::task::Poll::Ready(v) => rt::St::R(v) }"
                .into(),
        ),
    };
    let k = p.k;
    let again = |phrase: &str| {
        if !p.mode.resumes_after_end() {
            return String::new();
        }
        format!(
            "let __arg = {again_arg};\n\
             rt::log(\"resume again\");\n\
             let __r = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| match {step} {{\n\
             rt::St::Y(v) => format!(\"yielded {{}}\", rt::Show::show(&v)),\n\
             rt::St::R(v) => format!(\"complete {{}}\", rt::Show::show(&v)),\n\
             }}));\n\
             rt::log(rt::after_end({native}, \"{phrase}\", __r));\n"
        )
    };
    let again_complete = again("resumed after completion");
    let again_panic = again("resumed after panicking");
    let _ = write!(
        out,
        "pub fn run() -> Vec<String> {{\n\
         rt::log(\"start\");\n\
         {pre}\
         {{\n\
         let __c = {call};\n\
         rt::log(\"created\");\n\
         {setup}\
         let mut __i: u32 = 0;\n\
         loop {{\n\
         if __i == {k} {{ break; }}\n\
         let __arg = {arg};\n\
         rt::log(format!(\"resume {{__i}}\"));\n\
         let __r = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {step}));\n\
         __i += 1;\n\
         match __r {{\n\
         Ok(rt::St::Y(v)) => rt::log(format!(\"yielded {{}}\", rt::Show::show(&v))),\n\
         Ok(rt::St::R(v)) => {{\n\
         rt::log(format!(\"complete {{}}\", rt::Show::show(&v)));\n\
         drop(v);\n\
         {again_complete}\
         break;\n\
         }}\n\
         Err(p) => {{\n\
         rt::log(format!(\"panic {{}}\", rt::panic_msg(&p)));\n\
         drop(p);\n\
         {again_panic}\
         break;\n\
         }}\n\
         }}\n\
         }}\n\
         rt::log(\"drop coroutine\");\n\
         }}\n\
         rt::log(\"dropped\");\n\
         {post}\
         rt::take_log()\n\
         }}\n"
    );
}

/// One program's module (`src/pN.rs`) for `side`.
pub fn module(side: Side, p: &Program) -> String {
    let mut out = String::from("use crate::rt;\n");
    match side {
        Side::Ours => {
            if !p.main.path_macros || p.subs.iter().any(|s| !s.path_macros) {
                out.push_str("use coroutine::{yield_, yield_from};\n");
            }
        }
        Side::Native => out.push_str("use crate::nrt;\n"),
    }
    out.push('\n');
    for s in &p.subs {
        render_fn(side, s, &[], &mut out);
        out.push('\n');
    }
    render_fn(side, &p.main, &p.subs, &mut out);
    out.push('\n');
    render_driver(side, p, &mut out);
    out
}

/// The rendering of the program's coroutines alone (no driver), for reports.
pub fn coroutines(side: Side, p: &Program) -> String {
    let mut out = String::new();
    for s in &p.subs {
        render_fn(side, s, &[], &mut out);
        out.push('\n');
    }
    render_fn(side, &p.main, &p.subs, &mut out);
    out
}

/// A description of how the driver runs the program, for reports.
pub fn driver_summary(p: &Program) -> String {
    let f = &p.main;
    let arg = match f.a {
        Ty::Unit => "()".to_string(),
        Ty::U32 => format!("(i * 7 + {}) % 50", p.salt),
        _ => format!("rt::Tracer::new(1000 + i, (i * 7 + {}) % 50)", p.salt),
    };
    let k = if p.k >= 100 {
        "to the end".to_string()
    } else {
        format!("at most {} times", p.k)
    };
    let how = match p.mode {
        Mode::Resume => "resume",
        Mode::Iter => "pin!(c).iter().next()",
        Mode::IntoIter => "c.into_iter().next()",
        Mode::Stream => "Stream::poll_next",
        Mode::Future => "Future::poll",
    };
    format!(
        "driver: steps {k} with argument i = {arg} (ours by {how}; native by resume), \
         then drops the coroutine"
    )
}

/// The crate root (`src/main.rs`) of a scratch crate holding `indices`.
pub fn crate_main(side: Side, indices: &[usize]) -> String {
    let mut out = String::from("#![allow(warnings)]\n");
    if side == Side::Native {
        out.push_str("#![feature(coroutines, coroutine_trait, stmt_expr_attributes)]\n");
    }
    out.push_str(
        "\nmacro_rules! pair_sum {\n    ($a:expr, $b:expr) => { (($a) + ($b)) % 1000 };\n}\n\nmod rt;\n",
    );
    if side == Side::Native {
        out.push_str("mod nrt;\n");
    }
    for i in indices {
        let _ = writeln!(out, "mod p{i};");
    }
    out.push_str("\nrt::impl_main!(");
    for i in indices {
        let _ = write!(out, "{i} => p{i}, ");
    }
    out.push_str(");\n\nfn main() {\n    main_impl();\n}\n");
    out
}
