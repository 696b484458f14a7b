// Only a coroutine that yields `()` is a future.
use coroutine::yield_;

#[coroutine::coroutine(yield = u32)]
fn numbers() {
    yield_!(1);
}

async fn user() {
    numbers().await;
}

fn main() {
    let _ = user();
}
