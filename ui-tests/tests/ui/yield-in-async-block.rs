use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    let _fut = async {
        yield_!(1);
    };
}

fn main() {
    // The fn still exists beside the error, so call sites resolve.
    let _ = f();
}
