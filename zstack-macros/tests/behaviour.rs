//! The derive against the real `zstack_sdk` runtime.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use zstack_sdk::runtime::plumbing::wire::QueryPairs;
use zstack_sdk::{Api, ApiRequest, InvalidRequest, Method, WireRequest};

#[derive(Api)]
#[api(method = "PUT", path = "/backup-storage/{uuid}/actions", envelope = "reconnectBackupStorage",
      response = Value, async, polymorphic)]
struct ReconnectBackupStorage {
    uuid: String,
    #[api(rename = "systemTags")]
    system_tags: Vec<String>,
    #[api(rename = "deleteMode", one_of("Permissive", "Enforcing"))]
    delete_mode: Option<String>,
}

fn reconnect(uuid: &str) -> ReconnectBackupStorage {
    ReconnectBackupStorage { uuid: uuid.to_string(), system_tags: Vec::new(), delete_mode: None }
}

#[derive(Api)]
#[api(method = "DELETE", path = "/sessions/{sessionUuid}", response = Value, session = false, action = "LogOut",
      sensitive)]
struct LogOutRequest {
    #[api(rename = "sessionUuid")]
    session_uuid: String,
    #[api(rename = "clientInfo")]
    client_info: BTreeMap<String, String>,
    #[api(rename = "systemTags")]
    system_tags: Vec<String>,
    r#type: Option<String>,
    limit: Option<i64>,
    dry: bool,
}

fn log_out() -> LogOutRequest {
    LogOutRequest {
        session_uuid: "s1".to_string(),
        client_info: BTreeMap::new(),
        system_tags: Vec::new(),
        r#type: None,
        limit: None,
        dry: false,
    }
}

#[test]
fn consts_come_from_the_attributes() {
    assert_eq!(ReconnectBackupStorage::ACTION, "ReconnectBackupStorage");
    assert_eq!(ReconnectBackupStorage::METHOD, Method::Put);
    assert_eq!(ReconnectBackupStorage::PATH, "/backup-storage/{uuid}/actions");
    assert_eq!(ReconnectBackupStorage::ENVELOPE, Some("reconnectBackupStorage"));
    assert_eq!((ReconnectBackupStorage::ASYNC, ReconnectBackupStorage::SESSION), (true, true));

    assert_eq!(LogOutRequest::ACTION, "LogOut");
    assert_eq!(LogOutRequest::METHOD, Method::Delete);
    assert_eq!(LogOutRequest::ENVELOPE, None);
    assert_eq!((LogOutRequest::ASYNC, LogOutRequest::SESSION), (false, false));
    // Flags default to false and are set by their keys.
    assert_eq!((ReconnectBackupStorage::POLYMORPHIC, ReconnectBackupStorage::SENSITIVE), (true, false));
    assert_eq!((LogOutRequest::POLYMORPHIC, LogOutRequest::SENSITIVE), (false, true));
}

#[test]
fn path_placeholders_are_percent_encoded() {
    assert_eq!(reconnect("bs-1").path().unwrap(), "/backup-storage/bs-1/actions");
    assert_eq!(reconnect("a b/c+d").path().unwrap(), "/backup-storage/a%20b%2Fc%2Bd/actions");
}

#[test]
fn empty_path_param_is_rejected() {
    let err = reconnect("").to_wire().unwrap_err();
    assert_eq!(err, InvalidRequest::new("ReconnectBackupStorage", "uuid", "is a path parameter and must not be empty"));
}

#[test]
fn query_leaves_out_absent_values_and_the_path_param() {
    assert_eq!(log_out().query().unwrap(), pairs(&[("dry", "false")]));
    assert_eq!(log_out().body().unwrap(), None);
}

