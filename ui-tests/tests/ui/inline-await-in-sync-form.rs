// A closure `co!` is a sync coroutine: `.await` needs the `async` form.
use coroutine::{co, yield_};

fn main() {
    let _c = co!(|| {
        core::future::ready(1).await;
        yield_!(2);
    });
}
