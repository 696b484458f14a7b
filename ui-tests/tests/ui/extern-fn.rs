#[coroutine::coroutine]
extern "C" fn f() {}

fn main() {
    let _ = f();
}
