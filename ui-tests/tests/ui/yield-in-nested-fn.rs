use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn f() {
    fn inner() {
        yield_!(1);
    }
    inner();
}

fn main() {}
