//! The one generic path every call takes: wire form → HTTP request → status
//! handling → job polling (protocol §4–§6).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use super::auth::{Auth, sign};
use super::config::{Client, PollPolicy};
use super::decode::{self, Accepted, Excerpt};
use super::error::Error;
use crate::runtime::encoding::encode_path_segment;
use crate::runtime::request::{ApiRequest, InvalidRequest, Method, WireRequest};

const X_JOB_UUID: HeaderName = HeaderName::from_static("x-job-uuid");
const X_JSON_SCHEMA: HeaderName = HeaderName::from_static("x-json-schema");
const X_API_TIMEOUT: HeaderName = HeaderName::from_static("x-api-timeout");
const X_WEB_HOOK: HeaderName = HeaderName::from_static("x-web-hook");
const JSON_UTF8: HeaderValue = HeaderValue::from_static("application/json;charset=UTF-8");
/// Extra time for the HTTP exchange beyond a caller's `X-API-Timeout`.
const API_TIMEOUT_MARGIN: Duration = Duration::from_secs(30);

/// Per-call settings (the [`Call`](super::Call) overrides).
#[derive(Debug, Default)]
pub(crate) struct CallOptions {
    pub(crate) poll_interval: Option<Duration>,
    pub(crate) poll_backoff_cap: Option<Duration>,
    pub(crate) poll_timeout: Option<Duration>,
    pub(crate) headers: HeaderMap,
    pub(crate) job_id: Option<String>,
    pub(crate) api_timeout: Option<u64>,
    pub(crate) page_size: Option<u32>,
    pub(crate) excerpt: Option<Excerpt>,
    /// The first invalid override; reported when the call is sent.
    pub(crate) error: Option<Error>,
}

impl CallOptions {
    pub(crate) fn poll_policy(&self, defaults: PollPolicy) -> PollPolicy {
        PollPolicy {
            interval: self.poll_interval.unwrap_or(defaults.interval),
            backoff_cap: self.poll_backoff_cap.or(defaults.backoff_cap),
            timeout: self.poll_timeout.unwrap_or(defaults.timeout),
        }
    }

    pub(crate) fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }
}

/// A fresh job id: a random (version 4) UUID as 32 lowercase hex digits.
pub(crate) fn new_job_id() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| Error::Config(format!("no random numbers for X-Job-UUID: {e}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [0u8; 32];
    for (pair, b) in id.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 0x0f)];
    }
    // Only ASCII hex digits were written.
    Ok(String::from_utf8_lossy(&id).into_owned())
}

/// A caller-supplied job id must have the form the client generates.
pub(crate) fn check_job_id(id: &str) -> Result<(), String> {
    if id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err("must be 32 lowercase hex characters (a UUID without dashes)".into())
    }
}

/// A call after validation and before I/O.
pub(crate) struct Prepared {
    wire: WireRequest,
    job_id: String,
    auth: Arc<Auth>,
    action: &'static str,
    path_template: &'static str,
    is_async: bool,
    /// Whether errors may quote bodies of this call.
    pub(crate) excerpt: Excerpt,
}

/// Everything that can go wrong before a byte is sent.
pub(crate) fn prepare<R: ApiRequest>(client: &Client, request: &R, opts: &CallOptions) -> Result<Prepared, Error> {
    if let Some(error) = &opts.error {
        return Err(clone_option_error(error));
    }
    let wire = request.to_wire()?;
    let job_id = match &opts.job_id {
        Some(id) => {
            check_job_id(id).map_err(|reason| InvalidRequest::new(R::ACTION, "X-Job-UUID", reason))?;
            id.clone()
        }
        None => new_job_id()?,
    };
    let auth = if R::SESSION { client.auth() } else { Arc::new(Auth::None) };
    if R::SESSION && matches!(*auth, Auth::None) {
        return Err(Error::Config(format!(
            "{} needs credentials: log in, or configure a session or an access key",
            R::ACTION
        )));
    }
    let excerpt = opts.excerpt.unwrap_or(if R::SENSITIVE { Excerpt::Redact } else { Excerpt::Show });
    Ok(Prepared { wire, job_id, auth, action: R::ACTION, path_template: R::PATH, is_async: R::ASYNC, excerpt })
}

/// Option errors are only `Config` and `InvalidRequest`, both cloneable in substance.
fn clone_option_error(error: &Error) -> Error {
    match error {
        Error::InvalidRequest(e) => Error::InvalidRequest(e.clone()),
        Error::Config(message) => Error::Config(message.clone()),
        other => Error::Config(other.to_string()),
    }
}

