//! Not public API: the machinery generated code and `#[derive(Api)]` expand
//! to. Items here may change in any release. Each concern is one file:
//!
//! | file | concern |
//! |---|---|
//! | `wire.rs` | how field values become query pairs and body members |
//! | `encoding.rs` | percent-encoding of paths and query strings |
//! | `validate.rs` | pre-send constraint checks |
//! | `number.rs` | integers that arrive as E-notation doubles |
//! | `de.rs` | how generated structs decode and re-encode (`wire_struct!`) |
//! | `poly.rs` | polymorphic inventories resolved through the response's `schema` map |
//! | `schema_path.rs` | the JSON path and `schema` map a polymorphic decode consults |
//! | `enums.rs` | the `string_enum!` macro: string enums with an `Unknown(String)` fallback |
#![allow(missing_docs)]

pub mod de;
pub mod encoding;
pub mod enums;
pub mod number;
pub mod poly;
pub mod schema_path;
pub mod validate;
pub mod wire;

pub use serde;
pub use serde_json;

pub use crate::{__deserialize_value, string_enum, string_enum_traits, struct_wire_traits, wire_struct};
