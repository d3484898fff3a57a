//! Reading spec files and running the stages: parse → fixups → validate → lower.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diag, Source};
use crate::error::{ErrorKind, Errors, SpecError};
use crate::model::Spec;
use crate::parse::parse_file;
use crate::raw::RawFile;
use crate::{fixup, lower, validate};

/// Loads every `*.yaml` under `dir` (recursively, in sorted path order). Each
/// file is one group named after its stem. Errors name files as `dir` joined
/// with their relative path, so pass a relative `dir` for relative messages.
/// A file with no YAML content (only whitespace or comments) is an error
/// ([`ErrorKind::EmptyFile`]), not an empty group.
pub fn load_dir(dir: &Path) -> Result<Spec, Errors> {
    let mut rels = Vec::new();
    let mut errors = Vec::new();
    collect(dir, Path::new(""), &mut rels, &mut errors);
    rels.sort();
    let mut sources = Vec::new();
    for rel in rels {
        let display = dir.join(&rel);
        match read_text(&display) {
            Ok(text) => sources.push(source(display, rel, text)),
            Err(msg) => errors.push(io_error(display, msg)),
        }
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    load_sources(sources)
}

/// Loads one in-memory file; `name` is its path (`accounts.yaml`), whose stem
/// is the group name. The one implementation behind [`load_dir`] (which reads
/// the files first), so also the entry point for fuzzing.
pub fn load_str(name: &str, src: &str) -> Result<Spec, Errors> {
    load_sources(vec![source(PathBuf::from(name), PathBuf::from(name), src.to_owned())])
}

pub(crate) fn load_sources(sources: Vec<Source>) -> Result<Spec, Errors> {
    let mut diag = Diag::new(&sources);
    let mut files = parse_all(&sources, &mut diag);
    // A file that did not parse would make every cross-file rule misfire.
    if !diag.errors.is_empty() {
        return Err(Errors(diag.finish()));
    }
    let applied = fixup::apply_all(&mut files, &mut diag);
    validate::validate(&sources, &files, &applied, &mut diag);
    if !diag.errors.is_empty() {
        return Err(Errors(diag.finish()));
    }
    Ok(lower::lower(&sources, files, applied))
}

/// Parse every file, on every core (rayon; the YAML parse is most of a
/// load), each into its own `Diag`. Files and errors come back in source
/// order, and `Diag::finish` sorts errors by place, so the result does not
/// depend on scheduling. A single file (`load_str`, the fuzz entry point) is
/// parsed on the calling thread.
fn parse_all(sources: &[Source], diag: &mut Diag) -> Vec<RawFile> {
    let parse = |(i, source): (usize, &Source)| {
        let mut local = Diag::new(sources);
        (parse_file(i as u32, &source.text, &mut local), local.errors)
    };
    let parsed: Vec<(Option<RawFile>, Vec<SpecError>)> = if sources.len() < 2 {
        sources.iter().enumerate().map(parse).collect()
    } else {
        sources.par_iter().enumerate().map(parse).collect()
    };
    let mut files = Vec::new();
    for (raw, errors) in parsed {
        files.extend(raw);
        diag.errors.extend(errors);
    }
    files
}

pub(crate) fn source(display: PathBuf, rel: PathBuf, text: String) -> Source {
    let group = rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    // serde-saphyr skips a BOM; drop it here too so columns agree.
    let text = text.strip_prefix('\u{FEFF}').map(str::to_owned).unwrap_or(text);
    let lines = crate::diag::line_spans(&text);
    Source { display, rel, group, text, lines }
}

/// Relative paths of `*.yaml` files under `root/rel`. Symlinked directories
/// are not followed (no loops); symlinked files are read.
fn collect(root: &Path, rel: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<SpecError>) {
    let dir = root.join(rel);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => return errors.push(io_error(dir, format!("cannot read directory: {e}"))),
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => return errors.push(io_error(dir, format!("cannot read directory: {e}"))),
        };
        let path = rel.join(entry.file_name());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            collect(root, &path, out, errors);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("file is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

fn io_error(file: PathBuf, message: String) -> SpecError {
    SpecError { file, line: 0, col: 0, width: 1, kind: ErrorKind::Io, message, source_line: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two(a: &str, b: &str) -> Result<Spec, Errors> {
        load_sources(vec![
            source("spec/a.yaml".into(), "a.yaml".into(), a.into()),
            source("spec/sub/b.yaml".into(), "sub/b.yaml".into(), b.into()),
        ])
    }

    const B: &str = "apis:\n  - name: GetThing\n    method: GET\n    path: /things\n";

    #[test]
    fn errors_about_fixed_values_point_at_the_fixup_file() {
        let a = "fixups:\n  - name: add-filter\n    why: w\n    api: GetThing\n    add: { name: filter, type: Strng, location: query }\n";
        let err = two(a, B).expect_err("bad type");
        assert_eq!(err.len(), 1);
        let e = &err.0[0];
        assert_eq!((e.file.to_str(), e.line, e.col), (Some("spec/a.yaml"), 5, 32));
    }

    #[test]
    fn cross_file_fixups_are_recorded_where_declared() {
        let a = "fixups:\n  - name: no-session\n    why: w\n    api: GetThing\n    set: { session: false }\n";
        let spec = two(a, B).unwrap_or_else(|e| panic!("{e}"));
        let (ga, gb) = (&spec.groups[0], &spec.groups[1]);
        assert_eq!((ga.name.as_str(), ga.fixups.len(), gb.fixups.len()), ("a", 1, 0));
        assert!(!gb.apis[0].session);
        assert_eq!(gb.file, PathBuf::from("sub/b.yaml"));
    }

    #[test]
    fn duplicates_across_files_name_the_first() {
        let err = two(B, B).expect_err("dup");
        let text = err.to_string();
        assert!(text.contains("duplicate API name `GetThing` (first defined at spec/a.yaml:2:11)"), "{text}");
        assert!(text.contains("--> spec/sub/b.yaml:2:11"), "{text}");
    }

    #[test]
    fn same_stem_in_two_directories_is_one_group() {
        let hand = "description: hand\napis:\n  - name: GetA\n    method: GET\n    path: /a\n";
        let spec = load_sources(vec![
            source("spec/x.yaml".into(), "x.yaml".into(), hand.into()),
            source("spec/sub/x.yaml".into(), "sub/x.yaml".into(), B.into()),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.groups.len(), 1);
        let g = &spec.groups[0];
        assert_eq!((g.name.as_str(), g.file.to_str(), g.description.as_deref()), ("x", Some("x.yaml"), Some("hand")));
        assert_eq!(g.apis.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["GetA", "GetThing"]);
    }

    #[test]
    fn a_syntax_error_stops_before_cross_file_rules() {
        // b's types are unknown once b fails to parse; no cascade of "unknown type" errors.
        let a = "types:\n  - name: A\n    extends: B\n";
        let err = two(a, "types: [").expect_err("syntax");
        assert_eq!(err.iter().map(|e| e.kind).collect::<Vec<_>>(), vec![ErrorKind::Syntax]);
    }
}
