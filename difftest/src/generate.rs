//! The program generator: random, terminating, well-typed, borrow-checked coroutine
//! bodies.
//!
//! Every program is built from a small typed language over `u32`, `rt::Tracer` (a drop
//! tracer), `()` and `Result<u32, rt::Tracer>`. The generator keeps an environment of
//! the locals in scope (type, mutability, moved or not, borrowed or not, the loop depth
//! they were declared at) so that what it writes compiles on both sides:
//!
//! - a local is moved only where the move cannot happen twice: when it was declared in
//!   the innermost loop's body, or the block the move is in ends in `return`/`panic!`,
//!   or in `break` out of the loop just inside the local's;
//! - after an `if`/`match`/loop a local moved on any path counts as moved;
//! - a borrowed local is neither moved nor assigned while the borrow lives (borrows
//!   live in a block of their own, `{ let r = &x; ..; use(r) }`);
//! - `format!` arguments never move (`format_args!` borrows them);
//! - loops are bounded by counters or ranges of at most 3, there is no recursion, and
//!   all arithmetic stays below 1000 (no overflow).

use crate::code::{Code, Frag, YieldFrom, cat};
use crate::rng::Rng;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    Unit,
    U32,
    Tracer,
    /// `Result<u32, rt::Tracer>`: a return type, with `?`.
    Res,
    /// `Box<dyn rt::Show>`: a return type, reached by unsizing coercion.
    BoxDyn,
}

