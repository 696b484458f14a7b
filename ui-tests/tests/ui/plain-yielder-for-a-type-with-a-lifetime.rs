// The plain mode (no run-time identity) is only for types without lifetimes: naming
// its constructor for `&'static str` (the same type as any `&'x str` with lifetimes
// erased) does not compile, so no yielder of it can launder a borrow.
use coroutine::__private::{Pick, PickPlain};

fn main() {
    let (_identity, _yielder) = PickPlain::pair(&Pick::<&'static str, ()>::new());
}
