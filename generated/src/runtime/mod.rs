//! Hand-written runtime of the SDK. Each concern lives in one file:
//!
//! | file | concern |
//! |---|---|
//! | `request.rs` | the [`ApiRequest`](request::ApiRequest) trait and [`WireRequest`](request::WireRequest) |
//! | `wire.rs` | how field values become query pairs and body members |
//! | `encoding.rs` | percent-encoding of paths and query strings |
//! | `validate.rs` | pre-send constraint checks |
//! | `timestamp.rs` | ZStack's zone-less timestamps |
//! | `number.rs` | integers that arrive as E-notation doubles |
//! | `secret.rs` | passwords and other values never shown in Debug |
//! | `de.rs` | how generated response structs decode (`deserialize_struct!`) |
//! | `reply.rs` | generic response envelopes (`{"inventory": ..}`, ...) |
//! | `poly.rs` | polymorphic inventories resolved through the response's `schema` map |
//! | `schema_path.rs` | the JSON path and `schema` map a polymorphic decode consults |
//! | `query.rs` | Query APIs: conditions, paging, sorting, field selection |
//! | `enums.rs` | the `string_enum!` macro: string enums with an `Unknown(String)` fallback |

pub mod de;
pub mod encoding;
pub mod enums;
pub mod number;
pub mod poly;
pub mod query;
pub mod reply;
pub mod request;
pub mod schema_path;
pub mod secret;
pub mod timestamp;
pub mod validate;
pub mod wire;
