//! Drives `zstack_sdk::test_server` with a tiny raw HTTP/1.1 client, so the
//! exact bytes on the wire are under the test's control.
#![cfg(feature = "test-server")]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpStream;
use zstack_sdk::test_server::{JobOutcome, Reply, TestServer, date_header_now, query_reply, sign};

/// A parsed HTTP response.
#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// Sends `raw` on a fresh connection and reads the response until the server closes it.
async fn send_raw(addr: SocketAddr, raw: &[u8]) -> Resp {
    let exchange = async {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let mut written = 0;
        while written < raw.len() {
            stream.writable().await.expect("writable");
            match stream.try_write(&raw[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("write: {e}"),
            }
        }
        let mut data = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            stream.readable().await.expect("readable");
            match stream.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => data.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("read: {e}"),
            }
        }
        data
    };
    let data = tokio::time::timeout(Duration::from_secs(10), exchange).await.expect("response within 10 s");
    parse_response(&data)
}

fn parse_response(data: &[u8]) -> Resp {
    let text = String::from_utf8_lossy(data);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no header end: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let resp = Resp { status, headers, body: String::new() };
    let body = match resp.header("content-length") {
        Some(len) => rest[..len.parse::<usize>().unwrap()].to_string(),
        None => rest.to_string(),
    };
    Resp { body, ..resp }
}

