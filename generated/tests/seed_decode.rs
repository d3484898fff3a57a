//! Every doc sample response (after the fixups) decodes into the generated
//! types: E-notation integers, doc timestamps, subclass fields the base type
//! does not declare, and the recursive ErrorCode.

use serde::de::DeserializeOwned;
use zstack_sdk::ApiRequest;
use zstack_sdk::api::*;
use zstack_sdk::runtime::plumbing::poly;
use zstack_sdk::runtime::timestamp::Timestamp;
use zstack_sdk::types::{AnyBackupStorageInventory, CephBackupStorageInventory, ErrorCode};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn decode<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ts(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Option<Timestamp> {
    Some(Timestamp::new(y, mo, d, h, mi, s).expect("valid date"))
}

#[test]
fn reconnect_backup_storage_decodes_e_notation_capacities() {
    let reply: <ReconnectBackupStorage as ApiRequest>::Response = decode("reconnect-backup-storage.json");
    let inv = reply.inventory.base().into_owned();
    assert_eq!(inv.total_capacity, Some(1_073_741_824));
    assert_eq!(inv.available_capacity, Some(968_884_224));
    assert_eq!(inv.create_date, ts(2017, 6, 7, 21, 20, 21));
    assert_eq!(inv.attached_zone_uuids, ["410e621653de4bab8fd44f81e74b9225"]);
}

#[test]
fn query_backup_storage_samples_decode_with_subclass_fields_ignored_by_the_base() {
    let reply: <QueryBackupStorage as ApiRequest>::Response = decode("query-backup-storage-imagestore.json");
    assert_eq!(reply.inventories.len(), 1);
    let inv = reply.inventories[0].base();
    assert_eq!(inv.total_capacity, Some(9_992_857_976_832));
    assert_eq!(inv.last_op_date, ts(2019, 12, 13, 19, 32, 49));
    assert_eq!(reply.total, None);
    // Without a `schema` map the declared type is all that is known.
    assert!(matches!(reply.inventories[0], AnyBackupStorageInventory::BackupStorageInventory(_)));

    let reply: <QueryBackupStorage as ApiRequest>::Response = decode("query-backup-storage-ceph.json");
    assert_eq!(reply.inventories[0].base().type_.as_deref(), Some("Ceph"));
}

#[test]
fn ceph_sample_decodes_into_the_subclass_with_inherited_fields_and_mons() {
    let body: serde_json::Value = serde_json::from_str(&fixture("query-backup-storage-ceph.json")).unwrap();
    let ceph: CephBackupStorageInventory = serde_json::from_value(body["inventories"][0].clone()).unwrap();
    assert_eq!(ceph.uuid.as_deref(), Some("eed424abee694bcda5a5e414a61ea3d3"));
    assert_eq!(ceph.pool_replicated_size, Some(3));
    assert_eq!(ceph.mons.len(), 3);
    assert_eq!(ceph.mons[0].mon_port, Some(6789));
    assert_eq!(ceph.mons[0].create_date, ts(2019, 12, 14, 9, 46, 5));
}

#[test]
fn resource_attribute_key_samples_decode_with_constraints() {
    for name in ["create-resource-attribute-key.json", "update-resource-attribute-key.json"] {
        let reply: <CreateResourceAttributeKey as ApiRequest>::Response = decode(name);
        let inv = reply.inventory;
        assert_eq!(inv.resource_types, ["VmInstanceVO"]);
        assert_eq!(inv.constraints.len(), 1);
        assert_eq!(inv.constraints[0].id, Some(1));
        assert_eq!(inv.constraints[0].type_.as_deref(), Some("option"));
        assert_eq!(inv.create_date, ts(2017, 11, 14, 14, 20, 57));
    }
}

#[test]
fn account_samples_decode() {
    let reply: <CreateAccount as ApiRequest>::Response = decode("create-account.json");
    assert_eq!((reply.inventory.name.as_deref(), reply.inventory.type_.as_deref()), (Some("test"), Some("Normal")));
    let reply: <UpdateAccount as ApiRequest>::Response = decode("update-account.json");
    assert_eq!(reply.inventory.uuid.as_deref(), Some("ffbf2fac53b83b838d4551edcaff1d39"));
}

#[test]
fn detach_iso_sample_decodes_doubles_into_integers() {
    let reply: <DetachIsoFromVmInstance as ApiRequest>::Response = decode("detach-iso-from-vm-instance.json");
    let vm = reply.inventory.base().into_owned();
    assert_eq!(vm.memory_size, Some(8_589_934_592));
    assert_eq!(vm.cpu_num, Some(1));
    assert_eq!(vm.vm_nics.len(), 1);
    assert_eq!(vm.vm_nics[0].base().device_id, Some(0));
    assert_eq!(vm.all_volumes[0].base().size, Some(107_374_182_400));
    assert_eq!(vm.all_volumes[0].base().actual_size, Some(21_474_836_480));
    assert_eq!(vm.create_date, ts(2017, 11, 14, 22, 20, 57));
}

#[test]
fn error_sample_decodes_into_the_recursive_error_code() {
    let body: serde_json::Value = serde_json::from_str(&fixture("error-sys-1001.json")).unwrap();
    let error: ErrorCode = serde_json::from_value(body["error"].clone()).unwrap();
    assert_eq!(error.code.as_deref(), Some("SYS.1001"));
    let nested: ErrorCode = serde_json::from_str(
        r#"{"code":"SYS.1000","cause":{"code":"ID.1001","cause":{"code":"X"}},"causes":[{"code":"A"}],"opaque":{"k":1}}"#,
    )
    .unwrap();
    assert_eq!(nested.cause.as_ref().and_then(|c| c.code.as_deref()), Some("ID.1001"));
    assert_eq!(nested.cause.as_ref().and_then(|c| c.cause.as_ref()).and_then(|c| c.code.as_deref()), Some("X"));
    assert_eq!(nested.causes[0].code.as_deref(), Some("A"));
}

#[test]
fn integers_refuse_fractions_and_timestamps_accept_every_form() {
    let bad = serde_json::from_str::<zstack_sdk::types::VolumeInventory>(r#"{"size": 1.5}"#).unwrap_err();
    assert!(bad.to_string().contains("1.5"), "{bad}");
    for form in ["Apr 11, 2018 2:50:54 PM", "Apr 11, 2018, 2:50:54 PM", "Apr 11, 2018 2:50:54\u{202f}PM"] {
        let t: Timestamp = serde_json::from_value(serde_json::Value::String(form.into())).unwrap();
        assert_eq!(Some(t), ts(2018, 4, 11, 14, 50, 54), "{form}");
    }
}

/// With the `schema` map a real MN sends, each inventory of a mixed query
/// result decodes into its concrete class; unknown classes keep every field.
#[test]
fn schema_map_selects_the_concrete_subclass() {
    let mut body: serde_json::Value = serde_json::from_str(&fixture("query-backup-storage-ceph.json")).unwrap();
    let imagestore: serde_json::Value = serde_json::from_str(&fixture("query-backup-storage-imagestore.json")).unwrap();
    let list = body["inventories"].as_array_mut().unwrap();
    list.push(imagestore["inventories"][0].clone());
    list.push(serde_json::json!({"uuid": "x", "type": "Future", "novel": 1}));
    body["schema"] = serde_json::json!({
        "inventories[0]": "org.zstack.storage.ceph.backup.CephBackupStorageInventory",
        "inventories[0].mons[0]": "org.zstack.storage.ceph.backup.CephBackupStorageMonInventory",
        "inventories[1]": "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory",
        "inventories[2]": "org.zstack.storage.future.FutureBackupStorageInventory"
    });
    const { assert!(<QueryBackupStorage as ApiRequest>::POLYMORPHIC) };
    let bytes = serde_json::to_vec(&body).unwrap();
    let reply: <QueryBackupStorage as ApiRequest>::Response = poly::decode(&bytes, true).unwrap();
    let AnyBackupStorageInventory::CephBackupStorageInventory(ceph) = &reply.inventories[0] else {
        panic!("expected Ceph, got {:?}", reply.inventories[0]);
    };
    assert_eq!((ceph.mons.len(), ceph.pool_name.as_deref()), (3, Some("bak-t-eed424abee694bcda5a5e414a61ea3d3")));
    let AnyBackupStorageInventory::ImageStoreBackupStorageInventory(store) = &reply.inventories[1] else {
        panic!("expected ImageStore, got {:?}", reply.inventories[1]);
    };
    assert_eq!((store.hostname.as_deref(), store.ssh_port), (Some("172.20.1.115"), Some(22)));
    assert_eq!(reply.inventories[1].base().uuid.as_deref(), Some("1ab3b836a88342e1bbc1b1a17d092f0f"));
    let AnyBackupStorageInventory::Unknown { class, base, raw } = &reply.inventories[2] else {
        panic!("expected Unknown, got {:?}", reply.inventories[2]);
    };
    assert_eq!(class, "org.zstack.storage.future.FutureBackupStorageInventory");
    assert_eq!(base.uuid.as_deref(), Some("x"));
    assert_eq!(raw["novel"], 1);
}

/// Protocol §10: integral doubles above 2^53 are read from their text, on
/// every decode path (typed, through the `schema` map, and for unknown classes
/// from the kept JSON).
#[test]
fn large_e_notation_integers_decode_exactly_through_the_schema_map() {
    let body = br#"{
        "inventories": [
            {"uuid": "c", "totalCapacity": 9.007199254740993E15, "mons": [{"sshPort": 2.2E1}]},
            {"uuid": "i", "availableCapacity": 1.0E17},
            {"uuid": "u", "totalCapacity": 9.007199254740993E15}
        ],
        "schema": {
            "inventories[0]": "org.zstack.storage.ceph.backup.CephBackupStorageInventory",
            "inventories[1]": "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory",
            "inventories[2]": "org.zstack.storage.future.FutureBackupStorageInventory"
        }
    }"#;
    let reply: <QueryBackupStorage as ApiRequest>::Response = poly::decode(body, true).unwrap();
    let AnyBackupStorageInventory::CephBackupStorageInventory(ceph) = &reply.inventories[0] else {
        panic!("expected Ceph, got {:?}", reply.inventories[0]);
    };
    assert_eq!(ceph.total_capacity, Some(9_007_199_254_740_993));
    assert_eq!(ceph.mons[0].ssh_port, Some(22));
    assert_eq!(reply.inventories[1].base().available_capacity, Some(100_000_000_000_000_000));
    assert_eq!(reply.inventories[2].base().total_capacity, Some(9_007_199_254_740_993));

    let fraction = br#"{"inventories": [{"uuid": "c", "totalCapacity": 1.00000000000000001}],
        "schema": {"inventories[0]": "org.zstack.storage.ceph.backup.CephBackupStorageInventory"}}"#;
    let e = poly::decode::<<QueryBackupStorage as ApiRequest>::Response>(fraction, true).unwrap_err();
    assert_eq!(e.path().to_string(), "inventories[0].totalCapacity");
    assert!(e.to_string().contains("got 1.00000000000000001"), "{e}");
}
