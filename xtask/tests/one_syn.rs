//! A user's build of the SDK (every feature) or of the CLI compiles one major
//! version of syn: the derive follows serde_derive's and thiserror-impl's.

use std::process::Command;

fn syn_versions(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(cargo)
        .args(["tree", "-p", package, "--all-features", "-e", "normal,build", "--prefix", "none"])
        .current_dir(root)
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut versions: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("syn v"))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

#[test]
fn the_sdk_and_the_cli_build_one_syn() {
    for package in ["zstack-sdk", "zstack-cli"] {
        let versions = syn_versions(package);
        assert_eq!(versions.len(), 1, "{package} builds syn {versions:?}");
    }
}
