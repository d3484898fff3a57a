//! The client against a hostile or flaky MN: redirects, oversized replies,
//! paths that would move, stalls, lost answers, transient failures and
//! expired sessions. Most cases use a raw TCP server on loopback that
//! answers each request as a script says; the rest use the test MN.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Thing, ThingReply, api_requests, builder, is_job_id, polls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zstack_sdk::api::{LogInByAccount, LogOut, QueryBackupStorage, ReconnectBackupStorage};
use zstack_sdk::client::{Client, Error, JobHandle, RetryPolicy};
use zstack_sdk::runtime::secret::{Password, Secret};
use zstack_sdk::test_server::{Reply, TestServer};
use zstack_sdk::{ApiRequest, WireRequest};

const JOB: &str = "4f2b0c8e1d9a4b7c8e6f5a4b3c2d1e0f";

/// One request as the raw server read it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the raw server does with one request.
enum Act {
    /// Write these bytes (a whole HTTP response) and close.
    Raw(Vec<u8>),
    /// Answer `status` with `body` and `Content-Length`.
    Answer(u16, String),
    /// Close the connection without answering.
    Close,
    /// Never answer; keep the connection open.
    Stall,
    /// Send headers without `Content-Length`, then `total` bytes in chunks.
    Stream { total: usize },
}

type Script = Arc<dyn Fn(usize, &Seen) -> Act + Send + Sync>;

/// A raw HTTP/1.1 server on `ip`: one request per connection, answered by
/// the script (given the request's number, from 0).
struct Raw {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Raw {
    async fn start(ip: &str, script: impl Fn(usize, &Seen) -> Act + Send + Sync + 'static) -> Raw {
        let listener = TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::new(script);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                tokio::spawn(serve(stream, Arc::clone(&script), Arc::clone(&log)));
            }
        });
        Raw { addr, seen }
    }

    fn base_url(&self) -> String {
        format!("http://{}/zstack", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn client(&self) -> zstack_sdk::client::ClientBuilder {
        Client::builder()
            .base_url(self.base_url())
            .no_proxy()
            .session(Secret::new("0123456789abcdef0123456789abcdef"))
            .poll_interval(Duration::from_millis(10))
            .retry(RetryPolicy::new(3).backoff(Duration::from_millis(5), Duration::from_millis(20)))
    }
}

async fn serve(mut stream: TcpStream, script: Script, log: Arc<Mutex<Vec<Seen>>>) {
    let Some(seen) = read_request(&mut stream).await else { return };
    let index = {
        let mut log = log.lock().unwrap();
        log.push(seen.clone());
        log.len() - 1
    };
    match script(index, &seen) {
        Act::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Act::Answer(status, body) => {
            let head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
        Act::Close => {}
        Act::Stall => {
            let mut sink = [0u8; 64];
            while stream.read(&mut sink).await.is_ok_and(|n| n > 0) {}
        }
        Act::Stream { total } => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").await;
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let head = format!("{:x}\r\n", chunk.len());
                let ok = stream.write_all(head.as_bytes()).await.is_ok()
                    && stream.write_all(&chunk).await.is_ok()
                    && stream.write_all(b"\r\n").await.is_ok();
                if !ok {
                    return;
                }
                sent += chunk.len();
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string())))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen { method, path, headers })
}

fn accepted(job: &str) -> Act {
    Act::Answer(202, json!({"location": format!("http://10.0.0.99:8080/zstack/v1/api-jobs/{job}")}).to_string())
}

fn query_page() -> Act {
    Act::Answer(200, json!({"inventories": [{"uuid": "b1", "name": "bs"}], "schema": {}}).to_string())
}

// ---- redirects -------------------------------------------------------------