/// The span of one call; it never records credentials or filled paths
/// (a path can hold a session id, e.g. LogOut).
pub(crate) fn call_span(prepared: &Prepared) -> tracing::Span {
    tracing::info_span!(
        "zstack.call",
        action = prepared.action,
        method = prepared.wire.method.as_str(),
        path = prepared.path_template,
        job_id = prepared.job_id.as_str(),
    )
}

/// The state of an accepted async job.
#[derive(Clone)]
pub(crate) struct Job {
    pub(crate) job_id: String,
    pub(crate) auth: Arc<Auth>,
    /// When the original request was sent: the poll timeout counts from here.
    pub(crate) started: Instant,
    pub(crate) policy: PollPolicy,
    pub(crate) excerpt: Excerpt,
    /// The call's own extra headers, repeated on every poll.
    pub(crate) headers: HeaderMap,
}

/// What the first exchange produced.
pub(crate) enum Outcome {
    /// A final (2xx, not 202) body.
    Done(Vec<u8>),
    /// `202`: poll this job.
    Accepted(Job),
}

/// Send the prepared request and classify the answer. Call inside the call span.
pub(crate) async fn exchange(client: &Client, prepared: Prepared, opts: &CallOptions) -> Result<Outcome, Error> {
    let settings = client.settings();
    let Prepared { wire, job_id, auth, path_template, is_async, excerpt, .. } = prepared;
    let mut url = format!("{}/v1{}", settings.base_url, wire.path);
    let query = wire.query_string();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }

    let mut builder = client.inner.http.request(http_method(wire.method), url.as_str());
    let mut headers = settings.headers.clone();
    for (name, value) in &opts.headers {
        headers.append(name.clone(), value.clone());
    }
    headers.insert(X_JOB_UUID, HeaderValue::from_str(&job_id).expect("job ids are hex"));
    headers.insert(X_JSON_SCHEMA, HeaderValue::from_static("true"));
    add_auth(&mut headers, &auth, client, wire.method, &wire.path)?;
    if let Some(secs) = opts.api_timeout {
        headers.insert(X_API_TIMEOUT, HeaderValue::from(secs));
        let needed = Duration::from_secs(secs).saturating_add(API_TIMEOUT_MARGIN);
        builder = builder.timeout(needed.max(settings.request_timeout));
    }
    if is_async && let Some(hook) = &settings.webhook {
        headers.insert(X_WEB_HOOK, hook.clone());
    }
    if let Some(body) = &wire.body {
        headers.insert(CONTENT_TYPE, JSON_UTF8);
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Config(format!("cannot encode the body: {e}")))?;
        builder = builder.body(bytes);
    }
    let builder = builder.headers(headers);

    let started = Instant::now();
    tracing::debug!(has_body = wire.body.is_some(), "sending request");
    let (status, body) = transfer(builder, client, path_template).await?;
    tracing::debug!(status, elapsed_ms = elapsed_ms(started), "response");

    match status {
        202 => {
            let accepted: Accepted = serde_json::from_slice(&body).unwrap_or_default();
            let id = accepted.location.as_deref().and_then(decode::job_id_from_location).unwrap_or(job_id);
            let policy = opts.poll_policy(settings.poll);
            Ok(Outcome::Accepted(Job { job_id: id, auth, started, policy, excerpt, headers: opts.headers.clone() }))
        }
        200..=299 => Ok(Outcome::Done(body)),
        503 => Err(decode::decode_failure(status, &body, None)),
        _ => Err(Error::Http { status, body_excerpt: decode::excerpt(&body) }),
    }
}

/// One poll of `<base>/v1/api-jobs/<job id>`: `Ok(None)` while it runs.
pub(crate) async fn poll_once(client: &Client, job: &Job, attempt: u32) -> Result<Option<Vec<u8>>, Error> {
    let settings = client.settings();
    let path = format!("/api-jobs/{}", encode_path_segment(&job.job_id));
    let url = format!("{}/v1{path}", settings.base_url);
    let mut headers = settings.headers.clone();
    for (name, value) in &job.headers {
        headers.append(name.clone(), value.clone());
    }
    headers.insert(X_JSON_SCHEMA, HeaderValue::from_static("true"));
    add_auth(&mut headers, &job.auth, client, Method::Get, &path)?;
    let builder = client.inner.http.get(url.as_str()).headers(headers);
    let (status, body) = transfer(builder, client, "/api-jobs/{jobId}").await?;
    tracing::debug!(job_id = job.job_id.as_str(), attempt, status, elapsed_ms = elapsed_ms(job.started), "job poll");
    match status {
        202 => Ok(None),
        200..=299 => Ok(Some(body)),
        503 => Err(decode::decode_failure(status, &body, Some(job.job_id.clone()))),
        404 => Err(Error::JobExpired { job_id: job.job_id.clone() }),
        _ => Err(Error::Http { status, body_excerpt: decode::excerpt(&body) }),
    }
}

