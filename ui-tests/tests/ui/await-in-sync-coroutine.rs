#[coroutine::coroutine]
fn f() {
    core::future::ready(1).await;
}

fn main() {
    // The fn still exists beside the error, so call sites resolve.
    let _ = f();
}
