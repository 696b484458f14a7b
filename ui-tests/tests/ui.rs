//! The compiler errors users see: one case per rule in `tests/ui/`, each with its
//! committed `.stderr`. Regenerate after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p ui-tests`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/pass/*.rs");
}
