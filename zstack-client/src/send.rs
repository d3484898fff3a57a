//! The one generic path every call takes: wire form → HTTP request → status
//! handling → job polling (protocol §4–§6).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use super::auth::{Auth, sign};
use super::config::{Client, PollPolicy};
use super::decode::{self, Accepted, Excerpt};
use super::error::{Error, TransportError};
use super::outgoing::Outgoing;
use super::retry::RetryPolicy;
use zstack_runtime::request::{InvalidRequest, Method, WireRequest, path_segment};

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
    /// `X-API-Timeout`, also setting the HTTP timeout unless `timeout` is set.
    pub(crate) api_timeout: Option<Duration>,
    /// The HTTP timeout of each exchange of this call.
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
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

    /// The wait between job polls; zero is refused when the call is sent.
    pub(crate) fn set_poll_interval(&mut self, interval: Duration) {
        if interval.is_zero() {
            self.fail(Error::Config("poll interval must be greater than zero".into()));
        }
        self.poll_interval = Some(interval);
    }

    /// The HTTP timeout of one exchange: the call's own, else the API
    /// timeout plus a margin for the answer to travel, else the client's.
    fn http_timeout(&self, client_default: Duration) -> Duration {
        match (self.timeout, self.api_timeout) {
            (Some(timeout), _) => timeout,
            (None, Some(api)) => api.saturating_add(API_TIMEOUT_MARGIN),
            (None, None) => client_default,
        }
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
    // Only ASCII hex digits were written, so this cannot fail.
    std::str::from_utf8(&id).map(str::to_owned).map_err(|e| Error::Config(format!("X-Job-UUID: {e}")))
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
pub(crate) fn prepare<O: Outgoing + ?Sized>(
    client: &Client,
    request: &O,
    opts: &CallOptions,
) -> Result<Prepared, Error> {
    if let Some(error) = &opts.error {
        return Err(clone_option_error(error));
    }
    let route = request.route();
    let wire = request.wire()?;
    let job_id = match &opts.job_id {
        Some(id) => {
            check_job_id(id).map_err(|reason| InvalidRequest::new(route.action, "X-Job-UUID", reason))?;
            id.clone()
        }
        None => new_job_id()?,
    };
    let auth = if route.session { client.auth() } else { Arc::new(Auth::None) };
    if route.session && matches!(*auth, Auth::None) {
        return Err(Error::Config(format!(
            "{} needs credentials: log in, or configure a session or an access key",
            route.action
        )));
    }
    let excerpt = opts.excerpt.unwrap_or(if route.sensitive { Excerpt::Redact } else { Excerpt::Show });
    Ok(Prepared {
        wire,
        job_id,
        auth,
        action: route.action,
        path_template: route.path,
        is_async: route.is_async,
        excerpt,
    })
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
    pub(crate) retry: RetryPolicy,
    /// The HTTP timeout of one poll (capped by the time left).
    pub(crate) http_timeout: Duration,
    pub(crate) excerpt: Excerpt,
    /// The call's own extra headers, repeated on every poll.
    pub(crate) headers: HeaderMap,
}

impl Job {
    /// A job known only by its id, followed with the client's settings from now.
    pub(crate) fn attach(client: &Client, job_id: String) -> Result<Job, Error> {
        check_job_id(&job_id).map_err(|reason| InvalidRequest::new("api-jobs", "jobId", reason))?;
        let settings = client.settings();
        Ok(Job {
            job_id,
            auth: client.auth(),
            started: Instant::now(),
            policy: settings.poll,
            retry: settings.retry,
            http_timeout: settings.request_timeout,
            excerpt: Excerpt::Show,
            headers: HeaderMap::new(),
        })
    }

    fn deadline(&self) -> Instant {
        deadline_after(self.started, self.policy.timeout)
    }

    fn timed_out(&self) -> Error {
        tracing::debug!(job_id = self.job_id.as_str(), "job poll timeout");
        Error::PollTimeout { job_id: self.job_id.clone(), elapsed: self.started.elapsed() }
    }
}

/// `start + limit`, or a far future when that does not fit in an `Instant`.
fn deadline_after(start: Instant, limit: Duration) -> Instant {
    start.checked_add(limit).unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// What the first exchange produced.
pub(crate) enum Outcome {
    /// A final (2xx, not 202) body.
    Done(Vec<u8>),
    /// `202`: poll this job.
    Accepted(Box<Job>),
}

/// One HTTP answer, read within the size limit.
struct Answer {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

/// Why an exchange produced no result.
pub(crate) struct Failure {
    pub(crate) error: Error,
    /// Whether the request may have reached the server (anything but a
    /// failure to connect).
    maybe_sent: bool,
    /// A failure of the way to the MN rather than an answer of the MN: a
    /// transport error, a proxy's `502`/`504`, a `503` that is not the MN's
    /// `{"error": ...}` (see [`retry`](super::retry) for what is retried).
    transient: bool,
}

impl Failure {
    /// A local error: nothing was sent.
    fn local(error: Error) -> Failure {
        Failure { error, maybe_sent: false, transient: false }
    }

    /// A non-2xx answer other than `202`. [`decode::decode_failure`] decides
    /// whether a `503` is the MN's own error; one that is not stays an
    /// [`Error::Http`], like a proxy's `502` and `504`.
    fn answer(answer: Answer, job_id: Option<String>) -> Failure {
        let error = match answer.status {
            300..=399 => Error::Redirect { status: answer.status, location: answer.location },
            503 => decode::decode_failure(503, &answer.body, job_id),
            status => Error::Http { status, body_excerpt: decode::excerpt(&answer.body) },
        };
        let transient = matches!(error, Error::Http { status: 502..=504, .. });
        Failure { error, maybe_sent: true, transient }
    }
}

/// The URL, headers (all but `Authorization`) and body bytes of a prepared call.
struct Head {
    url: String,
    headers: HeaderMap,
    body: Option<bytes::Bytes>,
}

fn head(client: &Client, prepared: &Prepared, opts: &CallOptions) -> Result<Head, Error> {
    let settings = client.settings();
    let wire = &prepared.wire;
    let query = wire.query_string();
    // Pushed into one allocation of the final length: `format!` would start
    // empty and grow several times, on every call.
    let mut url = String::with_capacity(settings.base_url.len() + "/v1".len() + wire.path.len() + 1 + query.len());
    url.push_str(&settings.base_url);
    url.push_str("/v1");
    url.push_str(&wire.path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }

    let headers = call_headers(client, prepared, opts);
    let body = match &wire.body {
        Some(body) => {
            let bytes = serde_json::to_vec(body).map_err(|e| Error::Config(format!("cannot encode the body: {e}")))?;
            Some(bytes.into())
        }
        None => None,
    };
    Ok(Head { url, headers, body })
}

/// The headers of a prepared call, all but `Authorization`.
fn call_headers(client: &Client, prepared: &Prepared, opts: &CallOptions) -> HeaderMap {
    let settings = client.settings();
    let mut headers = settings.headers.clone();
    for (name, value) in &opts.headers {
        headers.append(name.clone(), value.clone());
    }
    headers.insert(X_JOB_UUID, HeaderValue::from_str(&prepared.job_id).expect("job ids are hex"));
    headers.insert(X_JSON_SCHEMA, HeaderValue::from_static("true"));
    if let Some(api_timeout) = opts.api_timeout {
        // Whole seconds on the wire, rounded up so the MN never gets less.
        let secs = api_timeout.as_secs() + u64::from(api_timeout.subsec_nanos() > 0);
        headers.insert(X_API_TIMEOUT, HeaderValue::from(secs));
    }
    if prepared.is_async
        && let Some(hook) = &settings.webhook
    {
        headers.insert(X_WEB_HOOK, hook.clone());
    }
    if prepared.wire.body.is_some() {
        headers.insert(CONTENT_TYPE, JSON_UTF8);
    }
    headers
}

/// What a call would send, with credentials redacted: see
/// [`DynamicCall::preview`](super::DynamicCall::preview).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestPreview {
    /// The HTTP method.
    pub method: Method,
    /// The full URL; path segments filled from credential-named placeholders are `<redacted>`.
    pub url: String,
    /// Every header the first attempt carries, in order; credential values
    /// (`Authorization`) are `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body as sent, with the values of credential-named members
    /// redacted (the whole body for a sensitive API such as a login).
    pub body: Option<String>,
}

pub(crate) fn preview(client: &Client, prepared: &Prepared, opts: &CallOptions) -> Result<RequestPreview, Error> {
    use zstack_runtime::secret::REDACTED;
    let Head { mut headers, .. } = head(client, prepared, opts)?;
    add_auth(&mut headers, &prepared.auth, client, prepared.wire.method, &prepared.wire.path)?;
    let wire = &prepared.wire;
    let mut url = format!("{}/v1{}", client.settings().base_url, wire.redacted_path());
    let query = zstack_runtime::plumbing::encoding::encode_query(&wire.redacted_query());
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    let headers = headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() {
                REDACTED.to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_string(), shown)
        })
        .collect();
    Ok(RequestPreview { method: wire.method, url, headers, body: wire.redacted_body() })
}

