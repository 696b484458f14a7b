#[coroutine::coroutine(yield = u32, yield = u64, crate = coroutine, crate = coroutine)]
fn f() {}

fn main() {
    let _ = f();
}
