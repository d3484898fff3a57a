//! A loopback test double of a ZStack management node (MN), for testing the
//! SDK and code built on it without a real MN (cargo feature `test-server`).
//!
//! [`TestServer`] listens on `127.0.0.1` on a free port and follows the wire
//! protocol of the MN (`docs/protocol.md` in the repository):
//!
//! * the context path (`zstack` by default) is stripped and the rest is
//!   URL-decoded before routes are matched; unknown paths answer `404`
//!   `no api mapping to <path>`;
//! * API requests need an `X-Job-UUID` of 32 characters, and a POST/PUT/DELETE
//!   whose job id is already a known job answers `400` "Duplicate job uuid";
//! * scripted routes answer synchronously ([`Reply::Json`], [`Reply::Text`]) or
//!   as async jobs ([`Reply::Async`]): `202` with a `location` on a foreign
//!   host (`10.0.0.99`), then polls of `GET <context>/v1/api-jobs/<job id>`;
//! * routes need a session by default: `Authorization: OAuth <session>` from
//!   the built-in login, or `ZStack <key id>:<signature>` + `Date` for an access
//!   key added with [`TestServer::add_access_key`];
//! * every request is recorded ([`TestServer::requests`]), and no response
//!   carries a `Content-Type` (the MN never sets one).
//!
//! Built-in routes (they need no session): `PUT /v1/accounts/login`
//! (LogInByAccount, see [`TestServer::add_account`]),
//! `DELETE /v1/accounts/sessions/{sessionUuid}` (LogOut),
//! `GET /v1/accounts/sessions/{sessionUuid}/valid` (ValidateSession) and
//! `PUT /v1/management-nodes/actions` with `getVersion` (GetVersion, answering
//! [`DEFAULT_VERSION`] or what [`TestServerBuilder::version`] and
//! [`TestServer::set_version`] set). A scripted route for the same method and
//! path (and envelope) replaces them.
//!
//! # Example
//!
//! ```
//! use serde_json::json;
//! use zstack_test_server::{Reply, TestServer, query_reply};
//!
//! # async fn demo() {
//! let server = TestServer::start().await;
//! let session = server.new_session();
//! server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::async_done(1, json!({"inventory": {}})));
//! server.route("GET", "/v1/zones", Reply::func(|req| query_reply(vec![json!({"uuid": "z1"})], req)));
//! // Point the client at `server.base_url()` (`http://127.0.0.1:<port>/zstack`)
//! // with `Authorization: OAuth <session>`, then look at what it sent:
//! for req in server.requests() {
//!     println!("{} {} {:?}", req.method, req.raw_path, req.query);
//! }
//! # let _ = session;
//! # }
//! ```

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod dispatch;
mod jobs;
mod log;
mod reply;
mod routes;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::{date_header_now, format_date_header, sign};
pub use jobs::{API_TIMEOUT_MS, FOREIGN_JOB_PREFIX};
pub use log::RecordedRequest;
pub use reply::{JobOutcome, Reply, ReplyFn, error_code, query_reply};

use dispatch::{Incoming, dispatch};
use routes::{Handler, RouteTable};

/// Request bodies larger than this are refused.
const MAX_BODY_BYTES: usize = 64 << 20;

/// Locks a mutex, ignoring poisoning (a panicking reply must not take the
/// whole server down).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared by the server task and the [`TestServer`] handle.
pub(crate) struct Shared {
    /// The context path without slashes (`zstack`), or empty.
    context: String,
    log: log::RequestLog,
    routes: Mutex<RouteTable>,
    jobs: jobs::Jobs,
    auth: Mutex<auth::Auth>,
    /// What GetVersion answers.
    version: Mutex<String>,
}

/// A running test MN. Shuts down when dropped (or via [`TestServer::shutdown`]).
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Options for [`TestServer`]; start with [`TestServer::builder`].
#[derive(Debug, Clone)]
pub struct TestServerBuilder {
    context_path: String,
    check_skew: bool,
    version: String,
}

/// The release the test MN reports by default (GetVersion).
pub const DEFAULT_VERSION: &str = "5.3.20";

impl Default for TestServerBuilder {
    fn default() -> Self {
        TestServerBuilder { context_path: "zstack".to_string(), check_skew: false, version: DEFAULT_VERSION.into() }
    }
}

