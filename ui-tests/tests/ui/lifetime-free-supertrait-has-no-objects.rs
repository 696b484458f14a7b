// A trait object implements its trait's supertraits with no `impl` written, so a user
// trait with `LifetimeFree` as a supertrait would make `dyn Sink<'x>` lifetime-free
// for every `'x`, and a plain yielder of it could then shorten or lengthen that
// lifetime. `LifetimeFree` requires `Sized`: such a trait has no objects.
use coroutine::LifetimeFree;
use coroutine::__private::{Pick, PickPlain, Plain, Yielder};

pub trait Sink<'a>: LifetimeFree {
    fn put(&self, s: &'a str);
}

fn shortened<'x>() -> Yielder<(), Box<dyn Sink<'x>>, Plain> {
    let (_id, y): (_, Yielder<(), Box<dyn for<'a> Sink<'a>>, Plain>) =
        (&Pick::<(), Box<dyn for<'a> Sink<'a>>>::new()).__coroutine_pair();
    y
}

fn main() {
    let _ = shortened::<'static>();
}
