// Nightly's `yield` keyword in a body: say to write `yield_!`.
#[coroutine::coroutine(yield = u32)]
fn f() {
    yield 1;
}

fn main() {
    let _ = f();
}
