//! What both benches decode: reply bodies as the MN writes them, and the
//! hand-written plain structs a serde-only user would decode them into.
#![allow(dead_code)]

#[cfg(all(feature = "client", feature = "test-server"))]
pub mod send;

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::{Value, json};

pub const ROWS: usize = 10_000;
pub const CEPH_CLASS: &str = "org.zstack.storage.ceph.backup.CephBackupStorageInventory";
pub const CEPH_MON_CLASS: &str = "org.zstack.storage.ceph.backup.CephBackupStorageMonInventory";
pub const IMAGE_STORE_CLASS: &str = "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory";
pub const ACCOUNT_CLASS: &str = "org.zstack.header.identity.AccountInventory";

/// The hand-written equivalents: what one would write with serde alone.
/// Timestamps stay text; capacities, sent in E-notation, are `f64` (an `i64`
/// field refuses `1.099511627776E13`).
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainReply<T> {
    #[serde(default = "Vec::new")]
    pub inventories: Vec<T>,
    pub total: Option<i64>,
}

/// The fields of `BackupStorageInventory`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PlainBackupStorage {
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub total_capacity: Option<f64>,
    pub available_capacity: Option<f64>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub state: Option<String>,
    pub status: Option<String>,
    pub create_date: Option<String>,
    pub last_op_date: Option<String>,
    #[serde(default)]
    pub attached_zone_uuids: Vec<String>,
}

/// Every field the Ceph and ImageStore variants decode, in one flat struct.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PlainBackupStorageFull {
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub total_capacity: Option<f64>,
    pub available_capacity: Option<f64>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub state: Option<String>,
    pub status: Option<String>,
    pub create_date: Option<String>,
    pub last_op_date: Option<String>,
    #[serde(default)]
    pub attached_zone_uuids: Vec<String>,
    // Ceph
    #[serde(default)]
    pub mons: Vec<PlainMon>,
    pub fsid: Option<String>,
    pub pool_name: Option<String>,
    pub pool_available_capacity: Option<f64>,
    pub pool_used_capacity: Option<f64>,
    pub pool_replicated_size: Option<i64>,
    pub pool_disk_utilization: Option<f32>,
    pub pool_security_policy: Option<String>,
    // ImageStore
    pub hostname: Option<String>,
    pub username: Option<String>,
    pub ssh_port: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PlainMon {
    pub hostname: Option<String>,
    pub mon_port: Option<i64>,
    pub create_date: Option<String>,
    pub last_op_date: Option<String>,
    pub backup_storage_uuid: Option<String>,
    pub mon_addr: Option<String>,
    pub ssh_port: Option<i64>,
    pub status: Option<String>,
    pub ssh_username: Option<String>,
    pub ssh_password: Option<String>,
    pub mon_uuid: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PlainAccount {
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub state: Option<String>,
    pub create_date: Option<String>,
    pub last_op_date: Option<String>,
}

// ---------------------------------------------------------------------------
// Bodies, as the MN writes them
// ---------------------------------------------------------------------------

/// A deterministic 32-hex id for row `n` of a kind.
pub fn uuid(kind: u64, n: usize) -> String {
    let mut x = (kind << 32 | n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut id = String::with_capacity(32);
    for _ in 0..2 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let _ = write!(id, "{x:016x}");
    }
    id
}

/// An MN timestamp (`MMM d, yyyy h:mm:ss a`) that varies with `n`.
pub fn timestamp(n: usize) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (hour, half) = (n % 12 + 1, if n.is_multiple_of(2) { "AM" } else { "PM" });
    format!("{} {}, {} {hour}:{:02}:{:02} {half}", MONTHS[n % 12], n % 28 + 1, 2018 + n % 8, n % 60, (n * 7) % 60)
}

/// A capacity in bytes, written as the MN's Gson writes a double (`1.099511627776E13`).
pub fn capacity(gib: usize) -> Value {
    let text = format!("{:E}", ((gib as u64) << 30) as f64);
    // Rust writes `5E12` where Gson writes `5.0E12`.
    let text = if text.contains('.') { text } else { text.replacen('E', ".0E", 1) };
    serde_json::from_str(&text).expect("a JSON number")
}

