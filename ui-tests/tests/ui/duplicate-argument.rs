#[coroutine::coroutine(yield = u32, yield = u64)]
fn f() {}

fn main() {
    let _ = f();
}
