//! Program text with holes: the parts that differ between the two renderings (our
//! `yield_!`/`yield_from!` against native `yield` and a delegation loop; `self`
//! against the oracle's `this`) are fragments, the rest is shared text.

#[derive(Clone, Debug)]
pub enum Frag {
    Text(String),
    /// `yield_!(e)`; `None` is `yield_!()`.
    Yield(Option<Code>),
    YieldFrom(Box<YieldFrom>),
    /// A value coerced to the coroutine's return type (`Box<T>` to `Box<dyn Trait>`):
    /// as written in ours; the oracle spells the coercion out with `as R`, so it does
    /// not depend on how its closure's return type is inferred.
    Coerce(Code),
    /// The receiver: `self` in ours, `this` in the oracle (which moves `self` into a
    /// local first, as an `async fn` does).
    SelfKw,
}

#[derive(Clone, Debug)]
pub struct YieldFrom {
    /// Index of the delegate in the program's `subs`.
    pub sub: usize,
    /// The call making the delegate, e.g. `sub0(1, t)`.
    pub call: Code,
    /// Whether the delegate is `Box::pin(call)`.
    pub boxed: bool,
    /// The first resume argument (`yield_from!(c, first)`); `None` when `A = ()`.
    pub first: Option<Code>,
}

#[derive(Clone, Debug, Default)]
pub struct Code(pub Vec<Frag>);

impl Code {
    pub fn new() -> Self {
        Code(Vec::new())
    }

    pub fn push(&mut self, c: impl Into<Code>) {
        let c = c.into();
        for f in c.0 {
            match (self.0.last_mut(), f) {
                (Some(Frag::Text(a)), Frag::Text(b)) => a.push_str(&b),
                (_, f) => self.0.push(f),
            }
        }
    }

    pub fn frag(f: Frag) -> Self {
        Code(vec![f])
    }
}

impl From<&str> for Code {
    fn from(s: &str) -> Self {
        Code(vec![Frag::Text(s.to_owned())])
    }
}

impl From<String> for Code {
    fn from(s: String) -> Self {
        Code(vec![Frag::Text(s)])
    }
}

impl From<&String> for Code {
    fn from(s: &String) -> Self {
        Code(vec![Frag::Text(s.clone())])
    }
}

impl From<&Code> for Code {
    fn from(c: &Code) -> Self {
        c.clone()
    }
}

/// Concatenates pieces (anything `Into<Code>`) into one `Code`.
macro_rules! cat {
    ($($piece:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut c = $crate::code::Code::new();
        $(c.push($piece);)*
        c
    }};
}
pub(crate) use cat;
