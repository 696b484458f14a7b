//! Where `#[coroutine::coroutine]` can go and what it keeps: free fns, methods, generics,
//! lifetimes, `where` clauses, visibility, docs and other attributes, the attribute's
//! arguments, and every way a body can complete.
#![deny(warnings)]

use core::pin::pin;
use std::fmt::Display;

use coroutine::{Coroutine, CoroutineState, yield_};

/// Resumes `c` with `()` until it completes; returns the yields and the return value.
fn drain<C: Coroutine<Yield = Y>, Y>(c: C) -> (Vec<Y>, C::Return) {
    let mut c = pin!(c);
    let mut ys = Vec::new();
    loop {
        match c.as_mut().resume(()) {
            CoroutineState::Yielded(y) => ys.push(y),
            CoroutineState::Complete(r) => return (ys, r),
        }
    }
}

#[coroutine::coroutine]
fn no_arguments() -> u8 {
    yield_!();
    yield_!(());
    3
}

#[test]
fn without_arguments_the_yield_type_is_unit() {
    assert_eq!(drain(no_arguments()), (vec![(), ()], 3));
}

#[coroutine::coroutine(yield = &'static str)]
fn no_return_type() {
    yield_!("only");
}

#[test]
fn without_a_return_type_the_return_is_unit() {
    assert_eq!(drain(no_return_type()), (vec!["only"], ()));
}

struct Counter {
    step: u32,
    seen: Vec<u32>,
}

impl Counter {
    #[coroutine::coroutine(yield = u32)]
    fn by_ref(&self, n: u32) -> u32 {
        for i in 0..n {
            yield_!(i * self.step);
        }
        self.step
    }

    #[coroutine::coroutine(yield = u32)]
    fn by_mut(&mut self, n: u32) -> usize {
        for i in 0..n {
            self.seen.push(i);
            yield_!(i);
        }
        self.seen.len()
    }

    #[coroutine::coroutine(yield = u32)]
    fn by_value(self) -> Vec<u32> {
        for &s in &self.seen {
            yield_!(s + self.step);
        }
        self.seen
    }

    #[coroutine::coroutine(yield = u32)]
    fn by_mut_value(mut self) -> u32 {
        self.step += 1;
        yield_!(self.step);
        self.step
    }
}

#[test]
fn inherent_methods_with_every_receiver() {
    let mut c = Counter {
        step: 10,
        seen: vec![],
    };
    assert_eq!(drain(c.by_ref(3)), (vec![0, 10, 20], 10));
    assert_eq!(drain(c.by_mut(2)), (vec![0, 1], 2));
    assert_eq!(c.seen, [0, 1]);
    assert_eq!(drain(c.by_value()), (vec![10, 11], vec![0, 1]));
    let c = Counter {
        step: 1,
        seen: vec![],
    };
    assert_eq!(drain(c.by_mut_value()), (vec![2], 2));
}

#[coroutine::coroutine(yield = &'a T)]
fn each<'a, T>(items: &'a [T]) -> usize
where
    T: Display + 'a,
{
    for item in items {
        yield_!(item);
    }
    items.len()
}

#[coroutine::coroutine(yield = String)]
fn shown<T: Display, const N: usize>(items: [T; N]) -> [T; N] {
    for item in &items {
        yield_!(item.to_string());
    }
    items
}

#[test]
fn generics_lifetimes_const_generics_and_where_clauses() {
    let data = [1, 2, 3];
    let (ys, n) = drain(each(&data));
    assert_eq!(ys, [&1, &2, &3]);
    assert_eq!(n, 3);
    assert_eq!(
        drain(shown([4, 5])),
        (vec!["4".to_string(), "5".to_string()], [4, 5])
    );
}

mod private {
    use coroutine::yield_;

    /// A documented, public coroutine inside a module.
    #[coroutine::coroutine(yield = u8)]
    #[inline]
    #[must_use]
    pub fn visible() {
        yield_!(1);
    }

    #[coroutine::coroutine(yield = u8)]
    pub(crate) fn crate_visible(#[allow(unused_variables)] unused: u8) {
        yield_!(2);
    }
}

