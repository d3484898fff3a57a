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

#[test]
fn huge_names_one_edit_apart_load_quickly() {
    // A 60 KB file: a type and a reference to it, 30,000 characters each and
    // one edit apart. "Did you mean" once built a 30,001² table (7.2 GB).
    let name = format!("T{}", "a".repeat(29_999));
    let typo = format!("T{}b", "a".repeat(29_998));
    let src = format!("types:\n  - name: {name}\n    fields:\n      - {{ name: x, type: {typo} }}\n");
    let started = std::time::Instant::now();
    let err = zstack_spec::load_str("huge.yaml", &src).expect_err("unresolved type");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    let e = &err.0[0];
    assert_eq!((e.kind, e.line), (zstack_spec::ErrorKind::UnresolvedType, 4));
    assert!(!e.message.contains("did you mean"), "{}", &e.message[..200]);
    // A short typo still gets its hint.
    let err = zstack_spec::load_str("small.yaml", &src.replace(&typo, "Sting")).expect_err("unresolved type");
    assert!(err.0[0].message.contains("(did you mean `String`?)"), "{}", err.0[0].message);
}
