//! Bringing a directory of generated files up to date, or reporting how it
//! differs, as one operation over (expected files, directory).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use similar::TextDiff;

/// One file that is not as generated.
pub enum Drift {
    Changed { path: String, old: String, new: String },
    Missing { path: String, new: String },
    Extra { path: String },
}

impl Drift {
    /// A unified diff (or a one-line note for extra files).
    pub fn render(&self) -> String {
        match self {
            Drift::Changed { path, old, new } => unified(path, old, new),
            Drift::Missing { path, new } => unified(path, "", new),
            Drift::Extra { path } => format!("extra file (not generated): {path}\n"),
        }
    }
}

fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Compare `expected` (relative path → contents) with the `.rs` files under `dir`.
pub fn drift(dir: &Path, expected: &BTreeMap<String, String>, display: &str) -> io::Result<Vec<Drift>> {
    let actual = read_tree(dir)?;
    let mut out = Vec::new();
    for (rel, new) in expected {
        let path = format!("{display}/{rel}");
        match actual.get(rel) {
            Some(old) if old == new => {}
            Some(old) => out.push(Drift::Changed { path, old: old.clone(), new: new.clone() }),
            None => out.push(Drift::Missing { path, new: new.clone() }),
        }
    }
    for rel in actual.keys().filter(|rel| !expected.contains_key(*rel)) {
        out.push(Drift::Extra { path: format!("{display}/{rel}") });
    }
    Ok(out)
}

/// Write what differs and delete generated files that are no longer produced.
pub fn sync(dir: &Path, expected: &BTreeMap<String, String>) -> io::Result<usize> {
    let actual = read_tree(dir)?;
    let mut changed = 0;
    for (rel, contents) in expected {
        if actual.get(rel) != Some(contents) {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&path, contents)?;
            changed += 1;
        }
    }
    for rel in actual.keys().filter(|rel| !expected.contains_key(*rel)) {
        fs::remove_file(dir.join(rel))?;
        changed += 1;
    }
    Ok(changed)
}

/// One generated file outside a generated directory (a report, a document):
/// with `check`, only compare (newlines normalised, as git may have rewritten
/// them); otherwise write it when it differs. Returns the drift found.
pub fn ensure_file(path: &Path, display: &str, contents: &str, check: bool) -> io::Result<Option<Drift>> {
    let old = match fs::read_to_string(path) {
        Ok(text) => Some(text.replace("\r\n", "\n")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let drift = match old {
        Some(old) if old == contents => return Ok(None),
        Some(old) => Drift::Changed { path: display.to_string(), old, new: contents.to_string() },
        None => Drift::Missing { path: display.to_string(), new: contents.to_string() },
    };
    if !check {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, contents)?;
    }
    Ok(Some(drift))
}

/// Every `.rs` file under `dir`, keyed by `/`-separated relative path.
fn read_tree(dir: &Path) -> io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out)?;
    }
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.insert(rel.join("/"), fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn check_reports_unified_diffs_and_sync_fixes_them() {
        let dir = TempDir::new("files");
        fs::create_dir_all(dir.0.join("api")).unwrap();
        fs::write(dir.0.join("api/a.rs"), "keep\nold\n").unwrap();
        fs::write(dir.0.join("stale.rs"), "gone\n").unwrap();
        fs::write(dir.0.join("notes.txt"), "not generated code\n").unwrap();
        let expected: BTreeMap<String, String> =
            [("api/a.rs", "keep\nnew\n"), ("b.rs", "added\n")].map(|(k, v)| (k.to_string(), v.to_string())).into();

        let report: Vec<String> = drift(&dir.0, &expected, "gen").unwrap().iter().map(Drift::render).collect();
        assert_eq!(report.len(), 3, "{report:?}");
        assert!(report[0].starts_with("--- a/gen/api/a.rs\n+++ b/gen/api/a.rs\n"), "{}", report[0]);
        assert!(report[0].contains("\n keep\n-old\n+new\n"), "{}", report[0]);
        assert!(report[1].contains("+++ b/gen/b.rs") && report[1].contains("+added"), "{}", report[1]);
        assert_eq!(report[2], "extra file (not generated): gen/stale.rs\n");

        assert_eq!(sync(&dir.0, &expected).unwrap(), 3);
        assert!(drift(&dir.0, &expected, "gen").unwrap().is_empty());
        assert_eq!(fs::read_to_string(dir.0.join("api/a.rs")).unwrap(), "keep\nnew\n");
        assert!(dir.0.join("notes.txt").exists(), "only .rs files are managed");
        assert_eq!(sync(&dir.0, &expected).unwrap(), 0, "a second run writes nothing");
    }

    #[test]
    fn ensure_file_checks_writes_and_ignores_crlf() {
        let dir = TempDir::new("ensure");
        let path = dir.0.join("docs/report.md");
        assert!(matches!(ensure_file(&path, "docs/report.md", "a\nb\n", true).unwrap(), Some(Drift::Missing { .. })));
        assert!(!path.exists(), "--check writes nothing");
        assert!(ensure_file(&path, "docs/report.md", "a\nb\n", false).unwrap().is_some());
        assert!(ensure_file(&path, "docs/report.md", "a\nb\n", true).unwrap().is_none());
        fs::write(&path, "a\r\nb\r\n").unwrap();
        assert!(
            ensure_file(&path, "docs/report.md", "a\nb\n", true).unwrap().is_none(),
            "CRLF checkouts are not drift"
        );
        let drift = ensure_file(&path, "docs/report.md", "a\nc\n", true).unwrap().unwrap();
        assert!(drift.render().contains("-b\n+c"), "{}", drift.render());
    }
}