/// Poll until the job ends or the poll timeout (counted from the original
/// request) passes. The first poll is immediate.
pub(crate) async fn wait(client: &Client, job: &Job) -> Result<Vec<u8>, Error> {
    let mut interval = job.policy.interval;
    let mut attempt = 0u32;
    loop {
        attempt = attempt.saturating_add(1);
        if let Some(body) = poll_once(client, job, attempt).await? {
            return Ok(body);
        }
        let elapsed = job.started.elapsed();
        if elapsed >= job.policy.timeout {
            tracing::debug!(job_id = job.job_id.as_str(), attempt, "job poll timeout");
            return Err(Error::PollTimeout { job_id: job.job_id.clone(), elapsed });
        }
        // Never sleep past the deadline: the last poll happens at it.
        tokio::time::sleep(interval.min(job.policy.timeout - elapsed)).await;
        interval = job.policy.next_interval(interval);
    }
}

/// Run a request to its final body: the first exchange, then polling after a `202`.
pub(crate) async fn execute<R: ApiRequest, T: DeserializeOwned>(
    client: &Client,
    request: &R,
    opts: &CallOptions,
) -> Result<T, Error> {
    let prepared = prepare(client, request, opts)?;
    let span = call_span(&prepared);
    let excerpt = prepared.excerpt;
    async move {
        let body = match exchange(client, prepared, opts).await? {
            Outcome::Done(body) => body,
            Outcome::Accepted(job) => wait(client, &job).await?,
        };
        decode::decode(&body, R::POLYMORPHIC, excerpt)
    }
    .instrument(span)
    .await
}

fn add_auth(headers: &mut HeaderMap, auth: &Auth, client: &Client, method: Method, path: &str) -> Result<(), Error> {
    let bad = |what: &str| Error::Config(format!("the {what} cannot be sent in a header"));
    match auth {
        Auth::None => {}
        Auth::Session(session) => {
            let mut value =
                HeaderValue::from_str(&format!("OAuth {}", session.expose())).map_err(|_| bad("session id"))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        Auth::AccessKey(key) => {
            let settings = client.settings();
            let signature = sign(key, method, path, SystemTime::now(), &settings.date_zone, settings.clock_offset_secs);
            let mut value = HeaderValue::from_str(&signature.authorization).map_err(|_| bad("access key id"))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
            headers.insert(reqwest::header::DATE, HeaderValue::from_str(&signature.date).map_err(|_| bad("Date"))?);
        }
    }
    Ok(())
}

/// Send and read the whole body. Transport errors name the route template,
/// never the filled URL (it can hold a session id) or the query.
async fn transfer(
    builder: reqwest::RequestBuilder,
    client: &Client,
    path_template: &str,
) -> Result<(u16, Vec<u8>), Error> {
    let scrub = |e: reqwest::Error| {
        let template = format!("{}/v1{path_template}", client.settings().base_url);
        match reqwest::Url::parse(&template) {
            Ok(url) => Error::Transport(e.with_url(url)),
            Err(_) => Error::Transport(e.without_url()),
        }
    };
    let response = builder.send().await.map_err(scrub)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(scrub)?;
    Ok((status, body.to_vec()))
}

fn http_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_are_v4_hex() {
        let a = new_job_id().unwrap();
        let b = new_job_id().unwrap();
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert!(check_job_id(id).is_ok(), "{id}");
            assert_eq!(&id[12..13], "4");
            assert!(matches!(&id[16..17], "8" | "9" | "a" | "b"), "{id}");
        }
        assert!(check_job_id("4F2B0C8E1D9A4B7C8E6F5A4B3C2D1E0F").is_err());
        assert!(check_job_id("4f2b0c8e-1d9a-4b7c-8e6f-5a4b3c2d1e0f").is_err());
        assert!(check_job_id("abc").is_err());
    }
}