/// Send the prepared request and classify the answer, retrying transient
/// failures as [`retry`](super::retry) describes. Call inside the call span.
pub(crate) async fn exchange(client: &Client, prepared: Prepared, opts: &CallOptions) -> Result<Outcome, Error> {
    let settings = client.settings();
    let Head { url, headers, body } = head(client, &prepared, opts)?;
    // The first attempt takes the headers; a retry (rare) builds them again.
    let mut headers = Some(headers);
    let &Prepared { ref wire, ref job_id, ref auth, path_template, is_async, excerpt, .. } = &prepared;
    let http_timeout = opts.http_timeout(settings.request_timeout);
    let policy = opts.poll_policy(settings.poll);
    let retry = opts.retry.unwrap_or(settings.retry);
    // Reads can be repeated; an async API can be resent under the same job
    // id, which the MN refuses as a duplicate if the first attempt arrived.
    let repeatable = wire.method == Method::Get || is_async;

    let started = Instant::now();
    let deadline = deadline_after(started, policy.timeout);
    let accept = |job_id: String| {
        let headers = opts.headers.clone();
        let auth = Arc::clone(auth);
        Outcome::Accepted(Box::new(Job { job_id, auth, started, policy, retry, http_timeout, excerpt, headers }))
    };
    let mut delays = retry.delays();
    let mut resent = false;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let mut request_headers = headers.take().unwrap_or_else(|| call_headers(client, &prepared, opts));
        add_auth(&mut request_headers, auth, client, wire.method, &wire.path)?;
        let mut builder = client.inner.http.request(http_method(wire.method), url.as_str()).timeout(http_timeout);
        if let Some(body) = &body {
            // `Bytes`: a retry shares the encoded body, it does not copy it.
            builder = builder.body(body.clone());
        }
        tracing::debug!(attempt, has_body = body.is_some(), "sending request");
        let sent_at = Instant::now();
        let sending = transfer(builder, request_headers, client, path_template, settings.max_response_bytes);
        let failure = match sending.await {
            Ok(answer) => {
                tracing::debug!(status = answer.status, elapsed_ms = elapsed_ms(sent_at), "response");
                let duplicate = resent && is_async && answer.status == 400 && is_duplicate_job(&answer.body);
                if duplicate {
                    // The lost first attempt reached the MN: follow its job.
                    tracing::debug!(job_id = job_id.as_str(), "job already accepted; polling it");
                }
                match answer.status {
                    202 => {
                        let id = accepted_job_id(&answer.body)?.unwrap_or_else(|| job_id.clone());
                        return Ok(accept(id));
                    }
                    _ if duplicate => {
                        return Ok(accept(job_id.clone()));
                    }
                    200..=299 => return Ok(Outcome::Done(answer.body)),
                    _ => Failure::answer(answer, None),
                }
            }
            Err(failure) => failure,
        };
        let may_retry = failure.transient && (!failure.maybe_sent || repeatable);
        let delay = if may_retry { delays.next() } else { None };
        match delay {
            Some(delay) if Instant::now() + delay < deadline => {
                tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, error = %failure.error, "retrying");
                resent |= failure.maybe_sent;
                tokio::time::sleep(delay).await;
            }
            _ => return Err(failure.error),
        }
    }
}

