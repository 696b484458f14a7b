#[coroutine::coroutine]
fn f(#[resume] a: u32, #[resume] b: u32) {}

fn main() {
    let _ = f();
}
