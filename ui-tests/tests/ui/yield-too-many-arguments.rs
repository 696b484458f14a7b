use coroutine::{yield_, yield_from};

#[coroutine::coroutine(yield = u8)]
fn inner() {}

#[coroutine::coroutine(yield = u8)]
fn f() {
    yield_!(1, 2);
    yield_from!(inner(), (), ());
}

fn main() {
    // The fn still exists beside the errors, so call sites resolve.
    for x in f() {
        let _: u8 = x;
    }
}