/// The job id of a `202`: from `location` when it names one, which must then
/// have the form of a job id (a `..` would move the poll to another route).
fn accepted_job_id(body: &[u8]) -> Result<Option<String>, Error> {
    let accepted: Accepted = serde_json::from_slice(body).unwrap_or_default();
    let Some(id) = accepted.location.as_deref().and_then(decode::job_id_from_location) else { return Ok(None) };
    match check_job_id(&id) {
        Ok(()) => Ok(Some(id)),
        Err(reason) => Err(Error::Protocol(format!(
            "the 202 answer names the job {:?}, which {reason}",
            id.chars().take(64).collect::<String>()
        ))),
    }
}

/// The MN's answer to a resent async request it already has.
fn is_duplicate_job(body: &[u8]) -> bool {
    body.len() < 4096 && String::from_utf8_lossy(body).contains("Duplicate job uuid")
}

/// One poll of `<base>/v1/api-jobs/<job id>`: `Ok(None)` while it runs. Its
/// HTTP timeout never reaches past the job's deadline.
pub(crate) async fn poll_once(client: &Client, job: &Job, attempt: u32) -> Result<Option<Vec<u8>>, Failure> {
    let settings = client.settings();
    let segment = path_segment("api-jobs", "jobId", &job.job_id).map_err(|e| Failure::local(e.into()))?;
    let path = format!("/api-jobs/{segment}");
    let url = format!("{}/v1{path}", settings.base_url);
    let mut headers = settings.headers.clone();
    for (name, value) in &job.headers {
        headers.append(name.clone(), value.clone());
    }
    headers.insert(X_JSON_SCHEMA, HeaderValue::from_static("true"));
    add_auth(&mut headers, &job.auth, client, Method::Get, &path).map_err(Failure::local)?;
    let left = job.deadline().saturating_duration_since(Instant::now());
    let timeout = job.http_timeout.min(left).max(Duration::from_millis(1));
    let builder = client.inner.http.get(url.as_str()).timeout(timeout);
    let answer = transfer(builder, headers, client, "/api-jobs/{jobId}", settings.max_response_bytes).await?;
    let status = answer.status;
    tracing::debug!(job_id = job.job_id.as_str(), attempt, status, elapsed_ms = elapsed_ms(job.started), "job poll");
    match status {
        202 => Ok(None),
        200..=299 => Ok(Some(answer.body)),
        404 => {
            Err(Failure { error: Error::JobExpired { job_id: job.job_id.clone() }, maybe_sent: true, transient: false })
        }
        _ => Err(Failure::answer(answer, Some(job.job_id.clone()))),
    }
}

