//! The request trait: every API request type carries its route.
//!
//! `#[derive(Api)]` (from `zstack-macros`) implements [`ApiRequest`] from the
//! `#[api(...)]` attributes; the client has one generic `send` over this trait,
//! so retries, hooks and mocks have one choke point: [`ApiRequest::to_wire`].

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::encoding::{encode_path_segment, encode_query};

/// HTTP method of an API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// POST and PUT carry a JSON body; GET and DELETE carry only a query string.
    pub const fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request the client refuses to send (caught before any I/O).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {api} request: `{field}` {reason}")]
pub struct InvalidRequest {
    /// Action name (`ReconnectBackupStorage`).
    pub api: &'static str,
    /// Wire name of the offending param (`uuid`, `q`).
    pub field: String,
    /// What is wrong, as a sentence fragment ("is required", "must be at most 255 characters").
    pub reason: String,
}

impl InvalidRequest {
    pub fn new(api: &'static str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        InvalidRequest { api, field: field.into(), reason: reason.into() }
    }
}

/// The exact wire form of one request, before the base URL and headers are added.
#[derive(Clone, Debug, PartialEq)]
pub struct WireRequest {
    pub method: Method,
    /// Path relative to `<base>/v1`, placeholders filled and percent-encoded.
    pub path: String,
    /// Unencoded query pairs in a stable order (GET/DELETE only).
    pub query: Vec<(String, String)>,
    /// `{"<envelope>": {...}}` for POST/PUT; `None` for GET/DELETE.
    pub body: Option<Value>,
}

impl WireRequest {
    /// `k=v&k=v` with the protocol's percent-encoding (§3.1), or `""`.
    pub fn query_string(&self) -> String {
        encode_query(&self.query)
    }

    /// Path plus `?query` when there is one.
    pub fn path_and_query(&self) -> String {
        let q = self.query_string();
        if q.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, q) }
    }
}

/// One ZStack API call. Implemented by `#[derive(Api)]`.
pub trait ApiRequest {
    /// Action name, e.g. `ReconnectBackupStorage`.
    const ACTION: &'static str;
    const METHOD: Method;
    /// Path template relative to `<base>/v1`, e.g. `/backup-storage/{uuid}/actions`.
    const PATH: &'static str;
    /// Envelope key for POST/PUT (verbatim, may be `""`); `None` for GET/DELETE.
    const ENVELOPE: Option<&'static str>;
    /// Documented as job-polled. The client still decides by status code.
    const ASYNC: bool;
    /// Needs `Authorization`.
    const SESSION: bool;
    /// The response holds values whose concrete class only the `schema` map
    /// names; decoding then goes through [`crate::runtime::poly`].
    const POLYMORPHIC: bool = false;
    /// The response holds a credential (a login's session id): errors about
    /// it never quote the body.
    const SENSITIVE: bool = false;
    /// The decoded `200` body.
    type Response: DeserializeOwned;

    /// Constraint checks (required values, ranges, lengths, allowed values).
    fn validate(&self) -> Result<(), InvalidRequest>;
    /// The filled and encoded path.
    fn path(&self) -> Result<String, InvalidRequest>;
    /// Non-path params as unencoded pairs (GET/DELETE); empty for POST/PUT.
    fn query(&self) -> Result<Vec<(String, String)>, InvalidRequest>;
    /// The envelope object for POST/PUT (`{"<envelope>": {...}}`); `None` for GET/DELETE.
    fn body(&self) -> Result<Option<Value>, InvalidRequest>;

    /// Everything the transport needs, validated.
    fn to_wire(&self) -> Result<WireRequest, InvalidRequest> {
        self.validate()?;
        Ok(WireRequest { method: Self::METHOD, path: self.path()?, query: self.query()?, body: self.body()? })
    }
}

/// Fill one placeholder value (used by derived `path()`): rejects empty values
/// and percent-encodes the rest as a path segment.
pub fn path_segment(api: &'static str, name: &str, value: &str) -> Result<String, InvalidRequest> {
    if value.is_empty() {
        return Err(InvalidRequest::new(api, name, "is a path parameter and must not be empty"));
    }
    Ok(encode_path_segment(value))
}
