// Without `yield = T` a coroutine yields `()`: the error says to add the yield type.
use coroutine::yield_;

#[coroutine::coroutine]
fn count(n: u32) {
    for i in 0..n {
        yield_!(i);
    }
}

fn main() {
    let _ = count(3);
}
