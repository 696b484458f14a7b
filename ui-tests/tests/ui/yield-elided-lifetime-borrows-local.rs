// `yield = &str` on a `&self` method is the signature's elision: `&'self str`. A borrow
// of a local cannot be yielded as one.
use coroutine::yield_;

struct Tree {
    name: String,
}

impl Tree {
    #[coroutine::coroutine(yield = &str)]
    fn labels(&self) {
        yield_!(self.name.as_str());
        let local = format!("{}-child", self.name);
        yield_!(local.as_str());
    }
}

fn main() {
    let t = Tree { name: "root".into() };
    let _ = t.labels();
}
