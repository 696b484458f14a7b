//! [`Id`]: the identity a coroutine shares with its yielder (every coroutine but the
//! plain ones, whose types are lifetime-free: they all carry [`Id::PLAIN`]).
//!
//! A yield future with an identity only touches the channel of a `resume` whose
//! coroutine has the same `Id` as the yielder that made it (see `channel.rs`). That is what makes the yielder's
//! types the channel's types, so an `Id` must never be given to two coroutines: it is a
//! 64-bit counter that only grows.
//!
//! With the `std` feature each thread takes a block of identities at a time from the
//! global counter and hands them out from a thread-local, so making a coroutine costs a
//! thread-local increment; without it, every coroutine does one relaxed `fetch_add`.
//!
//! Exhaustion: once the counter passed 2^63, every later request panics instead of
//! handing out an identity. Wrapping around to reuse one would take 2^63 more
//! requests, each of them panicking: centuries at one per nanosecond.

use core::num::NonZeroU64;
use core::sync::atomic::Ordering;

#[cfg(target_has_atomic = "64")]
use core::sync::atomic::AtomicU64;
// Targets without 64-bit atomics get portable-atomic's lock-based fallback.
#[cfg(not(target_has_atomic = "64"))]
use portable_atomic::AtomicU64;

/// The identity of one coroutine. Never reused. Public only to be named in the
/// yielder's type (`coroutine::__private`): nothing outside this crate can make one.
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Id(NonZeroU64);

/// The next identity no thread has taken (0 is never handed out).
static NEXT: AtomicU64 = AtomicU64::new(1);

/// Past this, the counter refuses to hand out identities (see the module docs).
const LIMIT: u64 = 1 << 63;

/// Takes `count` fresh identities from the global counter: the first of them.
#[inline]
fn take(count: u64) -> u64 {
    let first = NEXT.fetch_add(count, Ordering::Relaxed);
    if first >= LIMIT {
        exhausted();
    }
    first
}

/// `extern "C"`: a panic that cannot unwind (it aborts), so that making a coroutine
/// has no unwinding path, which would cost the code around it (see `channel.rs`).
#[cold]
#[inline(never)]
extern "C" fn exhausted() -> ! {
    panic!("coroutine identities exhausted: more than 2^63 coroutines were created")
}

#[cfg(feature = "std")]
mod source {
    use core::cell::Cell;

    /// How many identities a thread takes from the global counter at once.
    const BLOCK: u64 = 1 << 16;

    std::thread_local! {
        /// This thread's identities: `next..end` are still free.
        static FREE: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }

    /// Out of line: inlined, the thread-local access stops the optimiser from keeping
    /// the state of a coroutine made and drained in one function in registers
    /// (measured: 3.4 against 35 instructions per item on a stream under a real
    /// executor).
    #[inline(never)]
    pub(super) fn next() -> u64 {
        // `try_with`: a const-initialised thread-local without a destructor is always
        // there, but this way no panic path is emitted; the global counter is the
        // fallback.
        FREE.try_with(|free| {
            let (next, end) = free.get();
            if next < end {
                free.set((next + 1, end));
                next
            } else {
                let first = super::take(BLOCK);
                free.set((first + 1, first + BLOCK));
                first
            }
        })
        .unwrap_or_else(|_| super::take(1))
    }
}

#[cfg(not(feature = "std"))]
mod source {
    #[inline]
    pub(super) fn next() -> u64 {
        super::take(1)
    }
}

impl Id {
    /// The identity of every coroutine in the `Plain` mode (see `channel.rs`), which
    /// takes no fresh one: never handed out by [`Id::new`] (the counter stops before
    /// 2^63), so no first poll of a future with an identity passes in a plain coroutine.
    pub(crate) const PLAIN: Id = Id(NonZeroU64::MAX);

    /// See [`Id::new`].
    const STAND_IN: NonZeroU64 = NonZeroU64::new(u64::MAX - 1).unwrap();

    /// A fresh identity.
    #[inline]
    pub(crate) fn new() -> Id {
        // The counter starts at 1 and stops before 2^63, so 0 cannot come out:
        // `MAX - 1` (never handed out otherwise, and not `PLAIN`) stands in for it only
        // to have no panic path.
        Id(NonZeroU64::new(source::next()).unwrap_or(Self::STAND_IN))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::Id;
    use std::collections::HashSet;
    use std::vec::Vec;

    #[test]
    fn identities_are_distinct_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..100_000).map(|_| Id::new()).collect::<Vec<_>>()))
            .collect();
        let mut seen = HashSet::new();
        for h in handles {
            for id in h.join().unwrap() {
                assert!(seen.insert(id.0), "identity {id:?} handed out twice");
            }
        }
        assert_eq!(seen.len(), 400_000);
    }
}
