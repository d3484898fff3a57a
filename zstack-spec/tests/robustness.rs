//! Nothing panics on any input: every prefix of every fixture, and some junk.

use std::fs;
use std::path::Path;

fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for sub in ["valid", "valid/storage", "malformed"] {
        for entry in fs::read_dir(root.join(sub)).expect("fixture dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                out.push(fs::read_to_string(path).expect("text"));
            }
        }
    }
    out
}

#[test]
fn truncated_fixtures_never_panic() {
    for text in fixture_texts() {
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(3).collect();
        for cut in cuts {
            if let Err(e) = zstack_spec::load_str("cut.yaml", &text[..cut]) {
                let _ = e.to_string();
            }
        }
    }
}

#[test]
fn junk_never_panics() {
    let junk = [
        "\u{feff}apis: []",
        "---\n---\n",
        "apis:\n  - &a { name: A, method: GET, path: /a }\n  - *a\n",
        "apis: [{name: A, method: GET, path: \"/\u{1F600}/{ü}\"}]",
        "types: [{name: T, fields: [{name: x, type: \"List<\u{1F600}>\"}]}]",
        "\t\t\t",
        "apis:\n  - name: A\n    method: GET\n    path: /a\n    params: [{ name: p, type: String, location: query, range: [1] }]\n",
        "apis:\n  - name: A\n    method: GET\n    path: /a\n    params: [{ name: p, type: String, location: query, min_length: -1 }]\n",
        "fixups: [{ name: x, why: y, api: A, set: { envelope: ~ } }]",
        "enums: [{ name: E, values: [\"\"] }]",
        "\0\u{7}",
    ];
    for j in junk {
        if let Err(e) = zstack_spec::load_str("junk.yaml", j) {
            let _ = e.to_string();
        }
    }
}
