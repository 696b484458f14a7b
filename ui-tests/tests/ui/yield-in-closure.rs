use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    let g = || yield_!(1);
    g();
}

fn main() {}
