//! Client benchmarks, each against a hand-written baseline measured in the same run.
//!
//! ```sh
//! cargo bench -p zstack-sdk --features test-server --bench client
//! ```
//!
//! * `send/*`: one synchronous ReconnectBackupStorage-style call over loopback,
//!   against the test double answering a fixed `200`. `sdk` is
//!   `client.reconnect_backup_storage(uuid).send()`; `by_hand` is a plain
//!   `reqwest::Client` PUT with the same headers and body, decoded with
//!   `serde_json::from_slice` into a hand-written struct. Both run on one
//!   current-thread tokio runtime that also serves the double, so the server's
//!   cost is in both and the difference is the client's.
//! * `decode_*`: a 10,000-row query reply, decoded by the SDK's path
//!   (`runtime::plumbing::poly::decode`) and by `serde_json::from_slice` into
//!   hand-written `#[derive(Deserialize)]` structs.
//!
//! After criterion's own report, a summary prints each SDK/baseline ratio from
//! the estimates this run wrote (`target/criterion/<group>/<bench>/new/`),
//! and the same ratios measured in *paired rounds*: SDK and baseline batches
//! alternate, and the median of the per-round ratios is reported, so that a
//! machine whose speed drifts during the run (shared CI hosts) does not skew
//! the comparison the way two separately timed groups can.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};
use zstack_sdk::prelude::*;

use criterion::{Criterion, SamplingMode, Throughput};
use serde_json::Value;
use zstack_sdk::runtime::plumbing::poly;
use zstack_sdk::runtime::reply::InventoriesReply;
use zstack_sdk::types::{AccountInventory, AnyBackupStorageInventory, BackupStorageInventory};

#[path = "common/mod.rs"]
mod common;
use common::send::*;
use common::*;

fn main() {
    let started = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    bench_send(&mut c);
    bench_decode(&mut c);
    c.final_summary();
    print_ratios(started);
    // Only for a full run: not when listing, testing, profiling or filtering.
    let filtered = std::env::args().skip(1).any(|a| !a.starts_with("--") || a == "--profile-time");
    if !std::env::args().any(|a| a == "--list" || a == "--test") && !filtered {
        paired_ratios();
    }
}

// ---------------------------------------------------------------------------
// Per-call overhead of `send`
// ---------------------------------------------------------------------------

fn bench_send(c: &mut Criterion) {
    let (rt, server, client, by_hand) = send_fixture();

    // Both must succeed and agree before they are timed.
    rt.block_on(async {
        let sdk = client.reconnect_backup_storage(BS_UUID).send().await.expect("sdk call");
        assert!(matches!(sdk.inventory, AnyBackupStorageInventory::ImageStoreBackupStorageInventory(_)));
        let hand = by_hand.call().await;
        assert_eq!(sdk.inventory.base().uuid, hand.inventory.uuid);
        assert_eq!(sdk.inventory.base().name, hand.inventory.name);
    });

    let mut group = c.benchmark_group("send");
    // Flat sampling everywhere: criterion's headline estimate is then the mean.
    group
        .sample_size(30)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("sdk", |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(client.reconnect_backup_storage(BS_UUID).send().await.expect("sdk call"));
                }
                start.elapsed()
            });
            // The double records every request; keep its log from growing.
            server.clear_requests();
            elapsed
        });
    });
    group.bench_function("by_hand", |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(by_hand.call().await);
                }
                start.elapsed()
            });
            server.clear_requests();
            elapsed
        });
    });
    group.finish();
    drop(server);
}

// ---------------------------------------------------------------------------
// Decode throughput
// ---------------------------------------------------------------------------

