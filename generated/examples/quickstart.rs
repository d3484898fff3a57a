//! Quickstart: log in, list the backup storage, reconnect one, log out.
//!
//! ```sh
//! cargo run -p zstack-sdk --example quickstart --features test-server
//! ```
//!
//! The program has two halves:
//!
//! * **User code** ([`user_code`]) is what you would write against a real
//!   management node (MN). Only the base URL differs: pass
//!   `http://<mn-host>:8080/zstack` instead of the stand-in's address.
//! * **The stand-in MN** ([`start_stand_in_mn`]) exists only so that this
//!   example runs anywhere: the loopback test double from
//!   `zstack_sdk::test_server` (feature `test-server`), listening on
//!   127.0.0.1 and seeded with an `admin` account and two backup storages.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use zstack_sdk::prelude::*;

use serde_json::{Value, json};
use zstack_sdk::client::{Client, Error};
use zstack_sdk::test_server::{Reply, TestServer, error_code, query_reply};
use zstack_sdk::types::AnyBackupStorageInventory;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Against a real MN there is nothing to start: use its URL instead.
    let mn = start_stand_in_mn().await;
    println!("stand-in MN listening at {}\n", mn.base_url());

    user_code(&mn.base_url()).await?;

    mn.shutdown().await;
    Ok(())
}

// ============================================================================
// User code: what you would write against a real MN. Nothing here knows that
// the MN is a stand-in; only `base_url` differs.
// ============================================================================

async fn user_code(base_url: &str) -> Result<(), Error> {
    // One client per MN; clones are cheap and share connections and the session.
    let client = Client::builder()
        .base_url(base_url)
        // Async jobs are polled every second by default; a quickstart is impatient.
        .poll_interval(Duration::from_millis(200))
        .build()?;

    // 1. Log in with the plain password: the client sends its SHA-512 digest
    //    and keeps the session id for every later call (Debug never shows it).
    let session = client.login_by_account("admin", "password").await?;
    match &session.inventory.expired_date {
        Some(expires) => println!("logged in as admin; the session expires {expires} (MN time)"),
        None => println!("logged in as admin"),
    }

    // 2. Query. Backup storage is polymorphic: the reply's `schema` map names
    //    each row's server class, and the client decodes the matching variant.
    let page = client.query_backup_storage().send().await?;
    println!("\n{} backup storage(s):", page.inventories.len());
    for bs in &page.inventories {
        println!("  {}", describe(bs));
    }

    // 3. Reconnect the first Ceph one. ReconnectBackupStorage is async: the MN
    //    answers 202 with a job, and the client polls it until the result.
    //    (`.send().await` does both steps at once; `submit` shows the job.)
    let Some(ceph_uuid) = page.inventories.iter().find_map(|bs| match bs {
        AnyBackupStorageInventory::CephBackupStorageInventory(ceph) => ceph.uuid.clone(),
        _ => None,
    }) else {
        println!("no Ceph backup storage to reconnect");
        return client.logout().await;
    };
    let submitted = client.reconnect_backup_storage(&ceph_uuid).submit().await?;
    if let Some(job_id) = submitted.job_id() {
        println!("\nreconnecting {ceph_uuid}: accepted as job {job_id}, polling...");
    }
    let reply = submitted.wait().await?;
    println!("reconnected:\n  {}", describe(&reply.inventory));

    // 4. Read one back by uuid (a query with `q=uuid=<uuid>`; `None` if gone).
    if let Some(bs) = client.query_backup_storage().get(&ceph_uuid).await? {
        println!("status now: {}", bs.base().status.as_deref().unwrap_or("?"));
    }

    // 5. Log out: the MN ends the session and the client forgets it.
    client.logout().await?;
    println!("\nlogged out");
    Ok(())
}

/// One line for a backup storage: the shared fields through `base()`, then
/// what only its concrete class has.
fn describe(bs: &AnyBackupStorageInventory) -> String {
    let base = bs.base();
    let gib = |bytes: Option<i64>| bytes.map_or("?".to_string(), |b| format!("{:.0}", b as f64 / (1u64 << 30) as f64));
    let class = match bs {
        AnyBackupStorageInventory::CephBackupStorageInventory(ceph) => {
            format!("Ceph: pool {}, {} mon(s)", ceph.pool_name.as_deref().unwrap_or("?"), ceph.mons.len(),)
        }
        AnyBackupStorageInventory::ImageStoreBackupStorageInventory(store) => format!(
            "ImageStore: {}@{}:{}",
            store.username.as_deref().unwrap_or("?"),
            store.hostname.as_deref().unwrap_or("?"),
            store.ssh_port.unwrap_or(22),
        ),
        AnyBackupStorageInventory::Unknown { class, .. } => format!("class unknown to this SDK: {class}"),
        // The base class itself (no `schema` entry) and the other subclasses (Sftp, ...).
        _ => format!("type {}", base.type_.as_deref().unwrap_or("?")),
    };
    format!(
        "{:<8} {}  {:<12}  {}/{} GiB free  [{class}]",
        base.name.as_deref().unwrap_or("?"),
        base.uuid.as_deref().unwrap_or("?"),
        base.status.as_deref().unwrap_or("?"),
        gib(base.available_capacity),
        gib(base.total_capacity),
    )
}