/// A fresh 32-hex job id.
fn job_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{:032x}", 0xabc0_0000_0000 + NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Sends `method target` (target = full path + query, e.g. `/zstack/v1/zones`)
/// with `headers`, `Connection: close` and an optional body.
async fn call(server: &TestServer, method: &str, target: &str, headers: &[(&str, &str)], body: Option<&str>) -> Resp {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", server.addr());
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        raw.push_str(&format!("Content-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    raw.push_str(body.unwrap_or(""));
    let resp = send_raw(server.addr(), raw.as_bytes()).await;
    assert_eq!(resp.header("content-type"), None, "the MN never sets a Content-Type: {resp:?}");
    resp
}

/// An API call with a new job id and the given session.
async fn api(server: &TestServer, method: &str, target: &str, session: &str, body: Option<&str>) -> Resp {
    let job = job_id();
    let auth = format!("OAuth {session}");
    let headers = [("X-Job-UUID", job.as_str()), ("Authorization", auth.as_str()), ("X-JSON-Schema", "true")];
    call(server, method, target, &headers, body).await
}

async fn poll(server: &TestServer, job: &str) -> Resp {
    call(server, "GET", &format!("/zstack/v1/api-jobs/{job}"), &[("X-JSON-Schema", "true")], None).await
}

#[tokio::test]
async fn sync_route_and_request_log() {
    let server = TestServer::start().await;
    assert_eq!(server.base_url(), format!("http://{}/zstack", server.addr()));
    let session = server.new_session();
    server.route("GET", "/v1/zones/{uuid}", Reply::ok(json!({"inventories": [{"uuid": "z1"}]})));

    let target = "/zstack/v1/zones/a%20b%2Bc?q=name%3Dweb%25&systemTags=a+b&systemTags=c%2Bd&flag";
    let resp = api(&server, "GET", target, &session, None).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json(), json!({"inventories": [{"uuid": "z1"}]}));

    let log = server.requests();
    assert_eq!(log.len(), 1);
    let req = &log[0];
    assert_eq!(req.method, "GET");
    assert_eq!(req.raw_path, "/v1/zones/a%20b%2Bc");
    assert_eq!(req.path, "/v1/zones/a b+c");
    assert_eq!(req.raw_query.as_deref(), Some("q=name%3Dweb%25&systemTags=a+b&systemTags=c%2Bd&flag"));
    let pairs = [("q", "name=web%"), ("systemTags", "a b"), ("systemTags", "c+d"), ("flag", "")];
    assert_eq!(req.query, pairs.map(|(k, v)| (k.to_string(), v.to_string())).to_vec());
    assert!(req.query_set().contains(&("systemTags".to_string(), "c+d".to_string())));
    assert_eq!(req.header("X-JSON-SCHEMA"), Some("true"));
    assert!(req.headers.iter().any(|(k, _)| k == "x-job-uuid"), "names are lowercase");
    assert_eq!(req.body, None);
    assert_eq!(req.json(), None);

    server.clear_requests();
    server.route("POST", "/v1/zones", Reply::ok(json!({"inventory": {"uuid": "z2"}})));
    let resp = api(&server, "POST", "/zstack/v1/zones", &session, Some(r#"{"params":{"name":"z"}}"#)).await;
    assert_eq!((resp.status, resp.json()), (200, json!({"inventory": {"uuid": "z2"}})));
    let req = &server.requests()[0];
    assert_eq!(req.raw_query, None);
    assert_eq!(req.json(), Some(json!({"params": {"name": "z"}})));
}

#[tokio::test]
async fn unknown_paths_and_malformed_requests() {
    let server = TestServer::start().await;
    let session = server.new_session();
    let resp = api(&server, "GET", "/zstack/v1/nothing/here", &session, None).await;
    assert_eq!((resp.status, resp.body.as_str()), (404, "no api mapping to /v1/nothing/here"));
    let resp = api(&server, "GET", "/other/v1/zones", &session, None).await;
    assert_eq!(resp.status, 404);

    server.route("PUT", "/v1/zones/{uuid}/actions", Reply::ok(json!({})));
    let resp = api(&server, "PUT", "/zstack/v1/zones/z/actions", &session, Some("{not json")).await;
    assert_eq!(resp.status, 500);
    let resp = api(&server, "PUT", "/zstack/v1/zones/%zz/actions", &session, Some("{}")).await;
    assert_eq!(resp.status, 400);
    let resp = api(&server, "DELETE", "/zstack/v1/zones/z/actions", &session, None).await;
    assert_eq!(resp.status, 405);
    assert_eq!(server.requests().len(), 5, "every request is recorded");

    let resp = send_raw(server.addr(), b"garbage\r\n\r\n").await;
    assert_eq!(resp.status, 400);
}

#[tokio::test]
async fn async_job_is_polled_on_the_local_base_url() {
    let server = TestServer::start().await;
    let session = server.new_session();
    let result = json!({"inventory": {"uuid": "bs1", "status": "Connected"}});
    server.route_with_envelope(
        "PUT",
        "/v1/backup-storage/{uuid}/actions",
        "reconnectBackupStorage",
        Reply::Async { polls: 1, outcome: JobOutcome::Done(result.clone()) },
    );
    let job = job_id();
    let auth = format!("OAuth {session}");
    let headers = [("X-Job-UUID", job.as_str()), ("Authorization", auth.as_str())];
    let body = r#"{"reconnectBackupStorage":{}}"#;
    let resp = call(&server, "PUT", "/zstack/v1/backup-storage/bs1/actions", &headers, Some(body)).await;
    assert_eq!(resp.status, 202);
    let accepted = resp.json();
    assert_eq!(accepted["location"], json!(format!("http://10.0.0.99:8080/zstack/v1/api-jobs/{job}")));
    assert_eq!(accepted["apiTimeout"], json!(1_800_000));

    let first = poll(&server, &job).await;
    assert_eq!((first.status, first.json()), (202, json!({})));
    let done = poll(&server, &job).await;
    assert_eq!((done.status, done.json()), (200, result));

    let log = server.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].path, format!("/v1/api-jobs/{job}"));
    assert_eq!(log[1].header("x-job-uuid"), None);
}

#[tokio::test]
async fn async_failures_expiry_and_polls_method() {
    let server = TestServer::start().await;
    let session = server.new_session();
    let error = json!({"code": "SYS.1006", "description": "operation error", "cause": {"code": "HOST.1003"}});
    server.route("DELETE", "/v1/hosts/{uuid}", Reply::async_failed(0, error.clone()));
    server.route("DELETE", "/v1/images/{uuid}", Reply::Async { polls: 0, outcome: JobOutcome::Expire });
    server.route("DELETE", "/v1/volumes/{uuid}", Reply::Async { polls: 0, outcome: JobOutcome::Never });

    let job_of = |resp: &Resp| resp.json()["location"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let failed = api(&server, "DELETE", "/zstack/v1/hosts/h1", &session, None).await;
    let failed = poll(&server, &job_of(&failed)).await;
    assert_eq!((failed.status, failed.json()), (503, json!({ "error": error })));

    let expired = api(&server, "DELETE", "/zstack/v1/images/i1", &session, None).await;
    let expired = poll(&server, &job_of(&expired)).await;
    assert_eq!((expired.status, expired.body.as_str()), (404, "the job has been expired"));

    let never = api(&server, "DELETE", "/zstack/v1/volumes/v1", &session, None).await;
    let never_job = job_of(&never);
    for _ in 0..3 {
        assert_eq!(poll(&server, &never_job).await.status, 202);
    }
    server.expire_job(&never_job);
    assert_eq!(poll(&server, &never_job).await.status, 404);
    assert_eq!(poll(&server, &job_id()).await.status, 404, "unknown job");

    let resp = call(&server, "POST", &format!("/zstack/v1/api-jobs/{never_job}"), &[], Some("{}")).await;
    assert_eq!(resp.status, 405);
    let resp = call(&server, "DELETE", &format!("/zstack/v1/api-jobs/{never_job}"), &[], None).await;
    assert_eq!(resp.status, 405);
}

#[tokio::test]
async fn job_uuid_header_is_checked() {
    let server = TestServer::start().await;
    let session = server.new_session();
    let auth = format!("OAuth {session}");
    server.route("GET", "/v1/zones", Reply::ok(json!({"inventories": []})));
    server.route("DELETE", "/v1/zones/{uuid}", Reply::async_done(0, json!({})));

    let resp = call(&server, "GET", "/zstack/v1/zones", &[("Authorization", auth.as_str())], None).await;
    assert_eq!(resp.status, 400);
    let short = [("Authorization", auth.as_str()), ("X-Job-UUID", "abc")];
    assert_eq!(call(&server, "GET", "/zstack/v1/zones", &short, None).await.status, 400);

    let job = job_id();
    let headers = [("Authorization", auth.as_str()), ("X-Job-UUID", job.as_str())];
    assert_eq!(call(&server, "DELETE", "/zstack/v1/zones/z1", &headers, None).await.status, 202);
    let again = call(&server, "DELETE", "/zstack/v1/zones/z1", &headers, None).await;
    assert_eq!((again.status, again.body.as_str()), (400, "Duplicate job uuid"));
    // Sync calls are not stored as jobs, and GET is never a duplicate.
    let sync = [("Authorization", auth.as_str()), ("X-Job-UUID", "0123456789abcdef0123456789abcdef")];
    assert_eq!(call(&server, "GET", "/zstack/v1/zones", &sync, None).await.status, 200);
    assert_eq!(call(&server, "GET", "/zstack/v1/zones", &sync, None).await.status, 200);
    assert_eq!(call(&server, "GET", "/zstack/v1/zones", &headers, None).await.status, 200);
}

#[tokio::test]
async fn login_logout_and_validate() {
    let server = TestServer::start().await;
    let account_uuid = server.add_account("admin", "password");
    server.route("GET", "/v1/zones", Reply::ok(json!({"inventories": []})));
    let digest = "b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb9\
                  80b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86";

    let login = |password: &str| json!({"logInByAccount": {"accountName": "admin", "password": password}}).to_string();
    let job = job_id();
    let headers = [("X-Job-UUID", job.as_str())];
    let resp = call(&server, "PUT", "/zstack/v1/accounts/login", &headers, Some(&login(digest))).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let inventory = resp.json()["inventory"].clone();
    let session = inventory["uuid"].as_str().unwrap().to_string();
    assert_eq!(session.len(), 32);
    assert_eq!(inventory["accountUuid"], json!(account_uuid));
    assert!(inventory["createDate"].as_str().unwrap().ends_with('M'), "{inventory}");
    assert!(server.session_valid(&session));
    assert_eq!(api(&server, "GET", "/zstack/v1/zones", &session, None).await.status, 200);

    let valid = call(&server, "GET", &format!("/zstack/v1/accounts/sessions/{session}/valid"), &headers, None).await;
    assert_eq!(valid.json(), json!({"valid": true}));
    let job = job_id();
    let logout = [("X-Job-UUID", job.as_str())];
    let resp = call(&server, "DELETE", &format!("/zstack/v1/accounts/sessions/{session}"), &logout, None).await;
    assert_eq!((resp.status, resp.json()), (200, json!({})));
    let valid = call(&server, "GET", &format!("/zstack/v1/accounts/sessions/{session}/valid"), &headers, None).await;
    assert_eq!(valid.json(), json!({"valid": false}));
    let resp = api(&server, "GET", "/zstack/v1/zones", &session, None).await;
    assert_eq!((resp.status, resp.json()["error"]["code"].clone()), (503, json!("ID.1001")));

    // The plain password is not what the MN stores.
    let job = job_id();
    let headers = [("X-Job-UUID", job.as_str())];
    let resp = call(&server, "PUT", "/zstack/v1/accounts/login", &headers, Some(&login("password"))).await;
    assert_eq!(resp.status, 503);
    assert_eq!(resp.json()["error"]["code"], json!("ID.1000"));
    assert_eq!(resp.json()["error"]["description"], json!("authentication failed"));
}

#[tokio::test]
async fn sessions_are_checked() {
    let server = TestServer::start().await;
    server.route("GET", "/v1/zones", Reply::ok(json!({"inventories": []})));
    server.route("PUT", "/v1/zones/{uuid}/actions", Reply::async_done(2, json!({})));
    server.route("GET", "/v1/management-nodes/version", Reply::ok(json!({"version": "5.0"}))).needs_session(false);

    let job = job_id();
    let no_auth = call(&server, "GET", "/zstack/v1/zones", &[("X-Job-UUID", job.as_str())], None).await;
    assert_eq!(no_auth.status, 400);
    let basic = [("X-Job-UUID", job.as_str()), ("Authorization", "Basic YWRtaW4=")];
    assert_eq!(call(&server, "GET", "/zstack/v1/zones", &basic, None).await.status, 400);
    let open = call(&server, "GET", "/zstack/v1/management-nodes/version", &[("X-Job-UUID", job.as_str())], None).await;
    assert_eq!(open.status, 200);

    let bad = "0123456789abcdef0123456789abcdef";
    let resp = api(&server, "GET", "/zstack/v1/zones", bad, None).await;
    assert_eq!(resp.status, 503);
    assert_eq!(resp.json()["error"]["code"], json!("ID.1001"));

    // Async APIs accept the job; the session error arrives on the poll.
    let resp = api(&server, "PUT", "/zstack/v1/zones/z1/actions", bad, Some(r#"{"changeZoneState":{}}"#)).await;
    assert_eq!(resp.status, 202);
    let job = resp.json()["location"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let resp = poll(&server, &job).await;
    assert_eq!(resp.status, 503);
    assert_eq!(resp.json()["error"]["code"], json!("ID.1001"));

    let session = server.new_session();
    assert_eq!(api(&server, "GET", "/zstack/v1/zones", &session, None).await.status, 200);
    server.expire_session(&session);
    assert_eq!(api(&server, "GET", "/zstack/v1/zones", &session, None).await.status, 503);
}

#[test]
fn signature_recipe() {
    // RFC 2202-style check of HMAC-SHA1 + standard base64.
    assert_eq!(sign("key", "The quick brown fox jumps over the lazy dog"), "3nybhbi3iqa8ino29wqQcBydtNk=");
}

#[tokio::test]
async fn access_keys_are_verified() {
    let server = TestServer::start().await;
    server.add_access_key("AK1", "s3cret");
    server.route("GET", "/v1/zones/{uuid}", Reply::ok(json!({"inventories": []})));
    let target = "/zstack/v1/zones/a%20b?q=x";

    let signed =
        |secret: &str, date: &str| format!("ZStack AK1:{}", sign(secret, &format!("GET\n{date}\n/v1/zones/a b")));
    let send = |auth: String, date: Option<String>| {
        let server = &server;
        async move {
            let job = job_id();
            let mut headers = vec![("X-Job-UUID", job.as_str()), ("Authorization", auth.as_str())];
            if let Some(date) = &date {
                headers.push(("Date", date.as_str()));
            }
            call(server, "GET", target, &headers, None).await
        }
    };

    let now = date_header_now();
    assert_eq!(send(signed("s3cret", &now), Some(now.clone())).await.status, 200);
    let zoned = "Tue, 14 Jan 2025 09:30:00 Asia/Shanghai".to_string();
    assert_eq!(send(signed("s3cret", &zoned), Some(zoned.clone())).await.status, 200, "no skew check by default");
    assert_eq!(send(signed("wrong", &now), Some(now.clone())).await.status, 400);
    assert_eq!(send(signed("s3cret", &now).replace("AK1", "AK2"), Some(now.clone())).await.status, 400);
    assert_eq!(send(format!("{}:x", signed("s3cret", &now)), Some(now.clone())).await.status, 400);
    assert_eq!(send(signed("s3cret", &now), None).await.status, 400, "Date is required");

    let offset = "Tue, 14 Jan 2025 09:30:00 +0800".to_string();
    let resp = send(signed("s3cret", &offset), Some(offset)).await;
    assert_eq!((resp.status, resp.body.as_str()), (400, "'Date' format error"));

    server.check_skew(true);
    let resp = send(signed("s3cret", &zoned), Some(zoned)).await;
    assert_eq!((resp.status, resp.body.as_str()), (403, "requestTimeTooSkewed"));
    assert_eq!(send(signed("s3cret", &now), Some(now)).await.status, 200);
}

#[tokio::test]
async fn query_reply_pages_and_counts() {
    let server = TestServer::start().await;
    let session = server.new_session();
    let inventories: Vec<Value> = (0..1005).map(|i| json!({"uuid": format!("u{i}"), "name": "vm"})).collect();
    server.query_route("/v1/vm-instances", inventories.clone());
    let uuids = |resp: &Resp| -> Vec<String> {
        resp.json()["inventories"].as_array().unwrap().iter().map(|v| v["uuid"].as_str().unwrap().into()).collect()
    };

    let page = api(&server, "GET", "/zstack/v1/vm-instances?limit=2&start=3", &session, None).await;
    assert_eq!(uuids(&page), ["u3", "u4"]);
    assert_eq!(page.json()["schema"], json!({}));
    assert_eq!(page.json().get("total"), None);

    let all = api(&server, "GET", "/zstack/v1/vm-instances", &session, None).await;
    assert_eq!(uuids(&all).len(), 1000, "default limit");

    let count = api(&server, "GET", "/zstack/v1/vm-instances?count=true", &session, None).await;
    assert_eq!(count.json(), json!({"total": 1005, "schema": {}}));
    let with_count = api(&server, "GET", "/zstack/v1/vm-instances?limit=1&replyWithCount=true", &session, None).await;
    assert_eq!(with_count.json(), json!({"inventories": [{"uuid": "u0", "name": "vm"}], "total": 1005, "schema": {}}));

    let by_uuid = api(&server, "GET", "/zstack/v1/vm-instances?q=uuid%3Du7&limit=5", &session, None).await;
    assert_eq!(uuids(&by_uuid), ["u7"]);
    let none = api(&server, "GET", "/zstack/v1/vm-instances?q=uuid%3Dnope", &session, None).await;
    assert_eq!(none.json(), json!({"inventories": [], "schema": {}}));
    let other = api(&server, "GET", "/zstack/v1/vm-instances?q=name%3Dx&limit=1", &session, None).await;
    assert_eq!(uuids(&other), ["u0"], "other conditions are not evaluated");

    assert_eq!(api(&server, "GET", "/zstack/v1/vm-instances?limit=abc", &session, None).await.status, 400);

    // A dynamic reply can also page by hand.
    server.route(
        "GET",
        "/v1/zones",
        Reply::func(|req| {
            let start: usize = req.query_first("start").and_then(|s| s.parse().ok()).unwrap_or(0);
            query_reply(vec![json!({"uuid": format!("z{start}")})], req)
        }),
    );
    let resp = api(&server, "GET", "/zstack/v1/zones?start=0", &session, None).await;
    assert_eq!(uuids(&resp), ["z0"]);
}

#[tokio::test]
async fn shared_routes_pick_by_envelope() {
    let server = TestServer::start().await;
    let session = server.new_session();
    server.route_with_envelope("PUT", "/v1/vm-instances/{uuid}/actions", "startVmInstance", json!({"which": "start"}));
    server.route_with_envelope(
        "PUT",
        "/v1/vm-instances/{vmInstanceUuid}/actions",
        "stopVmInstance",
        json!({"which": "stop"}),
    );
    let target = "/zstack/v1/vm-instances/vm1/actions";
    let start = api(&server, "PUT", target, &session, Some(r#"{"startVmInstance":{}}"#)).await;
    assert_eq!(start.json(), json!({"which": "start"}));
    let stop = api(&server, "PUT", target, &session, Some(r#"{"stopVmInstance":{"type":"cold"}}"#)).await;
    assert_eq!(stop.json(), json!({"which": "stop"}));
    let neither = api(&server, "PUT", target, &session, Some(r#"{"rebootVmInstance":{}}"#)).await;
    assert_eq!((neither.status, neither.body.as_str()), (400, "the body doesn't contain action mapping to the URL"));
}

#[tokio::test]
async fn empty_context_path_and_shutdown() {
    let server = TestServer::builder().context_path("").start().await;
    assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    let session = server.new_session();
    server.route("GET", "/v1/zones", Reply::ok(json!({"inventories": []})));
    assert_eq!(api(&server, "GET", "/v1/zones", &session, None).await.status, 200);
    assert_eq!(api(&server, "GET", "/zstack/v1/zones", &session, None).await.status, 404);
    assert_eq!(server.requests()[0].raw_path, "/v1/zones");

    let addr = server.addr();
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed");
}

#[tokio::test]
async fn status_kinds_carry_no_content_type() {
    let server = TestServer::start().await;
    let session = server.new_session();
    server.route("GET", "/v1/a", Reply::ok(json!({})));
    server.route("GET", "/v1/b", Reply::error("SYS.1007", "invalid argument"));
    server.route("GET", "/v1/c", Reply::text(403, "forbidden"));
    server.route("GET", "/v1/d", Reply::func(|_| panic!("scripted panic")));
    for (path, status) in [("/v1/a", 200), ("/v1/b", 503), ("/v1/c", 403), ("/v1/d", 500), ("/v1/e", 404)] {
        // `call` asserts that no Content-Type came back.
        let resp = api(&server, "GET", &format!("/zstack{path}"), &session, None).await;
        assert_eq!(resp.status, status, "{path}");
    }
}