impl Ty {
    pub fn rust(self) -> &'static str {
        match self {
            Ty::Unit => "()",
            Ty::U32 => "u32",
            Ty::Tracer => "rt::Tracer",
            Ty::Res => "Result<u32, rt::Tracer>",
            Ty::BoxDyn => "Box<dyn rt::Show>",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Sync,
    Async,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Recv {
    /// `self`
    Value,
    /// `&self`
    Ref,
    /// `&mut self`
    Mut,
}

#[derive(Clone, Debug)]
pub enum Pat {
    Ident { name: String, mutable: bool },
    Wild,
    Tuple(Box<Pat>, Box<Pat>),
}

impl Pat {
    pub fn render(&self) -> String {
        match self {
            Pat::Ident { name, mutable } => {
                format!("{}{name}", if *mutable { "mut " } else { "" })
            }
            Pat::Wild => "_".into(),
            Pat::Tuple(a, b) => format!("({}, {})", a.render(), b.render()),
        }
    }

    /// A plain `x` / `mut x` binding (which an `async fn` moves with `let x = x;`).
    pub fn simple_ident(&self) -> Option<&str> {
        match self {
            Pat::Ident { name, .. } => Some(name),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PTy {
    U32,
    Tracer,
    Pair,
    RefTracer,
}

impl PTy {
    pub fn rust(self) -> &'static str {
        match self {
            PTy::U32 => "u32",
            PTy::Tracer => "rt::Tracer",
            PTy::Pair => "(rt::Tracer, rt::Tracer)",
            PTy::RefTracer => "&rt::Tracer",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Param {
    pub pat: Pat,
    pub ty: PTy,
}

#[derive(Clone, Debug)]
pub struct ResumeParam {
    pub name: String,
    pub mutable: bool,
}

#[derive(Clone, Debug)]
pub struct FnDef {
    pub name: String,
    pub kind: Kind,
    pub recv: Option<Recv>,
    pub params: Vec<Param>,
    /// The `#[resume]` parameter and its position among `params`.
    pub resume: Option<(usize, ResumeParam)>,
    pub y: Ty,
    pub a: Ty,
    pub r: Ty,
    pub body: Code,
    /// `yield = ()` written out (otherwise no `yield =` for `()`).
    pub explicit_unit_yield: bool,
    /// `coroutine::yield_!` by path instead of the imported `yield_!`.
    pub path_macros: bool,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub idx: usize,
    pub main: FnDef,
    pub subs: Vec<FnDef>,
    /// Resumes before the driver drops the coroutine (if it has not ended).
    pub k: u32,
    /// Resume argument `i` is `(i * 7 + salt) % 50`.
    pub salt: u32,
    pub mode: Mode,
    /// The driver's value for each main parameter (tracer values, `u32`s).
    pub param_vals: Vec<u32>,
}

/// How the driver (ours) takes its steps. The oracle always resumes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `Coroutine::resume` (sync) / `AsyncGen::resume(arg).await`.
    Resume,
    /// `pin!(c).iter()`, then `Iter::take_return` (sync, `A = ()`).
    Iter,
    /// `c.into_iter()` (sync, `A = ()`).
    IntoIter,
    /// `Stream::poll_next`, then `take_return` (`A = ()`).
    Stream,
    /// `Future::poll` (sync, `Y = ()`, `A = ()`): each `yield_!()` is one `Pending`.
    Future,
}

impl Mode {
    /// Whether the driver resumes once more after the end (iterators and streams are
    /// fused instead).
    pub fn resumes_after_end(self) -> bool {
        matches!(self, Mode::Resume | Mode::Future)
    }
}

/// What `yield_from!` can delegate to.
#[derive(Clone, Debug)]
struct SubInfo {
    r: Ty,
    params: Vec<PTy>,
}

#[derive(Clone, Debug)]
struct Ctx {
    kind: Kind,
    y: Ty,
    a: Ty,
    r: Ty,
    subs: Vec<SubInfo>,
    allow_panic: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum VTy {
    U32,
    Tracer,
    RefU32,
    RefTracer,
    MutRefTracer,
    /// The receiver (`self` / `&self` / `&mut self`).
    Recv(Recv),
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    ty: VTy,
    mutable: bool,
    moved: bool,
    depth: u32,
    shared: u32,
    excl: bool,
}

/// What encloses a statement, for unlabeled `break` and `continue`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Exit {
    Loop,
    /// A `loop` whose `break` carries a value (only its own `break e` is generated).
    ValueLoop,
    /// A labeled block: an unlabeled `break`/`continue` may not cross it.
    LabeledBlock,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Term {
    None,
    Continue,
    Break,
    Return,
    Panic,
}

/// Restrictions on an expression.
#[derive(Clone, Copy, Default, Debug)]
struct Fl {
    no_yield: bool,
    no_move: bool,
    /// Inside an `async` block or closure: no yields, moves, awaits, `?`, loops,
    /// statements.
    pure_: bool,
}

impl Fl {
    fn pure_() -> Fl {
        Fl {
            no_yield: true,
            no_move: true,
            pure_: true,
        }
    }
    fn no_move(self) -> Fl {
        Fl {
            no_move: true,
            ..self
        }
    }
}

const MAX_DEPTH: u32 = 4;
const MAX_BLOCK_DEPTH: u32 = 3;
const MAX_LOOP_DEPTH: u32 = 2;

struct Gen<'r> {
    rng: &'r mut Rng,
    ctx: Ctx,
    vars: Vec<Var>,
    next_id: &'r mut u32,
    next_name: u32,
    yields_left: u32,
    stmts_left: u32,
    loop_depth: u32,
    /// What an unlabeled `break`/`continue` would leave, innermost last.
    loops: Vec<Exit>,
    /// For each loop being generated, innermost last: which of the locals outside it
    /// were moved at one of its `break`s (the loop leaves with that state, whatever
    /// the rest of its body assigns again).
    exits: Vec<Vec<bool>>,
    term: Term,
    block_depth: u32,
}

impl Gen<'_> {
    fn id(&mut self) -> u32 {
        *self.next_id += 1;
        *self.next_id
    }

    fn lit(&mut self) -> Code {
        self.rng.below(20).to_string().into()
    }

    fn visible(&self) -> Vec<usize> {
        (0..self.vars.len())
            .filter(|&i| {
                !self.vars[i + 1..]
                    .iter()
                    .any(|v| v.name == self.vars[i].name)
            })
            .collect()
    }

    /// A name for a new local: fresh, or (sometimes) shadowing a visible one.
    fn new_name(&mut self, prefix: &str) -> String {
        let shadowable: Vec<String> = self
            .visible()
            .into_iter()
            .map(|i| self.vars[i].name.clone())
            .filter(|n| {
                n.starts_with(prefix) && n[prefix.len()..].chars().all(|c| c.is_ascii_digit())
            })
            .collect();
        if !shadowable.is_empty() && self.rng.chance(1, 4) {
            let i = self
                .rng
                .below(u32::try_from(shadowable.len()).expect("few"));
            return shadowable[i as usize].clone();
        }
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    fn declare(&mut self, name: String, ty: VTy, mutable: bool) {
        self.vars.push(Var {
            name,
            ty,
            mutable,
            moved: false,
            depth: self.loop_depth,
            shared: 0,
            excl: false,
        });
    }

    /// Whether a `continue` may stand here: inside a loop (not across a labeled
    /// block), and not in a block whose moves rely on it ending in `break`/`return`
    /// (a `continue` after such a move would run the move again).
    fn can_continue(&self) -> bool {
        matches!(self.loops.last(), Some(Exit::Loop | Exit::ValueLoop))
            && matches!(self.term, Term::None | Term::Continue)
    }

    fn can_move(&self, v: &Var) -> bool {
        !v.moved
            && v.shared == 0
            && !v.excl
            && (v.depth == self.loop_depth
                || matches!(self.term, Term::Return | Term::Panic)
                || (self.term == Term::Break && v.depth + 1 >= self.loop_depth))
    }

    /// Visible tracer locals that may be moved here.
    fn movable(&self) -> Vec<usize> {
        self.visible()
            .into_iter()
            .filter(|&i| self.vars[i].ty == VTy::Tracer && self.can_move(&self.vars[i]))
            .collect()
    }

    /// `u32` places that can be read here.
    fn readable(&self) -> Vec<Code> {
        let mut out = Vec::new();
        for i in self.visible() {
            let v = &self.vars[i];
            if v.moved || v.excl {
                continue;
            }
            match v.ty {
                VTy::U32 => out.push(Code::from(&v.name)),
                VTy::Tracer | VTy::RefTracer | VTy::MutRefTracer => {
                    out.push(format!("{}.1", v.name).into());
                }
                VTy::RefU32 => out.push(format!("*{}", v.name).into()),
                VTy::Recv(_) => {
                    out.push(cat!(Code::frag(Frag::SelfKw), ".n"));
                    out.push(cat!(Code::frag(Frag::SelfKw), ".t.1"));
                }
            }
        }
        out
    }

    /// `&Tracer` expressions borrowing a local (for `rt::peek`).
    fn tracer_refs(&self) -> Vec<Code> {
        let mut out = Vec::new();
        for i in self.visible() {
            let v = &self.vars[i];
            if v.moved || v.excl {
                continue;
            }
            match v.ty {
                VTy::Tracer => out.push(format!("&{}", v.name).into()),
                VTy::RefTracer | VTy::MutRefTracer => out.push(Code::from(&v.name)),
                VTy::Recv(_) => out.push(cat!("&", Code::frag(Frag::SelfKw), ".t")),
                _ => {}
            }
        }
        out
    }

    fn pick_code(&mut self, items: &[Code]) -> Code {
        items[self.rng.below(u32::try_from(items.len()).expect("few")) as usize].clone()
    }

    fn pick_idx(&mut self, items: &[usize]) -> usize {
        self.rng.pick(items)
    }

    // ---- scopes and branches ----

    /// Runs `f` in a new scope: the locals it declares go away after it.
    fn scope(&mut self, f: impl FnOnce(&mut Self) -> Code) -> Code {
        let n = self.vars.len();
        let c = f(self);
        self.vars.truncate(n);
        c
    }

    /// Runs each branch on the same starting environment; afterwards a local counts as
    /// moved if any branch may have moved it.
    fn branches(&mut self, n: usize, mut f: impl FnMut(&mut Self, usize) -> Code) -> Vec<Code> {
        let start = self.vars.clone();
        let mut moved = vec![false; start.len()];
        let mut out = Vec::new();
        for i in 0..n {
            self.vars = start.clone();
            out.push(f(self, i));
            for (m, v) in moved.iter_mut().zip(&self.vars) {
                *m |= v.moved;
            }
        }
        self.vars = start;
        for (v, m) in self.vars.iter_mut().zip(moved) {
            v.moved |= m;
        }
        out
    }

    /// A loop body: deeper loop depth, no inherited terminator; locals it may move
    /// count as moved after (the body may run zero times: the start state is merged in).
    fn in_loop(&mut self, value: bool, f: impl FnOnce(&mut Self) -> Code) -> Code {
        let start = self.vars.clone();
        let saved_term = self.term;
        self.term = Term::None;
        self.loop_depth += 1;
        self.loops
            .push(if value { Exit::ValueLoop } else { Exit::Loop });
        self.exits.push(vec![false; start.len()]);
        let c = self.scope(f);
        let at_breaks = self.exits.pop().expect("pushed above");
        self.loops.pop();
        self.loop_depth -= 1;
        self.term = saved_term;
        for ((v, s), b) in self.vars.iter_mut().zip(start).zip(at_breaks) {
            v.moved |= s.moved || b;
        }
        c
    }

    /// Records what is moved where a `break` leaves the innermost loop.
    fn at_break(&mut self) {
        if let Some(exit) = self.exits.last_mut() {
            for (m, v) in exit.iter_mut().zip(&self.vars) {
                *m |= v.moved;
            }
        }
    }

    /// `{ stmts [terminator] }`.
    fn block(&mut self, term: Term, max_stmts: u32) -> Code {
        let saved = self.term;
        if term != Term::None {
            self.term = term;
        }
        self.block_depth += 1;
        let c = self.scope(|g| {
            let mut c = Code::from("{\n");
            let n = g.stmt_count(max_stmts);
            for _ in 0..n {
                let s = g.stmt();
                c.push(s);
            }
            match term {
                Term::None => {}
                Term::Continue => c.push("continue;\n"),
                Term::Break => {
                    g.at_break();
                    c.push("break;\n");
                }
                Term::Return => {
                    if g.ctx.r == Ty::Unit {
                        c.push("return;\n");
                    } else {
                        let e = g.r_expr(1, Fl::default());
                        c.push(cat!("return ", e, ";\n"));
                    }
                }
                Term::Panic => {
                    let id = g.id();
                    c.push(format!("panic!(\"boom {id}\");\n"));
                }
            }
            c.push("}");
            c
        });
        self.block_depth -= 1;
        self.term = saved;
        c
    }

    fn stmt_count(&mut self, max: u32) -> u32 {
        if self.stmts_left == 0 || self.block_depth > MAX_BLOCK_DEPTH {
            return 0;
        }
        let n = self.rng.range(0, max).min(self.stmts_left);
        self.stmts_left -= n;
        n
    }

    /// `{ [stmts] e }` of type `ty`.
    fn value_block(&mut self, ty: Ty, d: u32, fl: Fl) -> Code {
        self.block_depth += 1;
        let c = self.scope(|g| {
            let mut c = Code::from("{ ");
            if !fl.pure_ && !fl.no_move {
                let n = g.stmt_count(2);
                for _ in 0..n {
                    let s = g.stmt();
                    c.push(s);
                }
            }
            let e = g.expr(ty, d + 1, fl);
            c.push(cat!(e, " }"));
            c
        });
        self.block_depth -= 1;
        c
    }

    // ---- expressions ----

    fn expr(&mut self, ty: Ty, d: u32, fl: Fl) -> Code {
        match ty {
            Ty::U32 => self.u32_expr(d, fl),
            Ty::Tracer => self.tracer_expr(d, fl),
            Ty::Unit => "()".into(),
            Ty::Res => self.res_expr(d, fl),
            Ty::BoxDyn => {
                // `Box<u32>` / `Box<Tracer>` where a `Box<dyn Show>` is returned: the
                // coercion an `async fn` applies at `return` and at the tail.
                let inner = if self.rng.chance(1, 2) {
                    cat!("Box::<u32>::new(", self.u32_expr(d + 1, fl), ")")
                } else {
                    cat!("Box::new(", self.tracer_expr(d + 1, fl), ")")
                };
                Code::frag(Frag::Coerce(inner))
            }
        }
    }

    fn r_expr(&mut self, d: u32, fl: Fl) -> Code {
        let r = self.ctx.r;
        self.expr(r, d, fl)
    }

    fn can_yield(&self, fl: Fl) -> bool {
        !fl.no_yield && !fl.pure_ && self.yields_left > 0
    }

    /// `yield_!(e)`: of type `A`.
    fn yield_(&mut self, d: u32, fl: Fl) -> Code {
        self.yields_left -= 1;
        let y = self.ctx.y;
        let operand = match y {
            Ty::Unit if self.rng.chance(1, 2) => None,
            _ => Some(self.expr(y, d + 1, fl)),
        };
        Code::frag(Frag::Yield(operand))
    }

    /// `yield_from!(sub(..)[, first])`, of the sub's return type, if one returns `r`.
    fn yield_from(&mut self, r: Option<Ty>, d: u32, fl: Fl) -> Option<Code> {
        if !self.can_yield(fl) {
            return None;
        }
        let candidates: Vec<usize> = (0..self.ctx.subs.len())
            .filter(|&i| r.is_none_or(|r| self.ctx.subs[i].r == r))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        self.yields_left -= 1;
        let sub = self.pick_idx(&candidates);
        let params = self.ctx.subs[sub].params.clone();
        let mut call = Code::from(format!("sub{sub}("));
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                call.push(", ");
            }
            let e = match p {
                PTy::U32 => self.u32_expr(d + 1, fl),
                _ => self.tracer_expr(d + 1, fl),
            };
            call.push(e);
        }
        call.push(")");
        let boxed = self.rng.chance(1, 3);
        let a = self.ctx.a;
        let first = (a != Ty::Unit).then(|| self.expr(a, d + 1, fl));
        Some(Code::frag(Frag::YieldFrom(Box::new(YieldFrom {
            sub,
            call,
            boxed,
            first,
        }))))
    }

    fn cond(&mut self, d: u32, fl: Fl) -> Code {
        match self.rng.below(10) {
            0 => "true".into(),
            1 => "false".into(),
            2..=5 => {
                let e = self.u32_expr(d + 1, fl);
                let m = self.rng.range(2, 4);
                let v = self.rng.below(m);
                cat!("(", e, format!(") % {m} == {v}"))
            }
            6 | 7 => {
                let e = self.u32_expr(d + 1, fl);
                let v = self.rng.below(12);
                cat!(paren(e), format!(" > {v}"))
            }
            _ => {
                let e = self.u32_expr(d + 1, fl);
                let v = self.rng.below(12);
                cat!(paren(e), format!(" < {v}"))
            }
        }
    }

    fn u32_expr(&mut self, d: u32, fl: Fl) -> Code {
        let readable = self.readable();
        let refs = self.tracer_refs();
        let deep = d + self.block_depth >= MAX_DEPTH;
        let can_yield = self.can_yield(fl);
        let not_pure = !fl.pure_;
        let is_async = self.ctx.kind == Kind::Async;
        let a = self.ctx.a;
        let w = |b: bool, n: u32| if b { n } else { 0 };
        let weights = [
            3,                                                    // 0 literal
            w(!readable.is_empty(), 5),                           // 1 read a place
            w(!deep, 2),                                          // 2 Tracer::new(..).1
            w(!deep, 2),                                          // 3 peek(&Tracer::new(..))
            w(!deep && !refs.is_empty(), 2),                      // 4 peek(&local)
            w(!deep, 2),                                          // 5 (a + b) % 1000
            w(!deep, 2),                                          // 6 mix(a, b)
            w(can_yield && d + self.block_depth <= MAX_DEPTH, 4), // 7 yield_!
            w(
                can_yield && !deep && self.ctx.subs.iter().any(|s| s.r == Ty::U32),
                2,
            ), // 8
            w(!deep, 1),                                          // 9 if
            w(!deep && not_pure, 1),                              // 10 match
            w(!deep && not_pure, 1),                              // 11 block
            w(!deep, 1),                                          // 12 sum(vec![..])
            w(!deep, 1),                                          // 13 strlen(format!(..))
            w(!deep, 1),                                          // 14 pair_sum!
            w(!deep && not_pure && self.ctx.r == Ty::Res, 1),     // 15 check(..)?
            w(!deep && not_pure && self.ctx.allow_panic, 1),      // 16 explode
            w(
                !deep && not_pure && !fl.no_move && self.loop_depth < MAX_LOOP_DEPTH,
                1,
            ), // 17 loop expr
            w(!deep && not_pure && is_async, 2),                  // 18 await ready / pending
            w(!deep && not_pure && is_async, 1),                  // 19 async { }.await
            w(!deep, 1),                                          // 20 closure with `return`
            w(!deep && not_pure, 1),                              // 21 nested fn with `return`
            w(
                !deep && not_pure && !fl.no_move && !self.movable().is_empty(),
                1,
            ), // 22 move closure
            w(!deep && not_pure && is_async, 1),                  // 23 async { return }.await
        ];
        match self.rng.weighted(&weights) {
            0 => self.lit(),
            1 => self.pick_code(&readable),
            2 => {
                let id = self.id();
                let e = self.u32_expr(d + 1, fl);
                cat!(format!("rt::Tracer::new({id}, "), e, ").1")
            }
            3 => {
                let id = self.id();
                let e = self.u32_expr(d + 1, fl);
                cat!(format!("rt::peek(&rt::Tracer::new({id}, "), e, "))")
            }
            4 => {
                let r = self.pick_code(&refs);
                cat!("rt::peek(", r, ")")
            }
            5 => {
                let x = self.u32_expr(d + 1, fl);
                let y = self.u32_expr(d + 1, fl);
                cat!("(", paren(x), " + ", paren(y), ") % 1000")
            }
            6 => {
                let x = self.u32_expr(d + 1, fl);
                let y = self.u32_expr(d + 1, fl);
                cat!("rt::mix(", x, ", ", y, ")")
            }
            7 => {
                let y = self.yield_(d, fl);
                match a {
                    Ty::U32 => y,
                    Ty::Tracer => cat!(y, ".1"),
                    _ => {
                        let e = self.u32_expr(d + 1, fl);
                        cat!("(", y, ", ", e, ").1")
                    }
                }
            }
            8 => self
                .yield_from(Some(Ty::U32), d, fl)
                .expect("a sub returns u32"),
            9 => self.if_expr(Ty::U32, d, fl),
            10 => self.match_expr(Ty::U32, d, fl),
            11 => self.value_block(Ty::U32, d, fl),
            12 => {
                let n = self.rng.range(1, 3);
                let mut c = Code::from("rt::sum(vec![");
                for i in 0..n {
                    if i > 0 {
                        c.push(", ");
                    }
                    let e = self.u32_expr(d + 1, fl);
                    c.push(e);
                }
                c.push("])");
                c
            }
            13 => {
                let x = self.u32_expr(d + 1, fl.no_move());
                if self.rng.chance(1, 2) {
                    cat!("rt::strlen(format!(\"{}\", ", x, "))")
                } else {
                    let y = self.u32_expr(d + 1, fl.no_move());
                    cat!("rt::strlen(format!(\"{}-{}\", ", x, ", ", y, "))")
                }
            }
            14 => {
                let x = self.u32_expr(d + 1, fl);
                let y = self.u32_expr(d + 1, fl);
                cat!("pair_sum!(", x, ", ", y, ")")
            }
            15 => {
                let e = self.u32_expr(d + 1, fl);
                cat!("rt::check(", e, ")?")
            }
            16 => {
                let id = self.id();
                let e = self.u32_expr(d + 1, fl);
                cat!(format!("rt::explode({id}, "), e, ")")
            }
            17 => self.loop_expr(Ty::U32, d, fl),
            18 => {
                let e = self.u32_expr(d + 1, fl);
                if self.rng.chance(1, 2) {
                    cat!("rt::ready(", e, ").await")
                } else {
                    cat!("rt::pending_once(", e, ").await")
                }
            }
            19 => {
                let e = self.u32_expr(d + 1, Fl::pure_());
                cat!("async { ", e, " }.await")
            }
            20 => {
                // A `return` in a closure returns from the closure, not the coroutine.
                let e = self.u32_expr(d + 1, fl);
                let k = self.rng.below(8);
                cat!(
                    format!(
                        "(|x: u32| -> u32 {{ if x > {k} {{ return x % 7; }} (x + 1) % 1000 }})("
                    ),
                    e,
                    ")"
                )
            }
            21 => {
                self.next_name += 1;
                let h = format!("h{}", self.next_name);
                let e = self.u32_expr(d + 1, fl);
                let k = self.rng.below(8);
                cat!(
                    format!(
                        "{{ fn {h}(x: u32) -> u32 {{ if x > {k} {{ return x - {k}; }} x }} {h}("
                    ),
                    e,
                    ") }"
                )
            }
            22 => {
                // The closure takes the tracer; the tracer dies with it, at the block's end.
                let movable = self.movable();
                let i = self.pick_idx(&movable);
                self.vars[i].moved = true;
                let t = self.vars[i].name.clone();
                self.next_name += 1;
                let f = format!("f{}", self.next_name);
                format!("{{ let {f} = move || rt::peek(&{t}); {f}() }}").into()
            }
            23 => {
                let c = self.cond(d + 1, Fl::pure_());
                let x = self.u32_expr(d + 1, Fl::pure_());
                let y = self.u32_expr(d + 1, Fl::pure_());
                cat!("async { if ", c, " { return ", x, "; } ", y, " }.await")
            }
            _ => unreachable!(),
        }
    }

    fn tracer_expr(&mut self, d: u32, fl: Fl) -> Code {
        let movable = if fl.no_move || fl.pure_ {
            Vec::new()
        } else {
            self.movable()
        };
        let deep = d + self.block_depth >= MAX_DEPTH;
        let can_yield = self.can_yield(fl);
        let not_pure = !fl.pure_;
        let w = |b: bool, n: u32| if b { n } else { 0 };
        let weights = [
            4,                                           // 0 new
            w(!movable.is_empty(), 4),                   // 1 move
            w(!deep, 1),                                 // 2 pass
            w(can_yield && self.ctx.a == Ty::Tracer, 3), // 3 yield
            w(
                can_yield && !deep && self.ctx.subs.iter().any(|s| s.r == Ty::Tracer),
                2,
            ), // 4
            w(!deep, 1),                                 // 5 if
            w(!deep && not_pure, 1),                     // 6 match
            w(!deep && not_pure, 1),                     // 7 block
            w(!deep && not_pure && self.ctx.r == Ty::Res, 1), // 8 checkt?
            w(!deep && not_pure && self.ctx.kind == Kind::Async, 1), // 9 pending
        ];
        match self.rng.weighted(&weights) {
            0 => {
                let id = self.id();
                let e = self.u32_expr(d + 1, fl);
                cat!(format!("rt::Tracer::new({id}, "), e, ")")
            }
            1 => {
                let i = self.pick_idx(&movable);
                self.vars[i].moved = true;
                Code::from(&self.vars[i].name)
            }
            2 => {
                let e = self.tracer_expr(d + 1, fl);
                cat!("rt::pass(", e, ")")
            }
            3 => self.yield_(d, fl),
            4 => self
                .yield_from(Some(Ty::Tracer), d, fl)
                .expect("a sub returns a tracer"),
            5 => self.if_expr(Ty::Tracer, d, fl),
            6 => self.match_expr(Ty::Tracer, d, fl),
            7 => self.value_block(Ty::Tracer, d, fl),
            8 => {
                let e = self.tracer_expr(d + 1, fl);
                cat!("rt::checkt(", e, ")?")
            }
            9 => {
                let e = self.tracer_expr(d + 1, fl);
                cat!("rt::pending_once(", e, ").await")
            }
            _ => unreachable!(),
        }
    }

    fn res_expr(&mut self, d: u32, fl: Fl) -> Code {
        match self.rng.below(5) {
            0 | 1 => {
                let e = self.u32_expr(d + 1, fl);
                cat!("Ok(", e, ")")
            }
            2 => {
                let e = self.tracer_expr(d + 1, fl);
                cat!("Err(", e, ")")
            }
            3 => {
                let e = self.u32_expr(d + 1, fl);
                cat!("rt::check(", e, ")")
            }
            _ => {
                let e = self.tracer_expr(d + 1, fl);
                cat!("rt::checkt(", e, ").map(|t| t.1)")
            }
        }
    }

    fn if_expr(&mut self, ty: Ty, d: u32, fl: Fl) -> Code {
        let c = self.cond(d, fl);
        let arms = self.branches(2, |g, _| g.value_block(ty, d, fl));
        cat!("if ", c, " ", &arms[0], " else ", &arms[1])
    }

    /// A match arm's value: a bare expression or a block.
    fn arm_value(&mut self, ty: Ty, d: u32, fl: Fl) -> Code {
        if self.rng.chance(1, 2) {
            cat!(self.expr(ty, d + 1, fl), ",")
        } else {
            self.value_block(ty, d, fl)
        }
    }

    fn match_expr(&mut self, ty: Ty, d: u32, fl: Fl) -> Code {
        self.match_common(d, fl, &mut |g, d, fl| g.arm_value(ty, d, fl))
    }

    /// `match scrutinee { arms }`, where each arm's body comes from `arm` (a value or a
    /// block statement).
    fn match_common(
        &mut self,
        d: u32,
        fl: Fl,
        arm: &mut dyn FnMut(&mut Self, u32, Fl) -> Code,
    ) -> Code {
        let a = self.ctx.a;
        let yield_scrutinee = self.can_yield(fl) && self.rng.chance(1, 3);
        let on_tracer = if yield_scrutinee {
            a == Ty::Tracer
        } else {
            self.rng.chance(1, 3)
        };
        if yield_scrutinee && a == Ty::Unit {
            let s = self.yield_(d, fl);
            let body = self.branches(1, |g, _| arm(g, d, fl));
            return cat!("match ", s, " {\n() => ", &body[0], "\n}");
        }
        if on_tracer {
            // A place scrutinee is only ever matched with by-move bindings.
            let (s, value_scrutinee) = if yield_scrutinee {
                (self.yield_(d, fl), true)
            } else if self.rng.chance(1, 2) {
                let e = self.tracer_expr(d + 1, fl);
                (cat!("rt::pass(", e, ")"), true)
            } else {
                (self.tracer_expr(d + 1, fl), false)
            };
            if value_scrutinee && self.rng.chance(1, 2) {
                let v = self.new_name("n");
                let k = self.rng.below(6);
                let arms = self.branches(3, |g, i| {
                    g.scope(|g| {
                        let pat = match i {
                            0 => "rt::Tracer(_, 0)".to_string(),
                            1 => {
                                g.declare(v.clone(), VTy::U32, false);
                                format!("rt::Tracer(_, {v}) if {v} > {k}")
                            }
                            _ => "_".to_string(),
                        };
                        cat!(pat, " => ", arm(g, d, fl), "\n")
                    })
                });
                return cat!("match ", s, " {\n", &arms[0], &arms[1], &arms[2], "}");
            }
            let t1 = self.new_name("t");
            let t2 = self.new_name("t");
            let m = self.rng.range(2, 3);
            let arms = self.branches(2, |g, i| {
                g.scope(|g| {
                    let name = if i == 0 { &t1 } else { &t2 };
                    g.declare(name.clone(), VTy::Tracer, false);
                    let guard = if i == 0 {
                        format!(" if {t1}.1 % {m} == 0")
                    } else {
                        String::new()
                    };
                    cat!(format!("{name}{guard} => "), arm(g, d, fl), "\n")
                })
            });
            return cat!("match ", s, " {\n", &arms[0], &arms[1], "}");
        }
        let s = if yield_scrutinee {
            self.yield_(d, fl)
        } else {
            let e = self.u32_expr(d + 1, fl);
            let m = self.rng.range(2, 5);
            cat!("(", e, format!(") % {m}"))
        };
        let v = self.new_name("n");
        let n_arms = self.rng.range(2, 4) as usize;
        let k = self.rng.below(6);
        let arms = self.branches(n_arms, |g, i| {
            g.scope(|g| {
                let pat = if i == n_arms - 1 {
                    "_".to_string()
                } else {
                    match i {
                        0 => "0".to_string(),
                        1 => "1 | 2".to_string(),
                        _ => {
                            g.declare(v.clone(), VTy::U32, false);
                            format!("{v} if {v} > {k}")
                        }
                    }
                };
                cat!(pat, " => ", arm(g, d, fl), "\n")
            })
        });
        let mut c = cat!("match ", s, " {\n");
        for a in arms {
            c.push(a);
        }
        c.push("}");
        c
    }

    /// `{ let mut c = 0; loop { c += 1; if c > N || cond { break e; } stmts } }`
    fn loop_expr(&mut self, ty: Ty, d: u32, fl: Fl) -> Code {
        self.next_name += 1;
        let c = format!("c{}", self.next_name);
        let n = self.rng.range(0, 3);
        let body = self.scope(|g| {
            g.declare(c.clone(), VTy::U32, false);
            g.in_loop(true, |g| {
                let cond = g.cond(d, fl.no_move());
                let brk = g.branches(1, |g, _| {
                    let saved = g.term;
                    g.term = Term::Break;
                    let e = g.expr(ty, d + 1, fl);
                    g.term = saved;
                    g.at_break();
                    e
                });
                let mut b = cat!(
                    format!("{c} += 1;\nif {c} > {n} || "),
                    cond,
                    " { break ",
                    &brk[0],
                    "; }\n"
                );
                let k = g.stmt_count(2);
                for _ in 0..k {
                    let s = g.stmt();
                    b.push(s);
                }
                b
            })
        });
        cat!(format!("{{ let mut {c} = 0; loop {{\n"), body, "} }")
    }

    // ---- statements ----

    fn stmt(&mut self) -> Code {
        let readable_tracers: Vec<usize> = self
            .visible()
            .into_iter()
            .filter(|&i| {
                let v = &self.vars[i];
                matches!(v.ty, VTy::U32 | VTy::Tracer) && !v.moved && !v.excl
            })
            .collect();
        let mut_borrowable: Vec<usize> = self
            .visible()
            .into_iter()
            .filter(|&i| {
                let v = &self.vars[i];
                v.ty == VTy::Tracer && v.mutable && !v.moved && v.shared == 0 && !v.excl
            })
            .collect();
        let assignable = self.assignables();
        let movable = self.movable();
        let can_continue = self.can_continue();
        let in_plain_loop = self.loops.last() == Some(&Exit::Loop);
        let deep = self.block_depth >= MAX_BLOCK_DEPTH;
        let can_yield = self.can_yield(Fl::default());
        let is_async = self.ctx.kind == Kind::Async;
        let self_droppable = self.visible().into_iter().any(|i| {
            let v = &self.vars[i];
            v.ty == VTy::Recv(Recv::Value) && self.can_move(v)
        });
        let w = |b: bool, n: u32| if b { n } else { 0 };
        let weights = [
            4,                                               // 0 let u32
            4,                                               // 1 let tracer
            1,                                               // 2 let _ / _name
            2,                                               // 3 log_val
            w(can_yield, 5),                                 // 4 yield stmt
            w(!assignable.is_empty(), 3),                    // 5 assign
            w(!movable.is_empty(), 2),                       // 6 drop(t)
            1,                                               // 7 consume(te)
            w(!deep, 3),                                     // 8 if
            w(!deep, 2),                                     // 9 match
            w(!deep && self.loop_depth < MAX_LOOP_DEPTH, 3), // 10 loop
            w(!deep && !readable_tracers.is_empty(), 2),     // 11 shared borrow block
            w(!deep && !mut_borrowable.is_empty(), 1),       // 12 mut borrow block
            w(!deep, 1),                                     // 13 nested block
            w(!deep, 1),                                     // 14 early return
            w(!deep && self.ctx.allow_panic, 2),             // 15 panic
            w(!deep && in_plain_loop, 2),                    // 16 break
            w(!deep && can_continue, 1),                     // 17 continue
            w(can_yield && !self.ctx.subs.is_empty(), 2),    // 18 yield_from
            w(is_async, 2),                                  // 19 await stmt
            w(!deep, 1),                                     // 20 if let
            w(!deep, 1),                                     // 21 let else
            w(self_droppable, 1),                            // 22 drop(self)
            w(!self.ctx.subs.is_empty(), 1),                 // 23 unresumed sub coroutine
            w(!deep, 1),                                     // 24 deferred init
            w(!deep, 1),                                     // 25 labeled block
        ];
        match self.rng.weighted(&weights) {
            0 => {
                let e = self.u32_expr(0, Fl::default());
                let name = self.new_name("n");
                let mutable = self.rng.chance(1, 2);
                let ann = if self.rng.chance(1, 3) { ": u32" } else { "" };
                self.declare(name.clone(), VTy::U32, mutable);
                cat!(
                    format!("let {}{name}{ann} = ", if mutable { "mut " } else { "" }),
                    e,
                    ";\n"
                )
            }
            1 => {
                let e = self.tracer_expr(0, Fl::default());
                let name = self.new_name("t");
                let mutable = self.rng.chance(1, 2);
                self.declare(name.clone(), VTy::Tracer, mutable);
                cat!(
                    format!("let {}{name} = ", if mutable { "mut " } else { "" }),
                    e,
                    ";\n"
                )
            }
            2 => match self.rng.below(3) {
                0 => {
                    let e = self.tracer_expr(0, Fl::default());
                    cat!("let _ = ", e, ";\n")
                }
                1 => {
                    let e = self.tracer_expr(0, Fl::default());
                    self.next_name += 1;
                    let name = format!("_t{}", self.next_name);
                    self.declare(name.clone(), VTy::Tracer, false);
                    cat!(format!("let {name} = "), e, ";\n")
                }
                _ => {
                    // `let _ = place;` does not move.
                    let places: Vec<usize> = self
                        .visible()
                        .into_iter()
                        .filter(|&i| {
                            let v = &self.vars[i];
                            v.ty == VTy::Tracer && !v.moved && !v.excl
                        })
                        .collect();
                    if places.is_empty() {
                        let e = self.u32_expr(0, Fl::default());
                        cat!("let _ = ", e, ";\n")
                    } else {
                        let i = self.pick_idx(&places);
                        format!("let _ = {};\n", self.vars[i].name).into()
                    }
                }
            },
            3 => {
                let e = self.u32_expr(0, Fl::default());
                cat!("rt::log_val(", e, ");\n")
            }
            4 => {
                let y = self.yield_(0, Fl::default());
                let a = self.ctx.a;
                if a != Ty::Unit && self.rng.chance(1, 3) {
                    let (prefix, ty) = if a == Ty::U32 {
                        ("n", VTy::U32)
                    } else {
                        ("t", VTy::Tracer)
                    };
                    let name = self.new_name(prefix);
                    self.declare(name.clone(), ty, false);
                    cat!(format!("let {name} = "), y, ";\n")
                } else {
                    cat!(y, ";\n")
                }
            }
            5 => {
                let i = self
                    .rng
                    .below(u32::try_from(assignable.len()).expect("few"))
                    as usize;
                self.assign(assignable[i])
            }
            6 => {
                let i = self.pick_idx(&movable);
                self.vars[i].moved = true;
                format!("drop({});\n", self.vars[i].name).into()
            }
            7 => {
                let e = self.tracer_expr(0, Fl::default());
                cat!("rt::consume(", e, ");\n")
            }
            8 => {
                let c = self.cond(0, Fl::default());
                let has_else = self.rng.chance(1, 2);
                let blocks =
                    self.branches(if has_else { 2 } else { 1 }, |g, _| g.block(Term::None, 3));
                if has_else {
                    cat!("if ", c, " ", &blocks[0], " else ", &blocks[1], "\n")
                } else {
                    cat!("if ", c, " ", &blocks[0], "\n")
                }
            }
            9 => {
                let m = self.match_common(0, Fl::default(), &mut |g, _, _| g.block(Term::None, 2));
                cat!(m, "\n")
            }
            10 => self.loop_stmt(),
            11 => {
                let target = self.pick_idx(&readable_tracers);
                self.shared_borrow(target)
            }
            12 => {
                let target = self.pick_idx(&mut_borrowable);
                self.mut_borrow(target)
            }
            13 => cat!(self.block(Term::None, 3), "\n"),
            14 => self.guarded(Term::Return),
            15 => self.guarded(Term::Panic),
            16 => self.guarded(Term::Break),
            17 => self.guarded(Term::Continue),
            18 => {
                let y = self.yield_from(None, 0, Fl::default()).expect("subs");
                cat!(y, ";\n")
            }
            19 => match self.rng.below(3) {
                0 => {
                    let e = self.tracer_expr(1, Fl::default());
                    cat!("rt::pending_once(", e, ").await;\n")
                }
                1 => {
                    let e = self.u32_expr(1, Fl::pure_());
                    cat!("async { rt::log_val(", e, ") }.await;\n")
                }
                _ => {
                    let e = self.u32_expr(1, Fl::default());
                    cat!("rt::log_val(rt::pending_once(", e, ").await);\n")
                }
            },
            20 => self.if_let(),
            21 => self.let_else(),
            22 => {
                let i = self
                    .visible()
                    .into_iter()
                    .find(|&i| matches!(self.vars[i].ty, VTy::Recv(_)))
                    .expect("receiver");
                self.vars[i].moved = true;
                cat!("drop(", Code::frag(Frag::SelfKw), ");\n")
            }
            23 => {
                // A coroutine made and dropped unresumed: its arguments die in the
                // order it captured them.
                let sub = self
                    .rng
                    .below(u32::try_from(self.ctx.subs.len()).expect("few"))
                    as usize;
                let params = self.ctx.subs[sub].params.clone();
                let mut call = Code::from(format!("sub{sub}("));
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        call.push(", ");
                    }
                    let e = match p {
                        PTy::U32 => self.u32_expr(1, Fl::default()),
                        _ => self.tracer_expr(1, Fl::default()),
                    };
                    call.push(e);
                }
                call.push(")");
                if self.rng.chance(1, 2) {
                    cat!("drop(", call, ");\n")
                } else {
                    self.next_name += 1;
                    cat!(format!("let _g{} = ", self.next_name), call, ";\n")
                }
            }
            24 => {
                // `let t; if c { t = a } else { t = b }`
                let c = self.cond(0, Fl::default());
                // Fresh: the branches must not see a shadowed local by this name.
                self.next_name += 1;
                let name = format!("t{}", self.next_name);
                let blocks = self.branches(2, |g, _| {
                    g.block_depth += 1;
                    let b = g.scope(|g| {
                        let mut b = Code::from("{\n");
                        let n = g.stmt_count(2);
                        for _ in 0..n {
                            let s = g.stmt();
                            b.push(s);
                        }
                        let e = g.tracer_expr(1, Fl::default());
                        b.push(cat!(format!("{name} = "), e, ";\n}"));
                        b
                    });
                    g.block_depth -= 1;
                    b
                });
                self.declare(name.clone(), VTy::Tracer, false);
                cat!(
                    format!("let {name}: rt::Tracer;\nif "),
                    c,
                    " ",
                    &blocks[0],
                    " else ",
                    &blocks[1],
                    "\n"
                )
            }
            25 => {
                self.next_name += 1;
                let label = format!("'b{}", self.next_name);
                self.block_depth += 1;
                self.loops.push(Exit::LabeledBlock);
                // The `break` leaves with what was moved by then: merged in after.
                let mut at_break: Vec<bool> = Vec::new();
                let body = self.scope(|g| {
                    let mut b = Code::new();
                    let n = g.stmt_count(2);
                    for _ in 0..n {
                        let s = g.stmt();
                        b.push(s);
                    }
                    let c = g.cond(1, Fl::default());
                    b.push(cat!("if ", c, format!(" {{ break {label}; }}\n")));
                    at_break = g.vars.iter().map(|v| v.moved).collect();
                    let n = g.stmt_count(2);
                    for _ in 0..n {
                        let s = g.stmt();
                        b.push(s);
                    }
                    b
                });
                self.loops.pop();
                for (v, m) in self.vars.iter_mut().zip(at_break) {
                    v.moved |= m;
                }
                self.block_depth -= 1;
                cat!(format!("{label}: {{\n"), body, "}\n")
            }
            _ => unreachable!(),
        }
    }

    /// What can be assigned: (var index, how).
    fn assignables(&self) -> Vec<(usize, u8)> {
        let mut out = Vec::new();
        for i in self.visible() {
            let v = &self.vars[i];
            if v.shared > 0 || v.excl {
                continue;
            }
            match v.ty {
                VTy::U32 if v.mutable => out.push((i, 0)),
                VTy::Tracer if v.mutable => {
                    out.push((i, 1)); // t = te (also re-initialises a moved t)
                    if !v.moved {
                        out.push((i, 2)); // t.1 = e
                    }
                }
                VTy::MutRefTracer => {
                    out.push((i, 1)); // *r = te
                    out.push((i, 2)); // r.1 = e
                }
                VTy::Recv(Recv::Mut) => {
                    out.push((i, 3)); // self.n = e
                    out.push((i, 4)); // self.t = te
                    out.push((i, 5)); // self.t.1 = e
                }
                _ => {}
            }
        }
        out
    }

    fn assign(&mut self, (i, how): (usize, u8)) -> Code {
        let name = self.vars[i].name.clone();
        let deref = if self.vars[i].ty == VTy::MutRefTracer {
            "*"
        } else {
            ""
        };
        let s = || Code::frag(Frag::SelfKw);
        match how {
            0 => {
                let e = self.u32_expr(0, Fl::default());
                cat!(format!("{name} = "), e, ";\n")
            }
            1 => {
                // The right side may move `t` itself (`t = rt::pass(t);`).
                let e = self.tracer_expr(0, Fl::default());
                self.vars[i].moved = false;
                cat!(format!("{deref}{name} = "), e, ";\n")
            }
            2 => {
                // `t` stays borrowed while its field is assigned: no move of it on the right.
                self.vars[i].shared += 1;
                let e = self.u32_expr(0, Fl::default());
                self.vars[i].shared -= 1;
                cat!(format!("{name}.1 = "), e, ";\n")
            }
            3 => {
                let e = self.u32_expr(0, Fl::default());
                cat!(s(), ".n = ", e, ";\n")
            }
            4 => {
                let e = self.tracer_expr(0, Fl::default());
                cat!(s(), ".t = ", e, ";\n")
            }
            _ => {
                let e = self.u32_expr(0, Fl::default());
                cat!(s(), ".t.1 = ", e, ";\n")
            }
        }
    }

    /// `if cond { stmts; <terminator> }`
    fn guarded(&mut self, term: Term) -> Code {
        let c = self.cond(0, Fl::default());
        let b = self.branches(1, |g, _| g.block(term, 2));
        cat!("if ", c, " ", &b[0], "\n")
    }

    fn shared_borrow(&mut self, target: usize) -> Code {
        self.next_name += 1;
        let r = format!("r{}", self.next_name);
        let t = self.vars[target].name.clone();
        let tracer = self.vars[target].ty == VTy::Tracer;
        self.vars[target].shared += 1;
        let body = self.scope(|g| {
            g.declare(
                r.clone(),
                if tracer { VTy::RefTracer } else { VTy::RefU32 },
                false,
            );
            g.block_depth += 1;
            let mut c = Code::new();
            let n = g.stmt_count(3);
            for _ in 0..n {
                let s = g.stmt();
                c.push(s);
            }
            g.block_depth -= 1;
            c
        });
        self.vars[target].shared -= 1;
        let last = if tracer {
            format!("{r}.1")
        } else {
            format!("*{r}")
        };
        cat!(
            format!("{{\nlet {r} = &{t};\n"),
            body,
            format!("rt::log_val({last});\n}}\n")
        )
    }

    fn mut_borrow(&mut self, target: usize) -> Code {
        self.next_name += 1;
        let r = format!("r{}", self.next_name);
        let t = self.vars[target].name.clone();
        self.vars[target].excl = true;
        let body = self.scope(|g| {
            g.declare(r.clone(), VTy::MutRefTracer, false);
            g.block_depth += 1;
            let mut c = Code::new();
            let n = g.stmt_count(3);
            for _ in 0..n {
                let s = g.stmt();
                c.push(s);
            }
            let e = g.u32_expr(1, Fl::default());
            c.push(cat!(format!("{r}.1 = "), e, ";\n"));
            g.block_depth -= 1;
            c
        });
        self.vars[target].excl = false;
        cat!(format!("{{\nlet {r} = &mut {t};\n"), body, "}\n")
    }

    fn loop_stmt(&mut self) -> Code {
        self.next_name += 1;
        let id = self.next_name;
        let n = self.rng.range(0, 3);
        match self.rng.below(3) {
            0 => {
                let i = format!("i{id}");
                let range: Code = if self.rng.chance(1, 2) {
                    n.to_string().into()
                } else {
                    let e = self.u32_expr(1, Fl::default());
                    cat!("(", e, ") % 4")
                };
                let body = self.in_loop(false, |g| {
                    g.declare(i.clone(), VTy::U32, false);
                    g.loop_body()
                });
                cat!(format!("for {i} in 0.."), range, " {\n", body, "}\n")
            }
            1 => {
                let c = format!("c{id}");
                self.declare(c.clone(), VTy::U32, false);
                let (cond, body) = {
                    let mut cond = Code::new();
                    let body = self.in_loop(false, |g| {
                        if g.rng.chance(1, 2) {
                            cond = cat!(" && ", g.cond(1, Fl::default().no_move()));
                        }
                        g.loop_body()
                    });
                    (cond, body)
                };
                cat!(
                    format!("let mut {c} = 0;\nwhile {c} < {n}"),
                    cond,
                    format!(" {{\n{c} += 1;\n"),
                    body,
                    "}\n"
                )
            }
            _ => {
                let c = format!("c{id}");
                self.declare(c.clone(), VTy::U32, false);
                let body = self.in_loop(false, Self::loop_body);
                cat!(
                    format!("let mut {c} = 0;\nloop {{\nif {c} >= {n} {{ break; }}\n{c} += 1;\n"),
                    body,
                    "}\n"
                )
            }
        }
    }

    fn loop_body(&mut self) -> Code {
        self.block_depth += 1;
        let mut c = Code::new();
        let n = self.stmt_count(4).max(1);
        for _ in 0..n {
            let s = self.stmt();
            c.push(s);
        }
        self.block_depth -= 1;
        c
    }

    /// `if let Ok(x) = rt::check(e) { .. } else { .. }` (edition 2024 drops the
    /// scrutinee's temporaries before `else`).
    fn if_let(&mut self) -> Code {
        let on_tracer = self.rng.chance(1, 2);
        let s = if on_tracer {
            let e = self.tracer_expr(1, Fl::default());
            cat!("rt::checkt(", e, ")")
        } else {
            let e = self.u32_expr(1, Fl::default());
            cat!("rt::check(", e, ")")
        };
        let name = self.new_name(if on_tracer { "t" } else { "n" });
        let blocks = self.branches(2, |g, i| {
            g.scope(|g| {
                if i == 0 {
                    g.declare(
                        name.clone(),
                        if on_tracer { VTy::Tracer } else { VTy::U32 },
                        false,
                    );
                }
                g.block(Term::None, 2)
            })
        });
        cat!(
            format!("if let Ok({name}) = "),
            s,
            " ",
            &blocks[0],
            " else ",
            &blocks[1],
            "\n"
        )
    }

    /// `let Ok(x) = rt::check(e) else { ..; <diverge> };`
    fn let_else(&mut self) -> Code {
        let e = self.u32_expr(1, Fl::default());
        let mut terms = vec![Term::Return];
        if self.ctx.allow_panic {
            terms.push(Term::Panic);
        }
        if self.loops.last() == Some(&Exit::Loop) {
            terms.push(Term::Break);
        }
        if self.can_continue() {
            terms.push(Term::Continue);
        }
        let term = self.rng.pick(&terms);
        let b = self.branches(1, |g, _| g.block(term, 2));
        let name = self.new_name("n");
        self.declare(name.clone(), VTy::U32, false);
        cat!(
            format!("let Ok({name}) = rt::check("),
            e,
            ") else ",
            &b[0],
            ";\n"
        )
    }
}

/// Parenthesised if it starts with something that would not parse as an operand.
fn paren(c: Code) -> Code {
    let needs = match c.0.first() {
        Some(Frag::Text(t)) => ["if ", "match ", "{", "loop", "async"]
            .iter()
            .any(|p| t.starts_with(p)),
        _ => false,
    };
    if needs { cat!("(", c, ")") } else { c }
}

/// Generator features turned off (`--without a,b`): to look past a known mismatch.
#[derive(Clone, Debug, Default)]
pub struct Without(pub Vec<String>);

/// The names `--without` knows.
pub const FEATURES: &[&str] = &[
    "async",
    "sync",
    "methods",
    "self-value",
    "panics",
    "yield-from",
    "wild-params",
    "coercions",
    "tail-temps",
];

impl Without {
    pub fn has(&self, feature: &str) -> bool {
        debug_assert!(FEATURES.contains(&feature), "unknown feature {feature}");
        self.0.iter().any(|f| f == feature)
    }
}

fn pick_ty(rng: &mut Rng, weights: &[(Ty, u32)]) -> Ty {
    let w: Vec<u32> = weights.iter().map(|x| x.1).collect();
    weights[rng.weighted(&w)].0
}

/// Generates program `idx` of seed `seed` (programs of one seed are independent: any
/// one can be regenerated alone).
pub fn program(seed: u64, idx: usize, without: &Without) -> Program {
    let mut rng = Rng::new(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ (idx as u64));
    let mut kind = if rng.chance(1, 3) {
        Kind::Async
    } else {
        Kind::Sync
    };
    if without.has("async") {
        kind = Kind::Sync;
    }
    if without.has("sync") {
        kind = Kind::Async;
    }
    let recv = match rng.below(8) {
        _ if without.has("methods") => None,
        0 if without.has("self-value") => Some(Recv::Ref),
        0 => Some(Recv::Value),
        1 => Some(Recv::Ref),
        2 => Some(Recv::Mut),
        _ => None,
    };
    let y = pick_ty(&mut rng, &[(Ty::U32, 45), (Ty::Tracer, 35), (Ty::Unit, 20)]);
    let a = pick_ty(&mut rng, &[(Ty::Unit, 40), (Ty::U32, 35), (Ty::Tracer, 25)]);
    let r = pick_ty(
        &mut rng,
        &[
            (Ty::U32, 30),
            (Ty::Tracer, 25),
            (Ty::Res, 25),
            (Ty::Unit, 20),
            (Ty::BoxDyn, if without.has("coercions") { 0 } else { 10 }),
        ],
    );
    let allow_panic = rng.chance(4, 10) && !without.has("panics");
    let mut next_id = 0;
    let n_subs = if without.has("yield-from") {
        0
    } else {
        rng.pick(&[0, 0, 0, 1, 1, 1, 2])
    };
    let mut subs = Vec::new();
    for j in 0..n_subs {
        let sub_kind = if kind == Kind::Async && rng.chance(1, 2) {
            Kind::Async
        } else {
            Kind::Sync
        };
        let sub_r = if rng.chance(1, 2) {
            Ty::U32
        } else {
            Ty::Tracer
        };
        let n_params = rng.range(0, 2);
        let params: Vec<Param> = (0..n_params)
            .map(|i| Param {
                pat: Pat::Ident {
                    name: format!("s{i}"),
                    mutable: rng.chance(1, 3),
                },
                ty: if rng.chance(1, 2) {
                    PTy::U32
                } else {
                    PTy::Tracer
                },
            })
            .collect();
        let ctx = Ctx {
            kind: sub_kind,
            y,
            a,
            r: sub_r,
            subs: Vec::new(),
            allow_panic,
        };
        let budget = (rng.range(1, 3), rng.range(2, 6), without.has("tail-temps"));
        let def = function(
            &mut rng,
            &mut next_id,
            ctx,
            format!("sub{j}"),
            None,
            params,
            budget,
        );
        subs.push(def);
    }
    let n_params = rng.range(0, 3);
    let mut param_vals = Vec::new();
    let params: Vec<Param> = (0..n_params)
        .map(|i| {
            param_vals.push(rng.below(30));
            let name = format!("p{i}");
            let ident = |rng: &mut Rng, name: String| Pat::Ident {
                name,
                mutable: rng.chance(1, 3),
            };
            match rng.below(6) {
                0 => Param {
                    pat: ident(&mut rng, name),
                    ty: PTy::U32,
                },
                1 | 2 => {
                    let pat = match rng.below(4) {
                        0 if without.has("wild-params") => Pat::Ident {
                            name: format!("_{name}"),
                            mutable: false,
                        },
                        0 => Pat::Wild,
                        1 => Pat::Ident {
                            name: format!("_{name}"),
                            mutable: false,
                        },
                        _ => ident(&mut rng, name),
                    };
                    Param {
                        pat,
                        ty: PTy::Tracer,
                    }
                }
                3 | 4 => {
                    let element = |rng: &mut Rng, part_name: String| {
                        if rng.chance(1, 3) && !without.has("wild-params") {
                            Pat::Wild
                        } else {
                            Pat::Ident {
                                name: part_name,
                                mutable: false,
                            }
                        }
                    };
                    let pat = if rng.chance(1, 6) && !without.has("wild-params") {
                        Pat::Wild
                    } else {
                        Pat::Tuple(
                            Box::new(element(&mut rng, format!("{name}a"))),
                            Box::new(element(&mut rng, format!("{name}b"))),
                        )
                    };
                    Param { pat, ty: PTy::Pair }
                }
                _ => Param {
                    pat: Pat::Ident {
                        name,
                        mutable: false,
                    },
                    ty: PTy::RefTracer,
                },
            }
        })
        .collect();
    let ctx = Ctx {
        kind,
        y,
        a,
        r,
        subs: subs
            .iter()
            .map(|s| SubInfo {
                r: s.r,
                params: s.params.iter().map(|p| p.ty).collect(),
            })
            .collect(),
        allow_panic,
    };
    let name = if recv.is_some() {
        format!("m{idx}")
    } else {
        "prog".to_string()
    };
    let budget = (
        rng.range(3, 10),
        rng.range(6, 24),
        without.has("tail-temps"),
    );
    let main = function(&mut rng, &mut next_id, ctx, name, recv, params, budget);
    let k = if rng.chance(1, 2) {
        100
    } else {
        rng.range(0, 10)
    };
    let salt = rng.below(50);
    let mut modes = vec![Mode::Resume, Mode::Resume, Mode::Resume];
    if a == Ty::Unit {
        modes.push(Mode::Stream);
        if kind == Kind::Sync {
            modes.extend([Mode::Iter, Mode::IntoIter]);
            if y == Ty::Unit {
                modes.extend([Mode::Future, Mode::Future]);
            }
        }
    }
    let mode = rng.pick(&modes);
    Program {
        idx,
        main,
        subs,
        k,
        salt,
        mode,
        param_vals,
    }
}

fn function(
    rng: &mut Rng,
    next_id: &mut u32,
    ctx: Ctx,
    name: String,
    recv: Option<Recv>,
    params: Vec<Param>,
    (yields, stmts, tail_let): (u32, u32, bool),
) -> FnDef {
    let resume = (ctx.a != Ty::Unit).then(|| {
        let at = rng.range(0, u32::try_from(params.len()).expect("few")) as usize;
        (
            at,
            ResumeParam {
                name: "first".into(),
                mutable: rng.chance(1, 2),
            },
        )
    });
    let (kind, y, a, r) = (ctx.kind, ctx.y, ctx.a, ctx.r);
    let explicit_unit_yield = rng.chance(1, 2);
    let path_macros = rng.chance(1, 4);
    let mut g = Gen {
        rng,
        ctx,
        vars: Vec::new(),
        next_id,
        next_name: 0,
        yields_left: yields,
        stmts_left: stmts,
        loop_depth: 0,
        loops: Vec::new(),
        exits: Vec::new(),
        term: Term::None,
        block_depth: 0,
    };
    if let Some(recv) = recv {
        g.declare("self".into(), VTy::Recv(recv), false);
    }
    let declare_param = |g: &mut Gen, p: &Param| {
        let bind = |g: &mut Gen, pat: &Pat, ty: VTy| {
            if let Pat::Ident { name, mutable } = pat {
                g.declare(name.clone(), ty, *mutable);
            }
        };
        match (&p.pat, p.ty) {
            (Pat::Tuple(x, y), _) => {
                bind(g, x, VTy::Tracer);
                bind(g, y, VTy::Tracer);
            }
            (pat, PTy::U32) => bind(g, pat, VTy::U32),
            (pat, PTy::Tracer) => bind(g, pat, VTy::Tracer),
            (pat, PTy::RefTracer) => bind(g, pat, VTy::RefTracer),
            (_, PTy::Pair) => {}
        }
    };
    for (i, p) in params.iter().enumerate() {
        if let Some((at, rp)) = &resume
            && *at == i
        {
            g.declare(
                rp.name.clone(),
                if a == Ty::U32 { VTy::U32 } else { VTy::Tracer },
                rp.mutable,
            );
        }
        declare_param(&mut g, p);
    }
    if let Some((at, rp)) = &resume
        && *at == params.len()
    {
        g.declare(
            rp.name.clone(),
            if a == Ty::U32 { VTy::U32 } else { VTy::Tracer },
            rp.mutable,
        );
    }
    let mut body = Code::new();
    while g.stmts_left > 0 {
        g.stmts_left -= 1;
        let s = g.stmt();
        body.push(s);
    }
    if r == Ty::Unit {
        if tail_let {
            // A last `if`/`match`/block without `;` would be the tail.
            body.push("()\n");
        }
    } else {
        let e = g.r_expr(0, Fl::default());
        if tail_let {
            // No temporaries in the tail: the value is computed by a statement.
            body.push(cat!("let __tail = ", e, ";\n__tail\n"));
        } else {
            body.push(cat!(e, "\n"));
        }
    }
    FnDef {
        name,
        kind,
        recv,
        params,
        resume,
        y,
        a,
        r,
        body,
        explicit_unit_yield,
        path_macros,
    }
}
