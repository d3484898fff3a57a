//! One request, start to finish: record it, find its route, check its
//! headers like the MN, and produce the answer.

use serde_json::json;

use super::Shared;
use super::auth::{self, Verdict};
use super::jobs;
use super::log::{RecordedRequest, parse_query, percent_decode};
use super::reply::{Answer, JobOutcome, Reply};
use super::routes::{Handler, Matched};

/// How deep `Reply::Fn` may return further `Reply::Fn`s.
const MAX_FN_DEPTH: usize = 8;

/// The parts of an HTTP request the server looks at.
pub(crate) struct Incoming {
    pub(crate) method: String,
    /// The path as received, including the context path.
    pub(crate) full_path: String,
    pub(crate) raw_query: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// `/zstack/v1/x` → `/v1/x` for the context `zstack`; `None` when outside it.
fn strip_context<'a>(context: &str, full_path: &'a str) -> Option<&'a str> {
    if context.is_empty() {
        return Some(full_path);
    }
    let rest = full_path.strip_prefix('/')?.strip_prefix(context)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

pub(crate) fn dispatch(shared: &Shared, incoming: Incoming) -> Answer {
    let inside = strip_context(&shared.context, &incoming.full_path).map(str::to_string);
    let raw_path = inside.clone().unwrap_or_else(|| incoming.full_path.clone());
    let (path, path_ok) = percent_decode(&raw_path, false);
    let (query, query_ok) = incoming.raw_query.as_deref().map_or((Vec::new(), true), parse_query);
    let req = RecordedRequest {
        method: incoming.method,
        raw_path,
        path,
        query,
        raw_query: incoming.raw_query,
        headers: incoming.headers,
        body: (!incoming.body.is_empty()).then(|| String::from_utf8_lossy(&incoming.body).into_owned()),
    };
    shared.log.push(req.clone());

    if inside.is_none() {
        return Answer::text(404, format!("no api mapping to {}", req.path));
    }
    if !path_ok || !query_ok {
        return Answer::text(400, "invalid percent-encoding in the request URL");
    }
    if req.path == "/v1/api-jobs" || req.path.starts_with("/v1/api-jobs/") {
        // The open-source MN answers polls without checking credentials.
        return jobs::handle_poll(&shared.jobs, &req.method, &req.path);
    }
    let matched = match super::lock(&shared.routes).lookup(&req.method, &req.path, req.body.as_deref()) {
        Ok(matched) => matched,
        Err(answer) => return answer,
    };
    let job_id = match req.job_uuid() {
        Some(id) if id.chars().count() == 32 => id.to_string(),
        Some(id) => return Answer::text(400, format!("invalid header 'X-Job-UUID' [{id}]: it must be 32 characters")),
        None => return Answer::text(400, "missing header 'X-Job-UUID'"),
    };
    if matches!(req.method.as_str(), "POST" | "PUT" | "DELETE") && shared.jobs.contains(&job_id) {
        return Answer::text(400, "Duplicate job uuid");
    }
    let session_ok = if matched.needs_session {
        match super::lock(&shared.auth).check(&req) {
            Verdict::Authorized => true,
            Verdict::Rejected(answer) => return answer,
            Verdict::BadSession => false,
        }
    } else {
        true
    };
    answer(shared, &job_id, run_handler(shared, &matched, &req), session_ok)
}

/// The answer for a resolved reply.
fn answer(shared: &Shared, job_id: &str, reply: Reply, session_ok: bool) -> Answer {
    match reply {
        Reply::Lost(inner) => Answer { lost: true, ..answer(shared, job_id, *inner, session_ok) },
        // An async API accepts the job first; the session error comes from the poll.
        Reply::Async { .. } if !session_ok => {
            shared.jobs.start(job_id, 0, JobOutcome::Failed(auth::bad_session_error()))
        }
        _ if !session_ok => auth::bad_session_answer(),
        Reply::Json(status, body) => Answer::json(status, &body),
        Reply::Text(status, text) => Answer::text(status, text),
        Reply::Async { polls, outcome } => shared.jobs.start(job_id, polls, outcome),
        Reply::Fn(_) => Answer::text(500, "Reply::Fn returned Reply::Fn too many times"),
    }
}

/// Runs a route's handler: built-ins answer directly, scripted replies are
/// resolved through any `Reply::Fn`s.
fn run_handler(shared: &Shared, matched: &Matched, req: &RecordedRequest) -> Reply {
    let session_param = || matched.param("sessionUuid").unwrap_or_default().to_string();
    match &matched.handler {
        Handler::Scripted(reply) => {
            let mut reply = reply.clone();
            for _ in 0..MAX_FN_DEPTH {
                match reply {
                    Reply::Fn(f) => reply = f(req),
                    other => return other,
                }
            }
            reply
        }
        Handler::Login => super::lock(&shared.auth).login(req.json().as_ref()),
        Handler::Logout => {
            super::lock(&shared.auth).expire_session(&session_param());
            Reply::ok(json!({}))
        }
        Handler::Version => Reply::ok(json!({ "version": *super::lock(&shared.version) })),
        Handler::ValidateSession => {
            let valid = super::lock(&shared.auth).session_valid(&session_param());
            Reply::ok(json!({ "valid": valid }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strip_context;

    #[test]
    fn context_paths() {
        assert_eq!(strip_context("zstack", "/zstack/v1/zones"), Some("/v1/zones"));
        assert_eq!(strip_context("zstack", "/zstack"), Some(""));
        assert_eq!(strip_context("zstack", "/zstackx/v1"), None);
        assert_eq!(strip_context("zstack", "/v1/zones"), None);
        assert_eq!(strip_context("", "/v1/zones"), Some("/v1/zones"));
        assert_eq!(strip_context("a/b", "/a/b/v1"), Some("/v1"));
    }
}
