//! The one error type of the client (protocol §6).

use std::fmt;
use std::time::Duration;

use zstack_runtime::ErrorCode;
use zstack_runtime::request::InvalidRequest;

/// The `ErrorCode` that marks an invalid or expired session (protocol §9).
pub const SESSION_EXPIRED_CODE: &str = "ID.1001";

/// Everything a call can fail with.
///
/// `Display` is one line for humans and logs: the HTTP status and the MN's
/// top-level error code, description and details; never a session id,
/// access-key secret or password. The rest of the story is the
/// [`source`](std::error::Error::source) chain: for an API failure, the
/// [`ErrorCode`] and then each of its causes (so `anyhow`'s `{:#}` or any
/// error reporter prints `SYS.1000 ...: HOST.1001 ...: ...`); for a transport
/// failure, the underlying I/O, TLS or timeout error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The MN answered `503 {"error": ErrorCode}`: the API itself failed,
    /// either on the first request or on a job poll.
    #[error("{}", describe_api(*status, error, job_id.as_deref()))]
    Api {
        /// The HTTP status (`503`).
        status: u16,
        /// The MN's error; also this error's `source()`.
        #[source]
        error: Box<ErrorCode>,
        /// The job id when the failure arrived from a job poll.
        job_id: Option<String>,
    },
    /// `ID.1001` somewhere in the cause chain: the session is unknown or
    /// expired. Log in again and retry; when it arrived from a job poll, the
    /// job itself was accepted and can be polled again under the new session
    /// ([`JobHandle::attach`](super::JobHandle::attach) with `job_id`).
    #[error("session invalid or expired: {error}")]
    SessionExpired {
        /// The MN's error; also this error's `source()`.
        #[source]
        error: Box<ErrorCode>,
        /// The job id when the expiry was reported by a job poll.
        job_id: Option<String>,
    },
    /// A protocol-level failure: any non-2xx status other than a parsable
    /// `503`, with the start of the (plain-text) body.
    #[error("HTTP {status}: {}", if body_excerpt.is_empty() { "<empty body>" } else { body_excerpt })]
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body, credentials scrubbed.
        body_excerpt: String,
    },
    /// The MN (or something in between) answered with a redirect. Redirects
    /// are never followed: a `Location` could send the credentials or the
    /// request body to another host, or downgrade `https` to `http`.
    #[error("HTTP {status}: redirect to {} refused (redirects are not followed)", location.as_deref().unwrap_or("<no location>"))]
    Redirect {
        /// The HTTP status (3xx).
        status: u16,
        /// The `Location` header as sent (cut to 256 characters), if any.
        location: Option<String>,
    },
    /// The reply body is longer than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes));
    /// nothing of it was decoded.
    #[error("HTTP {status}: the reply is larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The HTTP status of the refused reply.
        status: u16,
        /// The limit in bytes.
        limit: u64,
    },
    /// The answer breaks the protocol in a way no retry can fix, e.g. a `202`
    /// whose `location` names a job id that is not 32 lowercase hex digits.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Refused before sending by [`VersionPolicy::Refuse`](super::VersionPolicy):
    /// the API, or a param that is set, came in a later ZStack release than
    /// the MN's.
    #[error("{api}{} needs ZStack {since}, but the management node runs {mn_version}", param.map(|p| format!(" param `{p}`")).unwrap_or_default())]
    UnsupportedByMn {
        /// The API's action name.
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
    JobExpired {
        /// The job id.
        job_id: String,
    },
    /// The job did not finish within the poll timeout. It may still finish on
    /// the MN; poll it again with [`JobHandle::attach`](super::JobHandle::attach).
    #[error("job {job_id} still running after {:.1}s (poll timeout)", elapsed.as_secs_f64())]
    PollTimeout {
        /// The job id, to attach to later.
        job_id: String,
        /// Time since the request was sent.
        elapsed: Duration,
    },
    /// Connecting, sending or receiving failed (including client-side HTTP timeouts).
    #[error("transport error: {0}")]
    Transport(#[source] TransportError),
    /// A success body did not match the expected shape.
    #[error("cannot decode response at `{path}`: {message}; body starts with: {body_excerpt}")]
    Decode {
        /// JSON path of the offending value, e.g. `inventory.totalCapacity` (`.` for the root).
        path: String,
        /// What did not match.
        message: String,
        /// The start of the body (empty for replies that hold credentials).
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
        self.error_code().is_some_and(|e| e.has_code(code))
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
            Error::Transport(e) => e.0.status().map(|s| s.as_u16()),
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
        if error.has_code(SESSION_EXPIRED_CODE) {
            Error::SessionExpired { error: Box::new(error), job_id }
        } else {
            Error::Api { status, error: Box::new(error), job_id }
        }
    }
}

fn describe_api(status: u16, error: &ErrorCode, job_id: Option<&str>) -> String {
    match job_id {
        Some(job) => format!("API error (HTTP {status}, job {job}): {error}"),
        None => format!("API error (HTTP {status}): {error}"),
    }
}

/// Connecting, sending or receiving failed. Its `Display` is the whole
/// underlying chain on one line (`error sending request ...: connection
/// refused`); `source()` reaches the underlying errors (from the HTTP stack,
/// whose types are not part of this crate's API).
pub struct TransportError(pub(crate) reqwest::Error);

impl TransportError {
    /// The HTTP exchange timed out (connect or request timeout).
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }

    /// Connecting failed (refused, unreachable, DNS, TLS handshake).
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // reqwest's message alone is often just "error sending request";
        // the cause (refused, reset, certificate) is what a reader needs.
        write!(f, "{}", self.0)?;
        let mut shown = self.0.to_string();
        let mut source = std::error::Error::source(&self.0);
        while let Some(s) = source {
            let text = s.to_string();
            if !shown.contains(&text) {
                write!(f, ": {text}")?;
                shown.push_str(&text);
            }
            source = s.source();
        }
        Ok(())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TransportError").field(&self.0).finish()
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
