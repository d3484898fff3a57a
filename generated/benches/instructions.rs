//! Decode and send cost in instructions, SDK against a serde-only baseline:
//! the same comparisons as `client.rs`'s decode and send groups, counted by
//! `valgrind --tool=callgrind` instead of timed, so that the ratios do not
//! move with the machine's load (wall-clock ratios on a shared 2-core host
//! drift by ±10 % between runs).
//!
//! ```sh
//! cargo bench -p zstack-sdk --features test-server --bench instructions
//! ```
//!
//! Each case runs in its own process under callgrind, once with the decode
//! repeated and once without it; the difference divided by the repetitions
//! is the cost of one decode (setup, such as building the 10,000-row body,
//! cancels out). Without valgrind on the machine, the bench says so and
//! exits successfully.
//!
//! The send cases (with the `client` and `test-server` features) count only
//! the client's side: the loopback double serves from its own thread, and
//! callgrind collects only inside the function that makes the calls
//! (`--toggle-collect`), which drives the client's connection too. One call
//! of each client, made before, opens the connection and fills lazy statics.

use std::hint::black_box;
use std::process::Command;

use serde::Deserialize;
use serde_json::json;
use zstack_sdk::runtime::plumbing::poly;
use zstack_sdk::runtime::reply::{InventoriesReply, InventoryReply};
use zstack_sdk::types::{AccountInventory, AnyBackupStorageInventory, BackupStorageInventory};

#[path = "common/mod.rs"]
mod common;
use common::*;

/// Set in the child processes: which case to run, and how often.
const CASE_VAR: &str = "ZSTACK_INSTRUCTIONS_CASE";

/// (label, SDK case, baseline case, repetitions).
const PAIRS: &[(&str, &str, &str, usize)] = &[
    ("one inventory, schema-resolved / serde into a plain struct", "one_sdk", "one_plain", 2000),
    ("10,000 backup storages, schema-resolved / plain_full", "rows_poly", "rows_plain_full", 3),
    ("10,000 backup storages, declared type / plain_base", "rows_base", "rows_plain_base", 3),
    ("10,000 accounts / plain", "accounts_sdk", "accounts_plain", 3),
    #[cfg(all(feature = "client", feature = "test-server"))]
    ("send, client side: SDK call / reqwest + serde by hand", "send_sdk", "send_hand", 200),
];

/// The functions whose instructions a send case counts.
const COUNTED: &str = "*counted_calls*";

#[derive(Deserialize)]
struct PlainOne {
    #[allow(dead_code)]
    inventory: PlainBackupStorageFull,
}

fn main() {
    if let Ok(case) = std::env::var(CASE_VAR) {
        let (name, times) = case.split_once(':').unwrap_or((&case, "1"));
        run_case(name, times.parse().unwrap_or(1));
        return;
    }
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    if Command::new("valgrind").arg("--version").output().map_or(true, |o| !o.status.success()) {
        println!("instructions: valgrind not found; nothing measured");
        return;
    }
    println!("Instructions per decode, counted by callgrind (SDK / baseline; <= 1.11 means >= 0.90x throughput)");
    for &(label, sdk, base, times) in PAIRS {
        let (a, b) = (per_run(sdk, times), per_run(base, times));
        match (a, b) {
            (Some(a), Some(b)) => {
                println!("  {label:<58} {a:>12} / {b:>12} = {:.3}", a as f64 / b as f64);
            }
            _ => println!("  {label:<58} not measured (callgrind failed)"),
        }
    }
}

/// Instructions of one run of `case`: (n runs − 0 runs) / n.
fn per_run(case: &str, times: usize) -> Option<u64> {
    let full = count(case, times)?;
    let setup = count(case, 0)?;
    Some(full.saturating_sub(setup) / times as u64)
}

