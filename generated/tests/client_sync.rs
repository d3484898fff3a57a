//! Synchronous calls end to end against the test MN: URL, headers, bodies,
//! per-call overrides and pre-send validation.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use std::collections::HashSet;
use std::time::Duration;
use zstack_sdk::prelude::*;

use serde_json::json;
use support::{Thing, ThingReply, builder, is_job_id, session_client};
use zstack_sdk::api::{
    AddCephBackupStorage, AddDisasterImageStoreBackupStorage, ChangeBackupStorageState, CreateAccount,
    DeleteBackupStorage, ReconnectBackupStorage,
};
use zstack_sdk::client::{Call, Client, Error};
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{Reply, TestServer};
use zstack_sdk::types::{CreateAccountType, DeleteMode, StateEvent};

/// A POST with the `params` envelope.
#[derive(Clone, Debug, zstack_sdk::Api)]
#[api(method = "POST", path = "/things", envelope = "params", response = ThingReply)]
struct CreateThing {
    name: String,
    #[api(rename = "systemTags")]
    system_tags: Vec<String>,
    description: Option<String>,
}

/// A GET that needs no session and decodes untyped JSON.
#[derive(Clone, Debug, Default, zstack_sdk::Api)]
#[api(method = "GET", path = "/management-nodes/things/{name}", session = false, response = serde_json::Value)]
struct GetThing {
    name: String,
    tag: Vec<String>,
}

