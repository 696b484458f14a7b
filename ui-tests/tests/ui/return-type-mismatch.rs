// A real mismatch is reported once, at the offending `return` or tail, in the words
// rustc uses for an `async fn`.
use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn early(flag: bool) -> u32 {
    if flag {
        return "not a number";
    }
    yield_!(1);
    5
}

#[coroutine::coroutine(yield = u32)]
fn tail() -> u32 {
    yield_!(1);
    "not a number"
}

fn main() {
    let _ = early(true);
    let _ = tail();
}
