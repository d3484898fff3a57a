//! The async HTTP client (feature `client`, on by default).
//!
//! ```no_run
//! # async fn demo() -> Result<(), zstack_client::Error> {
//! use zstack_client::Client;
//!
//! let client = Client::builder().base_url("http://mn.example:8080/zstack").build()?;
//! client.login_by_account("admin", "password").await?;
//! // Generated per-API methods return a `Call`; any request also works with
//! // `client.call(request).await`.
//! client.logout().await?;
//! # Ok(())
//! # }
//! ```
//!
//! | file | concern |
//! |---|---|
//! | `config.rs` | [`ClientBuilder`], [`Client`], TLS (rustls with *ring*) |
//! | `call.rs` | [`Call`] and its overrides, [`Submitted`], [`JobHandle`], query helpers |
//! | `dynamic.rs` | [`DynamicCall`]: an API known only at run time, JSON result, request preview |
//! | `outgoing.rs` | what the send path needs of a request, typed or dynamic |
//! | `send.rs` | the one generic request path: headers, status handling, job polling |
//! | `decode.rs` | response decoding with JSON paths in errors |
//! | `error.rs` | [`Error`] |
//! | `retry.rs` | [`RetryPolicy`]: which failures are retried, and the backoff |
//! | `version.rs` | [`VersionPolicy`], [`MnVersion`]: calls the MN's release is too old for |
//! | `auth.rs` | login/logout and access-key signing |
//!
//! Every call goes through one path: [`ApiRequest::to_wire`](zstack_runtime::request::ApiRequest::to_wire)
//! (an invalid request fails before any I/O), then `base + /v1 + path`, with
//! `X-Job-UUID` (fresh for each request), `X-JSON-Schema: true` and the
//! credentials. The answer is decided by status code: `200` is decoded, `202`
//! is polled at `<base>/v1/api-jobs/<job id>` (never at the host named in
//! `location`), `503` carries an `ErrorCode`, anything else is an HTTP error.
//!
//! Each call runs in a `tracing` span named `zstack.call` with the fields
//! `action`, `method`, `path` (the route template) and `job_id`; polls are
//! `debug` events. Session ids, access-key secrets and passwords never appear
//! in spans, `Debug` or `Display` output.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod call;
mod config;
mod decode;
mod dynamic;
mod error;
mod outgoing;
pub mod retry;
mod send;
pub mod version;

pub use auth::LoginSession;
pub use call::{Call, JobHandle, QueryStream, Submitted};
pub use config::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_PAGE_SIZE,
    DEFAULT_POLL_INTERVAL, DEFAULT_POLL_TIMEOUT, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_POOL_MAX_IDLE_PER_HOST,
    DEFAULT_REQUEST_TIMEOUT, PollPolicy,
};
pub use dynamic::{DynamicCall, DynamicJob, DynamicSubmitted};
pub use error::{Error, SESSION_EXPIRED_CODE, TransportError};
pub use retry::RetryPolicy;
pub use send::RequestPreview;
pub use version::{MnVersion, VersionPolicy};
