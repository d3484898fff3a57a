//! Async jobs end to end: `202` + `location`, polling at the configured base,
//! job failures, expiry, poll timeouts, `submit()` and webhooks.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{ThingReply, api_requests, builder, is_job_id, polls, session_client};
use zstack_sdk::api::ReconnectBackupStorage;
use zstack_sdk::client::{Error, JobHandle, Submitted};
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{FOREIGN_JOB_PREFIX, JobOutcome, Reply, error_code};

const RECONNECT: &str = "/v1/backup-storage/{uuid}/actions";

/// Declared synchronous, but the MN may still answer `202`.
#[derive(Clone, Debug, zstack_sdk::Api)]
#[api(method = "PUT", path = "/things/{uuid}/actions", envelope = "touchThing", response = ThingReply)]
struct TouchThing {
    uuid: String,
}

#[tokio::test]
async fn accepted_job_is_polled_at_the_configured_base_until_done() {
    let (server, client, session) = session_client().await;
    assert!(FOREIGN_JOB_PREFIX.starts_with("http://10.0.0.99"), "location names a host the client must not use");
    server.route("PUT", RECONNECT, Reply::async_done(2, json!({"inventory": {"uuid": "bs", "name": "done"}})));

    let reply = client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    assert_eq!(reply.inventory.base().name.as_deref(), Some("done"));

    let requests = server.requests();
    let calls = api_requests(&requests);
    let polled = polls(&requests);
    assert_eq!(calls.len(), 1);
    assert_eq!(polled.len(), 3, "202 {{}}, 202 {{}}, then 200");
    let job_id = calls[0].job_uuid().unwrap();
    for poll in &polled {
        // Every poll reached this server (the configured base), at its job path.
        assert_eq!(poll.method, "GET");
        assert_eq!(poll.raw_path, format!("/v1/api-jobs/{job_id}"));
        assert_eq!(poll.header("x-json-schema"), Some("true"));
        assert_eq!(poll.job_uuid(), None, "no X-Job-UUID on polls");
        assert_eq!(poll.header("authorization"), Some(format!("OAuth {session}").as_str()));
        assert_eq!(poll.body, None);
    }
}

#[tokio::test]
async fn status_code_decides_not_the_async_flag() {
    let (server, client, _) = session_client().await;
    server.route("PUT", "/v1/things/{uuid}/actions", Reply::async_done(0, json!({"inventory": {"uuid": "t"}})));
    let reply = client.call(TouchThing { uuid: "t".into() }).await.unwrap();
    assert_eq!(reply.inventory.uuid.as_deref(), Some("t"));
    assert_eq!(polls(&server.requests()).len(), 1);
}

