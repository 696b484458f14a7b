#[coroutine::coroutine(yeild = u32)]
fn f() {}

fn main() {
    let _ = f();
}
