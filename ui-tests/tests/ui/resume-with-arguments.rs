#[coroutine::coroutine]
fn f(#[resume(first)] a: u32) {}

fn main() {
    let _ = f();
}