/// Total instructions of this binary running `case` `times` times.
fn count(case: &str, times: usize) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let mut valgrind = Command::new("valgrind");
    valgrind.args(["--tool=callgrind", "--callgrind-out-file=/dev/null"]);
    if case.starts_with("send") {
        valgrind.arg(format!("--toggle-collect={COUNTED}"));
    }
    let output = valgrind.arg(exe).env(CASE_VAR, format!("{case}:{times}")).output().ok()?;
    // `==pid== Collected : 123456789`
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':').next()?.trim().parse().ok()
}

fn run_case(case: &str, times: usize) {
    #[cfg(all(feature = "client", feature = "test-server"))]
    if case.starts_with("send") {
        sends::run(case, times);
        return;
    }
    let one = serde_json::to_vec(&json!({
        "inventory": image_store_row(7),
        "schema": {"inventory": IMAGE_STORE_CLASS},
    }))
    .unwrap_or_default();
    let rows = if case.starts_with("rows") { backup_storage_body() } else { Vec::new() };
    let accounts = if case.starts_with("accounts") { account_body() } else { Vec::new() };
    for _ in 0..times {
        let decoded = match case {
            "one_sdk" => poly::decode::<InventoryReply<AnyBackupStorageInventory>>(black_box(&one), true).is_ok(),
            "one_plain" => serde_json::from_slice::<PlainOne>(black_box(&one)).is_ok(),
            "rows_poly" => poly::decode::<InventoriesReply<AnyBackupStorageInventory>>(black_box(&rows), true).is_ok(),
            "rows_base" => poly::decode::<InventoriesReply<BackupStorageInventory>>(black_box(&rows), false).is_ok(),
            "rows_plain_full" => serde_json::from_slice::<PlainReply<PlainBackupStorageFull>>(black_box(&rows)).is_ok(),
            "rows_plain_base" => serde_json::from_slice::<PlainReply<PlainBackupStorage>>(black_box(&rows)).is_ok(),
            "accounts_sdk" => poly::decode::<InventoriesReply<AccountInventory>>(black_box(&accounts), false).is_ok(),
            "accounts_plain" => serde_json::from_slice::<PlainReply<PlainAccount>>(black_box(&accounts)).is_ok(),
            other => panic!("unknown case {other}"),
        };
        assert!(decoded, "{case} did not decode");
    }
}

#[cfg(all(feature = "client", feature = "test-server"))]
mod sends {
    use std::hint::black_box;

    use zstack_sdk::client::Client;
    use zstack_sdk::prelude::*;
    use zstack_sdk::test_server::TestServer;

    use super::common::send::{BS_UUID, ByHand, clients, script};

    /// `times` calls of one client against the double on another thread.
    pub fn run(case: &str, times: usize) {
        let (ready, serving) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                let server = TestServer::start().await;
                let session = script(&server);
                ready.send((server.base_url(), session)).expect("main thread waits");
                std::future::pending::<()>().await;
            });
        });
        let (base_url, session) = serving.recv().expect("the double starts");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let (client, by_hand) = clients(&base_url, &session);
        rt.block_on(async {
            client.reconnect_backup_storage(BS_UUID).send().await.expect("sdk call");
            by_hand.call().await;
        });
        match case {
            "send_sdk" => counted_calls_sdk(&rt, &client, times),
            "send_hand" => counted_calls_hand(&rt, &by_hand, times),
            other => panic!("unknown case {other}"),
        }
    }

    #[inline(never)]
    fn counted_calls_sdk(rt: &tokio::runtime::Runtime, client: &Client, times: usize) {
        rt.block_on(async {
            for _ in 0..times {
                black_box(client.reconnect_backup_storage(BS_UUID).send().await.expect("sdk call"));
            }
        });
    }

    #[inline(never)]
    fn counted_calls_hand(rt: &tokio::runtime::Runtime, by_hand: &ByHand, times: usize) {
        rt.block_on(async {
            for _ in 0..times {
                black_box(by_hand.call().await);
            }
        });
    }
}
