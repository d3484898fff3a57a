//! The loaded source files and the error collector every stage reports to.

use std::path::PathBuf;

use crate::error::{ErrorKind, SpecError};
use crate::snippet::rest_of_line;
use crate::span::Loc;

/// One spec file in memory.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    /// Path shown in errors.
    pub display: PathBuf,
    /// Path relative to the spec directory (`Group::file`).
    pub rel: PathBuf,
    /// Group name: the file stem.
    pub group: String,
    pub text: String,
    /// Where each line of `text` starts and ends (without its break), so
    /// that looking up a line does not rescan the file: errors and key
    /// locations look up lines for every located value.
    pub lines: Vec<(usize, usize)>,
}

impl Source {
    /// Line `line` (1-based, numbered as [`crate::snippet::line_text`] numbers them).
    pub fn line(&self, line: usize) -> Option<&str> {
        let &(start, end) = self.lines.get(line.checked_sub(1)?)?;
        self.text.get(start..end)
    }
}

/// The (start, end) byte offsets of every line of `text`, as [`crate::snippet::lines`] splits them.
pub(crate) fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let base = text.as_ptr() as usize;
    crate::snippet::lines(text)
        .map(|l| {
            let start = l.as_ptr() as usize - base;
            (start, start + l.len())
        })
        .collect()
}

/// Collects errors; stages keep going after an error so that one run reports
/// everything it can.
pub(crate) struct Diag<'a> {
    sources: &'a [Source],
    pub errors: Vec<SpecError>,
}

impl<'a> Diag<'a> {
    pub fn new(sources: &'a [Source]) -> Diag<'a> {
        Diag { sources, errors: Vec::new() }
    }

    fn source(&self, file: u32) -> Option<&'a Source> {
        self.sources.get(usize::try_from(file).ok()?)
    }

    /// An error at `loc`; the caret spans the token (or 1 column).
    pub fn at(&mut self, loc: Loc, kind: ErrorKind, message: impl Into<String>) {
        let source = self.source(loc.file);
        let line = usize::try_from(loc.line).unwrap_or(0);
        let col = usize::try_from(loc.col).unwrap_or(0).max(1);
        let text = source.and_then(|s| s.line(line));
        let max = text.map_or(1, |t| rest_of_line(t, col));
        let width = usize::try_from(loc.len).unwrap_or(1).min(max).max(1);
        self.errors.push(SpecError {
            file: source.map(|s| s.display.clone()).unwrap_or_default(),
            line,
            col: if line == 0 { 0 } else { col },
            width,
            kind,
            message: message.into(),
            source_line: text.map(str::to_owned),
        });
    }

    /// An error about a whole file (no line to show).
    pub fn file(&mut self, file: u32, kind: ErrorKind, message: impl Into<String>) {
        self.at(Loc::new(file, 0, 0, 0), kind, message);
    }

    /// `path:line:col` of `loc`, for "first defined at" notes.
    pub fn describe(&self, loc: Loc) -> String {
        let path = self.source(loc.file).map(|s| s.display.display().to_string()).unwrap_or_default();
        format!("{path}:{}:{}", loc.line, loc.col)
    }

    /// The location of `key` written before the value at `value` on the same
    /// line (`key: value`), or `value` itself when the key is elsewhere.
    pub fn key_loc(&self, value: Loc, key: &str) -> Loc {
        let Some(text) = self.source(value.file).and_then(|s| s.line(value.line as usize)) else {
            return value;
        };
        let len = key.chars().count() as u32;
        let before: String = text.chars().take((value.col as usize).saturating_sub(1)).collect();
        if let Some(col) = find_key(&before, key) {
            return Loc::new(value.file, value.line, col as u32, len);
        }
        // A block value starts on the line after `key:`.
        let prev = value.line.checked_sub(1).and_then(|l| self.line_of(Loc { line: l, ..value }));
        match prev.and_then(|p| find_key(p, key)) {
            Some(col) => Loc::new(value.file, value.line - 1, col as u32, len),
            None => value,
        }
    }

    /// The text of the source line `loc` is on.
    pub fn line_of(&self, loc: Loc) -> Option<&'a str> {
        self.source(loc.file)?.line(loc.line as usize)
    }

    /// Errors sorted by file, then position, for stable and readable output.
    pub fn finish(mut self) -> Vec<SpecError> {
        let order = |e: &SpecError| {
            let idx = self.sources.iter().position(|s| s.display == e.file).unwrap_or(usize::MAX);
            (idx, e.line, e.col)
        };
        let mut keyed: Vec<_> = self.errors.drain(..).map(|e| (order(&e), e)).collect();
        keyed.sort_by_key(|a| a.0);
        keyed.into_iter().map(|(_, e)| e).collect()
    }
}

/// 1-based column of the last `key:` (optionally quoted) in `before`.
pub(crate) fn find_key(before: &str, key: &str) -> Option<usize> {
    let chars: Vec<char> = before.chars().collect();
    let key: Vec<char> = key.chars().collect();
    if key.is_empty() || chars.len() < key.len() {
        return None;
    }
    (0..=chars.len() - key.len()).rev().find_map(|start| {
        let end = start + key.len();
        let matches = chars.get(start..end) == Some(&key[..]);
        let prev_ok = start == 0 || !is_word(chars[start - 1]);
        let rest: String = chars[end..].iter().collect();
        let next_ok = rest.trim_start_matches(['"', '\'']).trim_start().starts_with(':');
        (matches && prev_ok && next_ok).then_some(start + 1)
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::find_key;

    #[test]
    fn finds_keys_before_values() {
        assert_eq!(find_key("    method: ", "method"), Some(5));
        assert_eq!(find_key("  - { name: A, location: ", "location"), Some(16));
        assert_eq!(find_key("  - { name: A, \"location\": ", "location"), Some(17));
        assert_eq!(find_key("  xlocation: ", "location"), None);
        assert_eq!(find_key("", "x"), None);
    }
}