/// Poll until the job ends or the poll timeout (counted from the original
/// request) passes. The first poll is immediate; the deadline also bounds a
/// poll that stalls, so running out is always [`Error::PollTimeout`].
pub(crate) async fn wait(client: &Client, job: &Job) -> Result<Vec<u8>, Error> {
    let deadline = job.deadline();
    match tokio::time::timeout_at(deadline.into(), poll_until_done(client, job, deadline)).await {
        Ok(result) => result,
        Err(_) => Err(job.timed_out()),
    }
}

async fn poll_until_done(client: &Client, job: &Job, deadline: Instant) -> Result<Vec<u8>, Error> {
    let mut interval = job.policy.interval;
    let mut attempt = 0u32;
    let mut delays = job.retry.delays();
    loop {
        attempt = attempt.saturating_add(1);
        let wait = match poll_once(client, job, attempt).await {
            Ok(Some(body)) => return Ok(body),
            Ok(None) => {
                delays = job.retry.delays();
                let wait = interval;
                interval = job.policy.next_interval(interval);
                wait
            }
            Err(failure) if Instant::now() >= deadline => {
                tracing::debug!(error = %failure.error, "poll failed at the deadline");
                return Err(job.timed_out());
            }
            // Polls are reads: every transient failure may be retried.
            Err(failure) if failure.transient => match delays.next() {
                Some(delay) => {
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, error = %failure.error, "retrying poll");
                    delay
                }
                None => return Err(failure.error),
            },
            Err(failure) => return Err(failure.error),
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(job.timed_out());
        }
        // Never sleep past the deadline: the last poll happens at it.
        tokio::time::sleep(wait.min(left)).await;
    }
}

/// What [`submit`] got back: the decoded result, or the job to poll.
pub(crate) enum Submission<T> {
    Done(T),
    Pending(Box<Job>),
}

/// Send without waiting for a job; a `200` is decoded as `T`. No session
/// renewal: the caller gets the job, or the error, as it happened.
pub(crate) async fn submit<O: Outgoing + ?Sized, T: DeserializeOwned>(
    client: &Client,
    request: &O,
    opts: &CallOptions,
) -> Result<Submission<T>, Error> {
    client.check_version(request).await?;
    let prepared = prepare(client, request, opts)?;
    let span = call_span(&prepared);
    let excerpt = prepared.excerpt;
    async move {
        match exchange(client, prepared, opts).await? {
            Outcome::Done(body) => decode::decode(&body, request.polymorphic(), excerpt).map(Submission::Done),
            Outcome::Accepted(job) => Ok(Submission::Pending(job)),
        }
    }
    .instrument(span)
    .await
}

