//! Spec → Rust code generation.
