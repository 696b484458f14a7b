#[coroutine::coroutine]
fn f() {
    println!("{}", core::future::ready(1).await);
}

fn main() {}
