// Inside `co!`, a `yield_!` in a nested closure or `async` block is an error, as in a
// `#[coroutine]` fn.
use coroutine::{co, yield_};

fn main() {
    let _a = co!(|| {
        let f = || yield_!(1);
        f();
    });
    let _b = co!(|| {
        let _g = async { yield_!(2) };
    });
}
