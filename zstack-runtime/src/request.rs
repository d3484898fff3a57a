//! The request trait: every API request type carries its route.
//!
//! `#[derive(Api)]` (from `zstack-macros`) implements [`ApiRequest`] from the
//! `#[api(...)]` attributes; the client has one generic `send` over this trait,
//! so retries, hooks and mocks have one choke point: [`ApiRequest::to_wire`].

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::plumbing::encoding::{encode_path_segment, encode_query};
use crate::secret::{REDACTED, is_credential_name, scrub_credentials};

/// HTTP method of an API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: a read, params in the query string.
    Get,
    /// `POST`: a create, params in the JSON body envelope.
    Post,
    /// `PUT`: an action or update, params in the JSON body envelope.
    Put,
    /// `DELETE`: a delete, params in the query string.
    Delete,
}

impl Method {
    /// The method as sent (`"GET"`, ...).
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
    /// A refusal of `field` of `api`, for `reason`.
    pub fn new(api: &'static str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        InvalidRequest { api, field: field.into(), reason: reason.into() }
    }
}

/// The exact wire form of one request, before the base URL and headers are added.
///
/// `Debug` never shows credentials: path segments filled from a
/// credential-named placeholder (`{sessionUuid}`) and the values of
/// credential-named query params and body members are `<redacted>`, and the
/// whole body of an API marked sensitive (a login) is left out.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct WireRequest {
    /// The HTTP method.
    pub method: Method,
    /// Path relative to `<base>/v1`, placeholders filled and percent-encoded.
    pub path: String,
    /// Unencoded query pairs in a stable order (GET/DELETE only).
    pub query: Vec<(String, String)>,
    /// `{"<envelope>": {...}}` for POST/PUT; `None` for GET/DELETE.
    pub body: Option<Value>,
    /// The path template the path was filled from (`/accounts/sessions/{sessionUuid}`).
    pub template: &'static str,
    /// The API is marked sensitive: its body is never shown.
    pub sensitive: bool,
}

impl WireRequest {
    /// A wire request for `template` with nothing marked sensitive.
    pub fn new(method: Method, template: &'static str, path: String) -> Self {
        WireRequest { method, path, query: Vec::new(), body: None, template, sensitive: false }
    }

    /// `k=v&k=v` with the protocol's percent-encoding (§3.1), or `""`.
    pub fn query_string(&self) -> String {
        encode_query(&self.query)
    }

    /// Path plus `?query` when there is one.
    pub fn path_and_query(&self) -> String {
        let q = self.query_string();
        if q.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, q) }
    }

    /// The path with every segment that a credential-named placeholder
    /// filled replaced by `<redacted>`: safe for logs and `Debug`.
    pub fn redacted_path(&self) -> String {
        let mut filled = self.path.split('/');
        let mut out = Vec::new();
        for part in self.template.split('/') {
            let Some(segment) = filled.next() else { break };
            let secret = placeholders(part).any(is_credential_name);
            out.push(if secret { REDACTED } else { segment });
        }
        // A path that does not follow its template is shown only up to where it did.
        if filled.next().is_some() {
            out.push("...");
        }
        out.join("/")
    }

    /// The query pairs with the values of credential-named params replaced
    /// by `<redacted>`: safe for logs and `Debug`.
    pub fn redacted_query(&self) -> Vec<(&str, &str)> {
        self.query
            .iter()
            .map(|(k, v)| (k.as_str(), if is_credential_name(k) { REDACTED } else { v.as_str() }))
            .collect()
    }

    /// The body as JSON text with the values of credential-named members
    /// replaced by `<redacted>`, or only `<redacted>` for a sensitive API:
    /// safe for logs and `Debug`.
    pub fn redacted_body(&self) -> Option<String> {
        let body = self.body.as_ref()?;
        Some(if self.sensitive { REDACTED.to_string() } else { scrub_credentials(&body.to_string()) })
    }
}

/// The placeholder names in one template segment (`{uuid}` → `uuid`).
fn placeholders(segment: &str) -> impl Iterator<Item = &str> {
    segment.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field("path", &self.redacted_path())
            .field("query", &self.redacted_query())
            .field("body", &self.redacted_body())
            .finish()
    }
}

