//! Every seed endpoint end to end over HTTP against the loopback double:
//! the client sends the doc page's SDK-sample values through the generated
//! client methods; the double records the request, which must carry exactly
//! the wire form of `fixtures/seeds/requests.json` (method, encoded path,
//! query set, headers, JSON body); the doc's response sample (or `{}`) comes
//! back, synchronously or through a job poll, and decodes into the typed result.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use zstack_sdk::ApiRequest;
use zstack_sdk::api::*;
use zstack_sdk::client::{Client, Error};
use zstack_sdk::runtime::query::Condition;
use zstack_sdk::runtime::secret::{Password, Secret};
use zstack_sdk::test_server::{RecordedRequest, Reply, TestServer};

const REQUESTS: &str = include_str!("fixtures/seeds/requests.json");

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn s(input: &Value, key: &str) -> String {
    input[key].as_str().unwrap_or_else(|| panic!("input `{key}`")).to_string()
}

fn opt(input: &Value, key: &str) -> Option<String> {
    input.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The route template of a seed API (so the double answers it).
fn route(api: &str) -> (&'static str, &'static str) {
    match api {
        "DeletePluginDrivers" => (DeletePluginDrivers::METHOD.as_str(), DeletePluginDrivers::PATH),
        "RefreshPluginDrivers" => (RefreshPluginDrivers::METHOD.as_str(), RefreshPluginDrivers::PATH),
        "DeleteBackupStorage" => (DeleteBackupStorage::METHOD.as_str(), DeleteBackupStorage::PATH),
        "QueryBackupStorage" => (QueryBackupStorage::METHOD.as_str(), QueryBackupStorage::PATH),
        "ReconnectBackupStorage" => (ReconnectBackupStorage::METHOD.as_str(), ReconnectBackupStorage::PATH),
        "CreateResourceAttributeKey" => (CreateResourceAttributeKey::METHOD.as_str(), CreateResourceAttributeKey::PATH),
        "DeleteResourceAttributeKey" => (DeleteResourceAttributeKey::METHOD.as_str(), DeleteResourceAttributeKey::PATH),
        "UpdateResourceAttributeKey" => (UpdateResourceAttributeKey::METHOD.as_str(), UpdateResourceAttributeKey::PATH),
        "CreateAccount" => (CreateAccount::METHOD.as_str(), CreateAccount::PATH),
        "DeleteAccount" => (DeleteAccount::METHOD.as_str(), DeleteAccount::PATH),
        "UpdateAccount" => (UpdateAccount::METHOD.as_str(), UpdateAccount::PATH),
        "DetachIsoFromVmInstance" => (DetachIsoFromVmInstance::METHOD.as_str(), DetachIsoFromVmInstance::PATH),
        other => panic!("unknown seed API {other}"),
    }
}

/// Call one seed API with the client's generated methods; returns the uuid
/// of the typed result's (first) inventory, or `None` for `{}` results.
async fn call(client: &Client, api: &str, input: &Value) -> Result<Option<String>, Error> {
    Ok(match api {
        "DeletePluginDrivers" => {
            let mut c = client.delete_plugin_drivers(s(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                c = c.delete_mode(mode);
            }
            c.send().await?;
            None
        }
        "RefreshPluginDrivers" => {
            client.refresh_plugin_drivers(s(input, "name")).send().await?;
            None
        }
        "DeleteBackupStorage" => {
            let mut c = client.delete_backup_storage(s(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                c = c.delete_mode(mode);
            }
            c.send().await?;
            None
        }
        "QueryBackupStorage" => {
            let mut c = client.query_backup_storage();
            for cond in input["conditions"].as_array().into_iter().flatten() {
                let (field, value) = cond.as_str().and_then(|c| c.split_once('=')).unwrap();
                c = c.filter(Condition::eq(field, value));
            }
            let reply = c.send().await?;
            reply.inventories.first().and_then(|i| i.base().uuid.clone())
        }
        "ReconnectBackupStorage" => {
            client.reconnect_backup_storage(s(input, "uuid")).send().await?.inventory.base().uuid.clone()
        }
        "CreateResourceAttributeKey" => {
            client.create_resource_attribute_key(s(input, "name")).send().await?.inventory.uuid
        }
        "DeleteResourceAttributeKey" => {
            let mut c = client.delete_resource_attribute_key(s(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                c = c.delete_mode(mode);
            }
            c.send().await?;
            None
        }
        "UpdateResourceAttributeKey" => {
            let c = client.update_resource_attribute_key(s(input, "uuid")).description(s(input, "description"));
            c.send().await?.inventory.uuid
        }
        "CreateAccount" => {
            let c = client.create_account(s(input, "name"), Password::plain(&s(input, "password")));
            c.state(s(input, "state")).send().await?.inventory.uuid
        }
        "DeleteAccount" => {
            let mut c = client.delete_account(s(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                c = c.delete_mode(mode);
            }
            c.send().await?;
            None
        }
        "UpdateAccount" => {
            let c = client.update_account(s(input, "uuid")).password(Password::plain(&s(input, "password")));
            c.name(s(input, "name")).send().await?.inventory.uuid
        }
        "DetachIsoFromVmInstance" => {
            let mut c = client.detach_iso_from_vm_instance(s(input, "vmInstanceUuid"));
            if let Some(iso) = opt(input, "isoUuid") {
                c = c.iso_uuid(iso);
            }
            c.send().await?.inventory.base().uuid.clone()
        }
        other => panic!("unknown seed API {other}"),
    })
}

fn expected_query(expected: &Value) -> BTreeSet<(String, String)> {
    expected["query"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string()))
        .collect()
}

fn assert_wire(id: &str, request: &RecordedRequest, expected: &Value) {
    assert_eq!(request.method, expected["method"], "{id}: method");
    assert_eq!(request.raw_path, format!("/v1{}", expected["path"].as_str().unwrap()), "{id}: encoded path");
    assert_eq!(request.query_set(), expected_query(expected), "{id}: query");
    for (name, value) in expected["headers"].as_object().unwrap() {
        assert_eq!(request.header(name), value.as_str(), "{id}: header {name}");
    }
    for name in expected["headers_absent"].as_array().unwrap() {
        assert_eq!(request.header(name.as_str().unwrap()), None, "{id}: header {name} must be absent");
    }
    assert_eq!(request.json().unwrap_or(Value::Null), expected["body"], "{id}: body");
    assert!(support::is_job_id(request.header("x-job-uuid").unwrap_or_default()), "{id}: X-Job-UUID");
}

#[tokio::test]
async fn every_seed_endpoint_round_trips_with_the_protocol_wire_form() {
    let doc: Value = serde_json::from_str(REQUESTS).unwrap();
    let cases = doc["requests"].as_array().unwrap().iter().chain(doc["extra_requests"].as_array().unwrap());
    let mut apis = BTreeSet::new();
    for case in cases {
        let (id, api) = (case["id"].as_str().unwrap(), case["api"].as_str().unwrap());
        let server = TestServer::start().await;
        let body = case["response_fixture"].as_str().map_or_else(|| serde_json::json!({}), fixture);
        let reply =
            if case["async"].as_bool().unwrap() { Reply::async_done(1, body.clone()) } else { Reply::ok(body.clone()) };
        let (method, path) = route(api);
        // The doc's own session id, so the Authorization header is checked verbatim.
        server.route(method, &format!("/v1{path}"), reply).needs_session(false);
        let session = Secret::new(case["session_id"].as_str().unwrap());
        let client = support::builder(&server).session(session).build().unwrap();

        let got = call(&client, api, &case["input"]).await.unwrap_or_else(|e| panic!("{id}: {e}"));

        let requests = server.requests();
        let sent = support::api_requests(&requests);
        assert_eq!(sent.len(), 1, "{id}: one API request");
        assert_wire(id, sent[0], &case["expected"]);
        let polls = support::polls(&requests);
        assert_eq!(!polls.is_empty(), case["async"].as_bool().unwrap(), "{id}: polled iff async");
        let want = body["inventory"]["uuid"].as_str().or(body["inventories"][0]["uuid"].as_str());
        assert_eq!(got.as_deref(), want, "{id}: typed result");
        apis.insert(api.to_string());
    }
    assert_eq!(apis.len(), 12, "{apis:?}");
}
