// A coroutine with a resume argument cannot be iterated or streamed: each step needs its
// argument.
use coroutine::yield_;
use futures::StreamExt;

#[coroutine::coroutine(yield = u64)]
fn running_sum(#[resume] first: u64) {
    let mut total = first;
    loop {
        total += yield_!(total);
    }
}

fn main() {
    for _ in running_sum() {}
    let _ = Box::pin(running_sum()).next();
}
