// A coroutine is not an iterator: the error says what to call.
use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn two() {
    yield_!(1);
    yield_!(2);
}

fn main() {
    let mut c = two();
    let _ = c.next();
}