#[test]
fn visibility_docs_and_other_attributes_are_kept() {
    assert_eq!(drain(private::visible()).0, [1]);
    assert_eq!(drain(private::crate_visible(0)).0, [2]);
}

#[test]
fn a_renamed_import_works() {
    use coroutine::coroutine as co;

    #[co(yield = u8)]
    fn renamed() {
        yield_!(5);
    }
    assert_eq!(drain(renamed()).0, [5]);
}

mod reexport {
    pub use coroutine as inner;
}

#[coroutine::coroutine(yield = u8, crate = crate::reexport::inner)]
fn through_crate_path() {
    yield_!(9);
}

#[test]
fn crate_argument_names_the_runtime_crate() {
    assert_eq!(drain(through_crate_path()).0, [9]);
}

#[coroutine::coroutine(yield = u8)]
fn paths_in_the_body() {
    coroutine::yield_!(1);
    ::coroutine::yield_!(2);
}

#[test]
fn yield_written_with_its_path() {
    assert_eq!(drain(paths_in_the_body()).0, [1, 2]);
}

#[coroutine::coroutine(yield = i32)]
fn early_return(stop_at: i32) -> &'static str {
    for i in 0.. {
        if i == stop_at {
            return "stopped";
        }
        yield_!(i);
    }
    unreachable!()
}

#[coroutine::coroutine(yield = u32)]
fn question_mark(inputs: &'static [&'static str]) -> Result<u32, std::num::ParseIntError> {
    let mut total = 0;
    for s in inputs {
        let n: u32 = s.parse()?;
        total += n;
        yield_!(n);
    }
    Ok(total)
}

#[coroutine::coroutine(yield = u8)]
fn impl_trait_return() -> impl Display {
    yield_!(1);
    "shown"
}

#[test]
fn return_tail_and_question_mark_complete_the_coroutine() {
    assert_eq!(drain(early_return(2)), (vec![0, 1], "stopped"));
    let (ys, r) = drain(question_mark(&["1", "2"]));
    assert_eq!((ys, r), (vec![1, 2], Ok(3)));
    let (ys, r) = drain(question_mark(&["4", "x", "5"]));
    assert_eq!(ys, [4]);
    assert_eq!(r.unwrap_err().to_string(), "invalid digit found in string");
    let (ys, r) = drain(impl_trait_return());
    assert_eq!((ys, r.to_string()), (vec![1], "shown".to_string()));
}

#[coroutine::coroutine(yield = u64)]
fn never_returns() -> ! {
    let mut i = 0;
    loop {
        yield_!(i);
        i += 1;
    }
}

#[test]
fn never_return_type_is_infallible() {
    let mut c = pin!(never_returns());
    for expected in 0..5 {
        // `Complete(Infallible)` is uninhabited: the pattern is irrefutable.
        let CoroutineState::Yielded(i) = c.as_mut().resume(());
        assert_eq!(i, expected);
    }
    return_type_is_infallible(&never_returns());
}

fn return_type_is_infallible<C: Coroutine<Return = core::convert::Infallible>>(_: &C) {}

#[coroutine::coroutine(yield = (u8, u8))]
fn patterns_in_parameters((a, b): (u8, u8), [c, ..]: [u8; 2], ref d: u8, _: String) {
    yield_!((a, b));
    yield_!((c, *d));
}

#[test]
fn parameters_with_patterns() {
    assert_eq!(
        drain(patterns_in_parameters((1, 2), [3, 4], 5, String::new())).0,
        [(1, 2), (3, 5)]
    );
}

#[coroutine::coroutine(yield = u32)]
fn yields_in_many_positions(#[resume] first: u32, v: Vec<u32>) -> u32 {
    // A yield inside a yield, inside another macro, in an array, in match arms and in a
    // loop condition.
    let nested = yield_!(yield_!(first) * 2);
    println!("{}", yield_!(nested));
    let pair = [yield_!(3), yield_!(4)];
    for i in &v {
        match i {
            0 => yield_!(100),
            n => yield_!(*n),
        };
    }
    let mut k = 0;
    while {
        yield_!(k);
        k < 2
    } {
        k += 1;
    }
    pair[0] + pair[1] + k
}

