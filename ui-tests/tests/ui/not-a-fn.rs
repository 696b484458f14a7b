#[coroutine::coroutine]
struct NotAFn;

fn main() {
    let _ = NotAFn;
}
