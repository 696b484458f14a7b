// `Send` is inferred: an `Rc` held across a yield makes the coroutine `!Send`.
use coroutine::{co, yield_};
use std::rc::Rc;

fn needs_send<T: Send>(_: T) {}

fn main() {
    let c = co!(|| {
        let rc = Rc::new(1);
        yield_!(*rc);
        drop(rc);
    });
    needs_send(c);
}
