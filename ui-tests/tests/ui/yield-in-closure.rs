use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    let g = || yield_!(1);
    g();
}

fn main() {
    // The fn still exists beside the error, so call sites resolve.
    let _ = f();
}