/// Poll an accepted job to its end (in its own span) and decode the result.
pub(crate) async fn wait_decoded<T: DeserializeOwned>(
    client: &Client,
    job: &Job,
    action: &'static str,
    polymorphic: bool,
) -> Result<T, Error> {
    let span = tracing::info_span!("zstack.job", action, job_id = job.job_id.as_str());
    async {
        let body = wait(client, job).await?;
        decode::decode(&body, polymorphic, job.excerpt)
    }
    .instrument(span)
    .await
}

/// Run a request to its final body: the first exchange, then polling after a
/// `202`. With session renewal on, an `ID.1001` failure logs in again (once
/// for all concurrent calls) and replays the call once.
pub(crate) async fn execute<O: Outgoing + ?Sized, T: DeserializeOwned>(
    client: &Client,
    request: &O,
    opts: &CallOptions,
) -> Result<T, Error> {
    client.check_version(request).await?;
    let mut renewed = false;
    loop {
        let used = client.auth();
        match execute_once(client, request, opts).await {
            Err(Error::SessionExpired { .. }) if request.route().session && !renewed && client.renewal_possible() => {
                client.relogin_after_expiry(&used).await?;
                renewed = true;
            }
            other => return other,
        }
    }
}

/// [`execute`] without session renewal: what the renewal's own login uses.
pub(crate) async fn execute_once<O: Outgoing + ?Sized, T: DeserializeOwned>(
    client: &Client,
    request: &O,
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
        decode::decode(&body, request.polymorphic(), excerpt)
    }
    .instrument(span)
    .await
}

fn add_auth(headers: &mut HeaderMap, auth: &Auth, client: &Client, method: Method, path: &str) -> Result<(), Error> {
    let bad = |what: &str| Error::Config(format!("the {what} cannot be sent in a header"));
    match auth {
        Auth::None => {}
        Auth::Session(session) => {
            headers.insert(reqwest::header::AUTHORIZATION, session.header().ok_or_else(|| bad("session id"))?);
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

/// Send and read the body, at most `limit` bytes of it, into one buffer.
/// Transport errors name the route template, never the filled URL (it can
/// hold a session id) or the query.
///
/// `headers` become the request's headers as they are (the client's default
/// ones fill in what they lack), with no merge into the builder's.
async fn transfer(
    builder: reqwest::RequestBuilder,
    headers: HeaderMap,
    client: &Client,
    path_template: &str,
    limit: u64,
) -> Result<Answer, Failure> {
    let scrub = |e: reqwest::Error| {
        let template = format!("{}/v1{path_template}", client.settings().base_url);
        let maybe_sent = !e.is_connect();
        let error = match reqwest::Url::parse(&template) {
            Ok(url) => Error::Transport(TransportError(e.with_url(url))),
            Err(_) => Error::Transport(TransportError(e.without_url())),
        };
        Failure { error, maybe_sent, transient: true }
    };
    let mut request = builder.build().map_err(scrub)?;
    *request.headers_mut() = headers;
    let mut response = client.inner.http.execute(request).await.map_err(scrub)?;
    let status = response.status().as_u16();
    let too_large = || Failure { error: Error::ResponseTooLarge { status, limit }, maybe_sent: true, transient: false };
    let location = (300..400).contains(&status).then(|| {
        response.headers().get(LOCATION).map(|v| String::from_utf8_lossy(v.as_bytes()).chars().take(256).collect())
    });
    let declared = response.content_length();
    if declared.is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    // One buffer, sized from `Content-Length` when there is one (it was
    // checked against the limit), grown as chunks arrive otherwise.
    let capacity = usize::try_from(declared.unwrap_or(0)).unwrap_or(0);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await.map_err(scrub)? {
        if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, location: location.flatten(), body })
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
    fn transient_statuses() {
        let is_transient_status = |status: u16, body: &[u8]| {
            Failure::answer(Answer { status, location: None, body: body.to_vec() }, None).transient
        };
        assert!(is_transient_status(502, b"bad gateway"));
        assert!(is_transient_status(504, b""));
        assert!(is_transient_status(503, b"<html>Service Unavailable</html>"));
        assert!(is_transient_status(503, br#"{"error":"x"}"#));
        assert!(!is_transient_status(503, br#"{"error":{"code":"SYS.1000"}}"#));
        assert!(!is_transient_status(500, b"boom"));
        assert!(!is_transient_status(400, b"Duplicate job uuid"));
    }

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
