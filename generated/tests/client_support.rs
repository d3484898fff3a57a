//! Helpers shared by the `client_*` tests (included with `#[path]`; this
//! file alone is an empty test crate).
#![cfg(all(feature = "client", feature = "test-server"))]
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use serde::Deserialize;
use zstack_sdk::client::{Client, ClientBuilder};
use zstack_sdk::runtime::reply::InventoryReply;
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{RecordedRequest, TestServer};

/// A builder pointed at `server`, polling fast, ignoring proxy variables.
pub fn builder(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .no_proxy()
        .poll_interval(Duration::from_millis(5))
        .poll_timeout(Duration::from_secs(10))
        .request_timeout(Duration::from_secs(10))
}

/// A started server and a client holding a valid session; returns the session id too.
pub async fn session_client() -> (TestServer, Client, String) {
    let server = TestServer::start().await;
    let session = server.new_session();
    let client = builder(&server).session(Secret::new(session.clone())).build().unwrap();
    (server, client, session)
}

/// Requests to the job endpoint.
pub fn polls(requests: &[RecordedRequest]) -> Vec<&RecordedRequest> {
    requests.iter().filter(|r| r.path.starts_with("/v1/api-jobs/")).collect()
}

/// Requests that are not polls.
pub fn api_requests(requests: &[RecordedRequest]) -> Vec<&RecordedRequest> {
    requests.iter().filter(|r| !r.path.starts_with("/v1/api-jobs/")).collect()
}

pub fn is_job_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A small inventory for hand-written test requests.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Thing {
    pub uuid: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "totalCapacity", default, deserialize_with = "zstack_sdk::runtime::plumbing::number::lenient")]
    pub total_capacity: Option<i64>,
}

pub type ThingReply = InventoryReply<Thing>;

/// The error and its whole `source()` chain, one `Display` per link.
#[allow(dead_code)]
pub fn chain(err: &dyn std::error::Error) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        out.push(e.to_string());
        next = e.source();
    }
    out
}