#[test]
fn yield_in_expression_statement_and_macro_positions() {
    let mut c = pin!(yields_in_many_positions(vec![0, 7]));
    let mut ys = Vec::new();
    let mut arg = 10;
    let r = loop {
        match c.as_mut().resume(arg) {
            CoroutineState::Yielded(y) => ys.push(y),
            CoroutineState::Complete(r) => break r,
        }
        arg += 1;
    };
    assert_eq!(ys, [10, 22, 12, 3, 4, 100, 7, 0, 1, 2]);
    assert_eq!(r, 14 + 15 + 2);
}

#[test]
fn creating_a_coroutine_runs_nothing_until_first_resume() {
    use std::cell::Cell;
    let started = Cell::new(false);

    #[coroutine::coroutine]
    fn flag(started: &Cell<bool>) {
        started.set(true);
    }

    let c = flag(&started);
    let moved = c; // movable until first resumed
    assert!(!started.get());
    let mut moved = pin!(moved);
    assert_eq!(moved.as_mut().resume(()), CoroutineState::Complete(()));
    assert!(started.get());
}

#[test]
fn holds_its_state_inline() {
    #[coroutine::coroutine(yield = u64)]
    fn small(a: u64) {
        yield_!(a);
    }
    // The u64 parameter, the yielder (captured, then rebound with the user's types), the
    // pending yield (its identity and value slot), the body's state byte, and our
    // status and identity: no pointer to separate storage.
    assert!(core::mem::size_of_val(&small(1)) <= 80);
}

mod user_pair_trait {
    //! The attribute picks a coroutine's mode with a method call: a user trait with a
    //! method of a common name, implemented for every type, must not meet it.
    use super::drain;
    use coroutine::yield_;

    pub trait Pair {
        fn pair(&self) -> (u8, u8) {
            (0, 0)
        }
    }
    impl<T: ?Sized> Pair for T {}

    #[coroutine::coroutine(yield = u64)]
    fn lifetime_free() -> u8 {
        yield_!(1);
        ().pair().0
    }

    #[coroutine::coroutine(yield = &'static str)]
    fn borrowed() {
        yield_!("a");
    }

    #[test]
    fn a_user_trait_with_a_pair_method_in_scope_changes_nothing() {
        assert_eq!(drain(lifetime_free()), (vec![1], 0));
        assert_eq!(drain(borrowed()), (vec!["a"], ()));
    }
}

mod type_macros {
    //! A yield type written with a macro may expand to an inference hole: the
    //! coroutine then takes the mode that does not need its types known.
    use super::drain;
    use coroutine::{Coroutine, yield_};

    macro_rules! opt {
        () => { Option<_> };
        ($t:ty) => { Option<$t> };
    }

    fn inferred(s: &str) -> impl Coroutine<Yield = Option<&str>, Return = ()> + '_ {
        coroutine::co!(yield = opt!(), move || {
            yield_!(Some(s));
        })
    }

    #[coroutine::coroutine(yield = opt!(u8))]
    fn named() {
        yield_!(Some(3));
    }

    #[test]
    fn a_yield_type_written_with_a_macro_compiles_and_runs() {
        let s = String::from("x");
        assert_eq!(drain(inferred(&s)), (vec![Some("x")], ()));
        assert_eq!(drain(named()), (vec![Some(3)], ()));
    }
}

mod underscore_parameters {
    //! A parameter named `_x` is moved into the body without counting as a use of it
    //! (the workspace's clippy runs pedantic, `-D warnings`).
    use super::drain;
    use coroutine::yield_;

    #[coroutine::coroutine(yield = u8)]
    fn ignores(_unused: &str, n: u8) {
        yield_!(n);
    }

    #[test]
    fn an_underscore_parameter_is_not_used() {
        assert_eq!(drain(ignores("x", 2)), (vec![2], ()));
    }
}
