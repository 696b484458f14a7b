//! The same drops and coercions as native coroutines and `async fn`: each expected trace
//! here is what nightly's `#[coroutine]` closures (or the equivalent `async fn`) give.
#![deny(warnings)]
#![allow(
    clippy::single_match_else,
    reason = "a `match` scrutinee is what is tested"
)]

use std::cell::RefCell;
use std::fmt::Debug;
use std::pin::pin;
use std::rc::Rc;

use coroutine::{Coroutine, CoroutineState, yield_, yield_from};

type Log = Rc<RefCell<Vec<String>>>;

fn log(l: &Log, s: impl Into<String>) {
    l.borrow_mut().push(s.into());
}

/// Logs its drop.
struct Loud(&'static str, usize, Log);

impl Drop for Loud {
    fn drop(&mut self) {
        log(&self.2, format!("drop {}", self.0));
    }
}

#[coroutine::coroutine(yield = usize)]
fn temporary_in_a_let(l: Log, #[resume] _first: usize) -> usize {
    let n = yield_!(Loud("temp", 3, l.clone()).1) + 1;
    log(&l, "after let");
    n
}

#[test]
fn temporaries_of_a_yielded_expression_live_to_the_end_of_the_statement() {
    // native: `let n = (yield Loud("temp", 3).1) + 1;` drops the temporary after the
    // resume that continues it, at the end of the `let`.
    let l = Log::default();
    let mut c = pin!(temporary_in_a_let(l.clone()));
    assert_eq!(c.as_mut().resume(0), CoroutineState::Yielded(3));
    log(&l, "yielded");
    assert_eq!(c.as_mut().resume(10), CoroutineState::Complete(11));
    assert_eq!(*l.borrow(), ["yielded", "drop temp", "after let"]);
}

#[coroutine::coroutine(yield = usize)]
fn temporary_in_a_scrutinee(l: Log, #[resume] _first: usize) -> &'static str {
    let r = match yield_!(Loud("scrutinee", 1, l.clone()).1) {
        0 => "zero",
        _ => {
            log(&l, "in arm");
            "other"
        }
    };
    log(&l, "after match");
    r
}

#[test]
fn temporaries_of_a_yielding_scrutinee_live_through_the_match() {
    let l = Log::default();
    let mut c = pin!(temporary_in_a_scrutinee(l.clone()));
    assert_eq!(c.as_mut().resume(0), CoroutineState::Yielded(1));
    log(&l, "yielded");
    assert_eq!(c.as_mut().resume(5), CoroutineState::Complete("other"));
    assert_eq!(
        *l.borrow(),
        ["yielded", "in arm", "drop scrutinee", "after match"]
    );
}

fn pair(a: usize, b: usize) -> usize {
    a * 10 + b
}

#[coroutine::coroutine(yield = usize)]
fn temporary_beside_a_yield(l: Log, #[resume] _first: usize) -> usize {
    let n = pair(Loud("argument", 4, l.clone()).1, yield_!(7));
    log(&l, "after call");
    n
}

#[test]
fn a_temporary_in_an_argument_before_a_yield_lives_across_it() {
    let l = Log::default();
    let mut c = pin!(temporary_beside_a_yield(l.clone()));
    assert_eq!(c.as_mut().resume(0), CoroutineState::Yielded(7));
    log(&l, "yielded");
    assert_eq!(c.as_mut().resume(2), CoroutineState::Complete(42));
    assert_eq!(*l.borrow(), ["yielded", "drop argument", "after call"]);
}

#[coroutine::coroutine(yield = usize)]
fn inner(#[resume] first: usize) -> usize {
    yield_!(first + 1)
}

fn take_inner(_: &Loud) -> impl Coroutine<usize, Yield = usize, Return = usize> {
    inner()
}

#[coroutine::coroutine(yield = usize)]
fn delegates_with_a_temporary(l: Log, #[resume] first: usize) -> usize {
    let r = yield_from!(take_inner(&Loud("delegate operand", 0, l.clone())), first);
    log(&l, "after yield_from");
    r
}

#[test]
fn temporaries_of_yield_from_operands_live_to_the_end_of_the_statement() {
    let l = Log::default();
    let mut c = pin!(delegates_with_a_temporary(l.clone()));
    assert_eq!(c.as_mut().resume(1), CoroutineState::Yielded(2));
    log(&l, "yielded");
    assert_eq!(c.as_mut().resume(9), CoroutineState::Complete(9));
    assert_eq!(
        *l.borrow(),
        ["yielded", "drop delegate operand", "after yield_from"]
    );
}

#[coroutine::coroutine(yield = usize)]
async fn async_temporary_in_a_let(l: Log, #[resume] _first: usize) -> usize {
    let n = yield_!(Loud("temp", 3, l.clone()).1) + async { 1 }.await;
    log(&l, "after let");
    n
}

#[test]
fn async_coroutines_keep_temporaries_across_the_yield_too() {
    let l = Log::default();
    futures::executor::block_on(async {
        let mut c = pin!(async_temporary_in_a_let(l.clone()));
        assert_eq!(c.as_mut().resume(0).await, CoroutineState::Yielded(3));
        log(&l, "yielded");
        assert_eq!(c.as_mut().resume(10).await, CoroutineState::Complete(11));
    });
    assert_eq!(*l.borrow(), ["yielded", "drop temp", "after let"]);
}

// ---------------------------------------------------------------------------------------
// Return values: the coercions of an `async fn`.
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct TooBig;

impl std::fmt::Display for TooBig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("too big")
    }
}

