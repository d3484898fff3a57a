//! Failure handling end to end: `503` ErrorCodes, plain-text protocol errors,
//! decode errors with JSON paths, transport errors and timeouts.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use std::time::Duration;

use serde_json::json;
use support::{ThingReply, builder, session_client};
use zstack_sdk::api::ReconnectBackupStorage;
use zstack_sdk::client::{Client, Error};
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::Reply;

const RECONNECT: &str = "/v1/backup-storage/{uuid}/actions";

#[derive(Clone, Debug, zstack_sdk::Api)]
#[api(method = "GET", path = "/things/{uuid}", response = ThingReply)]
struct GetThing {
    uuid: String,
}

#[tokio::test]
async fn sync_503_is_parsed_into_an_api_error() {
    let (server, client, _) = session_client().await;
    let error = json!({
        "code": "SYS.1007",
        "description": "invalid argument",
        "details": "the name is too long",
        "location": "ApiMessageInterceptor.java:120",
        "cost": "3ms",
        "opaque": {"k": [1, 2]},
        "messages": {"category": "SYS", "message_en": "bad"},
        "cause": {"code": "VM.1001", "description": "vm error", "details": "no such vm"},
        "causes": [{"code": "HOST.1003"}, {"code": "L3.1001", "details": "no ip"}],
        "someNewField": true
    });
    server.route("PUT", RECONNECT, Reply::error_value(error));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    let code = err.error_code().expect("an ErrorCode");
    assert_eq!(code.location.as_deref(), Some("ApiMessageInterceptor.java:120"));
    assert_eq!(code.cost.as_deref(), Some("3ms"));
    assert_eq!(code.opaque["k"], json!([1, 2]));
    assert!(code.messages.is_some());
    assert_eq!(code.causes.len(), 2);
    assert!(matches!(&err, Error::Api { status: 503, job_id: None, .. }), "{err:?}");
    for code in ["SYS.1007", "VM.1001", "HOST.1003", "L3.1001"] {
        assert!(err.has_code(code), "{code}");
    }
    assert!(!err.has_code("ID.1001") && !err.is_session_expired());
    assert_eq!(err.status(), Some(503));
    let shown = err.to_string();
    for part in ["HTTP 503", "SYS.1007", "invalid argument", "the name is too long"] {
        assert!(shown.contains(part), "{part} missing from {shown}");
    }
    // The causes (`cause`, then each of `causes`) are the `source()` chain.
    let chain = support::chain(&err).join(" | ");
    for part in ["VM.1001", "no such vm"] {
        assert!(chain.contains(part), "{part} missing from {chain}");
    }
}

#[tokio::test]
async fn unparsable_503_and_plain_text_errors_are_http_errors() {
    let (server, client, _) = session_client().await;
    server.route("PUT", RECONNECT, Reply::text(503, "Service Unavailable (proxy)"));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Http { status: 503, body_excerpt } if body_excerpt == "Service Unavailable (proxy)"),
        "{err:?}"
    );

    server.route("PUT", RECONNECT, Reply::Json(503, json!({"message": "no error member"})));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(&err, Error::Http { status: 503, body_excerpt } if body_excerpt.contains("no error member")));

    server.route("PUT", RECONNECT, Reply::text(400, "the body doesn't contain action mapping to the URL"));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.to_string(), "HTTP 400: the body doesn't contain action mapping to the URL");

    // Long bodies are cut to 512 characters.
    server.route("PUT", RECONNECT, Reply::text(500, "é".repeat(2000)));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    let Error::Http { status: 500, body_excerpt } = &err else { panic!("{err:?}") };
    assert_eq!(body_excerpt.chars().count(), 513);
    assert!(body_excerpt.ends_with('…'));

    // A path the MN does not know.
    let err = client.call(GetThing { uuid: "t".into() }).await.unwrap_err();
    assert!(matches!(&err, Error::Http { status: 404, body_excerpt } if body_excerpt.contains("no api mapping")));
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let (server, client, _) = session_client().await;
    server.route("GET", "/v1/things/{uuid}", Reply::ok(json!({"inventory": {"uuid": "t", "totalCapacity": "big"}})));
    let err = client.call(GetThing { uuid: "t".into() }).await.unwrap_err();
    match &err {
        Error::Decode { path, body_excerpt, .. } => {
            assert_eq!(path, "inventory.totalCapacity");
            assert!(body_excerpt.contains("\"big\""), "{body_excerpt}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("inventory.totalCapacity"), "{err}");

    server.route("GET", "/v1/things/{uuid}", Reply::text(200, "not json"));
    let err = client.call(GetThing { uuid: "t".into() }).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn connection_failures_are_transport_errors_without_secrets() {
    // A port that was free a moment ago: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let session = "5ec2e7ab5ec2e7ab5ec2e7ab5ec2e7ab";
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/zstack"))
        .no_proxy()
        .session(Secret::new(session))
        .build()
        .unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!err.is_timeout());
    assert!(err.to_string().starts_with("transport error"), "{err}");

    // LogOut puts the session id in its path; errors show only the route template.
    let err = client.logout().await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(session), "{shown}");
    assert!(shown.contains("sessionUuid"), "{shown}");
    assert!(client.session().is_some(), "kept after a transport error, so the logout can be retried");
}

#[tokio::test]
async fn request_timeout_is_a_transport_timeout() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}/zstack"))
        .no_proxy()
        .session(Secret::new("s"))
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    silent.abort();
}

#[tokio::test]
async fn config_errors_are_typed() {
    for bad in
        ["localhost:8080", "ftp://mn/zstack", "http://mn/zstack?x=1", "http://user:pw@mn/zstack", "http://mn/zstack/v1"]
    {
        let err = Client::new(bad).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("base URL")), "{bad}: {err}");
        assert!(!err.to_string().contains("pw"), "{err}");
    }
    let err = Client::builder().access_key("a:b", Secret::new("s")).build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    let err = Client::builder().page_size(0).build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));

    let (server, client, _) = session_client().await;
    let err = client.call(ReconnectBackupStorage::new("bs")).poll_interval(Duration::ZERO).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(server.requests().is_empty());
    let _ = builder(&server);
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_the_handshake() {
    let server = zstack_sdk::test_server::TestServer::start().await;
    let base = server.base_url().replacen("http://", "https://", 1);
    let client = Client::builder().base_url(base).no_proxy().session(Secret::new("s")).build().unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    // Even with verification off, a plain-HTTP peer is not a TLS server.
    let client = Client::builder()
        .base_url(server.base_url().replacen("http://", "https://", 1))
        .no_proxy()
        .danger_accept_invalid_certs(true)
        .session(Secret::new("s"))
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("danger_accept_invalid_certs: true"));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}
