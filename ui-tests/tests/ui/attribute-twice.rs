// The attribute stacked twice.
use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
#[coroutine::coroutine(yield = u32)]
fn f() {
    yield_!(1);
}

fn main() {
    let _ = f();
}
