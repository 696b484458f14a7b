//! Integration tests live in `tests/`; this library only runs the workspace README's
//! examples as doctests.

/// The workspace README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