/// A listener on another loopback address that counts connections.
async fn elsewhere() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(("127.0.0.2", 0)).await.expect("127.0.0.2 is loopback on Linux");
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((_stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (addr, count)
}

#[tokio::test]
async fn a_redirected_login_carries_nothing_to_the_other_host() {
    let (other, reached) = elsewhere().await;
    let location = format!("http://{other}/zstack/v1/accounts/login");
    let to = location.clone();
    let raw = Raw::start("127.0.0.1", move |_, _| {
        Act::Raw(format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n").into_bytes())
    })
    .await;
    let client = raw.client().build().unwrap();
    let err = client.login_by_account("admin", "password").await.unwrap_err();
    match &err {
        Error::Redirect { status: 307, location: Some(l) } => assert_eq!(l, &location),
        other => panic!("expected a redirect error, got {other:?}"),
    }
    assert!(err.to_string().contains("307") && !err.to_string().contains("b109f3bb"), "{err}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reached.load(Ordering::SeqCst), 0, "the redirect target was contacted");
    assert_eq!(raw.seen().len(), 1);
}

#[tokio::test]
async fn a_redirected_logout_sends_no_referer_anywhere() {
    let (other, reached) = elsewhere().await;
    let raw = Raw::start("127.0.0.1", move |_, _| {
        Act::Raw(format!("HTTP/1.1 302 Found\r\nLocation: http://{other}/x\r\nContent-Length: 0\r\n\r\n").into_bytes())
    })
    .await;
    let client = raw.client().build().unwrap();
    let err = client.logout().await.unwrap_err();
    assert!(matches!(err, Error::Redirect { status: 302, .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reached.load(Ordering::SeqCst), 0);
    assert!(raw.seen().iter().all(|s| s.header("referer").is_none()));
}

// ---- bounded memory --------------------------------------------------------

#[tokio::test]
async fn an_oversized_reply_is_refused_while_it_is_read() {
    // Declared: refused before a byte of the body is read.
    let raw = Raw::start("127.0.0.1", |_, _| {
        Act::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n{\"inventories\":[".to_vec())
    })
    .await;
    let client = raw.client().max_response_bytes(1 << 20).build().unwrap();
    let err = client.call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { status: 200, limit: 1048576 }), "{err:?}");
    assert_eq!(raw.seen().len(), 1, "not retried");

    // Undeclared (chunked): cut once the limit is passed.
    let raw = Raw::start("127.0.0.1", |_, _| Act::Stream { total: 8 << 20 }).await;
    let client = raw.client().max_response_bytes(1 << 20).build().unwrap();
    let err = client.call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("1048576"), "{err}");
}

#[tokio::test]
async fn a_reply_within_the_limit_decodes() {
    let raw = Raw::start("127.0.0.1", |_, _| query_page()).await;
    let client = raw.client().max_response_bytes(4096).build().unwrap();
    let reply = client.call(QueryBackupStorage::new()).await.unwrap();
    assert_eq!(reply.inventories.len(), 1);
    let err = Client::builder().max_response_bytes(0).build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

// ---- paths that cannot move ------------------------------------------------

#[tokio::test]
async fn dot_segments_never_leave_the_client() {
    let raw = Raw::start("127.0.0.1", |_, _| Act::Answer(200, "{}".into())).await;
    let client = raw.client().build().unwrap();
    for dots in [".", "..", "..."] {
        let err = client.call(ReconnectBackupStorage::new(dots)).await.unwrap_err();
        match err {
            Error::InvalidRequest(e) => assert_eq!((e.api, e.field.as_str()), ("ReconnectBackupStorage", "uuid")),
            other => panic!("{dots:?}: {other:?}"),
        }
    }
    assert!(JobHandle::<ReconnectBackupStorage>::attach(&client, "..").is_err());
    assert!(JobHandle::<ReconnectBackupStorage>::attach(&client, "ABCDEF0123456789ABCDEF0123456789").is_err());
    assert!(raw.seen().is_empty(), "{:?}", raw.seen());
}

#[tokio::test]
async fn a_job_id_that_is_not_hex_is_a_protocol_error() {
    for location in ["http://10.0.0.99:8080/zstack/v1/api-jobs/..", "/v1/api-jobs/%2e%2e", "/v1/api-jobs/x?y"] {
        let body = json!({ "location": location }).to_string();
        let raw = Raw::start("127.0.0.1", move |_, _| Act::Answer(202, body.clone())).await;
        let client = raw.client().build().unwrap();
        let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
        assert!(matches!(err, Error::Protocol(_)), "{location}: {err:?}");
        assert_eq!(raw.seen().len(), 1, "{location}: nothing was polled");
    }
}

// ---- deadlines -------------------------------------------------------------

#[tokio::test]
async fn a_stalled_poll_ends_at_the_poll_deadline() {
    let raw = Raw::start("127.0.0.1", |i, _| if i == 0 { accepted(JOB) } else { Act::Stall }).await;
    // The HTTP timeout (60 s) is far beyond the poll timeout: the poll must be cut at the deadline.
    let client = raw.client().request_timeout(Duration::from_secs(60)).build().unwrap();
    let limit = Duration::from_millis(1500);
    let started = Instant::now();
    let err = client.call(ReconnectBackupStorage::new("bs")).poll_timeout(limit).await.unwrap_err();
    let took = started.elapsed();
    match &err {
        Error::PollTimeout { job_id, .. } => assert_eq!(job_id, JOB),
        other => panic!("{other:?}"),
    }
    let overshoot = took.saturating_sub(limit);
    eprintln!("stalled poll: poll timeout {limit:?}, returned after {took:?} (overshoot {overshoot:?})");
    assert!(took >= limit - Duration::from_millis(50), "{took:?}");
    assert!(overshoot < Duration::from_millis(300), "overshoot {overshoot:?}");
}

#[tokio::test]
async fn a_per_call_timeout_shortens_the_client_timeout() {
    let raw = Raw::start("127.0.0.1", |_, _| Act::Stall).await;
    let client = raw.client().request_timeout(Duration::from_secs(60)).retry(RetryPolicy::NONE).build().unwrap();
    let started = Instant::now();
    let err = client.call(QueryBackupStorage::new()).timeout(Duration::from_millis(300)).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let err = client.call(QueryBackupStorage::new()).timeout(Duration::ZERO).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[tokio::test]
async fn the_api_timeout_is_sent_in_seconds_and_bounds_the_exchange() {
    let raw = Raw::start("127.0.0.1", |_, _| Act::Answer(200, json!({"inventory": {}}).to_string())).await;
    let client = raw.client().build().unwrap();
    client.call(ReconnectBackupStorage::new("bs")).api_timeout(Duration::from_millis(1500)).await.unwrap();
    assert_eq!(raw.seen()[0].header("x-api-timeout"), Some("2"));
}

// ---- retries ---------------------------------------------------------------

#[tokio::test]
async fn queries_are_retried_through_closed_connections_and_gateway_errors() {
    let raw = Raw::start("127.0.0.1", |i, _| match i {
        0 => Act::Close,
        1 => Act::Answer(502, "<html>Bad Gateway</html>".into()),
        2 => Act::Answer(503, "<html>Service Unavailable</html>".into()),
        _ => query_page(),
    })
    .await;
    let client = raw.client().build().unwrap();
    let reply = client.call(QueryBackupStorage::new()).await.unwrap();
    assert_eq!(reply.inventories.len(), 1);
    assert_eq!(raw.seen().len(), 4);

    // Out of retries: the last failure is returned.
    let raw = Raw::start("127.0.0.1", |_, _| Act::Answer(504, "Gateway Timeout".into())).await;
    let client = raw.client().retry(RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(2)));
    let err = client.build().unwrap().call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 504, .. }), "{err:?}");
    assert_eq!(raw.seen().len(), 3);

    // Off switch.
    let raw = Raw::start("127.0.0.1", |_, _| Act::Close).await;
    let client = raw.client().build().unwrap();
    let err = client.call(QueryBackupStorage::new()).retry(RetryPolicy::NONE).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(raw.seen().len(), 1);
}

