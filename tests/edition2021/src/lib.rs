//! Coroutines in a 2021-edition crate; the tests are in `tests/`.
