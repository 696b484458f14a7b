#[coroutine::coroutine]
unsafe extern "C" fn f(x: i32, _: ...) {}

fn main() {}
