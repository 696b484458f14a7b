#[coroutine::coroutine(yield =)]
fn f() {}

fn main() {
    let _ = f();
}
