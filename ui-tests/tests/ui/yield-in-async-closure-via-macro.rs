use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    let _v = vec![async move { yield_!(1) }];
}

fn main() {}
