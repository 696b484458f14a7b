// async-stream #106: a user macro wraps `yield_!` in an `async` block, which could
// then be awaited by another coroutine with a different yield type.
use coroutine::yield_;

macro_rules! asynk {
    ($e:expr) => {
        async { $e }
    };
}

#[coroutine::coroutine(yield = usize)]
fn f() {
    let _smuggled = asynk!(yield_!(42_usize));
}

fn main() {}