fn bench_decode(c: &mut Criterion) {
    let backup_storage = backup_storage_body();
    let accounts = account_body();

    // Every path must decode the same rows before it is timed.
    let poly: InventoriesReply<AnyBackupStorageInventory> = poly::decode(&backup_storage, true).expect("poly");
    let ceph = poly
        .inventories
        .iter()
        .filter(|bs| matches!(bs, AnyBackupStorageInventory::CephBackupStorageInventory(_)))
        .count();
    assert_eq!((poly.inventories.len(), ceph), (ROWS, ROWS / 2), "schema classes must pick the variants");
    let plain: PlainReply<PlainBackupStorageFull> = serde_json::from_slice(&backup_storage).expect("plain");
    assert_eq!(plain.inventories.len(), ROWS);
    let sdk_accounts: InventoriesReply<AccountInventory> = poly::decode(&accounts, false).expect("accounts");
    assert_eq!(sdk_accounts.inventories.len(), ROWS);

    let mut group = c.benchmark_group("decode_backup_storage");
    group
        .sample_size(20)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Bytes(backup_storage.len() as u64));
    let body = backup_storage.as_slice();
    group.bench_function("sdk_poly", |b| {
        b.iter(|| poly::decode::<InventoriesReply<AnyBackupStorageInventory>>(black_box(body), true).unwrap());
    });
    group.bench_function("sdk_any_schema_off", |b| {
        b.iter(|| poly::decode::<InventoriesReply<AnyBackupStorageInventory>>(black_box(body), false).unwrap());
    });
    group.bench_function("sdk_base", |b| {
        b.iter(|| poly::decode::<InventoriesReply<BackupStorageInventory>>(black_box(body), false).unwrap());
    });
    group.bench_function("plain_full", |b| {
        b.iter(|| serde_json::from_slice::<PlainReply<PlainBackupStorageFull>>(black_box(body)).unwrap());
    });
    group.bench_function("plain_base", |b| {
        b.iter(|| serde_json::from_slice::<PlainReply<PlainBackupStorage>>(black_box(body)).unwrap());
    });
    group.finish();

    let mut group = c.benchmark_group("decode_account");
    group
        .sample_size(30)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(accounts.len() as u64));
    let body = accounts.as_slice();
    group.bench_function("sdk", |b| {
        b.iter(|| poly::decode::<InventoriesReply<AccountInventory>>(black_box(body), false).unwrap());
    });
    group.bench_function("plain", |b| {
        b.iter(|| serde_json::from_slice::<PlainReply<PlainAccount>>(black_box(body)).unwrap());
    });
    group.finish();
}

// ---------------------------------------------------------------------------
// Ratios, from the estimates criterion wrote in this run
// ---------------------------------------------------------------------------

fn print_ratios(started: SystemTime) {
    let Some(dir) = criterion_dir() else { return };
    // Mean time per iteration (ns), only if measured in this run.
    let mean = |group: &str, bench: &str| -> Option<f64> {
        let path = dir.join(group).join(bench).join("new").join("estimates.json");
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        if modified < started {
            return None;
        }
        let estimates: Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        estimates["mean"]["point_estimate"].as_f64()
    };
    let rows = [
        ("send", "sdk", "by_hand", "time ratio (goal <= 1.05)"),
        ("decode_backup_storage", "sdk_poly", "plain_full", "throughput ratio (goal >= 0.90)"),
        ("decode_backup_storage", "sdk_any_schema_off", "plain_base", "throughput ratio (goal >= 0.90)"),
        ("decode_backup_storage", "sdk_base", "plain_base", "throughput ratio (goal >= 0.90)"),
        ("decode_account", "sdk", "plain", "throughput ratio (goal >= 0.90)"),
    ];
    let mut lines = Vec::new();
    for (group, sdk, baseline, what) in rows {
        let (Some(a), Some(b)) = (mean(group, sdk), mean(group, baseline)) else { continue };
        let ratio = if group == "send" { a / b } else { b / a };
        lines.push(format!(
            "{group:<22} {sdk:<19} {:>10} vs {baseline:<10} {:>10}  {what}: {ratio:.3}",
            show_ns(a),
            show_ns(b)
        ));
    }
    if !lines.is_empty() {
        println!("\nSDK vs hand-written baseline (criterion means, this run)");
        for line in lines {
            println!("  {line}");
        }
    }
}