/// Where and how an API is sent: its route as a value. Every [`ApiRequest`]
/// has one ([`ApiRequest::ROUTE`]); a [`DynamicRequest`](crate::dynamic::DynamicRequest)
/// carries one it got at run time (a CLI reading the API list from data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// Action name, e.g. `ReconnectBackupStorage`.
    pub action: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// Path template relative to `<base>/v1`, e.g. `/backup-storage/{uuid}/actions`.
    pub path: &'static str,
    /// Envelope key for POST/PUT (verbatim, may be `""`); `None` for GET/DELETE.
    pub envelope: Option<&'static str>,
    /// Documented as job-polled. The client still decides by status code.
    pub is_async: bool,
    /// Needs `Authorization`.
    pub session: bool,
    /// The response holds a credential: errors about it never quote the body.
    pub sensitive: bool,
    /// The ZStack release that introduced the API, if known.
    pub since: Option<&'static str>,
}

impl Route {
    /// A route with the given action, method and path template; the rest as
    /// for a synchronous API that needs a session, with an envelope named
    /// `params` when the method has a body.
    pub const fn new(action: &'static str, method: Method, path: &'static str) -> Self {
        let envelope = if method.has_body() { Some("params") } else { None };
        Route { action, method, path, envelope, is_async: false, session: true, sensitive: false, since: None }
    }

    /// The envelope key (`None` for GET/DELETE).
    pub const fn envelope(mut self, envelope: Option<&'static str>) -> Self {
        self.envelope = envelope;
        self
    }

    /// Whether the API is documented as job-polled.
    pub const fn is_async(mut self, is_async: bool) -> Self {
        self.is_async = is_async;
        self
    }

    /// Whether the API needs a session.
    pub const fn session(mut self, session: bool) -> Self {
        self.session = session;
        self
    }

    /// Whether the response holds a credential.
    pub const fn sensitive(mut self, sensitive: bool) -> Self {
        self.sensitive = sensitive;
        self
    }

    /// The release that introduced the API.
    pub const fn since(mut self, since: Option<&'static str>) -> Self {
        self.since = since;
        self
    }
}

/// One ZStack API call. Implemented by `#[derive(Api)]`.
pub trait ApiRequest {
    /// Action name, e.g. `ReconnectBackupStorage`.
    const ACTION: &'static str;
    /// The HTTP method.
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
    /// names; decoding then goes through [`crate::plumbing::poly`].
    const POLYMORPHIC: bool = false;
    /// The response holds a credential (a login's session id): errors about
    /// it never quote the body.
    const SENSITIVE: bool = false;
    /// The ZStack release that introduced the API (`since` in the spec), if
    /// known: the client can refuse or warn about calls an older MN does not
    /// know (the client's `VersionPolicy`).
    const SINCE: Option<&'static str> = None;
    /// All of the above as one value.
    const ROUTE: Route = Route {
        action: Self::ACTION,
        method: Self::METHOD,
        path: Self::PATH,
        envelope: Self::ENVELOPE,
        is_async: Self::ASYNC,
        session: Self::SESSION,
        sensitive: Self::SENSITIVE,
        since: Self::SINCE,
    };
    /// The decoded `200` body.
    type Response: DeserializeOwned;

    /// Constraint checks (required values, ranges, lengths, allowed values).
    fn validate(&self) -> Result<(), InvalidRequest>;
    /// Calls `visit(wire name, since)` for each param that is set and came
    /// in a later ZStack release than the API itself.
    fn versioned_params(&self, _visit: &mut dyn FnMut(&'static str, &'static str)) {}
    /// The filled and encoded path.
    fn path(&self) -> Result<String, InvalidRequest>;
    /// Non-path params as unencoded pairs (GET/DELETE); empty for POST/PUT.
    fn query(&self) -> Result<Vec<(String, String)>, InvalidRequest>;
    /// The envelope object for POST/PUT (`{"<envelope>": {...}}`); `None` for GET/DELETE.
    fn body(&self) -> Result<Option<Value>, InvalidRequest>;

