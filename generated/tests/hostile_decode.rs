//! Hostile reply bodies against the decoder: `schema` maps shaped to blow up
//! memory (many parents each naming one large index, a million paths, deep
//! paths, long keys, sparse indexes in text order, many classes), replies
//! that are not JSON objects, empty bodies, and duplicated keys.
//!
//! Peaks on main before the radix-tree `schema` (same shapes, same
//! allocator): 2.2 GB for 150 KB of `a{k}[70000]`, 8.5 GB for 300 KB of
//! pairs of large indexes, 80× the body for 100-deep chains, 18× for a
//! million root keys.
//!
//! A counting global allocator (per thread, so parallel tests do not disturb
//! each other) measures the peak heap of each decode. The bound: peak ≤ 8 ×
//! body size + the peak of decoding the same rows with an empty `schema`.
//! Each shape prints its figures (`cargo test --test hostile_decode -- --nocapture`).

use std::fmt::Write as _;

use zstack_sdk::ApiRequest;
use zstack_sdk::api::QueryBackupStorage;
use zstack_sdk::runtime::plumbing::poly;
use zstack_sdk::types::AnyBackupStorageInventory;

#[path = "counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::peak_of;

type Reply = <QueryBackupStorage as ApiRequest>::Response;

const CEPH: &str = "org.zstack.storage.ceph.backup.CephBackupStorageInventory";
const MON: &str = "org.zstack.storage.ceph.backup.CephBackupStorageMonInventory";
const STORE: &str = "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory";

/// Three rows: a Ceph store with two mons, an image store, a plain one.
const ROWS: &str = r#"[
 {"uuid":"c0","name":"ceph","type":"Ceph","totalCapacity":1.0E12,"fsid":"f-1","poolName":"p",
  "mons":[{"hostname":"10.0.0.1","monPort":6789},{"hostname":"10.0.0.2","monPort":6789}]},
 {"uuid":"i1","name":"store","type":"ImageStoreBackupStorage","hostname":"10.0.0.3","sshPort":22},
 {"uuid":"p2","name":"plain","availableCapacity":5}
]"#;

