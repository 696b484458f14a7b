use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    yield_!("not a number");
}

fn main() {
    let _ = f();
}