pub fn base_row(n: usize, type_: &str) -> serde_json::Map<String, Value> {
    let total = 1024 + n % 9000;
    let row = json!({
        "uuid": uuid(1, n),
        "name": format!("bs-{n}"),
        "url": format!("/zstack_bs/{n}"),
        "description": format!("backup storage {n}, rack {}", n % 40),
        "totalCapacity": capacity(total),
        "availableCapacity": capacity(total / 3),
        "type": type_,
        "state": "Enabled",
        "status": "Connected",
        "createDate": timestamp(n),
        "lastOpDate": timestamp(n + 5),
        "attachedZoneUuids": [uuid(2, n % 4)],
    });
    match row {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

pub fn image_store_row(n: usize) -> Value {
    let mut row = base_row(n, "ImageStoreBackupStorage");
    row.insert("hostname".into(), json!(format!("172.20.{}.{}", n / 250 % 250, n % 250 + 1)));
    row.insert("username".into(), json!("root"));
    row.insert("sshPort".into(), json!(22));
    Value::Object(row)
}

pub fn ceph_row(n: usize) -> Value {
    let mut row = base_row(n, "Ceph");
    let mons: Vec<Value> = (0..2)
        .map(|m| {
            let addr = format!("172.21.{}.{}", n / 250 % 250, (n + m) % 250 + 1);
            json!({
                "hostname": addr, "monPort": 6789, "monAddr": addr, "sshPort": 22, "status": "Connected",
                "sshUsername": "root", "monUuid": uuid(3, n * 2 + m), "backupStorageUuid": uuid(1, n),
                "createDate": timestamp(n), "lastOpDate": timestamp(n + m),
            })
        })
        .collect();
    row.insert("mons".into(), Value::Array(mons));
    row.insert("fsid".into(), json!(uuid(4, n)));
    row.insert("poolName".into(), json!(format!("bak-t-{n}")));
    row.insert("poolAvailableCapacity".into(), capacity(2048 + n % 500));
    row.insert("poolUsedCapacity".into(), capacity(512 + n % 300));
    row.insert("poolReplicatedSize".into(), json!(3));
    row.insert("poolDiskUtilization".into(), json!(0.33));
    row.insert("poolSecurityPolicy".into(), json!("Copy"));
    Value::Object(row)
}

/// A QueryBackupStorage reply: Ceph and ImageStore alternating, with the
/// `schema` a real MN sends (every row's class, and every Ceph mon's).
pub fn backup_storage_body() -> Vec<u8> {
    let mut rows = Vec::with_capacity(ROWS);
    let mut schema = serde_json::Map::new();
    for n in 0..ROWS {
        if n.is_multiple_of(2) {
            rows.push(ceph_row(n));
            schema.insert(format!("inventories[{n}]"), json!(CEPH_CLASS));
            for m in 0..2 {
                schema.insert(format!("inventories[{n}].mons[{m}]"), json!(CEPH_MON_CLASS));
            }
        } else {
            rows.push(image_store_row(n));
            schema.insert(format!("inventories[{n}]"), json!(IMAGE_STORE_CLASS));
        }
    }
    serde_json::to_vec(&json!({"inventories": rows, "schema": schema})).expect("encode")
}

/// A QueryAccount reply with a `schema` entry per row.
pub fn account_body() -> Vec<u8> {
    let rows: Vec<Value> = (0..ROWS)
        .map(|n| {
            json!({
                "uuid": uuid(5, n), "name": format!("tenant-{n}"), "description": format!("account of team {}", n % 97),
                "type": if n == 0 { "SystemAdmin" } else { "Normal" }, "state": "Enabled",
                "createDate": timestamp(n), "lastOpDate": timestamp(n + 3),
            })
        })
        .collect();
    let schema: serde_json::Map<String, Value> =
        (0..ROWS).map(|n| (format!("inventories[{n}]"), json!(ACCOUNT_CLASS))).collect();
    serde_json::to_vec(&json!({"inventories": rows, "schema": schema})).expect("encode")
}