impl TestServerBuilder {
    /// The context path, with or without slashes (`"zstack"`, `"/a/b/"`); `""` for none.
    /// Default `zstack`.
    pub fn context_path(mut self, path: &str) -> Self {
        self.context_path = path.trim_matches('/').to_string();
        self
    }

    /// Whether signed requests must carry a `Date` within ±15 minutes of the
    /// server's UTC clock (default off). See [`TestServer::check_skew`].
    pub fn check_skew(mut self, on: bool) -> Self {
        self.check_skew = on;
        self
    }

    /// The release GetVersion reports (default [`DEFAULT_VERSION`]); any text,
    /// to test odd version strings.
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.to_string();
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on the current tokio runtime.
    pub async fn try_start(self) -> io::Result<TestServer> {
        let mut routes = RouteTable::default();
        for (method, path, handler) in [
            ("PUT", "/v1/accounts/login", Handler::Login),
            ("DELETE", "/v1/accounts/sessions/{sessionUuid}", Handler::Logout),
            ("GET", "/v1/accounts/sessions/{sessionUuid}/valid", Handler::ValidateSession),
            ("PUT", "/v1/management-nodes/actions", Handler::Version),
        ] {
            let envelope = matches!(handler, Handler::Version).then(|| "getVersion".to_string());
            let id = routes.add(method, path, envelope, handler);
            if let Some(route) = routes.get_mut(id) {
                route.needs_session = false;
            }
        }
        let mut auth = auth::Auth::default();
        auth.check_skew = self.check_skew;
        let shared = Arc::new(Shared {
            context: self.context_path,
            log: Default::default(),
            routes: Mutex::new(routes),
            jobs: Default::default(),
            auth: Mutex::new(auth),
            version: Mutex::new(self.version),
        });

        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new().fallback(handle).with_state(Arc::clone(&shared));
        let (tx, rx) = oneshot::channel::<()>();
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        let task = tokio::spawn(async move {
            let _ = serve.await;
        });
        Ok(TestServer { shared, addr, shutdown: Some(tx), task: Some(task) })
    }

    /// Like [`try_start`](Self::try_start), but panics if the port cannot be bound.
    pub async fn start(self) -> TestServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("the ZStack test server could not listen on 127.0.0.1: {e}"),
        }
    }
}

/// A registered route; use it to adjust or remove the route.
pub struct RouteHandle {
    shared: Arc<Shared>,
    id: u64,
}

impl RouteHandle {
    /// Whether the route checks `Authorization` (default `true`).
    pub fn needs_session(self, on: bool) -> Self {
        if let Some(route) = lock(&self.shared.routes).get_mut(self.id) {
            route.needs_session = on;
        }
        self
    }

    /// Makes the route one action of a shared path: it is chosen only when
    /// `key` is a top-level key of the JSON body (POST/PUT).
    pub fn envelope(self, key: &str) -> Self {
        if let Some(route) = lock(&self.shared.routes).get_mut(self.id) {
            route.envelope = Some(key.to_string());
        }
        self
    }

    /// Unregisters the route.
    pub fn remove(self) {
        lock(&self.shared.routes).remove(self.id);
    }
}

impl TestServer {
    /// Starts a server with the default options (context path `zstack`).
    pub async fn start() -> TestServer {
        TestServerBuilder::default().start().await
    }

