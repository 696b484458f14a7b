// The yield channel cannot be reached from user code: the body's yielder is hygienic.
#[coroutine::coroutine(yield = u32)]
fn f() {
    let _ = __coroutine_yielder.yield_(1);
}

fn main() {
    let _ = f();
}
