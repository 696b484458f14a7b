// A lifetime elided in a path (`Cow<str>`) is elided as in the signature.
use coroutine::yield_;
use std::borrow::Cow;

struct Tree {
    name: String,
}

impl Tree {
    #[coroutine::coroutine(yield = Cow<str>)]
    fn labels(&self) {
        yield_!(Cow::Borrowed(self.name.as_str()));
        let local = format!("{}-child", self.name);
        yield_!(Cow::Borrowed(local.as_str()));
    }
}

fn main() {
    let t = Tree { name: "root".into() };
    let _ = t.labels();
}
