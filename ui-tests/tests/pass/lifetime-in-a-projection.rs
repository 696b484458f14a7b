//! A yield type that names a lifetime is lifetime-free only through a projection; the
//! attribute's pick of a mode sees types without their lifetimes, so it would take a
//! where-clause about another lifetime for the yield type, and reject this program.
//! Such a type takes the identity. (Here, not in `tests/`: Rust 1.88's trait solver
//! rejects the program whatever the expansion, as it does the same signature without
//! the attribute, returning `impl Iterator`: it equates `'a` and `'b` through the
//! where-clause.)
use coroutine::{Coroutine, CoroutineState, LifetimeFree, yield_};
use std::pin::pin;

pub trait Tr<'a> {
    type Out;
    fn out(&self) -> Self::Out;
}

impl Tr<'_> for u8 {
    type Out = u32;
    fn out(&self) -> u32 {
        u32::from(*self)
    }
}

#[coroutine::coroutine(yield = <T as Tr<'b>>::Out)]
fn make<'a, 'b, T: for<'x> Tr<'x>>(t: T, a: &'a (), b: &'b ())
where
    <T as Tr<'a>>::Out: LifetimeFree,
{
    let ((), ()) = (*a, *b);
    yield_!(<T as Tr<'b>>::out(&t));
}

fn main() {
    let (a, b) = ((), ());
    let mut c = pin!(make(7u8, &a, &b));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(7));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(()));
}
