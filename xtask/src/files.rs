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
