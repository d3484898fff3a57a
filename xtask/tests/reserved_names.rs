//! The generator's reserved-name lists mirror the hand-written client: a
//! generated trait method with the name of an inherent method of `Client` or
//! `Call` would be unreachable (inherent methods win), so the generator must
//! know every such name. This reads the client's source, where the inherent
//! methods are declared, and checks each list covers them.

use std::collections::BTreeSet;
use std::path::Path;

use zstack_codegen::emit::client::RESERVED_CALL_METHODS;
use zstack_codegen::names::RESERVED_CLIENT_METHODS;

/// `pub fn` / `pub async fn` names inside the `impl` blocks of `ty` whose
/// header line starts with one of `headers`, across the client crate's files.
fn inherent_methods(headers: &[&str]) -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zstack-client/src");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(&src).expect("zstack-client/src") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut inside = false;
        for line in text.lines() {
            if headers.iter().any(|h| line.starts_with(h)) {
                inside = true;
            } else if inside && line == "}" {
                inside = false;
            } else if inside {
                let trimmed = line.trim_start();
                // Methods are indented one level; nested items are not methods.
                if line.len() - trimmed.len() != 4 {
                    continue;
                }
                let rest = trimmed.strip_prefix("pub async fn ").or_else(|| trimmed.strip_prefix("pub fn "));
                if let Some(rest) = rest {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    names.insert(name);
                }
            }
        }
    }
    names
}

fn missing(found: &BTreeSet<String>, reserved: &[&str]) -> Vec<String> {
    found.iter().filter(|n| !reserved.contains(&n.as_str())).cloned().collect()
}

#[test]
fn every_inherent_method_of_client_is_reserved() {
    let found = inherent_methods(&["impl Client {"]);
    assert!(found.contains("login_by_account") && found.contains("call"), "the scan found {found:?}");
    let missing = missing(&found, RESERVED_CLIENT_METHODS);
    assert!(missing.is_empty(), "add to RESERVED_CLIENT_METHODS in zstack-codegen/src/names.rs: {missing:?}");
}

#[test]
fn every_inherent_method_of_call_is_reserved() {
    let found = inherent_methods(&["impl<R: ApiRequest> Call<R> {", "impl<R> Call<R>"]);
    assert!(found.contains("send") && found.contains("stream"), "the scan found {found:?}");
    let missing = missing(&found, RESERVED_CALL_METHODS);
    assert!(missing.is_empty(), "add to RESERVED_CALL_METHODS in zstack-codegen/src/emit/client.rs: {missing:?}");
}