/// `{"inventories": rows, "schema": {entries}}`. Paths and classes are
/// written as they are: the shapes below use no characters JSON escapes.
fn body(rows: &str, entries: impl IntoIterator<Item = (String, String)>) -> Vec<u8> {
    let mut out = String::with_capacity(1 << 20);
    write!(out, r#"{{"inventories":{rows},"schema":{{"#).unwrap();
    for (i, (path, class)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write!(out, r#""{path}":"{class}""#).unwrap();
    }
    out.push_str("}}");
    out.into_bytes()
}

/// Entries from `f(0)`, `f(1)`, ... until the schema text reaches `bytes`.
fn up_to(bytes: usize, mut f: impl FnMut(usize) -> (String, String)) -> Vec<(String, String)> {
    let (mut out, mut len) = (Vec::new(), 0);
    for i in 0.. {
        if len >= bytes {
            break;
        }
        let (path, class) = f(i);
        len += path.len() + class.len() + 6;
        out.push((path, class));
    }
    out
}

/// Decode `body`, measure its peak and the peak of the same rows with an
/// empty schema, print the figures and check the bound. Returns the reply.
fn check(shape: &str, rows: &str, body: &[u8]) -> Reply {
    let plain = self::body(rows, []);
    let (_, rows_peak) = peak_of(|| poly::decode::<Reply>(&plain, true).expect("rows decode"));
    let (reply, peak) = peak_of(|| poly::decode::<Reply>(body, true));
    let reply = reply.unwrap_or_else(|e| panic!("{shape}: {e}"));
    let over = peak.saturating_sub(rows_peak);
    eprintln!(
        "{shape:<34} body {:>11} B  peak {:>11} B  rows alone {:>8} B  (peak - rows) / body = {:.2}",
        body.len(),
        peak,
        rows_peak,
        over as f64 / body.len() as f64
    );
    assert!(peak <= 8 * body.len() + rows_peak, "{shape}: peak {peak} B for a {} B body", body.len());
    reply
}

fn is_ceph(reply: &Reply, row: usize) -> bool {
    matches!(reply.inventories[row], AnyBackupStorageInventory::CephBackupStorageInventory(_))
}

#[test]
fn many_parents_each_naming_one_large_index() {
    let entries = up_to(150_000, |k| (format!("a{k}[70000]"), "C".into()));
    check("parents x [70000] (root keys)", ROWS, &body(ROWS, entries));

    let mut entries = up_to(150_000, |k| (format!("inventories[{k}].x[70000]"), "C".into()));
    entries.push(("inventories[0]".into(), CEPH.into()));
    let reply = check("parents x [70000] (rows)", ROWS, &body(ROWS, entries));
    assert!(is_ceph(&reply, 0));

    // Two large indexes under each parent: the parent branches.
    let entries = up_to(300_000, |i| (format!("a{}[{}]", i / 2, 140_000 + i % 2), "C".into()));
    check("parents x 2 large indexes", ROWS, &body(ROWS, entries));
}

#[test]
fn a_million_schema_paths() {
    let entries = (0..1_000_000).map(|i| (format!("inventories[{i}]"), "C".into()));
    let mut entries: Vec<_> = entries.collect();
    entries[0].1 = CEPH.into();
    let reply = check("1e6 paths, index order", ROWS, &body(ROWS, entries.clone()));
    assert!(is_ceph(&reply, 0));

    entries.sort();
    let reply = check("1e6 paths, text order", ROWS, &body(ROWS, entries.clone()));
    assert!(is_ceph(&reply, 0));

    // A fixed shuffle.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..entries.len()).rev() {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        entries.swap(i, (state >> 33) as usize % (i + 1));
    }
    let reply = check("1e6 paths, shuffled", ROWS, &body(ROWS, entries));
    assert!(is_ceph(&reply, 0));

    let entries = (0..1_000_000).map(|i| (format!("k{i}"), "C".into()));
    check("1e6 root keys", ROWS, &body(ROWS, entries));
}

#[test]
fn deep_paths() {
    let deep = vec!["a"; 100_000].join(".");
    check("one path 1e5 keys deep", ROWS, &body(ROWS, [(deep, "C".into())]));
    let deep = "[0]".repeat(100_000);
    check("one path 1e5 indexes deep", ROWS, &body(ROWS, [(deep, "C".into())]));

    let chain = vec!["a"; 100].join(".");
    let entries = up_to(1_000_000, |k| (format!("b{k}.{chain}"), "C".into()));
    check("many parents x 100 deep", ROWS, &body(ROWS, entries));

    // Paths sharing ever longer prefixes: every entry splits a chain.
    let entries = up_to(1_000_000, |k| (format!("{}b", "a.".repeat(k % 200)), "C".into()));
    check("chains split at every depth", ROWS, &body(ROWS, entries));
}

#[test]
fn long_keys() {
    let entries = (0..10).map(|k| (format!("{}{k}", "k".repeat(100_000)), "C".to_string()));
    check("10 keys of 100 KB", ROWS, &body(ROWS, entries));
    let mut entries: Vec<_> =
        (0..10).map(|k| (format!("inventories[0].{}{k}", "k".repeat(100_000)), "C".to_string())).collect();
    entries.push(("inventories[0]".into(), CEPH.into()));
    let reply = check("10 row keys of 100 KB", ROWS, &body(ROWS, entries));
    assert!(is_ceph(&reply, 0));
    let class = "C".repeat(1_000_000);
    check("one class of 1 MB", ROWS, &body(ROWS, [("inventories[0]".to_string(), class)]));
}

#[test]
fn sparse_indexes_in_text_order() {
    // `[1]`, `[10]`, `[100]`, ...: an MN sorting `schema` keys as text.
    let mut entries: Vec<_> = (0..6)
        .flat_map(|e| (1..10).map(move |d| d * 10usize.pow(e)))
        .map(|i| (format!("inventories[{i}]"), STORE.to_string()))
        .collect();
    entries.push(("inventories[0]".into(), CEPH.into()));
    entries.sort();
    let reply = check("sparse [1],[10],[100]... text order", ROWS, &body(ROWS, entries));
    assert!(is_ceph(&reply, 0));
    assert!(matches!(reply.inventories[1], AnyBackupStorageInventory::ImageStoreBackupStorageInventory(_)));

    // Every index to 100,000 and each row's mons, in text order (as the
    // bench's BTreeMap writes them).
    let mut entries: Vec<_> = (0..100_000).map(|i| (format!("inventories[{i}]"), CEPH.to_string())).collect();
    entries.extend((0..100_000).map(|i| (format!("inventories[{i}].mons[0]"), MON.to_string())));
    entries.sort();
    let reply = check("1e5 rows + mons, text order", ROWS, &body(ROWS, entries));
    assert!(is_ceph(&reply, 0) && is_ceph(&reply, 2));
}

#[test]
fn many_distinct_classes_and_branches() {
    let entries = (0..200_000).map(|i| (format!("inventories[{i}]"), format!("C{i}")));
    check("2e5 distinct classes", ROWS, &body(ROWS, entries));

    // Each parent branches in two: a node and two children per pair.
    let entries = up_to(1_000_000, |i| (format!("k{}.{}", i / 2, ["a", "b"][i % 2]), "C".into()));
    check("parents x 2 key children", ROWS, &body(ROWS, entries));

    // A parent with a class and one small index below it.
    let entries = up_to(1_000_000, |i| {
        if i % 2 == 0 { (format!("k{}", i / 2), "C".into()) } else { (format!("k{}[5]", i / 2), "C".into()) }
    });
    check("parents x one small index", ROWS, &body(ROWS, entries));

    // Every parent has many key children.
    let entries = up_to(1_000_000, |i| (format!("p{}.k{}", i / 50, i % 50), "C".into()));
    check("parents x 50 key children", ROWS, &body(ROWS, entries));
}

/// The common case: a real MN's reply, each row's class and each mon's.
#[test]
fn a_real_reply_with_every_row_named() {
    let mut rows = String::from("[");
    let mut entries = Vec::new();
    for n in 0..10_000 {
        if n > 0 {
            rows.push(',');
        }
        if n % 2 == 0 {
            write!(
                rows,
                r#"{{"uuid":"{n:032x}","name":"ceph-{n}","type":"Ceph","totalCapacity":1.0E12,"fsid":"f","mons":[{{"hostname":"h0"}},{{"hostname":"h1"}}]}}"#
            )
            .unwrap();
            entries.push((format!("inventories[{n}]"), CEPH.to_string()));
            entries.extend((0..2).map(|m| (format!("inventories[{n}].mons[{m}]"), MON.to_string())));
        } else {
            write!(rows, r#"{{"uuid":"{n:032x}","name":"store-{n}","hostname":"10.0.0.3","sshPort":22}}"#).unwrap();
            entries.push((format!("inventories[{n}]"), STORE.to_string()));
        }
    }
    rows.push(']');
    entries.sort();
    let reply = check("10,000 real rows, text order", &rows, &body(&rows, entries));
    assert!(is_ceph(&reply, 9998));
}

/// Known keys twice in one object fail the decode on every path: plain,
/// through the schema (a known subclass), and as an unknown class.
#[test]
fn a_known_key_twice_is_an_error() {
    let row = r#"{"uuid":"a","name":"n","uuid":"b"}"#;
    let schemas = ["", &format!(r#""inventories[0]":"{CEPH}""#), r#""inventories[0]":"x.Future""#];
    for schema in schemas {
        for polymorphic in [false, true] {
            let body = format!(r#"{{"inventories":[{row}],"schema":{{{schema}}}}}"#);
            let e = poly::decode::<Reply>(body.as_bytes(), polymorphic).unwrap_err();
            assert!(e.to_string().contains("duplicate field `uuid`"), "{schema} {polymorphic}: {e}");
        }
    }
    let body = format!(
        r#"{{"inventories":[{{"uuid":"a","mons":[{{"hostname":"h","hostname":"i"}}]}}],"schema":{{"inventories[0]":"{CEPH}"}}}}"#
    );
    let e = poly::decode::<Reply>(body.as_bytes(), true).unwrap_err();
    assert!(e.to_string().contains("duplicate field `hostname`"), "{e}");
    let e = poly::decode::<Reply>(br#"{"inventories":[],"total":1,"inventories":[{"uuid":"x"}]}"#, true).unwrap_err();
    assert!(e.to_string().contains("duplicate field `inventories`"), "{e}");
    // Unknown keys may repeat, and so may `schema`'s own keys (the last wins).
    let body = format!(
        r#"{{"inventories":[{{"uuid":"a","novel":1,"novel":2}}],"x":1,"x":2,
        "schema":{{"inventories[0]":"x.Future","inventories[0]":"{CEPH}"}}}}"#
    );
    let reply = poly::decode::<Reply>(body.as_bytes(), true).unwrap();
    assert!(is_ceph(&reply, 0));
}

/// Through the client: replies that are not objects, empty bodies, a
/// duplicated field.
#[cfg(all(feature = "client", feature = "test-server"))]
#[path = "client_support.rs"]
mod support;

#[cfg(all(feature = "client", feature = "test-server"))]
mod client {
    use super::support;
    use zstack_sdk::api::{DeleteBackupStorage, QueryBackupStorage};
    use zstack_sdk::client::Error;
    use zstack_sdk::test_server::Reply;

    const PATH: &str = "/v1/backup-storage";

    async fn query_error(body: &str) -> (String, String) {
        let (server, client, _) = support::session_client().await;
        server.route("GET", PATH, Reply::text(200, body));
        match client.call(QueryBackupStorage::new()).await {
            Err(Error::Decode { path, message, .. }) => (path, message),
            other => panic!("{body:?}: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_reply_that_is_not_an_object_is_a_decode_error() {
        for (body, found) in [("[]", "an array"), (" [ ]\n", "an array"), (r#""x""#, "a string"), ("1", "a number")] {
            let (path, message) = query_error(body).await;
            assert_eq!((path.as_str(), message), (".", format!("expected a JSON object, found {found}")), "{body}");
        }
    }

    #[tokio::test]
    async fn an_empty_body_is_an_error_unless_no_result_is_expected() {
        for body in ["", " \r\n"] {
            let (path, message) = query_error(body).await;
            assert_eq!((path.as_str(), message.as_str()), (".", "empty body where a result was expected"));
        }
        let (server, client, _) = support::session_client().await;
        server.route("DELETE", &format!("{PATH}/u1"), Reply::text(200, ""));
        client.call(DeleteBackupStorage::new("u1")).await.unwrap();
    }

    #[tokio::test]
    async fn a_duplicated_field_is_a_decode_error() {
        let (path, message) = query_error(r#"{"inventories":[{"uuid":"a","name":"n","name":"m"}]}"#).await;
        assert!(message.contains("duplicate field `name`"), "{path}: {message}");
    }
}
