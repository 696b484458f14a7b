// async-stream #107: a yielded reference must not outlive the local it borrows.
use coroutine::yield_;

#[coroutine::coroutine(yield = &'a str)]
async fn f<'a>() {
    let s = String::from("local");
    async {}.await;
    yield_!(&s);
}

fn main() {}