#[tokio::test]
async fn api_errors_are_never_retried() {
    let body = json!({"error": {"code": "SYS.1000", "description": "internal"}}).to_string();
    let raw = Raw::start("127.0.0.1", move |_, _| Act::Answer(503, body.clone())).await;
    let client = raw.client().build().unwrap();
    let err = client.call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(err.has_code("SYS.1000"), "{err:?}");
    assert_eq!(raw.seen().len(), 1);
}

/// A sync API that changes something (a hand-written request, `async = false`).
#[derive(Clone, Debug, zstack_sdk::Api)]
#[api(method = "POST", path = "/things", envelope = "params", response = ThingReply)]
struct CreateThing {
    name: String,
}

#[tokio::test]
async fn a_sync_mutation_is_not_resent_after_a_lost_answer() {
    let raw = Raw::start("127.0.0.1", |i, _| if i == 0 { Act::Close } else { Act::Answer(200, "{}".into()) }).await;
    let client = raw.client().build().unwrap();
    let err = client.call(CreateThing { name: "t".into() }).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(raw.seen().len(), 1, "a sync mutation may have run: not resent");
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_any_call() {
    // Nothing listens on the port at first; the server comes up during the backoff.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = TcpListener::bind(addr).await.unwrap();
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await.unwrap();
        let body = json!({"inventory": {"uuid": "t1"}}).to_string();
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        stream.write_all(head.as_bytes()).await.unwrap();
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}/zstack"))
        .no_proxy()
        .session(Secret::new("s"))
        .retry(RetryPolicy::new(8).backoff(Duration::from_millis(50), Duration::from_millis(100)))
        .build()
        .unwrap();
    let reply = client.call(CreateThing { name: "t".into() }).await.unwrap();
    assert_eq!(reply.inventory, Thing { uuid: Some("t1".into()), ..Thing::default() });
    server.await.unwrap();
}

