// `yield = &'_ str` is elided as in the signature too.
use coroutine::yield_;

struct Tree {
    name: String,
}

impl Tree {
    #[coroutine::coroutine(yield = &'_ str)]
    fn labels(&self) {
        let local = format!("{}-child", self.name);
        yield_!(local.as_str());
    }
}

fn main() {
    let t = Tree { name: "root".into() };
    let _ = t.labels();
}
