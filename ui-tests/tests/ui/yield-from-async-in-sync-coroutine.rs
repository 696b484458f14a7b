// A sync coroutine cannot delegate to an async one (it cannot await).
use coroutine::{yield_, yield_from};

#[coroutine::coroutine(yield = u8)]
async fn inner() {
    yield_!(1);
}

#[coroutine::coroutine(yield = u8)]
fn outer() {
    yield_from!(inner());
}

fn main() {}
