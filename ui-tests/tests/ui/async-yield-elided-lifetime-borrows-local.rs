// The same for an `async fn` coroutine, consumed as a `Stream`.
use coroutine::yield_;

struct Tree {
    name: String,
}

impl Tree {
    #[coroutine::coroutine(yield = &str)]
    async fn labels(&self) {
        let local = format!("{}-child", self.name);
        async {}.await;
        yield_!(local.as_str());
    }
}

fn main() {
    let t = Tree { name: "root".into() };
    let _ = t.labels();
}
