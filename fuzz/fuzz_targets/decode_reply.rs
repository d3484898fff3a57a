//! Arbitrary bytes as a `200` reply body: the polymorphic decode (the body's
//! `schema` map read into a tree, then followed while decoding) and the plain
//! one must decode or fail, never panic, abort or run away (libFuzzer's
//! `-rss_limit_mb` and `-malloc_limit_mb` catch a blow-up).
//!
//! Run from `fuzz/` (`RUSTC_BOOTSTRAP=1 cargo fuzz run decode_reply`); the
//! SDK's reply fixtures make good seeds (`corpus/` is not kept in git):
//! `mkdir -p corpus/decode_reply && cp ../generated/tests/fixtures/seeds/query-backup-storage-*.json corpus/decode_reply/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zstack_sdk::ApiRequest;
use zstack_sdk::api::{QueryBackupStorage, ReconnectBackupStorage};
use zstack_sdk::runtime::poly;
use zstack_sdk::runtime::reply::Empty;

type Query = <QueryBackupStorage as ApiRequest>::Response;
type One = <ReconnectBackupStorage as ApiRequest>::Response;

fuzz_target!(|data: &[u8]| {
    for polymorphic in [true, false] {
        if let Err(e) = poly::decode::<Query>(data, polymorphic) {
            let _ = (e.path().to_string(), e.to_string());
        }
        let _ = poly::decode::<One>(data, polymorphic);
        let _ = poly::decode::<Empty>(data, polymorphic);
    }
});
