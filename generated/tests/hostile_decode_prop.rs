//! Property test: valid query replies with random `schema` maps decode into
//! the polymorphic query reply, each row as the class its path names; the
//! same bodies truncated, with bytes flipped or inserted, decode or fail,
//! never panic; and no decode's peak heap runs away from the body's size
//! (a counting allocator, per thread).
//!
//! Bounded to a fixed number of cases so that it runs in seconds within the
//! ordinary `cargo test`; `cargo fuzz run decode_reply` (`fuzz/`) explores
//! further.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::test_runner::Config;
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
const BASE: &str = "org.zstack.header.storage.backup.BackupStorageInventory";

fn row(i: usize, mons: usize) -> String {
    let mut row = format!(
        r#"{{"uuid":"u{i}","name":"bs {i}","totalCapacity":1.0E{i},"fsid":"f","hostname":"10.0.0.{i}","sshPort":22"#
    );
    row.push_str(r#","mons":["#);
    for m in 0..mons {
        if m > 0 {
            row.push(',');
        }
        write!(row, r#"{{"hostname":"m{m}","monPort":6789}}"#).unwrap();
    }
    row.push_str("]}");
    row
}

/// A schema path: mostly ones that name rows and mons, some elsewhere.
fn path() -> impl Strategy<Value = String> {
    let index = prop_oneof![4 => 0usize..6, 1 => Just(70_000usize), 1 => any::<u32>().prop_map(|i| i as usize)];
    let key = prop_oneof![Just("inventories"), Just("mons"), Just("x"), Just("a.b"), Just("")];
    prop_oneof![
        3 => index.clone().prop_map(|i| format!("inventories[{i}]")),
        2 => (index.clone(), index.clone()).prop_map(|(i, m)| format!("inventories[{i}].mons[{m}]")),
        2 => prop::collection::vec((key, prop::option::of(index)), 0..6).prop_map(|segments| {
            let mut path = String::new();
            for (i, (key, index)) in segments.into_iter().enumerate() {
                if i > 0 && !key.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(index) = index {
                    write!(path, "[{index}]").unwrap();
                }
            }
            path
        }),
    ]
}

fn class() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(CEPH.to_string()),
        2 => Just(STORE.to_string()),
        1 => Just(MON.to_string()),
        1 => Just(BASE.to_string()),
        1 => "[a-z.]{1,12}",
    ]
}

/// `{"inventories": [rows], "schema": {..}}`, with the schema map as entries.
fn reply() -> impl Strategy<Value = (Vec<u8>, Vec<(String, String)>, usize)> {
    (prop::collection::vec(0usize..4, 0..5), prop::collection::vec((path(), class()), 0..24), any::<bool>()).prop_map(
        |(mons, schema, schema_first)| {
            let rows: Vec<String> = mons.iter().enumerate().map(|(i, &m)| row(i, m)).collect();
            let rows = format!(r#""inventories":[{}]"#, rows.join(","));
            let entries: Vec<String> = schema.iter().map(|(p, c)| format!(r#""{p}":"{c}""#)).collect();
            let map = format!(r#""schema":{{{}}}"#, entries.join(","));
            let body = if schema_first { format!("{{{map},{rows}}}") } else { format!("{{{rows},{map}}}") };
            (body.into_bytes(), schema, mons.len())
        },
    )
}

#[derive(Clone, Debug)]
enum Mutation {
    Truncate(prop::sample::Index),
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(b"{}[]\",:.\\0123456789 ".to_vec());
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (any::<prop::sample::Index>(), prop::collection::vec(special, 1..4))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
    ]
}

fn mutate(mut body: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if body.is_empty() {
            break;
        }
        match m {
            Mutation::Truncate(at) => body.truncate(at.index(body.len())),
            Mutation::Flip(at, b) => {
                let at = at.index(body.len());
                body[at] ^= b | 1;
            }
            Mutation::Insert(at, bytes) => {
                let at = at.index(body.len() + 1);
                body.splice(at..at, bytes.iter().copied());
            }
        }
    }
    body
}

/// What a decode may take: a generous multiple of the body, plus a floor
/// for small bodies (a row's strings, a few table and arena allocations).
fn bound(body: &[u8]) -> usize {
    16 * body.len() + 64 * 1024
}

fn decode_both(body: &[u8]) {
    for polymorphic in [true, false] {
        let (_, peak) = peak_of(|| poly::decode::<Reply>(body, polymorphic).map(drop));
        assert!(peak <= bound(body), "peak {peak} B for {} B: {}", body.len(), String::from_utf8_lossy(body));
    }
}

proptest! {
    #![proptest_config(Config { cases: 400, failure_persistence: None, ..Config::default() })]

    #[test]
    fn valid_replies_resolve_each_row_to_its_class((body, schema, rows) in reply()) {
        let (reply, peak) = peak_of(|| poly::decode::<Reply>(&body, true));
        let reply = reply.unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
        prop_assert!(peak <= bound(&body), "peak {} B for {} B", peak, body.len());
        prop_assert_eq!(reply.inventories.len(), rows);
        for (i, row) in reply.inventories.iter().enumerate() {
            // The last entry for the row's path wins, as in a JSON object.
            let path = format!("inventories[{i}]");
            let class = schema.iter().rev().find(|(p, _)| *p == path).map(|(_, c)| c.as_str());
            let ok = match (class, row) {
                (None | Some(BASE), AnyBackupStorageInventory::BackupStorageInventory(_)) => true,
                (Some(CEPH), AnyBackupStorageInventory::CephBackupStorageInventory(c)) => c.mons.len() < 4,
                (Some(STORE), AnyBackupStorageInventory::ImageStoreBackupStorageInventory(_)) => true,
                (Some(named), AnyBackupStorageInventory::Unknown { class, .. }) => named == class,
                _ => false,
            };
            prop_assert!(ok, "row {}: schema says {:?}, decoded {:?}", i, class, row);
        }
        decode_both(&body);
    }

    #[test]
    fn mutated_replies_decode_or_fail_without_panic((body, _, _) in reply(), mutations in prop::collection::vec(mutation(), 1..4)) {
        decode_both(&mutate(body, &mutations));
    }

    #[test]
    fn arbitrary_bytes_decode_or_fail_without_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_both(&body);
    }
}
