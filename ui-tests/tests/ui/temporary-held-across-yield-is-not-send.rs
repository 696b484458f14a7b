// As natively: a temporary of the statement that yields lives across the yield, so an
// `Rc` temporary makes the coroutine `!Send`.
use coroutine::yield_;
use std::rc::Rc;

#[coroutine::coroutine(yield = u32)]
fn holds_an_rc_across_a_yield(#[resume] _first: u32) {
    let _n = *Rc::new(5) + yield_!(1);
}

fn needs_send<T: Send>(_: T) {}

fn main() {
    needs_send(holds_an_rc_across_a_yield());
}
