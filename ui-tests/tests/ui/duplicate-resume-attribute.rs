#[coroutine::coroutine]
fn f(#[resume] #[resume] a: u32) {}

fn main() {
    let _ = f();
}
