//! The one error type of the client (protocol §6).

use std::fmt;
use std::time::Duration;

use crate::runtime::request::InvalidRequest;
use crate::types::ErrorCode;

/// The `ErrorCode` that marks an invalid or expired session (protocol §9).
pub const SESSION_EXPIRED_CODE: &str = "ID.1001";

/// Everything a call can fail with.
///
/// `Display` is meant for humans and logs: it shows the HTTP status, the
/// error code, description and details of each cause, and never a session id,
/// access-key secret or password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The MN answered `503 {"error": ErrorCode}`: the API itself failed,
    /// either on the first request or on a job poll.
    #[error("{}", describe_api(*status, error, job_id.as_deref()))]
    Api {
        status: u16,
        error: Box<ErrorCode>,
        /// The job id when the failure arrived from a job poll.
        job_id: Option<String>,
    },
    /// `ID.1001` somewhere in the cause chain: the session is unknown or
    /// expired. Log in again and retry; when it arrived from a job poll, the
    /// job itself was accepted and can be polled again under the new session
    /// ([`JobHandle::attach`](super::JobHandle::attach) with `job_id`).
    #[error("session invalid or expired: {}", describe_code(error))]
    SessionExpired {
        error: Box<ErrorCode>,
        /// The job id when the expiry was reported by a job poll.
        job_id: Option<String>,
    },
    /// A protocol-level failure: any non-2xx status other than a parsable
    /// `503`, with the start of the (plain-text) body.
    #[error("HTTP {status}: {}", if body_excerpt.is_empty() { "<empty body>" } else { body_excerpt })]
    Http { status: u16, body_excerpt: String },
    /// The MN (or something in between) answered with a redirect. Redirects
    /// are never followed: a `Location` could send the credentials or the
    /// request body to another host, or downgrade `https` to `http`.
    #[error("HTTP {status}: redirect to {} refused (redirects are not followed)", location.as_deref().unwrap_or("<no location>"))]
    Redirect {
        status: u16,
        /// The `Location` header as sent (cut to 256 characters), if any.
        location: Option<String>,
    },
    /// The reply body is longer than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes));
    /// nothing of it was decoded.
    #[error("HTTP {status}: the reply is larger than the limit of {limit} bytes")]
    ResponseTooLarge { status: u16, limit: u64 },
    /// The answer breaks the protocol in a way no retry can fix, e.g. a `202`
    /// whose `location` names a job id that is not 32 lowercase hex digits.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Refused before sending by [`VersionPolicy::Refuse`](super::VersionPolicy):
    /// the API, or a param that is set, came in a later ZStack release than
    /// the MN's.
    #[error("{api}{} needs ZStack {since}, but the management node runs {mn_version}", param.map(|p| format!(" param `{p}`")).unwrap_or_default())]
    UnsupportedByMn {
        api: &'static str,
        /// The param, or `None` when the API itself is newer than the MN.
        param: Option<&'static str>,
        /// The release that introduced it.
        since: &'static str,
        /// The MN's release as it reported it.
        mn_version: String,
    },
    /// [`VersionPolicy::Refuse`](super::VersionPolicy) needs the MN's release,
    /// and asking for it (`GetVersion`) failed.
    #[error("cannot learn the management node's version: {0}")]
    VersionUnknown(#[source] Box<Error>),
    /// The job poll answered `404`: the job is unknown, or its result was
    /// purged (about 3 hours after it was created).
    #[error("job {job_id} has expired or is unknown to the management node")]
    JobExpired { job_id: String },
    /// The job did not finish within the poll timeout. It may still finish on
    /// the MN; poll it again with [`JobHandle::attach`](super::JobHandle::attach).
    #[error("job {job_id} still running after {:.1}s (poll timeout)", elapsed.as_secs_f64())]
    PollTimeout { job_id: String, elapsed: Duration },
    /// Connecting, sending or receiving failed (including client-side HTTP timeouts).
    #[error("transport error: {}", describe_transport(.0))]
    Transport(#[source] reqwest::Error),
    /// A success body did not match the expected shape.
    #[error("cannot decode response at `{path}`: {message}; body starts with: {body_excerpt}")]
    Decode {
        /// JSON path of the offending value, e.g. `inventory.totalCapacity` (`.` for the root).
        path: String,
        message: String,
        body_excerpt: String,
    },
    /// The request was refused before any I/O.
    #[error(transparent)]
    InvalidRequest(#[from] InvalidRequest),
    /// Bad client configuration or call options.
    #[error("client configuration error: {0}")]
    Config(String),
}

impl Error {
    /// The MN's error code, for [`Error::Api`] and [`Error::SessionExpired`].
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api { error, .. } | Error::SessionExpired { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether `code` (e.g. `SYS.1007`) appears anywhere in the error code,
    /// its `cause` chain or its `causes` lists.
    pub fn has_code(&self, code: &str) -> bool {
        self.error_code().is_some_and(|e| code_in_chain(e, code))
    }

    /// The HTTP status, when the MN answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Http { status, .. }
            | Error::Redirect { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::SessionExpired { .. } => Some(503),
            Error::JobExpired { .. } => Some(404),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The job id the error refers to, when there is one.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Error::Api { job_id, .. } | Error::SessionExpired { job_id, .. } => job_id.as_deref(),
            Error::JobExpired { job_id } | Error::PollTimeout { job_id, .. } => Some(job_id),
            _ => None,
        }
    }

    /// True for [`Error::SessionExpired`].
    pub fn is_session_expired(&self) -> bool {
        matches!(self, Error::SessionExpired { .. })
    }

    /// True when the HTTP exchange itself timed out (not [`Error::PollTimeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_timeout())
    }

    /// An API failure, classified: `ID.1001` anywhere → [`Error::SessionExpired`].
    pub(crate) fn from_error_code(status: u16, error: ErrorCode, job_id: Option<String>) -> Error {
        if code_in_chain(&error, SESSION_EXPIRED_CODE) {
            Error::SessionExpired { error: Box::new(error), job_id }
        } else {
            Error::Api { status, error: Box::new(error), job_id }
        }
    }
}

/// Depth-first search of `code` in `error`, its `cause` and its `causes`.
pub fn code_in_chain(error: &ErrorCode, code: &str) -> bool {
    let mut stack = vec![error];
    while let Some(e) = stack.pop() {
        if e.code.as_deref() == Some(code) {
            return true;
        }
        if let Some(cause) = &e.cause {
            stack.push(cause);
        }
        stack.extend(e.causes.iter());
    }
    false
}

/// `SYS.1000 internal error: details; caused by: HOST.1003 ...: ...`.
fn describe_code(error: &ErrorCode) -> String {
    let mut out = String::new();
    write_code(&mut out, error);
    let mut cause = error.cause.as_deref();
    // The chain is finite (it was parsed from JSON); the cap only keeps messages readable.
    let mut depth = 0;
    while let Some(c) = cause {
        depth += 1;
        if depth > 8 {
            out.push_str("; caused by: ...");
            break;
        }
        out.push_str("; caused by: ");
        write_code(&mut out, c);
        cause = c.cause.as_deref();
    }
    if !error.causes.is_empty() {
        out.push_str(" [");
        for (i, c) in error.causes.iter().enumerate() {
            if i > 0 {
                out.push_str(" | ");
            }
            write_code(&mut out, c);
        }
        out.push(']');
    }
    out
}

fn write_code(out: &mut String, e: &ErrorCode) {
    use fmt::Write as _;
    let _ = write!(out, "{}", e.code.as_deref().unwrap_or("<no code>"));
    if let Some(d) = e.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(out, " {d}");
    }
    if let Some(d) = e.details.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(out, ": {d}");
    }
}

fn describe_api(status: u16, error: &ErrorCode, job_id: Option<&str>) -> String {
    match job_id {
        Some(job) => format!("API error (HTTP {status}, job {job}): {}", describe_code(error)),
        None => format!("API error (HTTP {status}): {}", describe_code(error)),
    }
}

/// reqwest's own message plus its source chain (`error sending request ...:
/// connection refused`).
fn describe_transport(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
