//! What a scripted route answers: [`Reply`], [`JobOutcome`] and the
//! [`query_reply`] helper for Query APIs.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::log::RecordedRequest;

/// A dynamic answer, computed from the request (see [`Reply::Fn`]).
pub type ReplyFn = Arc<dyn Fn(&RecordedRequest) -> Reply + Send + Sync>;

/// The answer of a scripted route.
#[derive(Clone)]
pub enum Reply {
    /// A synchronous JSON answer: status code and body (`200` for success,
    /// `503` + `{"error": ...}` for an API failure).
    Json(u16, Value),
    /// A plain-text answer, the way the MN reports protocol errors (`400`, `404`, ...).
    Text(u16, String),
    /// An async job: `202` + `location` first, then `polls` answers of
    /// `202 {}` on `GET <context>/v1/api-jobs/<job id>`, then the outcome.
    Async {
        /// How many polls answer "still running" before the outcome.
        polls: u32,
        /// What the job ends with.
        outcome: JobOutcome,
    },
    /// Computed per request, e.g. to page by `start`/`limit`. May return any
    /// other variant (nested `Fn`s are followed a few levels deep).
    Fn(ReplyFn),
    /// The server does what the inner reply says (an async job is accepted
    /// and stored), but the answer is lost on the way: the status line goes
    /// out, then the connection breaks before the body. For testing how a
    /// client recovers from a reply it never got.
    Lost(Box<Reply>),
}

/// How an async job ends (see [`Reply::Async`]).
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// The poll answers `200` with this result body.
    Done(Value),
    /// The poll answers `503 {"error": <this ErrorCode>}`.
    Failed(Value),
    /// The poll answers `404` "the job has been expired".
    Expire,
    /// The job never finishes: every poll answers `202 {}`.
    Never,
}

impl Reply {
    /// `200` with `body`.
    pub fn ok(body: Value) -> Reply {
        Reply::Json(200, body)
    }

    /// `503 {"error": {"code": code, "description": description}}`.
    pub fn error(code: &str, description: &str) -> Reply {
        Reply::Json(503, json!({ "error": error_code(code, description, None) }))
    }

    /// `503 {"error": error}` with a hand-built ErrorCode.
    pub fn error_value(error: Value) -> Reply {
        Reply::Json(503, json!({ "error": error }))
    }

    /// A plain-text protocol error.
    pub fn text(status: u16, text: impl Into<String>) -> Reply {
        Reply::Text(status, text.into())
    }

    /// An async job that succeeds with `result` after `polls` "still running" polls.
    pub fn async_done(polls: u32, result: Value) -> Reply {
        Reply::Async { polls, outcome: JobOutcome::Done(result) }
    }

    /// An async job that fails with `error` (an ErrorCode) after `polls` polls.
    pub fn async_failed(polls: u32, error: Value) -> Reply {
        Reply::Async { polls, outcome: JobOutcome::Failed(error) }
    }

    /// `inner` is carried out, but its answer never arrives ([`Reply::Lost`]).
    pub fn lost(inner: impl Into<Reply>) -> Reply {
        Reply::Lost(Box::new(inner.into()))
    }

    /// A reply computed from each request.
    pub fn func(f: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static) -> Reply {
        Reply::Fn(Arc::new(f))
    }
}

impl From<Value> for Reply {
    /// A JSON value alone is a `200` answer.
    fn from(body: Value) -> Reply {
        Reply::ok(body)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Json(status, body) => f.debug_tuple("Json").field(status).field(body).finish(),
            Reply::Text(status, text) => f.debug_tuple("Text").field(status).field(text).finish(),
            Reply::Async { polls, outcome } => {
                f.debug_struct("Async").field("polls", polls).field("outcome", outcome).finish()
            }
            Reply::Fn(_) => f.write_str("Fn(..)"),
            Reply::Lost(inner) => f.debug_tuple("Lost").field(inner).finish(),
        }
    }
}

/// An ErrorCode object: `{"code", "description"}` plus `details` when given.
pub fn error_code(code: &str, description: &str, details: Option<&str>) -> Value {
    let mut error = json!({ "code": code, "description": description });
    if let Some(details) = details {
        error["details"] = Value::String(details.to_string());
    }
    error
}

/// Answers a Query API call like the MN does, from the full result set.
///
/// * `q=uuid=<x>` (the get-by-uuid rule) keeps only the inventories whose
///   `uuid` is `x`; other conditions are not evaluated.
/// * `start` (default 0) and `limit` (default 1000) select the page; a value
///   that is not a non-negative integer gives `400`.
/// * `count=true` answers only `total`; `replyWithCount=true` adds `total` to the page.
/// * `"schema": {}` is always present.
///
/// Except for `q`, only the first value of each name is used, trimmed.
pub fn query_reply(inventories: Vec<Value>, req: &RecordedRequest) -> Reply {
    let mut inventories = inventories;
    for condition in req.query_values("q") {
        if let Some(uuid) = uuid_condition(condition) {
            inventories.retain(|inv| inv.get("uuid").and_then(Value::as_str) == Some(uuid));
        }
    }
    let number = |name: &str, default: usize| -> Result<usize, Reply> {
        match req.query_first(name).map(str::trim) {
            None => Ok(default),
            Some(text) => text.parse::<usize>().map_err(|_| {
                Reply::Text(400, format!("invalid value[{text}] of query parameter[{name}], it must be an integer"))
            }),
        }
    };
    let flag = |name: &str| req.query_first(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let (start, limit) = match (number("start", 0), number("limit", 1000)) {
        (Ok(start), Ok(limit)) => (start, limit),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let total = inventories.len();
    let mut body = Map::new();
    if flag("count") {
        body.insert("total".into(), json!(total));
    } else {
        let page: Vec<Value> = inventories.into_iter().skip(start).take(limit).collect();
        body.insert("inventories".into(), Value::Array(page));
        if flag("replyWithCount") {
            body.insert("total".into(), json!(total));
        }
    }
    body.insert("schema".into(), json!({}));
    Reply::ok(Value::Object(body))
}

/// `uuid=<x>` → `x`, using the MN's operator order: any other operator token
/// found first means this is not an equality on `uuid`.
fn uuid_condition(condition: &str) -> Option<&str> {
    const BEFORE_EQ: [&str; 7] = ["!=", ">=", "<=", "!?=", "!~=", "~=", "?="];
    if BEFORE_EQ.iter().any(|op| condition.contains(op)) {
        return None;
    }
    let (field, value) = condition.split_once('=')?;
    (field.trim() == "uuid").then_some(value)
}

/// A status and a body, ready to go on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
    /// Break the connection instead of sending the body ([`Reply::Lost`]).
    pub(crate) lost: bool,
}

impl Answer {
    pub(crate) fn json(status: u16, body: &Value) -> Answer {
        Answer { status, body: body.to_string(), lost: false }
    }

    pub(crate) fn text(status: u16, body: impl Into<String>) -> Answer {
        Answer { status, body: body.into(), lost: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_conditions() {
        assert_eq!(uuid_condition("uuid=abc"), Some("abc"));
        assert_eq!(uuid_condition(" uuid =abc"), Some("abc"));
        assert_eq!(uuid_condition("uuid!=abc"), None);
        assert_eq!(uuid_condition("uuid?=a,b"), None);
        assert_eq!(uuid_condition("name=abc"), None);
    }
}
