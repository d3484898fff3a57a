//! Every seed endpoint, built from its doc page's SDK-sample values with the
//! generated types, produces exactly the wire form the protocol RULEs give
//! (`fixtures/seeds/requests.json`): method, path, query (as a set) and body
//! (as a JSON value).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use zstack_sdk::api::*;
use zstack_sdk::runtime::query::{Condition, QueryRequest};
use zstack_sdk::runtime::secret::Password;
use zstack_sdk::{ApiRequest, WireRequest};

const REQUESTS: &str = include_str!("fixtures/seeds/requests.json");

fn text(input: &Value, key: &str) -> String {
    input[key].as_str().unwrap_or_else(|| panic!("input `{key}` missing")).to_string()
}

fn opt(input: &Value, key: &str) -> Option<String> {
    input.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The doc samples write conditions as `field=value`.
fn conditions(input: &Value) -> Vec<Condition> {
    input["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let (field, value) = c.as_str().and_then(|c| c.split_once('=')).expect("field=value condition");
            Condition::eq(field, value)
        })
        .collect()
}

/// Build the typed request for one sample and return its wire form.
fn build(api: &str, input: &Value) -> WireRequest {
    let wire = match api {
        "DeletePluginDrivers" => {
            let mut r = DeletePluginDrivers::new(text(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                r = r.delete_mode(mode);
            }
            r.to_wire()
        }
        "RefreshPluginDrivers" => RefreshPluginDrivers::new(text(input, "name")).to_wire(),
        "DeleteBackupStorage" => {
            let mut r = DeleteBackupStorage::new(text(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                r = r.delete_mode(mode);
            }
            r.to_wire()
        }
        "QueryBackupStorage" => {
            conditions(input).into_iter().fold(QueryBackupStorage::new(), |q, c| q.filter(c)).to_wire()
        }
        "ReconnectBackupStorage" => ReconnectBackupStorage::new(text(input, "uuid")).to_wire(),
        "CreateResourceAttributeKey" => CreateResourceAttributeKey::new(text(input, "name")).to_wire(),
        "DeleteResourceAttributeKey" => {
            let mut r = DeleteResourceAttributeKey::new(text(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                r = r.delete_mode(mode);
            }
            r.to_wire()
        }
        "UpdateResourceAttributeKey" => {
            UpdateResourceAttributeKey::new(text(input, "uuid")).description(text(input, "description")).to_wire()
        }
        "CreateAccount" => CreateAccount::new(text(input, "name"), Password::plain(&text(input, "password")))
            .state(text(input, "state"))
            .to_wire(),
        "DeleteAccount" => {
            let mut r = DeleteAccount::new(text(input, "uuid"));
            if let Some(mode) = opt(input, "deleteMode") {
                r = r.delete_mode(mode);
            }
            r.to_wire()
        }
        "UpdateAccount" => UpdateAccount::new(text(input, "uuid"))
            .password(Password::plain(&text(input, "password")))
            .name(text(input, "name"))
            .to_wire(),
        "DetachIsoFromVmInstance" => {
            let mut r = DetachIsoFromVmInstance::new(text(input, "vmInstanceUuid"));
            if let Some(iso) = opt(input, "isoUuid") {
                r = r.iso_uuid(iso);
            }
            r.to_wire()
        }
        other => panic!("no builder for seed API {other}"),
    };
    wire.unwrap_or_else(|e| panic!("{api}: {e}"))
}

fn query_set(pairs: &[(String, String)]) -> BTreeSet<(String, String)> {
    pairs.iter().cloned().collect()
}

fn expected_query(expected: &Value) -> BTreeSet<(String, String)> {
    expected["query"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| (pair[0].as_str().unwrap().to_string(), pair[1].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn every_seed_request_matches_the_protocol_wire_form() {
    let doc: Value = serde_json::from_str(REQUESTS).unwrap();
    let cases: Vec<&Value> =
        doc["requests"].as_array().unwrap().iter().chain(doc["extra_requests"].as_array().unwrap()).collect();
    let mut apis = BTreeSet::new();
    for case in cases {
        let (id, api) = (case["id"].as_str().unwrap(), case["api"].as_str().unwrap());
        let expected = &case["expected"];
        let wire = build(api, &case["input"]);
        assert_eq!(wire.method.as_str(), expected["method"], "{id}: method");
        assert_eq!(wire.path, expected["path"], "{id}: path");
        assert_eq!(query_set(&wire.query), expected_query(expected), "{id}: query");
        assert_eq!(wire.body.clone().unwrap_or(Value::Null), expected["body"], "{id}: body");
        assert_eq!(wire.path_and_query(), expected["path_and_query"], "{id}: encoded path and query");
        apis.insert(api.to_string());
    }
    assert_eq!(apis.len(), 12, "all 12 seed APIs are covered: {apis:?}");
}

#[test]
fn route_constants_match_the_spec() {
    let routes: BTreeMap<&str, (&str, &str, Option<&str>, bool)> = [
        (
            DeletePluginDrivers::ACTION,
            (
                DeletePluginDrivers::METHOD.as_str(),
                DeletePluginDrivers::PATH,
                DeletePluginDrivers::ENVELOPE,
                DeletePluginDrivers::ASYNC,
            ),
        ),
        (
            ReconnectBackupStorage::ACTION,
            (
                ReconnectBackupStorage::METHOD.as_str(),
                ReconnectBackupStorage::PATH,
                ReconnectBackupStorage::ENVELOPE,
                ReconnectBackupStorage::ASYNC,
            ),
        ),
        (
            CreateAccount::ACTION,
            (CreateAccount::METHOD.as_str(), CreateAccount::PATH, CreateAccount::ENVELOPE, CreateAccount::ASYNC),
        ),
        (
            QueryBackupStorage::ACTION,
            (
                QueryBackupStorage::METHOD.as_str(),
                QueryBackupStorage::PATH,
                QueryBackupStorage::ENVELOPE,
                QueryBackupStorage::ASYNC,
            ),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(routes["DeletePluginDrivers"], ("DELETE", "/external/plugins/{uuid}", None, false));
    assert_eq!(
        routes["ReconnectBackupStorage"],
        ("PUT", "/backup-storage/{uuid}/actions", Some("reconnectBackupStorage"), true)
    );
    assert_eq!(routes["CreateAccount"], ("POST", "/accounts", Some("params"), true));
    assert_eq!(routes["QueryBackupStorage"], ("GET", "/backup-storage", None, false));
}

#[test]
fn passwords_go_out_as_sha512_digests_and_never_in_debug() {
    let request = CreateAccount::new("test", Password::plain("password"));
    let body = request.to_wire().unwrap().body.unwrap();
    let digest = body["params"]["password"].as_str().unwrap();
    assert_eq!(digest.len(), 128);
    assert!(digest.starts_with("b109f3bbbc244eb8"), "{digest}");
    let debug = format!("{request:?}");
    assert!(!debug.contains(digest) && !debug.contains("\"password\""), "{debug}");
}

#[test]
fn invalid_values_are_refused_before_sending() {
    let err = DeleteAccount::new("u").delete_mode("Lazy").to_wire().unwrap_err();
    assert_eq!((err.api, err.field.as_str()), ("DeleteAccount", "deleteMode"));
    let err = CreateAccount::new("x".repeat(256), Password::plain("p")).to_wire().unwrap_err();
    assert_eq!(err.field, "name");
    let err = ReconnectBackupStorage::new("").to_wire().unwrap_err();
    assert_eq!(err.field, "uuid");
    let err = QueryBackupStorage::new().filter(Condition::eq("name", "a=b")).to_wire().unwrap_err();
    assert_eq!(err.field, "q");
}

#[test]
fn typed_query_fields_and_the_string_escape_hatch() {
    use zstack_sdk::types::BackupStorageInventory as Bs;
    let wire = QueryBackupStorage::new()
        .filter(Bs::NAME.like("ceph%"))
        .filter(Bs::TOTAL_CAPACITY.ge(1_073_741_824i64))
        .filter(Bs::STATE.is_in(["Enabled", "Maintenance"]))
        .filter(Condition::eq("__systemTag__", "k::v"))
        .to_wire()
        .unwrap();
    let q: Vec<&str> = wire.query.iter().filter(|(k, _)| k == "q").map(|(_, v)| v.as_str()).collect();
    assert_eq!(q, ["name~=ceph%", "totalCapacity>=1073741824", "state?=Enabled,Maintenance", "__systemTag__=k::v"]);
    assert_eq!(Bs::CREATE_DATE.name(), "createDate");
}
