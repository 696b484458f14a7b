use coroutine::yield_;

macro_rules! later {
    ($e:expr) => {
        || $e
    };
}

#[coroutine::coroutine(yield = u32)]
fn f() {
    let _g = later!(yield_!(1));
}

fn main() {}
