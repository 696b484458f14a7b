// The bare `#[coroutine(..)]` with arguments and a `yield_!` in the body: the first
// error must name the real cause and its fix.
use coroutine::{coroutine, yield_};

#[coroutine(yield = u32)]
fn countdown(n: u32) {
    for i in (1..=n).rev() {
        yield_!(i);
    }
}

fn main() {
    let _ = countdown(3);
}
