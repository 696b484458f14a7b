//! Re-exports `coroutine` under another name, as a framework would.

/// The coroutine crate, re-exported.
pub use coroutine as co;