// ============================================================================
// The stand-in MN: only for this example (and for tests). Not needed, and not
// used, with a real MN.
// ============================================================================

const CEPH_CLASS: &str = "org.zstack.storage.ceph.backup.CephBackupStorageInventory";
const IMAGE_STORE_CLASS: &str = "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory";

/// Starts the loopback double with an `admin`/`password` account, a Ceph and
/// an ImageStore backup storage, `GET /v1/backup-storage` (QueryBackupStorage,
/// with a `schema` entry per row) and an async ReconnectBackupStorage
/// (`202`, one poll answering `202 {}`, then `200`).
async fn start_stand_in_mn() -> TestServer {
    let mn = TestServer::start().await;
    mn.add_account("admin", "password");

    // Inventories as the MN writes them: zone-less timestamps, capacities as
    // doubles in E-notation.
    let rows = Arc::new(Mutex::new(vec![
        json!({
            "uuid": "3f1e0c5b8a2d4e6f9b7c1d2e3f4a5b6c", "name": "ceph-bs", "url": "ceph://bak-t-3f1e",
            "description": "Ceph cluster, rack 2", "type": "Ceph", "state": "Enabled", "status": "Disconnected",
            "totalCapacity": 1.099511627776E13, "availableCapacity": 8.246337208320E12,
            "createDate": "Mar 3, 2025 9:12:40 AM", "lastOpDate": "Nov 20, 2026 11:02:17 PM",
            "attachedZoneUuids": ["a7c2e5d0b1f84c3a9e6d2b4f8c1a3e5d"],
            "fsid": "8e1b6f2c-4d3a-4b5e-9c7f-1a2b3c4d5e6f", "poolName": "bak-t-3f1e",
            "poolReplicatedSize": 3, "poolSecurityPolicy": "Copy",
            "mons": [
                {"hostname": "172.20.1.11", "monPort": 6789.0, "monAddr": "172.20.1.11", "status": "Connected",
                 "sshUsername": "root", "sshPort": 22, "monUuid": "d3b07384d113edec49eaa6238ad5ff00",
                 "backupStorageUuid": "3f1e0c5b8a2d4e6f9b7c1d2e3f4a5b6c"},
                {"hostname": "172.20.1.12", "monPort": 6789.0, "monAddr": "172.20.1.12", "status": "Connected",
                 "sshUsername": "root", "sshPort": 22, "monUuid": "c157a79031e1c40f85931829bc5fc552",
                 "backupStorageUuid": "3f1e0c5b8a2d4e6f9b7c1d2e3f4a5b6c"}
            ]
        }),
        json!({
            "uuid": "9a8b7c6d5e4f40312a1b2c3d4e5f6071", "name": "images", "url": "/zstack_bs",
            "type": "ImageStoreBackupStorage", "state": "Enabled", "status": "Connected",
            "totalCapacity": 2.147483648E12, "availableCapacity": 1.503238553E12,
            "createDate": "Jan 15, 2025 3:40:02 PM", "lastOpDate": "Jan 15, 2025 3:40:02 PM",
            "attachedZoneUuids": ["a7c2e5d0b1f84c3a9e6d2b4f8c1a3e5d"],
            "hostname": "172.20.0.5", "username": "root", "sshPort": 22
        }),
    ]));

    // QueryBackupStorage: paging, count and `q=uuid=...` from `query_reply`,
    // plus the `schema` entry (row path -> server class) a real MN sends.
    let query_rows = Arc::clone(&rows);
    mn.route(
        "GET",
        "/v1/backup-storage",
        Reply::func(move |req| {
            let rows = query_rows.lock().unwrap().clone();
            match query_reply(rows, req) {
                Reply::Json(200, mut body) => {
                    let classes: Vec<(String, Value)> = body["inventories"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, row)| (format!("inventories[{i}]"), json!(class_of(row))))
                        .collect();
                    body["schema"] = Value::Object(classes.into_iter().collect());
                    Reply::Json(200, body)
                }
                other => other,
            }
        }),
    );

    // ReconnectBackupStorage: an async job (202, then `202 {}`, then 200) whose
    // result is the row, now Connected.
    mn.route(
        "PUT",
        "/v1/backup-storage/{uuid}/actions",
        Reply::func(move |req| {
            let uuid = req.path.split('/').nth(3).unwrap_or_default();
            let mut rows = rows.lock().unwrap();
            let Some(row) = rows.iter_mut().find(|row| row["uuid"] == uuid) else {
                let details = format!("backup storage {uuid} does not exist");
                return Reply::error_value(error_code("SYS.1001", "resource not found", Some(&details)));
            };
            row["status"] = json!("Connected");
            let class = class_of(row);
            Reply::async_done(1, json!({"inventory": row.clone(), "schema": {"inventory": class}}))
        }),
    )
    .envelope("reconnectBackupStorage");

    mn
}

/// The server class of a backup storage row, by its `type`.
fn class_of(row: &Value) -> &'static str {
    match row["type"].as_str() {
        Some("Ceph") => CEPH_CLASS,
        Some("ImageStoreBackupStorage") => IMAGE_STORE_CLASS,
        _ => "org.zstack.header.storage.backup.BackupStorageInventory",
    }
}
