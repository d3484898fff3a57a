//! The naming obstacle course: `spec/` here is full of names that clash with
//! Rust keywords, with each other after case conversion, or start with digits.
//! `cargo xtask codegen` generates `src/gen/` from it like the real SDK, and
//! the tests in `tests/` prove the output compiles and keeps wire names.

#[rustfmt::skip]
mod r#gen;

pub use r#gen::{api, prelude, types};
