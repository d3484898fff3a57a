//! Typed Rust client for the ZStack cloud REST API.
//!
//! * [`api`] — one request type per API action (generated from `spec/`).
//! * [`types`] — inventories and enums (generated).
//! * [`runtime`] — the hand-written machinery: the [`ApiRequest`] trait, wire
//!   encoding, timestamps, lenient numbers, secrets and error codes.

// Lets the derive's `::zstack_sdk::...` paths resolve inside this crate too.
extern crate self as zstack_sdk;

pub mod runtime;

#[allow(clippy::all, clippy::pedantic)]
mod r#gen;

pub use r#gen::{api, types};
pub use runtime::request::{ApiRequest, InvalidRequest, Method, WireRequest};
pub use zstack_macros::Api;