impl std::error::Error for TooBig {}

#[coroutine::coroutine(yield = u32)]
fn check(x: u32) -> Result<(), Box<dyn std::error::Error>> {
    if x > 9 {
        return Err(Box::new(TooBig));
    }
    yield_!(x);
    Ok(())
}

#[coroutine::coroutine(yield = u32)]
async fn check_async(x: u32) -> Result<(), Box<dyn std::error::Error>> {
    if x > 9 {
        return Err(Box::new(TooBig));
    }
    yield_!(x);
    Ok(())
}

#[coroutine::coroutine]
fn boxed_tail() -> Box<dyn Debug> {
    Box::new(5)
}

#[coroutine::coroutine]
fn deref_tail<'a>(s: &'a String) -> &'a str {
    s
}

#[coroutine::coroutine]
async fn deref_tail_async<'a>(s: &'a String) -> &'a str {
    s
}

#[test]
fn return_and_tail_values_coerce_as_in_an_async_fn() {
    let mut c = pin!(check(12));
    match c.as_mut().resume(()) {
        CoroutineState::Complete(Err(e)) => assert_eq!(e.to_string(), "too big"),
        other => panic!("expected the boxed error, got {other:?}"),
    }
    let mut c = pin!(check(1));
    assert!(matches!(c.as_mut().resume(()), CoroutineState::Yielded(1)));
    assert!(matches!(
        c.as_mut().resume(()),
        CoroutineState::Complete(Ok(()))
    ));

    let mut c = pin!(boxed_tail());
    let CoroutineState::Complete(b) = c.as_mut().resume(()) else {
        panic!("completes at once");
    };
    assert_eq!(format!("{b:?}"), "5");

    let s = String::from("text");
    let mut c = pin!(deref_tail(&s));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete("text"));

    futures::executor::block_on(async {
        let mut c = pin!(check_async(12));
        let CoroutineState::Complete(Err(e)) = c.as_mut().resume(()).await else {
            panic!("expected the boxed error");
        };
        assert_eq!(e.to_string(), "too big");
        assert_eq!(deref_tail_async(&s).await, "text");
    });
}

// Parameters are moved into the body as an `async fn` moves them: each whole, in order
// (found by the differential tester, `difftest`).

#[coroutine::coroutine(yield = usize)]
fn wildcard_parameters(_: Loud, (_kept, _): (Loud, Loud), l: Log) {
    log(&l, "body");
    yield_!(0);
}