fn show_ns(ns: f64) -> String {
    match ns {
        ns if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        ns => format!("{ns:.0} ns"),
    }
}

/// Where criterion writes: `$CRITERION_HOME`, `$CARGO_TARGET_DIR/criterion`,
/// or `<target>/criterion` next to this executable (`<target>/release/deps/`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(home.into());
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

// ---------------------------------------------------------------------------
// Paired rounds
// ---------------------------------------------------------------------------

/// Median over `rounds` of (time of `sdk` batch) / (time of `base` batch),
/// the two batches run back to back in alternating order.
fn paired(rounds: usize, mut sdk: impl FnMut() -> Duration, mut base: impl FnMut() -> Duration) -> (f64, f64, f64) {
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            let (a, b) = if round % 2 == 0 {
                let a = sdk();
                (a, base())
            } else {
                let b = base();
                (sdk(), b)
            };
            a.as_secs_f64() / b.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (ratios[0], ratios[rounds / 2], ratios[rounds - 1])
}

fn timed(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn paired_ratios() {
    println!("\nSDK vs baseline in paired rounds (median per-round ratio, [min, max])");
    let show = |what: &str, (lo, mid, hi): (f64, f64, f64), goal: &str| {
        println!("  {what:<58} {mid:.3}  [{lo:.3}, {hi:.3}]  {goal}");
    };

    let (rt, server, client, by_hand) = send_fixture();
    let calls = 1500;
    let send = paired(
        21,
        || {
            let t = rt.block_on(async {
                timed_async(calls, || async {
                    black_box(client.reconnect_backup_storage(BS_UUID).send().await.expect("sdk call"));
                })
                .await
            });
            server.clear_requests();
            t
        },
        || {
            let t = rt.block_on(async {
                timed_async(calls, || async {
                    black_box(by_hand.call().await);
                })
                .await
            });
            server.clear_requests();
            t
        },
    );
    show("send: sdk / by_hand, time per call", send, "(goal <= 1.05)");

    let body = backup_storage_body();
    let decode = |f: &dyn Fn()| timed(|| (0..3).for_each(|_| f()));
    let poly = paired(
        15,
        || {
            decode(&|| {
                drop(black_box(poly::decode::<InventoriesReply<AnyBackupStorageInventory>>(&body, true).unwrap()))
            })
        },
        || decode(&|| drop(black_box(serde_json::from_slice::<PlainReply<PlainBackupStorageFull>>(&body).unwrap()))),
    );
    show(
        "decode 10,000 rows: sdk_poly / plain_full, time (1/throughput)",
        poly,
        "(goal <= 1.11, i.e. >= 0.90x throughput)",
    );
    let base = paired(
        15,
        || decode(&|| drop(black_box(poly::decode::<InventoriesReply<BackupStorageInventory>>(&body, false).unwrap()))),
        || decode(&|| drop(black_box(serde_json::from_slice::<PlainReply<PlainBackupStorage>>(&body).unwrap()))),
    );
    show("decode 10,000 rows: sdk_base / plain_base, time (1/throughput)", base, "(goal <= 1.11)");
    let accounts = account_body();
    let account = paired(
        15,
        || decode(&|| drop(black_box(poly::decode::<InventoriesReply<AccountInventory>>(&accounts, false).unwrap()))),
        || decode(&|| drop(black_box(serde_json::from_slice::<PlainReply<PlainAccount>>(&accounts).unwrap()))),
    );
    show("decode 10,000 accounts: sdk / plain, time (1/throughput)", account, "(goal <= 1.11)");
}

async fn timed_async<F: std::future::Future<Output = ()>>(n: usize, mut f: impl FnMut() -> F) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f().await;
    }
    start.elapsed()
}
