//! Decoded replies are written back as the MN's JSON: wire names, absent
//! values left out, timestamps as the MN writes them, integers exact,
//! polymorphic values as their concrete class, unknown classes as sent.
//! Response-only types serialize with the `serialize` feature (default).
#![cfg(feature = "serialize")]

use serde_json::{Value, json};
use zstack_sdk::ApiRequest;
use zstack_sdk::api::*;
use zstack_sdk::runtime::plumbing::poly;
use zstack_sdk::types::ErrorCode;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// `body` without the envelope members the MN adds to every reply.
fn without_meta(mut body: Value) -> Value {
    let object = body.as_object_mut().unwrap();
    object.remove("schema");
    object.remove("success");
    body
}

#[test]
fn a_polymorphic_query_reply_is_written_back_as_the_mn_sent_it() {
    let mut body = fixture("query-backup-storage-ceph.json");
    let imagestore = fixture("query-backup-storage-imagestore.json");
    body["inventories"].as_array_mut().unwrap().push(imagestore["inventories"][0].clone());
    body["inventories"].as_array_mut().unwrap().push(json!({"uuid": "x", "type": "Future", "novel": [1, 2]}));
    body["schema"] = json!({
        "inventories[0]": "org.zstack.storage.ceph.backup.CephBackupStorageInventory",
        "inventories[1]": "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory",
        "inventories[2]": "org.zstack.storage.future.FutureBackupStorageInventory"
    });
    let reply: <QueryBackupStorage as ApiRequest>::Response =
        poly::decode(&serde_json::to_vec(&body).unwrap(), true).unwrap();
    // Every member of every row comes back, subclass fields included, and the
    // unknown class keeps the members only it has.
    assert_eq!(serde_json::to_value(&reply).unwrap(), without_meta(body));
}

#[test]
fn e_notation_integers_come_back_exact_and_timestamps_as_sent() {
    let reply: <ReconnectBackupStorage as ApiRequest>::Response =
        serde_json::from_value(fixture("reconnect-backup-storage.json")).unwrap();
    let written = serde_json::to_value(&reply).unwrap();
    assert_eq!(
        written,
        json!({"inventory": {
            "name": "My Backup Storage",
            "description": "Public Backup Storage",
            "totalCapacity": 1073741824,
            "availableCapacity": 968884224,
            "type": "Ceph",
            "state": "Enabled",
            "status": "Connected",
            "createDate": "Jun 7, 2017 9:20:21 PM",
            "lastOpDate": "Jun 7, 2017 9:20:21 PM",
            "attachedZoneUuids": ["410e621653de4bab8fd44f81e74b9225"]
        }})
    );
    // And it decodes again into the same value.
    let again: <ReconnectBackupStorage as ApiRequest>::Response = serde_json::from_value(written).unwrap();
    assert_eq!(again, reply);
}

#[test]
fn an_error_code_keeps_its_cause_chain_and_omits_absent_fields() {
    let json = json!({
        "code": "SYS.1006", "description": "reconnect failed", "details": "ssh",
        "cause": {"code": "BS.1001", "cause": {"code": "HOST.1003", "opaque": {"k": [1]}}},
        "causes": [{"code": "L3.1001"}]
    });
    let error: ErrorCode = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&error).unwrap(), json);
}

#[test]
fn a_sync_reply_struct_round_trips() {
    let reply: <ValidateSession as ApiRequest>::Response = serde_json::from_value(json!({"valid": true})).unwrap();
    assert_eq!(serde_json::to_value(&reply).unwrap(), json!({"valid": true}));
    let empty: <ValidateSession as ApiRequest>::Response = serde_json::from_value(json!({})).unwrap();
    assert_eq!(serde_json::to_value(&empty).unwrap(), json!({}));
}