    /// Everything the transport needs, validated.
    fn to_wire(&self) -> Result<WireRequest, InvalidRequest> {
        self.validate()?;
        Ok(WireRequest {
            method: Self::METHOD,
            path: self.path()?,
            query: self.query()?,
            body: self.body()?,
            template: Self::PATH,
            sensitive: Self::SENSITIVE,
        })
    }
}

/// Something that holds a request of type `R` and may change it: the request
/// itself, or a client `Call` for it. The generated setter traits
/// (`CreateVmInstanceSetters`, ...) are implemented for every `Holds<R>`, so an
/// optional param is set the same way on both:
///
/// ```ignore
/// CreateVmInstance::new("web-1").image_uuid(image);              // a request
/// client.create_vm_instance("web-1").image_uuid(image).send();    // a call
/// ```
pub trait Holds<R> {
    /// The held request.
    fn held_mut(&mut self) -> &mut R;
}

impl<R: ApiRequest> Holds<R> for R {
    fn held_mut(&mut self) -> &mut R {
        self
    }
}

/// Fill every `{name}` placeholder of `template` with `value(name)`, passed
/// through [`path_segment`]; literal text is kept as it is.
pub fn fill_template(
    api: &'static str,
    template: &str,
    mut value: impl FnMut(&str) -> Result<String, InvalidRequest>,
) -> Result<String, InvalidRequest> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let name = &rest[open + 1..open + close];
        out.push_str(&rest[..open]);
        out.push_str(&path_segment(api, name, &value(name)?)?);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Fill one placeholder value: the one check every path segment goes
/// through (derived `path()`, job polls). Empty values are refused, and so are
/// values made only of dots (`.`, `..`, `...`): a server or proxy would
/// normalise them and the request would reach another route
/// (`/backup-storage/../actions` is `/actions`). The rest is percent-encoded,
/// so a `/` cannot add a segment either.
pub fn path_segment(api: &'static str, name: &str, value: &str) -> Result<String, InvalidRequest> {
    if value.is_empty() {
        return Err(InvalidRequest::new(api, name, "is a path parameter and must not be empty"));
    }
    if value.bytes().all(|b| b == b'.') {
        return Err(InvalidRequest::new(api, name, "is a path parameter and must not consist only of dots"));
    }
    Ok(encode_path_segment(value))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dot_segments_are_refused() {
        for bad in [".", "..", "...", ""] {
            let err = path_segment("X", "uuid", bad).unwrap_err();
            assert_eq!((err.api, err.field.as_str()), ("X", "uuid"), "{bad:?}");
        }
        assert_eq!(path_segment("X", "uuid", "a.b").unwrap(), "a.b");
        assert_eq!(path_segment("X", "uuid", "../a").unwrap(), "..%2Fa");
        assert_eq!(path_segment("X", "uuid", ".a.").unwrap(), ".a.");
    }

    #[test]
    fn debug_redacts_credentials() {
        let mut wire =
            WireRequest::new(Method::Delete, "/accounts/sessions/{sessionUuid}", "/accounts/sessions/abc123".into());
        wire.query = vec![("token".into(), "t0ps3cret".into()), ("limit".into(), "5".into())];
        let shown = format!("{wire:?}");
        assert!(!shown.contains("abc123") && !shown.contains("t0ps3cret"), "{shown}");
        assert!(shown.contains("/accounts/sessions/<redacted>") && shown.contains("\"5\""), "{shown}");

        let mut wire = WireRequest::new(Method::Put, "/accounts/login", "/accounts/login".into());
        wire.body = Some(json!({"logInByAccount": {"accountName": "admin", "password": "d1gest"}}));
        let shown = format!("{wire:?}");
        assert!(!shown.contains("d1gest") && shown.contains("admin"), "{shown}");
        wire.sensitive = true;
        let shown = format!("{wire:?}");
        assert!(!shown.contains("admin") && shown.contains("<redacted>"), "{shown}");

        let wire = WireRequest::new(Method::Get, "/vm-instances/{uuid}", "/vm-instances/u1".into());
        assert!(format!("{wire:?}").contains("/vm-instances/u1"));
    }
}
