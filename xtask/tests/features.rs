//! The SDK's cargo features stay well under the crate registry's limit of 300:
//! at most 250, leaving room for the API groups the next catalogs add. So do
//! those of its types crate, which has the whole feature plan too.

use std::path::Path;

#[test]
fn feature_count_leaves_room_for_growth() {
    for manifest in ["../generated/Cargo.toml", "../generated/parts/types/Cargo.toml"] {
        check(manifest);
    }
}

fn check(manifest: &str) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let table = text.split("\n[features]\n").nth(1).expect("a [features] table");
    let table = table.split("\n[").next().unwrap_or_default();
    let features = table
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter(|l| l.split_once('=').is_some_and(|(name, _)| !name.trim().starts_with('"')))
        .filter(|l| !l.starts_with('"'))
        .count();
    assert!(features > 150, "{}: the scan found only {features} features", manifest.display());
    assert!(
        features <= 250,
        "{}: {features} cargo features; the registry allows 300 and growth needs room",
        manifest.display()
    );
}
