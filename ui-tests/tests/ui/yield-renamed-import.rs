// The attribute sees only the body's tokens, so a renamed `yield_!` is not rewritten;
// its expansion says why.
use coroutine::yield_ as give;

#[coroutine::coroutine(yield = u32)]
fn f() {
    give!(1);
}

fn main() {}