#[test]
fn a_wildcard_in_a_parameter_pattern_still_moves_the_whole_parameter_in() {
    // native (and `async fn`): nothing drops at the call; at the end the bound part,
    // then the rest of its parameter, then the `_` parameter.
    let l = Log::default();
    let mut c = pin!(wildcard_parameters(
        Loud("_", 0, l.clone()),
        (Loud("kept", 1, l.clone()), Loud("tuple _", 2, l.clone())),
        l.clone(),
    ));
    log(&l, "created");
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(0));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(()));
    assert_eq!(
        *l.borrow(),
        ["created", "body", "drop kept", "drop tuple _", "drop _"]
    );
}

#[test]
fn unresumed_parameters_drop_in_order() {
    let l = Log::default();
    drop(wildcard_parameters(
        Loud("_", 0, l.clone()),
        (Loud("kept", 1, l.clone()), Loud("tuple _", 2, l.clone())),
        l.clone(),
    ));
    assert_eq!(*l.borrow(), ["drop _", "drop kept", "drop tuple _"]);
}

struct Owner(Loud);

impl Owner {
    #[coroutine::coroutine(yield = usize)]
    fn unused_self(self) {
        yield_!(0);
    }

    #[coroutine::coroutine(yield = usize)]
    fn copy_field_of_self(self) {
        yield_!(self.0.1);
    }

    #[coroutine::coroutine(yield = usize)]
    fn self_and_parameter(self, x: Loud) -> usize {
        let r = &self.0;
        yield_!(r.1);
        x.1
    }
}

/// Runs a coroutine of `self` to its end, logging around its one yield.
fn run_logged<C: Coroutine<Yield = usize, Return = ()>>(l: &Log, c: C) {
    let mut c = pin!(c);
    log(l, "created");
    assert!(matches!(c.as_mut().resume(()), CoroutineState::Yielded(_)));
    log(l, "yielded");
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(()));
}

#[test]
fn a_by_value_self_is_moved_in_whole_and_dropped_last() {
    // native: `self` is parameter 0, moved into the body whether or not it is used.
    let l = Log::default();
    run_logged(&l, Owner(Loud("self", 7, l.clone())).unused_self());
    assert_eq!(*l.borrow(), ["created", "yielded", "drop self"]);
    let l = Log::default();
    run_logged(&l, Owner(Loud("self", 7, l.clone())).copy_field_of_self());
    assert_eq!(*l.borrow(), ["created", "yielded", "drop self"]);
    let l = Log::default();
    let mut c = pin!(Owner(Loud("self", 7, l.clone())).self_and_parameter(Loud("x", 8, l.clone())));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(7));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(8));
    assert_eq!(*l.borrow(), ["drop x", "drop self"]);
}

#[test]
fn an_unresumed_by_value_self_drops_first_as_parameter_zero() {
    let l = Log::default();
    drop(Owner(Loud("self", 7, l.clone())).self_and_parameter(Loud("x", 8, l.clone())));
    assert_eq!(*l.borrow(), ["drop self", "drop x"]);
}

#[coroutine::coroutine(yield = usize)]
fn return_inside_a_macro(x: usize) -> Box<dyn Debug> {
    let v = vec![if x > 1 { return Box::new("early") } else { x }];
    yield_!(v.len());
    Box::new(v)
}

#[test]
fn a_return_inside_a_macros_tokens_coerces_too() {
    let mut c = pin!(return_inside_a_macro(5));
    match c.as_mut().resume(()) {
        CoroutineState::Complete(b) => assert_eq!(format!("{b:?}"), "\"early\""),
        CoroutineState::Yielded(y) => panic!("yielded {y}"),
    }
    let mut c = pin!(return_inside_a_macro(1));
    assert!(matches!(c.as_mut().resume(()), CoroutineState::Yielded(1)));
    match c.as_mut().resume(()) {
        CoroutineState::Complete(b) => assert_eq!(format!("{b:?}"), "[1]"),
        CoroutineState::Yielded(y) => panic!("yielded {y}"),
    }
}
