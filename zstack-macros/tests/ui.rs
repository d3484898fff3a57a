//! Compile-time diagnostics of `#[derive(Api)]` (trybuild).
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p zstack-macros --test ui`, then review them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