#[test]
fn query_repeats_list_keys_and_dots_map_keys_in_declaration_order() {
    let mut req = log_out();
    req.client_info.insert("browser".into(), "firefox".into());
    req.client_info.insert("os".into(), "linux".into());
    req.system_tags = vec!["a".into(), "b c".into()];
    req.r#type = Some("x".into());
    req.limit = Some(10);
    req.dry = true;
    assert_eq!(
        req.query().unwrap(),
        pairs(&[
            ("clientInfo.browser", "firefox"),
            ("clientInfo.os", "linux"),
            ("systemTags", "a"),
            ("systemTags", "b c"),
            ("type", "x"),
            ("limit", "10"),
            ("dry", "true"),
        ])
    );
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn all_digit_map_keys_are_refused_too() {
    let mut req = log_out();
    req.client_info.insert("01".into(), "x".into());
    let err = req.query().unwrap_err();
    assert_eq!((err.field.as_str(), err.reason.contains("all digits")), ("clientInfo", true), "{err}");
}

#[derive(Api)]
#[api(method = "POST", path = "/ceph", envelope = "params")]
struct AddCeph {
    #[api(rename = "monUrls", required)]
    mon_urls: Vec<String>,
    #[api(rename = "systemTags")]
    system_tags: Vec<String>,
    #[api(non_empty_string)]
    name: String,
}

#[derive(Api)]
#[api(method = "DELETE", path = "/ceph", session = false)]
struct DeleteCeph {
    #[api(required)]
    uuids: Vec<String>,
}

#[test]
fn required_collections_are_sent_empty_in_a_body_and_refused_in_a_query() {
    let add = AddCeph { mon_urls: Vec::new(), system_tags: Vec::new(), name: "c".into() };
    assert_eq!(add.body().unwrap(), Some(json!({"params": {"monUrls": [], "name": "c"}})));
    let delete = DeleteCeph { uuids: Vec::new() };
    let err = delete.to_wire().unwrap_err();
    assert_eq!(err.field, "uuids");
    assert!(err.reason.contains("is required"), "{}", err.reason);
    let delete = DeleteCeph { uuids: vec!["a".into(), "b".into()] };
    assert_eq!(delete.query().unwrap(), pairs(&[("uuids", "a"), ("uuids", "b")]));
}

#[test]
fn non_empty_string_refuses_only_the_empty_string() {
    let add = AddCeph { mon_urls: vec!["m".into()], system_tags: Vec::new(), name: String::new() };
    let err = add.to_wire().unwrap_err();
    assert_eq!((err.field.as_str(), err.reason.as_str()), ("name", "must not be an empty string"));
    let add = AddCeph { name: " ".into(), ..add };
    assert!(add.to_wire().is_ok());
}

#[test]
fn unsendable_map_key_names_the_field() {
    let mut req = log_out();
    req.client_info.insert("a.b".into(), "x".into());
    let err = req.query().unwrap_err();
    assert_eq!(err.api, "LogOut");
    assert_eq!(err.field, "clientInfo");
    assert!(err.reason.contains("cannot be sent in a query string"), "{}", err.reason);
}

#[test]
fn body_has_the_envelope_even_when_empty() {
    let req = reconnect("bs-1");
    assert_eq!(req.body().unwrap(), Some(json!({"reconnectBackupStorage": {}})));
    assert_eq!(req.query().unwrap(), []);
}

#[test]
fn body_carries_present_params_but_not_the_path_param() {
    let mut req = reconnect("bs-1");
    req.system_tags = vec!["tag::a".into()];
    req.delete_mode = Some("Enforcing".into());
    assert_eq!(
        req.body().unwrap(),
        Some(json!({"reconnectBackupStorage": {"systemTags": ["tag::a"], "deleteMode": "Enforcing"}}))
    );
}

#[derive(Api)]
#[api(method = "POST", path = "/hosts/scheduling-rule-groups/{uuid}", envelope = "", response = Value)]
struct AddHostToHostSchedulingRuleGroup {
    uuid: String,
    #[api(rename = "hostUuids")]
    host_uuids: Vec<String>,
}

#[derive(Api)]
#[api(method = "POST", path = "/vm-instances/{vmInstanceUuid}/iso/{isoUuid}", envelope = "null", response = Value)]
struct AttachIsoToVmInstance {
    #[api(rename = "vmInstanceUuid")]
    vm_instance_uuid: String,
    #[api(rename = "isoUuid")]
    iso_uuid: String,
}

#[test]
fn empty_string_and_null_envelope_keys_are_verbatim() {
    let req = AddHostToHostSchedulingRuleGroup { uuid: "g".into(), host_uuids: vec!["h1".into(), "h2".into()] };
    assert_eq!(AddHostToHostSchedulingRuleGroup::ENVELOPE, Some(""));
    assert_eq!(req.body().unwrap(), Some(json!({"": {"hostUuids": ["h1", "h2"]}})));

    let req = AttachIsoToVmInstance { vm_instance_uuid: "vm".into(), iso_uuid: "iso".into() };
    assert_eq!(req.path().unwrap(), "/vm-instances/vm/iso/iso");
    assert_eq!(req.body().unwrap(), Some(json!({"null": {}})));
}

#[derive(Api)]
#[api(method = "GET", path = "/things", response = Value)]
struct Constrained {
    #[api(one_of("Permissive", "Enforcing"))]
    mode: Option<String>,
    #[api(min_length = 2, max_length = 4)]
    name: Option<String>,
    #[api(range(-10, 10))]
    offset: Option<i64>,
    #[api(non_empty)]
    uuids: Vec<String>,
}

fn constrained() -> Constrained {
    Constrained { mode: None, name: None, offset: None, uuids: vec!["u".into()] }
}

fn violation(req: &Constrained) -> (String, String) {
    let err = req.to_wire().unwrap_err();
    assert_eq!(err.api, "Constrained");
    (err.field, err.reason)
}

#[test]
fn constraints_pass_when_satisfied_or_absent() {
    constrained().validate().unwrap();
    let req = Constrained {
        mode: Some("Enforcing".into()),
        name: Some("abcd".into()),
        offset: Some(-10),
        uuids: vec!["u".into()],
    };
    req.validate().unwrap();
}

#[test]
fn constraint_violations_name_field_and_reason() {
    let req = Constrained { mode: Some("permissive".into()), ..constrained() };
    assert_eq!(violation(&req), ("mode".into(), "must be one of Permissive, Enforcing, got \"permissive\"".into()));

    let req = Constrained { name: Some("a".into()), ..constrained() };
    assert_eq!(violation(&req), ("name".into(), "must be at least 2 characters, got 1".into()));
    let req = Constrained { name: Some("abcde".into()), ..constrained() };
    assert_eq!(violation(&req), ("name".into(), "must be at most 4 characters, got 5".into()));

    let req = Constrained { offset: Some(-11), ..constrained() };
    assert_eq!(violation(&req), ("offset".into(), "must be between -10 and 10, got -11".into()));

    let req = Constrained { uuids: Vec::new(), ..constrained() };
    assert_eq!(violation(&req), ("uuids".into(), "must not be empty".into()));
}

/// A stand-in for the SDK's query params group.
#[derive(Default)]
struct Paging {
    limit: Option<u32>,
    conditions: Vec<String>,
}

impl QueryPairs for Paging {
    fn push_pairs(&self, _api: &'static str, out: &mut Vec<(String, String)>) -> Result<(), InvalidRequest> {
        for c in &self.conditions {
            out.push(("q".into(), c.clone()));
        }
        if let Some(limit) = self.limit {
            out.push(("limit".into(), limit.to_string()));
        }
        Ok(())
    }

    fn validate(&self, api: &'static str) -> Result<(), InvalidRequest> {
        match self.limit {
            Some(0) => Err(InvalidRequest::new(api, "limit", "must be positive")),
            _ => Ok(()),
        }
    }
}

#[derive(Api)]
#[api(method = "GET", path = "/zones/{uuid}/hosts", response = Value)]
struct QueryZoneHosts {
    #[api(flatten)]
    params: Paging,
    #[api(min_length = 1)]
    uuid: String,
    #[api(rename = "replyWithCount")]
    reply_with_count: Option<bool>,
}

#[test]
fn flatten_fields_add_their_pairs_and_checks() {
    let req = QueryZoneHosts {
        params: Paging { limit: Some(5), conditions: vec!["name=a b".into(), "state=Enabled".into()] },
        uuid: "z 1".into(),
        reply_with_count: Some(true),
    };
    let wire = req.to_wire().unwrap();
    let mut want = WireRequest::new(Method::Get, "/zones/{uuid}/hosts", "/zones/z%201/hosts".into());
    want.query = pairs(&[("q", "name=a b"), ("q", "state=Enabled"), ("limit", "5"), ("replyWithCount", "true")]);
    assert_eq!(wire, want);
    assert_eq!(
        wire.path_and_query(),
        "/zones/z%201/hosts?q=name%3Da%20b&q=state%3DEnabled&limit=5&replyWithCount=true"
    );

    let req = QueryZoneHosts { params: Paging { limit: Some(0), ..Paging::default() }, ..req };
    let err = req.to_wire().unwrap_err();
    assert_eq!(err, InvalidRequest::new("QueryZoneHosts", "limit", "must be positive"));
}

#[test]
fn to_wire_of_a_put() {
    let mut req = reconnect("bs 1");
    req.delete_mode = Some("Permissive".into());
    let wire = req.to_wire().unwrap();
    assert_eq!(wire.method, Method::Put);
    assert_eq!(wire.path, "/backup-storage/bs%201/actions");
    assert!(wire.query.is_empty());
    assert_eq!(wire.body, Some(json!({"reconnectBackupStorage": {"deleteMode": "Permissive"}})));
    assert_eq!(wire.path_and_query(), "/backup-storage/bs%201/actions");

    req.delete_mode = Some("Lenient".into());
    assert_eq!(req.to_wire().unwrap_err().field, "deleteMode");
}

#[test]
fn get_without_params_has_a_bare_path() {
    #[derive(Api)]
    #[api(method = "GET", path = "/management-nodes/actions", response = Value, session = false)]
    struct GetVersion;

    let wire = GetVersion.to_wire().unwrap();
    assert_eq!(wire.path_and_query(), "/management-nodes/actions");
    assert_eq!(wire.query, []);
    assert_eq!(wire.body, None);
}

#[derive(Api)]
#[api(method = "POST", path = "/accounts", envelope = "params")]
struct CreateAccount {
    #[api(regex = "[a-z][a-z0-9-]*", max_length = 8)]
    name: String,
}

fn default_response<T: ApiRequest<Response = zstack_sdk::runtime::reply::Empty>>(_: &T) {}

#[test]
fn regex_constraint_and_default_response() {
    let ok = CreateAccount { name: "dev-1".into() };
    default_response(&ok);
    assert_eq!(ok.to_wire().unwrap().body, Some(json!({"params": {"name": "dev-1"}})));

    let err = CreateAccount { name: "Dev".into() }.to_wire().unwrap_err();
    assert_eq!(
        err,
        InvalidRequest::new("CreateAccount", "name", "must match the pattern `[a-z][a-z0-9-]*`, got \"Dev\"")
    );
    let err = CreateAccount { name: "abcdefghi".into() }.to_wire().unwrap_err();
    assert_eq!(err.reason, "must be at most 8 characters, got 9");
}
