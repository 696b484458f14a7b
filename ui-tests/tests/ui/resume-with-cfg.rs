// `#[cfg]` on the `#[resume]` parameter would change the coroutine's type.
#[coroutine::coroutine(yield = u32)]
fn f(#[cfg(any())] #[resume] first: u32) {}

fn main() {}
