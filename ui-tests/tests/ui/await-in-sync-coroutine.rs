#[coroutine::coroutine]
fn f() {
    core::future::ready(1).await;
}

fn main() {}
