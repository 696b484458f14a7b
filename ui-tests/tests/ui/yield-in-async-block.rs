use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    let _fut = async {
        yield_!(1);
    };
}

fn main() {}
