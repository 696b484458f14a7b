// The `#[resume]` type's elided lifetime is the signature's (here `_anchor`'s): an
// argument borrowed for it cannot be yielded as `&'static str`.
use coroutine::yield_;

#[coroutine::coroutine(yield = &'static str)]
fn launder(_anchor: &(), #[resume] first: &str) {
    yield_!(first);
}

fn main() {
    let _ = launder(&());
}
