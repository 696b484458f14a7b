// async-stream #106, in full: a `yield_!` smuggled into a nested `async` block by a user
// macro, then awaited inside another coroutine whose yield type is a `Box`. In
// async-stream this transmutes a `usize` into a `Box` and segfaults; here it must not
// compile.
use coroutine::yield_;
use futures::StreamExt;

macro_rules! asynk {
    ($e:expr) => {
        async { $e }
    };
}

#[coroutine::coroutine(yield = usize)]
async fn outer() {
    let yield_42 = asynk!(yield_!(42_usize));
    let mut s = core::pin::pin!(inner(yield_42));
    while let Some(b) = s.next().await {
        println!("{b}");
    }
}

#[coroutine::coroutine(yield = Box<i32>)]
async fn inner(smuggled: impl core::future::Future<Output = ()>) {
    yield_!(Box::new(12345));
    smuggled.await;
}

fn main() {}
