use coroutine::yield_;

#[coroutine::coroutine(yield = u8)]
async fn f() {
    let g = async || yield_!(1);
    g().await;
}

fn main() {}
