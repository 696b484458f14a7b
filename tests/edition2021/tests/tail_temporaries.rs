//! In the 2021 edition a block's tail temporaries outlive the block's locals (2024:
//! they drop first). A coroutine's body follows its crate's edition, as an `async fn`'s
//! does: each expected trace is what the same body gives as a plain fn and as an
//! `async fn` in this edition.

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

use coroutine::{yield_, Coroutine, CoroutineState};

type Log = Rc<RefCell<Vec<String>>>;

struct Loud(&'static str, Log);

impl Drop for Loud {
    fn drop(&mut self) {
        self.1.borrow_mut().push(format!("drop {}", self.0));
    }
}

fn peek(l: &Loud) -> usize {
    l.0.len()
}

#[coroutine::coroutine(yield = usize)]
fn tail_temporary(param: Loud) -> usize {
    let l = param.1.clone();
    let _local = Loud("local", l.clone());
    yield_!(0);
    peek(&Loud("temporary", l))
}

#[test]
fn tail_temporaries_drop_after_the_bodys_locals_and_before_the_parameters() {
    let l = Log::default();
    let mut c = pin!(tail_temporary(Loud("param", l.clone())));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(0));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(9));
    assert_eq!(*l.borrow(), ["drop local", "drop temporary", "drop param"]);
}

#[coroutine::coroutine(yield = usize)]
fn tail_match(param: Loud) {
    let l = param.1.clone();
    let _local = Loud("local", l.clone());
    yield_!(1);
    match peek(&Loud("scrutinee", l)) {
        0 => {}
        n => assert_eq!(n, 9),
    }
}

#[test]
fn a_unit_bodys_last_match_is_its_tail_too() {
    let l = Log::default();
    let mut c = pin!(tail_match(Loud("param", l.clone())));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(()));
    assert_eq!(*l.borrow(), ["drop local", "drop scrutinee", "drop param"]);
}
