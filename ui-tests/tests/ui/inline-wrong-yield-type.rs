// A yielded value of the wrong type: the error is at the value.
use coroutine::{co, yield_};

fn main() {
    let _c = co!(yield = u32, || {
        yield_!("not a number");
    });
}