#[tokio::test]
async fn failed_job_is_an_api_error_with_its_cause_chain() {
    let (server, client, _) = session_client().await;
    let mut error = error_code("SYS.1006", "operation error", Some("reconnect failed"));
    error["cause"] = error_code("BS.1001", "backup storage error", Some("ssh: connection refused"));
    error["cause"]["cause"] = error_code("HOST.1003", "host unreachable", None);
    server.route("PUT", RECONNECT, Reply::async_failed(1, error));

    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    let job_id = server.requests()[0].job_uuid().unwrap().to_string();
    match &err {
        Error::Api { status, error, job_id: Some(id) } => {
            assert_eq!(*status, 503);
            assert_eq!(id, &job_id);
            assert_eq!(error.code.as_deref(), Some("SYS.1006"));
            let cause = error.cause.as_deref().unwrap();
            assert_eq!(cause.code.as_deref(), Some("BS.1001"));
            assert_eq!(cause.cause.as_deref().unwrap().code.as_deref(), Some("HOST.1003"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.has_code("HOST.1003") && err.has_code("BS.1001") && !err.has_code("SYS.1007"));
    assert_eq!(err.job_id(), Some(job_id.as_str()));
    // `Display` is the top-level error; `source()` walks the MN's cause chain.
    let shown = err.to_string();
    for part in ["503", &job_id, "SYS.1006", "reconnect failed"] {
        assert!(shown.contains(part), "{part} missing from {shown}");
    }
    assert!(!shown.contains("BS.1001"), "causes are reached through source(): {shown}");
    let chain = support::chain(&err);
    assert_eq!(chain.len(), 4, "{chain:?}");
    assert!(chain[1].starts_with("SYS.1006"), "{chain:?}");
    assert!(chain[2].starts_with("BS.1001") && chain[2].contains("ssh: connection refused"), "{chain:?}");
    assert!(chain[3].starts_with("HOST.1003"), "{chain:?}");
}

#[tokio::test]
async fn expired_job_is_job_expired() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::Async { polls: 1, outcome: JobOutcome::Expire });
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    let job_id = server.requests()[0].job_uuid().unwrap().to_string();
    assert!(matches!(&err, Error::JobExpired { job_id: id } if *id == job_id), "{err:?}");
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn poll_timeout_carries_the_job_id_and_counts_from_the_request() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::Async { polls: 0, outcome: JobOutcome::Never });
    let started = Instant::now();
    let err = client
        .call(ReconnectBackupStorage::new("bs"))
        .poll_interval(Duration::from_millis(40))
        .poll_timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    let took = started.elapsed();
    let job_id = server.requests()[0].job_uuid().unwrap().to_string();
    match &err {
        Error::PollTimeout { job_id: id, elapsed } => {
            assert_eq!(id, &job_id);
            assert!(*elapsed >= Duration::from_millis(300), "{elapsed:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(err.to_string().contains(&job_id));
    // First poll immediately, then every 40 ms within 300 ms: about 8 polls.
    let n = polls(&server.requests()).len();
    assert!((4..=10).contains(&n), "{n} polls");

    // The job can be picked up again by id.
    server.expire_job(&job_id);
    let handle = JobHandle::<ReconnectBackupStorage>::attach(&client, job_id.clone()).unwrap();
    assert_eq!(handle.job_id(), job_id);
    let err = handle.poll_once().await.unwrap_err();
    assert!(matches!(err, Error::JobExpired { .. }), "{err:?}");
}

#[tokio::test]
async fn backoff_spaces_polls_out() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::Async { polls: 0, outcome: JobOutcome::Never });
    let _ = client
        .call(ReconnectBackupStorage::new("bs"))
        .poll_interval(Duration::from_millis(20))
        .poll_backoff(Duration::from_millis(160))
        .poll_timeout(Duration::from_millis(400))
        .await
        .unwrap_err();
    // Waits 20, 40, 80, 160, 160 ... → 0, 20, 60, 140, 300, (400): at most 6 polls.
    let n = polls(&server.requests()).len();
    assert!((3..=6).contains(&n), "{n} polls");
}

#[tokio::test]
async fn submit_returns_a_handle_to_poll_later() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::async_done(1, json!({"inventory": {"name": "later"}})));
    let submitted = client.call(ReconnectBackupStorage::new("bs")).submit().await.unwrap();
    let job_id = server.requests()[0].job_uuid().unwrap().to_string();
    assert_eq!(submitted.job_id(), Some(job_id.as_str()));
    let Submitted::Pending(handle) = submitted else { panic!("expected a job") };
    assert!(polls(&server.requests()).is_empty(), "submit does not poll");
    assert!(is_job_id(handle.job_id()));
    assert!(format!("{handle:?}").contains(&job_id));

    assert!(handle.poll_once().await.unwrap().is_none(), "first poll: still running");
    let reply = handle.clone().wait().await.unwrap();
    assert_eq!(reply.inventory.base().name.as_deref(), Some("later"));
    assert_eq!(polls(&server.requests()).len(), 2);

    // A synchronous answer comes back as `Done`.
    server.route("PUT", RECONNECT, Reply::ok(json!({"inventory": {"name": "now"}})));
    let submitted = client.call(ReconnectBackupStorage::new("bs")).submit().await.unwrap();
    assert_eq!(submitted.job_id(), None);
    assert!(matches!(&submitted, Submitted::Done(r) if r.inventory.base().name.as_deref() == Some("now")));
    assert_eq!(submitted.wait().await.unwrap().inventory.base().name.as_deref(), Some("now"));
}

#[tokio::test]
async fn webhook_header_only_on_async_actions_and_polling_continues() {
    let server = zstack_sdk::test_server::TestServer::start().await;
    let session = server.new_session();
    let client =
        builder(&server).session(Secret::new(session)).webhook("http://127.0.0.1:9/hooks/zstack").build().unwrap();
    server.route("PUT", RECONNECT, Reply::async_done(0, json!({"inventory": {}})));
    server.route("PUT", "/v1/things/{uuid}/actions", Reply::ok(json!({"inventory": {}})));
    client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    client.call(TouchThing { uuid: "t".into() }).await.unwrap();

    let requests = server.requests();
    let calls = api_requests(&requests);
    assert_eq!(calls[0].header("x-web-hook"), Some("http://127.0.0.1:9/hooks/zstack"));
    assert_eq!(calls[1].header("x-web-hook"), None, "sync action");
    assert_eq!(polls(&requests).len(), 1, "polling stays on with a webhook");
    assert_eq!(polls(&requests)[0].header("x-web-hook"), None);
}

#[tokio::test]
async fn per_call_headers_and_job_id_follow_the_job() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::async_done(0, json!({"inventory": {}})));
    let mine = "fedcba9876543210fedcba9876543210";
    client.call(ReconnectBackupStorage::new("bs")).job_id(mine).header("X-Trace", "abc").await.unwrap();
    let requests = server.requests();
    assert_eq!(polls(&requests)[0].raw_path, format!("/v1/api-jobs/{mine}"));
    assert_eq!(polls(&requests)[0].header("x-trace"), Some("abc"));

    // Reusing it: the MN answers "Duplicate job uuid"; the job can be attached instead.
    let err = client.call(ReconnectBackupStorage::new("bs")).job_id(mine).await.unwrap_err();
    assert!(matches!(&err, Error::Http { status: 400, body_excerpt } if body_excerpt.contains("Duplicate")), "{err}");
    let reply = JobHandle::<ReconnectBackupStorage>::attach(&client, mine).unwrap().wait().await.unwrap();
    assert_eq!(reply.inventory.base().uuid, None);
}

#[tokio::test]
async fn a_202_without_location_polls_the_job_id_that_was_sent() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::Json(202, json!({"apiTimeout": 1000})));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    let requests = server.requests();
    let sent = requests[0].job_uuid().unwrap();
    assert_eq!(polls(&requests)[0].raw_path, format!("/v1/api-jobs/{sent}"));
    assert!(matches!(&err, Error::JobExpired { job_id } if job_id == sent), "{err:?}");
}