    /// Options: context path, skew check.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// `http://127.0.0.1:<port>/zstack` (no trailing slash; no context segment
    /// when the context path is empty). The SDK appends `/v1` + the API path.
    pub fn base_url(&self) -> String {
        if self.shared.context.is_empty() {
            format!("http://{}", self.addr)
        } else {
            format!("http://{}/{}", self.addr, self.shared.context)
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A clone of the request log, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.snapshot()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// Scripts `method` on `path` (a pattern starting with `/v1/`, placeholders
    /// as `{name}`, matched against the decoded path). The route needs a
    /// session; later routes win over earlier ones for the same request.
    ///
    /// # Panics
    /// If `path` does not start with `/v1/`.
    pub fn route(&self, method: &str, path: &str, reply: impl Into<Reply>) -> RouteHandle {
        let id = lock(&self.shared.routes).add(method, path, None, Handler::Scripted(reply.into()));
        RouteHandle { shared: Arc::clone(&self.shared), id }
    }

    /// Scripts one action of a shared path: chosen when `envelope` is a
    /// top-level key of the body. When routes for the method and path all have
    /// an envelope and none matches the body, the answer is `400` "the body
    /// doesn't contain action mapping to the URL".
    pub fn route_with_envelope(
        &self,
        method: &str,
        path: &str,
        envelope: &str,
        reply: impl Into<Reply>,
    ) -> RouteHandle {
        self.route(method, path, reply).envelope(envelope)
    }

    /// A `GET` route answering from `inventories` with [`query_reply`]
    /// (paging, `count`, `replyWithCount`, `q=uuid=<x>`).
    pub fn query_route(&self, path: &str, inventories: Vec<Value>) -> RouteHandle {
        let inventories = Arc::new(inventories);
        self.route("GET", path, Reply::func(move |req| query_reply(inventories.as_ref().clone(), req)))
    }

    /// Adds an account for LogInByAccount. The MN stores the lowercase hex
    /// SHA-512 of the password and compares the submitted `password` with it
    /// verbatim. Returns the account uuid.
    pub fn add_account(&self, name: &str, plain_password: &str) -> String {
        self.add_account_digest(name, &auth::password_digest(plain_password))
    }

    /// Adds an account whose stored password is exactly `stored` (for example
    /// a digest computed elsewhere, or a plain value to test a client that does
    /// not hash). Returns the account uuid.
    pub fn add_account_digest(&self, name: &str, stored: &str) -> String {
        lock(&self.shared.auth).add_account(name, stored.to_string())
    }

    /// Adds an access key for `Authorization: ZStack <id>:<signature>`.
    pub fn add_access_key(&self, id: &str, secret: &str) {
        lock(&self.shared.auth).add_access_key(id, secret);
    }

    /// A valid session id (32 hex), without going through login.
    pub fn new_session(&self) -> String {
        lock(&self.shared.auth).new_session("36c27e8ff05c4780bf6d2fa65700f22e")
    }

    /// Ends a session: later calls with it fail with `ID.1001`.
    pub fn expire_session(&self, session_id: &str) {
        lock(&self.shared.auth).expire_session(session_id);
    }

    /// Changes what GetVersion reports.
    pub fn set_version(&self, version: &str) {
        *lock(&self.shared.version) = version.to_string();
    }

    /// Whether a session is currently valid.
    pub fn session_valid(&self, session_id: &str) -> bool {
        lock(&self.shared.auth).session_valid(session_id)
    }

    /// Forgets a job: its polls answer `404` "the job has been expired".
    pub fn expire_job(&self, job_id: &str) {
        self.shared.jobs.expire(job_id);
    }

    /// Turns the access-key clock-skew check on or off: when on, a `Date` whose
    /// written wall-clock time is more than 15 minutes from the server's UTC
    /// clock answers `403` "requestTimeTooSkewed".
    pub fn check_skew(&self, on: bool) {
        lock(&self.shared.auth).check_skew = on;
    }

    /// Stops accepting connections and waits (up to 5 s) for open ones to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}

/// The axum handler for every request.
async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => return respond(reply::Answer::text(400, "the request body could not be read")),
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_ascii_lowercase(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        full_path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        headers,
        body,
    };
    // A panicking `Reply::Fn` becomes a 500 instead of a dropped connection.
    let answer = std::panic::catch_unwind(AssertUnwindSafe(|| dispatch(&shared, incoming)))
        .unwrap_or_else(|_| reply::Answer::text(500, "the test server's reply panicked"));
    respond(answer)
}

/// The wire response: status and body, and deliberately no `Content-Type`.
fn respond(answer: reply::Answer) -> Response {
    let (status, body) = match StatusCode::from_u16(answer.status) {
        Ok(status) if answer.status >= 200 => (status, answer.body),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, format!("invalid scripted status {}", answer.status)),
    };
    let body = if answer.lost { Body::from_stream(Cut) } else { Body::from(body) };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
}

/// A body that fails at once: the server aborts the connection after the
/// status line, so the client never gets the answer.
struct Cut;

impl futures_core::Stream for Cut {
    type Item = io::Result<Vec<u8>>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(Some(Err(io::Error::other("the answer was lost (Reply::Lost)"))))
    }
}
