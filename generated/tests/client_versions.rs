//! Version-aware calls against the test MN: the three policies, odd version
//! strings, a configured version and a failing version lookup.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use serde_json::json;
use support::builder;
use zstack_sdk::api::{CreateOvnControllerVm, QueryBackupStorage};
use zstack_sdk::client::{Client, Error, MnVersion, VersionPolicy};
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{Reply, TestServer};

/// An API of ZStack 4.0.0 with a param that came in 5.3.0.
#[derive(Clone, Debug, zstack_sdk::Api)]
#[api(method = "GET", path = "/things", since = "4.0.0", response = serde_json::Value)]
struct GetThings {
    name: Option<String>,
    #[api(since = "5.3.0")]
    color: Option<String>,
}

async fn server(version: &str) -> (TestServer, String) {
    let server = TestServer::builder().version(version).start().await;
    let session = server.new_session();
    server.route("GET", "/v1/things", Reply::ok(json!({"things": []})));
    server.route("POST", "/v1/ovn/instances", Reply::async_done(0, json!({"inventory": {}})));
    server.query_route("/v1/backup-storage", vec![]);
    (server, session)
}

fn client(server: &TestServer, session: &str, policy: VersionPolicy) -> Client {
    builder(server).session(Secret::new(session)).version_policy(policy).build().unwrap()
}

fn version_lookups(server: &TestServer) -> usize {
    server.requests().iter().filter(|r| r.path == "/v1/management-nodes/actions").count()
}

fn sent(server: &TestServer, path: &str) -> usize {
    server.requests().iter().filter(|r| r.path == path).count()
}

#[test]
fn the_5_3_20_api_knows_its_version() {
    use zstack_sdk::ApiRequest;
    assert_eq!(CreateOvnControllerVm::SINCE, Some("5.3.20"));
    let mut seen = Vec::new();
    GetThings { name: None, color: Some("red".into()) }.versioned_params(&mut |p, v| seen.push((p, v)));
    assert_eq!(seen, [("color", "5.3.0")]);
    let mut seen = Vec::new();
    GetThings { name: Some("n".into()), color: None }.versioned_params(&mut |p, v| seen.push((p, v)));
    assert!(seen.is_empty(), "unset params are not reported");
}

#[tokio::test]
async fn refuse_stops_a_newer_api_before_anything_is_sent() {
    let (server, session) = server("5.2.0").await;
    let client = client(&server, &session, VersionPolicy::Refuse);
    let err = client.call(CreateOvnControllerVm::new("ovn-1")).await.unwrap_err();
    match &err {
        Error::UnsupportedByMn { api, param, since, mn_version } => {
            assert_eq!((*api, *param, *since, mn_version.as_str()), ("CreateOvnControllerVm", None, "5.3.20", "5.2.0"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("needs ZStack 5.3.20") && err.to_string().contains("5.2.0"), "{err}");
    assert_eq!(sent(&server, "/v1/ovn/instances"), 0);

    // A newer param that is set is refused too; unset, the call goes out.
    let err = client.call(GetThings { name: None, color: Some("red".into()) }).await.unwrap_err();
    assert!(matches!(err, Error::UnsupportedByMn { param: Some("color"), since: "5.3.0", .. }), "{err:?}");
    client.call(GetThings { name: Some("n".into()), color: None }).await.unwrap();
    client.call(QueryBackupStorage::new()).await.unwrap();
    assert_eq!(sent(&server, "/v1/things"), 1);
    assert_eq!(version_lookups(&server), 1, "the version is asked once per client");
}

#[tokio::test]
async fn warn_sends_and_off_never_asks() {
    let (server, session) = server("5.2.0").await;
    let warn = client(&server, &session, VersionPolicy::Warn);
    for _ in 0..3 {
        warn.call(GetThings { name: None, color: Some("red".into()) }).await.unwrap();
    }
    assert_eq!(sent(&server, "/v1/things"), 3);
    assert_eq!(version_lookups(&server), 1);

    let (server, session) = server_for_off().await;
    let off = client(&server, &session, VersionPolicy::Off);
    off.call(GetThings { name: None, color: Some("red".into()) }).await.unwrap();
    assert_eq!(version_lookups(&server), 0, "Off never asks the MN");
}

/// Another server, reporting 3.0.1.
async fn server_for_off() -> (TestServer, String) {
    server("3.0.1").await
}

#[tokio::test]
async fn odd_version_strings() {
    for (reported, allowed) in [("5.3.20", true), ("4.8.0.1", false), ("5.3.28-SNAPSHOT", true), ("5.3", false)] {
        let (server, session) = server(reported).await;
        let client = client(&server, &session, VersionPolicy::Refuse);
        let result = client.call(GetThings { name: None, color: Some("red".into()) }).await;
        assert_eq!(result.is_ok(), reported != "4.8.0.1", "{reported}: {result:?}");
        let result = client.call(CreateOvnControllerVm::new("ovn-1")).await;
        assert_eq!(result.is_ok(), allowed, "{reported}: {result:?}");
        assert_eq!(client.mn_version().await.unwrap().as_str(), reported);
    }

    // Garbage: Refuse cannot check, so it refuses with the reason; Warn sends.
    let (server, session) = server("garbage").await;
    let refuse = client(&server, &session, VersionPolicy::Refuse);
    let err = refuse.call(GetThings { name: None, color: None }).await.unwrap_err();
    assert!(matches!(&err, Error::VersionUnknown(inner) if matches!(**inner, Error::Protocol(_))), "{err:?}");
    let warn = client(&server, &session, VersionPolicy::Warn);
    warn.call(GetThings { name: None, color: None }).await.unwrap();
}

#[tokio::test]
async fn a_failing_lookup_is_retried_later_and_a_configured_version_asks_nothing() {
    let (server, session) = server("5.2.0").await;
    let broken = server.route_with_envelope(
        "PUT",
        "/v1/management-nodes/actions",
        "getVersion",
        Reply::error("SYS.1000", "internal error"),
    );
    let broken = broken.needs_session(false);
    let client = client(&server, &session, VersionPolicy::Refuse);
    let err = client.call(GetThings { name: None, color: None }).await.unwrap_err();
    assert!(matches!(&err, Error::VersionUnknown(inner) if inner.has_code("SYS.1000")), "{err:?}");
    assert_eq!(sent(&server, "/v1/things"), 0);
    broken.remove();
    client.call(GetThings { name: None, color: None }).await.unwrap();
    assert_eq!(client.mn_version().await.unwrap(), MnVersion::parse("5.2").unwrap());

    let (pinned_server, session) = server_for_off().await;
    let pinned = builder(&pinned_server)
        .session(Secret::new(session))
        .version_policy(VersionPolicy::Refuse)
        .mn_version("5.2.0")
        .build()
        .unwrap();
    assert!(matches!(pinned.call(CreateOvnControllerVm::new("x")).await, Err(Error::UnsupportedByMn { .. })));
    assert_eq!(version_lookups(&pinned_server), 0, "a configured version is never asked");
    assert!(matches!(Client::builder().mn_version("latest").build(), Err(Error::Config(_))));
}