#[tokio::test]
async fn a_lost_async_answer_attaches_to_the_job_the_mn_already_has() {
    // Against the test MN: the first attempt is accepted as a job, but its answer is lost.
    let server = TestServer::start().await;
    let session = server.new_session();
    let attempts = Arc::new(AtomicUsize::new(0));
    let n = Arc::clone(&attempts);
    let job = Reply::async_done(1, json!({"inventory": {"uuid": "bs", "status": "Connected"}}));
    server.route(
        "PUT",
        "/v1/backup-storage/{uuid}/actions",
        Reply::func(
            move |_| {
                if n.fetch_add(1, Ordering::SeqCst) == 0 { Reply::lost(job.clone()) } else { job.clone() }
            },
        ),
    );
    let retry = RetryPolicy::new(3).backoff(Duration::from_millis(5), Duration::from_millis(10));
    let client = builder(&server).session(Secret::new(session)).retry(retry).build().unwrap();
    let reply = client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    assert_eq!(reply.inventory.base().uuid.as_deref(), Some("bs"));

    let requests = server.requests();
    let sent = api_requests(&requests);
    assert_eq!(sent.len(), 2, "sent once, resent once");
    assert_eq!(sent[0].job_uuid(), sent[1].job_uuid(), "resent under the same job id");
    assert!(is_job_id(sent[0].job_uuid().unwrap()));
    assert_eq!(attempts.load(Ordering::SeqCst), 1, "the duplicate never reached the API: one job ran");
    assert!(polls(&requests).iter().all(|p| p.path.ends_with(sent[0].job_uuid().unwrap())));
}

#[tokio::test]
async fn a_resent_async_call_that_never_arrived_runs_once() {
    // The first attempt is cut before the MN stored anything; the resend is accepted normally.
    let raw = Raw::start("127.0.0.1", |i, _| match i {
        0 => Act::Close,
        1 => accepted(JOB),
        _ => Act::Answer(200, json!({"inventory": {"uuid": "bs"}}).to_string()),
    })
    .await;
    let client = raw.client().build().unwrap();
    let reply = client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    assert_eq!(reply.inventory.base().uuid.as_deref(), Some("bs"));
    let seen = raw.seen();
    assert_eq!(seen[0].header("x-job-uuid"), seen[1].header("x-job-uuid"));
    assert_eq!((seen[2].method.as_str(), seen[2].path.clone()), ("GET", format!("/zstack/v1/api-jobs/{JOB}")));
}

#[tokio::test]
async fn a_poll_survives_transient_failures() {
    let raw = Raw::start("127.0.0.1", |i, _| match i {
        0 => accepted(JOB),
        1 => Act::Close,
        2 => Act::Answer(502, "Bad Gateway".into()),
        3 => Act::Answer(202, "{}".into()),
        _ => Act::Answer(200, json!({"inventory": {"uuid": "bs"}}).to_string()),
    })
    .await;
    let client = raw.client().build().unwrap();
    let reply = client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    assert_eq!(reply.inventory.base().uuid.as_deref(), Some("bs"));
    assert_eq!(raw.seen().len(), 5);
}

// ---- session renewal -------------------------------------------------------