#[tokio::test]
async fn post_sends_envelope_headers_and_decodes_the_typed_result() {
    let (server, client, session) = session_client().await;
    server.route(
        "POST",
        "/v1/things",
        Reply::ok(json!({"inventory": {"uuid": "t1", "name": "web", "totalCapacity": 1.073741824E9}, "schema": {}})),
    );
    let request = CreateThing { name: "web".into(), system_tags: vec!["a::b".into()], description: None };
    let reply = client.call(request).await.unwrap();
    assert_eq!(
        reply.inventory,
        Thing { uuid: Some("t1".into()), name: Some("web".into()), total_capacity: Some(1_073_741_824) }
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!((req.method.as_str(), req.raw_path.as_str()), ("POST", "/v1/things"));
    assert_eq!(req.raw_query, None);
    assert_eq!(req.json().unwrap(), json!({"params": {"name": "web", "systemTags": ["a::b"]}}));
    assert_eq!(req.body.as_deref(), Some(r#"{"params":{"name":"web","systemTags":["a::b"]}}"#), "compact JSON");
    assert_eq!(req.header("content-type"), Some("application/json;charset=UTF-8"));
    assert_eq!(req.header("x-json-schema"), Some("true"));
    assert!(is_job_id(req.job_uuid().unwrap()), "{:?}", req.job_uuid());
    assert_eq!(req.header("authorization"), Some(format!("OAuth {session}").as_str()));
    assert_eq!(req.header("x-api-timeout"), None);
    assert_eq!(req.header("x-web-hook"), None);
    assert!(req.header("user-agent").unwrap().starts_with("zstack-sdk-rust/"));
}

#[tokio::test]
async fn get_and_delete_carry_a_query_and_no_body_or_content_type() {
    let (server, client, _) = session_client().await;
    server
        .route("GET", "/v1/management-nodes/things/{name}", Reply::ok(json!({"version": "4.8.0"})))
        .needs_session(false);
    server.route("DELETE", "/v1/backup-storage/{uuid}", Reply::ok(json!({"schema": {}})));

    let value = client.call(GetThing { name: "a b+c".into(), tag: vec!["x y".into(), "1+1".into()] }).await.unwrap();
    assert_eq!(value["version"], "4.8.0");
    let request = DeleteBackupStorage::new("bs-1").delete_mode("Enforcing").system_tags(["k::v"]);
    client.call(request).await.unwrap();

    let requests = server.requests();
    let get = &requests[0];
    assert_eq!(get.raw_path, "/v1/management-nodes/things/a%20b%2Bc");
    assert_eq!(get.path, "/v1/management-nodes/things/a b+c");
    assert_eq!(get.raw_query.as_deref(), Some("tag=x%20y&tag=1%2B1"));
    assert_eq!((get.body.as_deref(), get.header("content-type")), (None, None));
    assert_eq!(get.header("authorization"), None, "session = false sends no Authorization");
    assert_eq!(get.header("x-json-schema"), Some("true"));

    let delete = &requests[1];
    assert_eq!(delete.method, "DELETE");
    assert_eq!(delete.raw_path, "/v1/backup-storage/bs-1");
    assert_eq!(delete.raw_query.as_deref(), Some("deleteMode=Enforcing&systemTags=k%3A%3Av"));
    assert_eq!((delete.body.as_deref(), delete.header("content-type")), (None, None));
    assert!(delete.header("authorization").unwrap().starts_with("OAuth "));
}

#[tokio::test]
async fn every_request_gets_a_fresh_job_id_unless_one_is_given() {
    let (server, client, _) = session_client().await;
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(json!({"inventory": {"uuid": "bs"}})));
    for _ in 0..5 {
        client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    }
    let mine = "0123456789abcdef0123456789abcdef";
    client
        .call(ReconnectBackupStorage::new("bs"))
        .job_id(mine)
        .api_timeout(Duration::from_secs(90))
        .send()
        .await
        .unwrap();

    let requests = server.requests();
    let ids: HashSet<&str> = requests.iter().map(|r| r.job_uuid().unwrap()).collect();
    assert_eq!(ids.len(), 6, "job ids are unique");
    assert!(ids.iter().all(|id| is_job_id(id)));
    let last = requests.last().unwrap();
    assert_eq!(last.job_uuid(), Some(mine));
    assert_eq!(last.header("x-api-timeout"), Some("90"));
    assert_eq!(last.json().unwrap(), json!({"reconnectBackupStorage": {}}), "the envelope is always present");
}

#[tokio::test]
async fn bad_job_ids_and_invalid_requests_fail_before_any_io() {
    let (server, client, _) = session_client().await;
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(json!({})));
    for bad in ["0123456789ABCDEF0123456789ABCDEF", "01234567-89ab-cdef-0123-456789abcdef", "short"] {
        let err = client.call(ReconnectBackupStorage::new("bs")).job_id(bad).await.unwrap_err();
        match err {
            Error::InvalidRequest(e) => assert_eq!(e.field, "X-Job-UUID"),
            other => panic!("{other:?}"),
        }
    }
    // An empty path param is refused by `to_wire`.
    let err = client.call(ReconnectBackupStorage::new("")).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(e) if e.field == "uuid"), "{err:?}");
    // So is a value outside `valid_values`.
    let err = client.call(DeleteBackupStorage::new("bs").delete_mode("permissive")).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(e) if e.field == "deleteMode"), "{err:?}");
    // The catalog's range, length and empty-string constraints.
    let disaster = || AddDisasterImageStoreBackupStorage::new("h", "root", "pw", "/bs", "bs");
    // Request structs are `non_exhaustive`: change a field of a built one.
    let with = |change: fn(&mut AddDisasterImageStoreBackupStorage)| {
        let mut request = disaster();
        change(&mut request);
        request
    };
    let cases: [(AddDisasterImageStoreBackupStorage, &str, &str); 3] = [
        (disaster().ssh_port(70000), "sshPort", "must be between 1 and 65535, got 70000"),
        (with(|r| r.hostname = String::new()), "hostname", "must not be an empty string"),
        (with(|r| r.name = "n".repeat(256)), "name", "must be at most 255 characters, got 256"),
    ];
    for (request, field, reason) in cases {
        let err = client.call(request).await.unwrap_err();
        let Error::InvalidRequest(e) = &err else { panic!("{err:?}") };
        assert_eq!((e.api, e.field.as_str(), e.reason.as_str()), ("AddDisasterImageStoreBackupStorage", field, reason));
    }
    assert!(server.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn enum_params_send_their_wire_value_and_refuse_other_values_before_io() {
    let (server, client, _) = session_client().await;
    server.route("DELETE", "/v1/backup-storage/{uuid}", Reply::ok(json!({})));
    server.route("POST", "/v1/accounts", Reply::ok(json!({"inventory": {"uuid": "a"}})));
    // A variant and its wire string build the same request: a spec enum
    // (`DeleteMode`) and a value-set enum (`CreateAccountType`).
    let delete = DeleteBackupStorage::new("bs").delete_mode(DeleteMode::Enforcing);
    assert_eq!(delete, DeleteBackupStorage::new("bs").delete_mode("Enforcing"));
    client.call(delete).await.unwrap();
    let create = CreateAccount::new("n", Password::plain("pw")).type_(CreateAccountType::Normal);
    assert_eq!(create, CreateAccount::new("n", Password::plain("pw")).type_(String::from("Normal")));
    client.call(create).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].raw_query.as_deref(), Some("deleteMode=Enforcing"));
    assert_eq!(requests[1].json().unwrap()["params"]["type"], "Normal");
    // A required one, through `new`.
    let body = ChangeBackupStorageState::new("bs", StateEvent::Disable).to_wire().unwrap().body.unwrap();
    assert_eq!(body, json!({"changeBackupStorageState": {"stateEvent": "disable"}}));

    // A string outside the set is kept as `Unknown` and refused before any I/O.
    server.clear_requests();
    let bogus = DeleteBackupStorage::new("bs").delete_mode("Lenient");
    assert_eq!(bogus.delete_mode, Some(DeleteMode::Unknown("Lenient".into())));
    let err = client.call(bogus).await.unwrap_err();
    let Error::InvalidRequest(e) = &err else { panic!("{err:?}") };
    assert_eq!(
        (e.field.as_str(), e.reason.as_str()),
        ("deleteMode", r#"must be one of Permissive, Enforcing, got "Lenient""#)
    );
    let bogus = CreateAccount::new("n", Password::plain("pw")).type_(CreateAccountType::Unknown("Root".into()));
    let err = client.call(bogus).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(e) if e.field == "type"), "{err:?}");
    assert!(server.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn required_lists_are_sent_even_when_empty() {
    let (server, client, _) = session_client().await;
    server.route("POST", "/v1/backup-storage/ceph", Reply::ok(json!({"inventory": {"uuid": "c"}})));
    client.call(AddCephBackupStorage::new(Vec::<String>::new(), "ceph")).await.unwrap();
    let body = server.requests()[0].json().unwrap();
    assert_eq!(body, json!({"params": {"monUrls": [], "name": "ceph"}}));
}

#[tokio::test]
async fn session_apis_need_credentials() {
    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(&err, Error::Config(m) if m.contains("needs credentials")), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn extra_headers_map_request_mut_and_explicit_call() {
    let (server, _, session) = session_client().await;
    let client = builder(&server).session(Secret::new(session)).header("X-Tenant", "blue").build().unwrap();
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(json!({"inventory": {"uuid": "bs-2"}})));

    let mut call = Call::new(&client, ReconnectBackupStorage::new("bs-1")).header("X-Trace", "t-1");
    call.request_mut().uuid = "bs-2".into();
    let call = call.map(|r| r.system_tags(["s1"]));
    assert_eq!(call.request().system_tags, vec!["s1".to_string()]);
    let reply = call.send().await.unwrap();
    assert_eq!(reply.inventory.base().uuid.as_deref(), Some("bs-2"));

    let req = &server.requests()[0];
    assert_eq!(req.raw_path, "/v1/backup-storage/bs-2/actions");
    assert_eq!(req.json().unwrap(), json!({"reconnectBackupStorage": {"systemTags": ["s1"]}}));
    assert_eq!((req.header("x-tenant"), req.header("x-trace")), (Some("blue"), Some("t-1")));

    let err = client.call(ReconnectBackupStorage::new("bs")).header("Authorization", "x").await.unwrap_err();
    assert!(matches!(&err, Error::Config(m) if m.contains("cannot be overridden")), "{err}");
}

#[tokio::test]
async fn empty_context_path_and_trailing_slash_base() {
    let server = TestServer::builder().context_path("").start().await;
    let session = server.new_session();
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(json!({"inventory": {}})));
    let client = Client::builder()
        .base_url(format!("{}/", server.base_url()))
        .no_proxy()
        .session(Secret::new(session))
        .build()
        .unwrap();
    assert!(!client.base_url().ends_with('/'));
    client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    assert_eq!(server.requests()[0].raw_path, "/v1/backup-storage/bs/actions");
}

#[tokio::test]
async fn async_actions_answered_with_200_are_decoded_directly() {
    let (server, client, _) = session_client().await;
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(json!({"inventory": {"name": "now"}})));
    let reply = client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    assert_eq!(reply.inventory.base().name.as_deref(), Some("now"));
    assert_eq!(server.requests().len(), 1, "no poll after a 200");
}

#[test]
fn calls_streams_and_errors_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
    let client = Client::builder().build().unwrap();
    let send = client.call(ReconnectBackupStorage::new("bs")).send();
    assert_send(&send);
    let into = std::future::IntoFuture::into_future(client.call(ReconnectBackupStorage::new("bs")));
    assert_send(&into);
    let stream = client.call(zstack_sdk::api::QueryBackupStorage::new()).stream();
    assert_send(&stream);
    let submit = client.call(ReconnectBackupStorage::new("bs")).submit();
    assert_send(&submit);
}
