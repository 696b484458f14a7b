// Only lint attributes may stand beside `#[resume]`.
#[coroutine::coroutine(yield = u32)]
fn f(#[doc = "the first argument"] #[resume] first: u32) {
    let _ = first;
}

fn main() {}
