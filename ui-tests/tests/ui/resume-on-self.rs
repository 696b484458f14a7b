struct S;

impl S {
    #[coroutine::coroutine]
    fn f(#[resume] self) {}
}

fn main() {}
