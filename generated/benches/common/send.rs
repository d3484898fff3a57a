//! The `send` comparison both benches make: the SDK's
//! `client.reconnect_backup_storage(uuid).send()` against a plain
//! `reqwest::Client` PUT with the same headers and body, decoded with
//! `serde_json::from_slice` into a hand-written struct, both against the
//! loopback double.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use zstack_sdk::client::Client;
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{Reply, TestServer};

use super::{IMAGE_STORE_CLASS, image_store_row};

pub const BS_UUID: &str = "9a8b7c6d5e4f40312a1b2c3d4e5f6071";

/// A current-thread runtime serving the test double, which answers
/// ReconnectBackupStorage as the MN does when the job is done (the inventory
/// and the `schema` entry naming its class), and both clients with a session.
pub fn send_fixture() -> (tokio::runtime::Runtime, TestServer, Client, ByHand) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let server = rt.block_on(TestServer::start());
    let session = script(&server);
    let (client, by_hand) = clients(&server.base_url(), &session);
    (rt, server, client, by_hand)
}

/// Script the double's answer to ReconnectBackupStorage; a new session for both clients.
pub fn script(server: &TestServer) -> String {
    let reply = json!({"inventory": image_store_row(7), "schema": {"inventory": IMAGE_STORE_CLASS}});
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(reply));
    server.new_session()
}

/// The SDK's client and the hand-written one, both with `session`.
pub fn clients(base_url: &str, session: &str) -> (Client, ByHand) {
    let client = Client::builder()
        .base_url(base_url)
        .no_proxy()
        .session(Secret::new(session.to_string()))
        .build()
        .expect("client");
    (client, ByHand::new(base_url, session))
}

/// The baseline: what one would write with reqwest and serde alone.
pub struct ByHand {
    http: reqwest::Client,
    url: String,
    authorization: String,
}

/// `{"inventory": {...}}` with the fields of the reply, `schema` ignored.
#[derive(Deserialize)]
pub struct HandReply {
    pub inventory: HandInventory,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct HandInventory {
    pub uuid: Option<String>,
    pub name: Option<String>,
    url: Option<String>,
    description: Option<String>,
    total_capacity: Option<f64>,
    available_capacity: Option<f64>,
    #[serde(rename = "type")]
    type_: Option<String>,
    state: Option<String>,
    status: Option<String>,
    create_date: Option<String>,
    last_op_date: Option<String>,
    #[serde(default)]
    attached_zone_uuids: Vec<String>,
    hostname: Option<String>,
    username: Option<String>,
    ssh_port: Option<i64>,
}

impl ByHand {
    pub fn new(base_url: &str, session: &str) -> ByHand {
        // Plain HTTP only; reqwest is built without a TLS provider, so give it one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("zstack-sdk-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client");
        ByHand {
            http,
            url: format!("{base_url}/v1/backup-storage/{BS_UUID}/actions"),
            authorization: format!("OAuth {session}"),
        }
    }

    pub async fn call(&self) -> HandReply {
        let response = self
            .http
            .put(&self.url)
            .header("X-Job-UUID", random_job_id())
            .header("X-JSON-Schema", "true")
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(r#"{"reconnectBackupStorage":{}}"#)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 200);
        let body = response.bytes().await.expect("body");
        serde_json::from_slice(&body).expect("decode")
    }
}

/// 32 random lowercase hex digits.
fn random_job_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).expect("random bytes");
    let mut id = String::with_capacity(32);
    for b in bytes {
        let _ = write!(id, "{b:02x}");
    }
    id
}
