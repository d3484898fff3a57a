use std::collections::BTreeMap;

use zstack_sdk::runtime::plumbing::wire::QueryPairs;
use zstack_sdk::{Api, ApiRequest, InvalidRequest, Method};

#[derive(Api)]
#[api(method = "PUT", path = "/backup-storage/{uuid}/actions", envelope = "reconnectBackupStorage",
      response = serde_json::Value, async)]
pub struct ReconnectBackupStorage {
    pub uuid: String,
    #[api(rename = "systemTags", non_empty)]
    pub system_tags: Vec<String>,
    #[api(rename = "deleteMode", one_of("Permissive", "Enforcing"))]
    pub delete_mode: Option<String>,
    #[api(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[api(range(-1, 100))]
    pub r#priority: Option<i32>,
}

struct Paging;

impl QueryPairs for Paging {
    fn push_pairs(&self, _api: &'static str, _out: &mut Vec<(String, String)>) -> Result<(), InvalidRequest> {
        Ok(())
    }
}

#[derive(Api)]
#[api(method = "GET", path = "/zones/{zoneUuid}/hosts", response = serde_json::Value, session = false,
      action = "QueryHost")]
pub struct QueryHosts {
    #[api(rename = "zoneUuid")]
    zone_uuid: String,
    #[api(flatten)]
    params: Paging,
    #[api(rename = "clientInfo")]
    client_info: BTreeMap<String, String>,
}

#[derive(Api)]
#[api(method = "POST", path = "/vm-instances/{vmInstanceUuid}/iso", envelope = "null",
      response = serde_json::Value)]
pub struct AttachIso {
    #[api(rename = "vmInstanceUuid")]
    vm_instance_uuid: String,
}

#[derive(Api)]
#[api(method = "DELETE", path = "/zones", response = serde_json::Value)]
pub struct Unit;

fn main() {
    assert_eq!(ReconnectBackupStorage::METHOD, Method::Put);
    assert_eq!(QueryHosts::ACTION, "QueryHost");
    assert_eq!(AttachIso::ENVELOPE, Some("null"));
    assert_eq!(Unit::PATH, "/zones");
    let q = QueryHosts { zone_uuid: "z".into(), params: Paging, client_info: BTreeMap::new() };
    assert_eq!(q.to_wire().unwrap().path, "/zones/z/hosts");
}