#[tokio::test]
async fn fifty_concurrent_expired_calls_share_one_login() {
    let server = TestServer::start().await;
    server.add_account("admin", "password");
    server.query_route("/v1/backup-storage", vec![json!({"uuid": "b1"})]);
    let client = builder(&server).renew_session(true).build().unwrap();
    let first = client.login_by_account("admin", "password").await.unwrap();
    server.expire_session(first.id.expose());

    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.call(QueryBackupStorage::new()).await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().inventories.len(), 1);
    }
    let logins = server.requests().iter().filter(|r| r.path == "/v1/accounts/login").count();
    assert_eq!(logins, 2, "the first login and exactly one renewal");
    let renewed = client.session().unwrap();
    assert_ne!(renewed.expose(), first.id.expose());
    assert!(server.session_valid(renewed.expose()));
}

#[tokio::test]
async fn without_renewal_an_expired_session_surfaces() {
    let server = TestServer::start().await;
    server.add_account("admin", "password");
    server.query_route("/v1/backup-storage", vec![]);
    let client = builder(&server).build().unwrap();
    let session = client.login_by_account("admin", "password").await.unwrap();
    server.expire_session(session.id.expose());
    let err = client.call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(err.is_session_expired(), "{err:?}");
    assert_eq!(server.requests().iter().filter(|r| r.path == "/v1/accounts/login").count(), 1);

    // Renewal on, but the session was set by hand: there is no login to repeat.
    let client = builder(&server).renew_session(true).session(Secret::new(server.new_session())).build().unwrap();
    server.expire_session(client.session().unwrap().expose());
    let err = client.call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(err.is_session_expired(), "{err:?}");
}

#[tokio::test]
async fn a_replayed_call_that_expires_again_is_not_replayed_twice() {
    let server = TestServer::start().await;
    server.add_account("admin", "password");
    // Every call fails with ID.1001, whatever the session.
    server.route("GET", "/v1/backup-storage", Reply::error("ID.1001", "invalid session"));
    let client = builder(&server).renew_session(true).build().unwrap();
    client.login_by_account("admin", "password").await.unwrap();
    let err = client.call(QueryBackupStorage::new()).await.unwrap_err();
    assert!(err.is_session_expired(), "{err:?}");
    let queries = server.requests().iter().filter(|r| r.path == "/v1/backup-storage").count();
    assert_eq!(queries, 2, "the call and one replay");
}

// ---- Debug never shows credentials ----------------------------------------

#[test]
fn wire_requests_redact_credentials_in_debug() {
    let digest = Password::plain("password");
    let mut login = LogInByAccount::new("admin", digest.clone());
    login.account_type = Some("ZStack".into());
    let shown = format!("{:?}", login.to_wire().unwrap());
    assert!(!shown.contains(digest.as_digest()), "{shown}");

    let logout = LogOut::new(Secret::new("5e551011d0000000000000000000abcd"));
    let wire: WireRequest = logout.to_wire().unwrap();
    assert!(wire.path.contains("5e551011d"), "the wire path itself is exact");
    let shown = format!("{wire:?}");
    assert!(!shown.contains("5e551011d"), "{shown}");
    assert!(shown.contains("/accounts/sessions/<redacted>"), "{shown}");
}

// ---- connection pool -------------------------------------------------------

/// A keep-alive server answering every request with one query page; counts connections.
async fn keep_alive_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let body = json!({"inventories": [], "schema": {}}).to_string();
                while read_request(&mut stream).await.is_some() {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                    if stream.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, connections)
}

#[tokio::test]
async fn idle_connections_are_reused_then_closed_after_the_idle_timeout() {
    let (addr, connections) = keep_alive_server().await;
    let client = |idle: Duration| {
        Client::builder()
            .base_url(format!("http://{addr}/zstack"))
            .no_proxy()
            .session(Secret::new("s"))
            .pool_idle_timeout(idle)
            .build()
            .unwrap()
    };
    let kept = client(Duration::from_secs(15));
    for _ in 0..3 {
        kept.call(QueryBackupStorage::new()).await.unwrap();
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1, "one connection, reused");

    let short = client(Duration::from_millis(50));
    short.call(QueryBackupStorage::new()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    short.call(QueryBackupStorage::new()).await.unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 3, "the idle connection was closed, so a new one was made");
}
