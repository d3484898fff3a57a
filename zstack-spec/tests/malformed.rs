//! Every file of `fixtures/malformed/` fails to load; each rendered error is
//! snapshotted (`snapshots/malformed__<file>.snap`) so a reviewer can check
//! file:line:col, the source line and the caret.

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/malformed");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn malformed_specs_report_located_errors() {
    let paths = fixtures();
    assert!(paths.len() >= 24, "only {} fixtures", paths.len());
    for path in paths {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("utf-8 name").to_owned();
        let src = fs::read_to_string(&path).expect("fixture text");
        // A display path that does not depend on the checkout location.
        let display = format!("fixtures/malformed/{stem}.yaml");
        let errors = match zstack_spec::load_str(&display, &src) {
            Ok(_) => panic!("{display} loaded without errors"),
            Err(e) => e,
        };
        for e in &errors {
            assert!(e.line > 0 && e.source_line.is_some(), "{display}: unlocated error\n{e}");
        }
        insta::with_settings!({ prepend_module_to_snapshot => true, omit_expression => true, input_file => &path }, {
            insta::assert_snapshot!(stem, errors.to_string());
        });
    }
}
