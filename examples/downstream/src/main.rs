//! VM automation the way a downstream crate writes it, from the SDK's docs
//! alone: log in, create a VM and wait for the job, stream a filtered query,
//! handle an API error through its `source()` chain, and print a result as
//! JSON. `main` starts the SDK's loopback management-node double and points
//! the code at it; against a real MN only the URL changes:
//!
//! ```sh
//! cargo run -p downstream                                   # against the double
//! cargo run -p downstream -- http://mn:8080/zstack admin pw # against a real MN
//! ```

use std::error::Error as _;
use std::time::Duration;

use zstack_sdk::prelude::*;
use zstack_sdk::types::VmInstanceInventory as Vm;

/// The automation itself: nothing here knows whether the MN is real.
async fn automate(base_url: &str, account: &str, password: &str) -> Result<Report, zstack_sdk::Error> {
    let client = Client::builder().base_url(base_url).poll_interval(Duration::from_millis(100)).build()?;
    client.login_by_account(account, password).await?;

    // An async API: `send` polls the job until the VM exists.
    let created = client
        .create_vm_instance("web-1")
        .instance_offering_uuid(OFFERING)
        .image_uuid(IMAGE)
        .l3_network_uuids([L3])
        .send()
        .await?;
    let vm = created.inventory;

    // A filtered query, read page by page.
    let mut running = Vec::new();
    let mut rows = client
        .query_vm_instance()
        .filter(Vm::STATE.eq("Running"))
        .filter(Vm::MEMORY_SIZE.ge(1i64 << 30))
        .sort_by(Vm::NAME.asc())
        .page_size(2)
        .stream();
    while let Some(row) = rows.next().await {
        running.push(row?.base().name.clone().unwrap_or_default());
    }

    // An API error: `Display` is the top-level error, `source()` the MN's cause chain.
    let failure = match client.destroy_vm_instance("00000000000000000000000000000000").send().await {
        Ok(_) => None,
        Err(err) => {
            let mut chain = vec![err.to_string()];
            let mut cause = err.source();
            while let Some(c) = cause {
                chain.push(c.to_string());
                cause = c.source();
            }
            Some(chain)
        }
    };

    client.logout().await?;
    Ok(Report { created: serde_json::to_value(&vm).expect("an inventory serialises"), running, failure })
}

struct Report {
    created: serde_json::Value,
    running: Vec<String>,
    failure: Option<Vec<String>>,
}

const OFFERING: &str = "1c2d3e4f5a6b47c8d9e0f1a2b3c4d5e6";
const IMAGE: &str = "9f6d3a2e0b1c4d5e8f7a6b5c4d3e2f10";
const L3: &str = "5e4d3c2b1a0948f7e6d5c4b3a2918070";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (double, url, account, password) = match args.as_slice() {
        [url, account, password] => (None, url.clone(), account.clone(), password.clone()),
        _ => {
            let mn = stand_in::start().await;
            let url = mn.base_url();
            (Some(mn), url, "admin".to_string(), "password".to_string())
        }
    };
    let report = automate(&url, &account, &password).await?;
    println!("created: {}", serde_json::to_string_pretty(&report.created)?);
    println!("running: {}", report.running.join(", "));
    if let Some(chain) = &report.failure {
        println!("destroying an unknown VM failed:");
        for (depth, link) in chain.iter().enumerate() {
            println!("  {}{link}", "  ".repeat(depth));
        }
    }
    if let Some(mn) = double {
        // Against the double, check what the run must have done.
        stand_in::verify(&mn, &report);
        mn.shutdown().await;
        println!("verified against the loopback double");
    }
    Ok(())
}

/// The loopback double and the checks of a run against it: not part of the
/// automation, only what lets it run (and be checked) in CI.
mod stand_in {
    use serde_json::{Value, json};
    use zstack_sdk::test_server::{Reply, TestServer, error_code, query_reply};

    use super::Report;

    const CREATED_UUID: &str = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";

    fn vm(uuid: &str, name: &str, state: &str, memory: f64) -> Value {
        json!({
            "uuid": uuid, "name": name, "state": state, "memorySize": memory, "cpuNum": 2,
            "type": "UserVm", "hypervisorType": "KVM", "createDate": "Dec 4, 2026 9:12:40 AM",
            "vmNics": [{"uuid": "6b5a4c3d2e1f40a9b8c7d6e5f4a3b2c1", "ip": "10.0.0.5", "l3NetworkUuid": super::L3}],
        })
    }

    pub async fn start() -> TestServer {
        let mn = TestServer::start().await;
        mn.add_account("admin", "password");
        mn.route(
            "POST",
            "/v1/vm-instances",
            Reply::async_done(2, json!({"inventory": vm(CREATED_UUID, "web-1", "Running", 2.147483648E9)})),
        );
        let rows = [
            vm(CREATED_UUID, "web-1", "Running", 2.147483648E9),
            vm("1b2c3d4e5f6a47b8c9d0e1f2a3b4c5d6", "db-1", "Running", 8.589934592E9),
            vm("2c3d4e5f6a7b48c9d0e1f2a3b4c5d6e7", "tiny", "Running", 5.36870912E8),
            vm("3d4e5f6a7b8c49d0e1f2a3b4c5d6e7f8", "old", "Stopped", 4.294967296E9),
        ];
        // A real MN filters; the double's `query_reply` pages what it is given,
        // so the route applies the two conditions the automation sends.
        mn.route(
            "GET",
            "/v1/vm-instances",
            Reply::func(move |req| {
                let mut wanted: Vec<Value> = rows
                    .iter()
                    .filter(|r| r["state"] == "Running" && r["memorySize"].as_f64().unwrap_or(0.0) >= 1073741824.0)
                    .cloned()
                    .collect();
                if req.query_values("sort") == ["+name"] {
                    wanted.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
                }
                query_reply(wanted, req)
            }),
        );
        let mut failure = error_code("SYS.1007", "One or more API argument is invalid", Some("cannot destroy"));
        failure["cause"] = error_code("VM.1001", "no such vm", Some("vm 00000000000000000000000000000000 not found"));
        mn.route("DELETE", "/v1/vm-instances/{uuid}", Reply::async_failed(1, failure));
        mn
    }

    pub fn verify(mn: &TestServer, report: &Report) {
        assert_eq!(report.created["uuid"], CREATED_UUID);
        assert_eq!(report.created["memorySize"], json!(2147483648i64), "re-emitted as the MN's JSON, exact");
        assert_eq!(report.running, ["db-1", "web-1"], "filtered, sorted by name, two pages of 2");
        let chain = report.failure.as_ref().expect("the destroy failed");
        assert!(chain[0].contains("SYS.1007") && chain.iter().any(|c| c.starts_with("VM.1001")), "{chain:?}");
        let requests = mn.requests();
        let create = requests.iter().find(|r| r.method == "POST").expect("a create");
        let body: Value = serde_json::from_str(create.body.as_deref().unwrap_or("{}")).unwrap();
        assert_eq!(body["params"]["l3NetworkUuids"], json!([super::L3]));
        let queries: Vec<_> = requests.iter().filter(|r| r.method == "GET" && r.path == "/v1/vm-instances").collect();
        assert!(queries.iter().all(|q| q.query_values("q") == ["state=Running", "memorySize>=1073741824"]));
        assert!(queries.iter().all(|q| q.query_values("sort") == ["+name"]));
    }
}
