//! The hand-written runtime of [`zstack-sdk`](https://docs.rs/zstack-sdk): what
//! every generated request and inventory is built on, without any HTTP.
//!
//! Users depend on `zstack-sdk`, which re-exports this crate as
//! `zstack_sdk::runtime` and its main items at its root; depend on this crate
//! directly only to write request types by hand (with `#[derive(Api)]`).
//!
//! | module | what users name |
//! |---|---|
//! | [`request`] | the [`ApiRequest`](request::ApiRequest) trait, [`Method`](request::Method), [`WireRequest`](request::WireRequest), [`InvalidRequest`](request::InvalidRequest) |
//! | [`dynamic`] | [`DynamicRequest`](dynamic::DynamicRequest): an API known only at run time, its [`Route`](request::Route) as a value |
//! | [`query`] | Query APIs: typed conditions, paging, sorting, grouping, field selection |
//! | [`reply`] | the generic reply envelopes (`{"inventory": ..}`, `{"inventories": [..]}`, `{}`) |
//! | [`error_code`] | [`ErrorCode`], the MN's error with its cause chain |
//! | [`session`] | [`SessionInventory`], what a login returns |
//! | [`timestamp`] | [`Timestamp`](timestamp::Timestamp): ZStack's zone-less dates |
//! | [`secret`] | [`Secret`](secret::Secret) and [`Password`](secret::Password): values never shown in `Debug` |
//!
//! Everything generated code and the derive need but users never name
//! (decoding macros, wire encoding, constraint checks, schema-map
//! resolution) is in the `plumbing` module, hidden from the docs and not
//! covered by semver.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod dynamic;
pub mod error_code;
pub mod query;
pub mod reply;
pub mod request;
pub mod secret;
pub mod session;
pub mod timestamp;

#[doc(hidden)]
pub mod plumbing;

pub use error_code::ErrorCode;
pub use session::SessionInventory;
