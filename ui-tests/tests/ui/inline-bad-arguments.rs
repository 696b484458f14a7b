// What `co!` takes: a closure or an `async` block, after `yield = T` / `crate = path`.
use coroutine::{co, yield_};

fn main() {
    let _a = co!(42);
    let _b = co!(|a: u32, b: u32| {
        yield_!(a + b);
    });
    let _c = co!(yields = u32, || {
        yield_!(1);
    });
    let _d = co!(static || {
        yield_!(1);
    });
}
