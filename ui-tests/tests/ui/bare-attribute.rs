// rustc reserves the bare `#[coroutine]` for nightly closures: users write the path.
use coroutine::coroutine;

#[coroutine]
fn f() {}

fn main() {}
