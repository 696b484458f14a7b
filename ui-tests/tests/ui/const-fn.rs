#[coroutine::coroutine]
const fn f() {}

fn main() {
    let _ = f();
}
