//! Resume arguments and delegation with `yield_from!`.
#![deny(warnings)]

use core::pin::{Pin, pin};

use coroutine::{Coroutine, CoroutineState, yield_, yield_from};

#[coroutine::coroutine(yield = i64)]
fn running_sum(#[resume] first: i64) -> ! {
    let (mut total, mut x) = (0, first);
    loop {
        total += x;
        x = yield_!(total);
    }
}

#[test]
fn the_first_resume_binds_the_parameter_and_each_yield_evaluates_to_the_next() {
    let mut s = pin!(running_sum());
    let mut got = Vec::new();
    for arg in [5, 10, -3, 0] {
        let CoroutineState::Yielded(t) = s.as_mut().resume(arg);
        got.push(t);
    }
    assert_eq!(got, [5, 15, 12, 12]);
}

#[coroutine::coroutine(yield = String)]
fn transcript(#[resume] mut line: String, prefix: &'static str) -> Vec<String> {
    let mut seen = Vec::new();
    while line != "bye" {
        seen.push(line.clone());
        line = yield_!(format!("{prefix}{line}"));
    }
    seen
}

#[test]
fn resume_parameter_between_others_with_mut_and_owned_type() {
    let mut t = pin!(transcript("> "));
    assert_eq!(
        t.as_mut().resume("hi".into()),
        CoroutineState::Yielded("> hi".into())
    );
    assert_eq!(
        t.as_mut().resume("there".into()),
        CoroutineState::Yielded("> there".into())
    );
    assert_eq!(
        t.as_mut().resume("bye".into()),
        CoroutineState::Complete(vec!["hi".to_string(), "there".to_string()])
    );
}

#[coroutine::coroutine(yield = u8)]
fn ignores_arguments() -> u8 {
    yield_!(1);
    2
}

#[test]
fn without_resume_parameter_the_argument_is_unit() {
    let mut c = pin!(ignores_arguments());
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(2));
}

#[test]
fn resume_through_box_pin_and_references() {
    let mut boxed = Box::pin(running_sum());
    assert_eq!(boxed.as_mut().resume(1), CoroutineState::Yielded(1));
    // `Pin<Box<G>>` and `Pin<&mut G>` are coroutines themselves.
    let mut outer = pin!(boxed);
    assert_eq!(outer.as_mut().resume(2), CoroutineState::Yielded(3));
    let mut by_ref: Pin<&mut _> = outer.as_mut();
    let mut pinned_ref = pin!(&mut by_ref);
    assert_eq!(pinned_ref.as_mut().resume(3), CoroutineState::Yielded(6));
}

#[coroutine::coroutine(yield = u32)]
fn range(lo: u32, hi: u32) -> u32 {
    for i in lo..hi {
        yield_!(i);
    }
    hi - lo
}

#[coroutine::coroutine(yield = u32)]
fn delegate_in_every_form() -> (u32, u32, u32) {
    let by_value = yield_from!(range(0, 2));
    let mut pinned = pin!(range(10, 12));
    let by_pin_ref = yield_from!(pinned.as_mut());
    let by_box = yield_from!(Box::pin(range(20, 23)));
    (by_value, by_pin_ref, by_box)
}

#[test]
fn yield_from_a_value_a_pin_ref_and_a_pin_box() {
    let mut it = delegate_in_every_form().into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [0, 1, 10, 11, 20, 21, 22]);
    assert_eq!(it.take_return(), Some((2, 2, 3)));
}

/// Recursion needs a box, as with `async fn`.
#[coroutine::coroutine(yield = u32)]
fn tree(depth: u32, label: u32) -> u32 {
    if depth == 0 {
        yield_!(label);
        return 1;
    }
    let left = yield_from!(Box::pin(tree(depth - 1, label * 2)));
    let right = yield_from!(Box::pin(tree(depth - 1, label * 2 + 1)));
    left + right
}

#[test]
fn recursive_delegation_through_box_pin() {
    let mut it = tree(3, 1).into_iter();
    assert_eq!(
        it.by_ref().collect::<Vec<_>>(),
        [8, 9, 10, 11, 12, 13, 14, 15]
    );
    assert_eq!(it.take_return(), Some(8));
}

#[coroutine::coroutine(yield = i64)]
fn doubler(#[resume] first: i64) -> &'static str {
    let mut x = first;
    while x != 0 {
        x = yield_!(x * 2);
    }
    "doubler done"
}

#[coroutine::coroutine(yield = i64)]
fn forwards_resume_arguments(#[resume] first: i64) -> (&'static str, i64) {
    // The delegate gets `first` as its first argument, then every resume argument.
    let inner = yield_from!(doubler(), first);
    let after = yield_!(-1);
    (inner, after)
}

#[test]
fn yield_from_forwards_resume_arguments_both_ways() {
    let mut c = pin!(forwards_resume_arguments());
    assert_eq!(c.as_mut().resume(3), CoroutineState::Yielded(6));
    assert_eq!(c.as_mut().resume(4), CoroutineState::Yielded(8));
    assert_eq!(c.as_mut().resume(0), CoroutineState::Yielded(-1));
    assert_eq!(
        c.as_mut().resume(7),
        CoroutineState::Complete(("doubler done", 7))
    );
}

/// A hand-written coroutine: `yield_from!` takes any `Coroutine`, not only ours.
struct Countdown(u8);

impl Coroutine for Countdown {
    type Yield = u32;
    type Return = &'static str;

    fn resume(mut self: Pin<&mut Self>, (): ()) -> CoroutineState<u32, &'static str> {
        if self.0 == 0 {
            CoroutineState::Complete("hand-written")
        } else {
            self.0 -= 1;
            CoroutineState::Yielded(u32::from(self.0))
        }
    }
}

#[coroutine::coroutine(yield = u32)]
fn delegates_to_hand_written() -> &'static str {
    yield_from!(Countdown(2))
}

#[test]
fn yield_from_any_coroutine() {
    let mut it = delegates_to_hand_written().into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [1, 0]);
    assert_eq!(it.take_return(), Some("hand-written"));
}

#[test]
fn a_hand_written_coroutine_iterates_through_iter() {
    let mut it = coroutine::Iter::new(Countdown(3));
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [2, 1, 0]);
    assert_eq!(it.take_return(), Some("hand-written"));
}
