//! Misuse panics point at the caller's line (`#[track_caller]`), not into the crate. In
//! a binary of its own: it installs a panic hook, which is process-wide.
#![deny(warnings)]

use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;
use std::sync::{Arc, Mutex};

use coroutine::{Coroutine, CoroutineState, yield_};

#[coroutine::coroutine(yield = u8)]
fn one() {
    yield_!(1);
}

#[test]
fn resuming_after_completion_reports_the_callers_line() {
    let seen = Arc::new(Mutex::new(None));
    let hook_seen = seen.clone();
    panic::set_hook(Box::new(move |info| {
        let at = info.location().map(|l| (l.file().to_string(), l.line()));
        *hook_seen.lock().unwrap() = at;
    }));
    let mut c = pin!(one());
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(1));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(()));
    let line = line!() + 1;
    let err = panic::catch_unwind(AssertUnwindSafe(|| c.as_mut().resume(()))).unwrap_err();
    let _ = panic::take_hook();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"coroutine resumed after completion")
    );
    assert_eq!(*seen.lock().unwrap(), Some((file!().to_string(), line)));
}
