//! [`Iter`]: any coroutine without a resume argument, as a fused iterator.

use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::pin::Pin;

use crate::hints::NoResumeArgument;
use crate::{Coroutine, CoroutineState};

/// A fused iterator over the yields of a coroutine whose resume argument is `()`; the
/// return value is kept and can be taken once the iterator is exhausted.
///
/// `C` is anything that resumes through `Pin::new(&mut c)`: `Pin<&mut G>` (a
/// stack-pinned coroutine: no allocation), `Pin<Box<G>>` (what `IntoIterator` on a
/// coroutine gives), or an `Unpin` coroutine.
///
/// ```
/// use coroutine::{yield_, Iter};
/// use core::pin::pin;
///
/// #[coroutine::coroutine(yield = char)]
/// fn abc() -> usize {
///     for c in ['a', 'b', 'c'] {
///         yield_!(c);
///     }
///     3
/// }
///
/// let c = pin!(abc());
/// let mut it = Iter::new(c);
/// assert_eq!(it.by_ref().collect::<String>(), "abc");
/// assert_eq!(it.next(), None); // fused
/// assert_eq!(it.take_return(), Some(3));
/// ```
///
/// `A` is the resume type, always `()` where the iterator is usable: naming it lets a
/// coroutine with a resume argument get an error that says how to drive it instead.
pub struct Iter<C: Coroutine<A>, A = ()> {
    coroutine: C,
    state: End<C::Return>,
    _arg: PhantomData<fn(A)>,
}

enum End<R> {
    Running,
    Returned(Option<R>),
}

impl<C: Coroutine<A> + Unpin, A> Iter<C, A> {
    /// Iterates `coroutine`'s yields.
    ///
    /// ```
    /// use coroutine::{yield_, Iter};
    ///
    /// #[coroutine::coroutine(yield = u8)]
    /// fn one() {
    ///     yield_!(1);
    /// }
    ///
    /// assert_eq!(Iter::new(Box::pin(one())).collect::<Vec<_>>(), [1]);
    /// ```
    pub const fn new(coroutine: C) -> Self {
        Iter {
            coroutine,
            state: End::Running,
            _arg: PhantomData,
        }
    }

    /// An iterator that yields nothing: `coroutine` already completed.
    pub(crate) const fn exhausted(coroutine: C) -> Self {
        Iter {
            coroutine,
            state: End::Returned(None),
            _arg: PhantomData,
        }
    }

    /// Takes the coroutine's return value: `Some` once the iterator returned `None`,
    /// and only the first time.
    ///
    /// ```
    /// use coroutine::yield_;
    ///
    /// #[coroutine::coroutine(yield = u8)]
    /// fn one() -> &'static str {
    ///     yield_!(1);
    ///     "done"
    /// }
    ///
    /// let mut it = one().into_iter();
    /// assert_eq!(it.take_return(), None);
    /// assert_eq!(it.next(), Some(1));
    /// assert_eq!(it.next(), None);
    /// assert_eq!(it.take_return(), Some("done"));
    /// assert_eq!(it.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<C::Return> {
        match &mut self.state {
            End::Running => None,
            End::Returned(r) => r.take(),
        }
    }

    /// Whether the coroutine has completed.
    ///
    /// ```
    /// #[coroutine::coroutine(yield = u8)]
    /// fn none() {}
    ///
    /// let mut it = none().into_iter();
    /// assert!(!it.is_complete());
    /// assert_eq!(it.next(), None);
    /// assert!(it.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        matches!(self.state, End::Returned(_))
    }
}

impl<C: Coroutine<A> + Unpin, A: NoResumeArgument> Iterator for Iter<C, A> {
    type Item = C::Yield;

    #[inline(always)]
    #[track_caller]
    fn next(&mut self) -> Option<C::Yield> {
        if let End::Returned(_) = self.state {
            return None;
        }
        match Pin::new(&mut self.coroutine).resume(A::arg()) {
            CoroutineState::Yielded(y) => Some(y),
            CoroutineState::Complete(r) => {
                self.state = End::Returned(Some(r));
                None
            }
        }
    }
}

impl<C: Coroutine<A> + Unpin, A: NoResumeArgument> FusedIterator for Iter<C, A> {}

impl<C: Coroutine<A>, A> fmt::Debug for Iter<C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("complete", &matches!(self.state, End::Returned(_)))
            .finish_non_exhaustive()
    }
}
