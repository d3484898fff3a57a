//! YAML text → [`RawFile`], turning serde-saphyr errors into located errors.

use serde_saphyr::{DefaultMessageFormatter, Error as YamlError, MessageFormatter};

use crate::diag::{Diag, find_key};
use crate::error::ErrorKind;
use crate::hint::{closest, list};
use crate::raw::RawFile;
use crate::snippet::{line_text, lines, token_width};
use crate::span::{Loc, with_file};

/// Parses file `file` of the diag's sources. A syntax error stops the file
/// (serde cannot resume), so at most one error is reported per file here.
pub(crate) fn parse_file(file: u32, text: &str, diag: &mut Diag) -> Option<RawFile> {
    // serde-saphyr reads an empty stream as an all-default `RawFile`, which
    // would silently become an empty group: almost surely a truncated or
    // wrongly generated file.
    if is_blank(text) {
        let msg = "empty spec file: it has no YAML content, only whitespace or comments \
                   (a spec file has at least one of `description`, `apis`, `types`, `enums` or `fixups`)";
        diag.file(file, ErrorKind::EmptyFile, msg);
        return None;
    }
    // Strict booleans: `yes`/`no`/`on` stay strings instead of silently
    // becoming booleans; snippets are rendered by us.
    let options = serde_saphyr::options! { with_snippet: false, strict_booleans: true };
    let parsed = with_file(file, || serde_saphyr::from_str_with_options::<RawFile>(text, options));
    match parsed {
        Ok(raw) => Some(raw),
        Err(e) => {
            report(file, text, &e, diag);
            None
        }
    }
}

/// Whether `text` holds no YAML content: every line is blank (spaces and
/// tabs) or a comment. The loader refuses such a file.
pub fn is_blank(text: &str) -> bool {
    lines(text).all(|l| {
        let body = l.trim_start_matches([' ', '\t']);
        body.is_empty() || body.starts_with('#')
    })
}

fn report(file: u32, text: &str, e: &YamlError, diag: &mut Diag) {
    let e = e.without_snippet();
    let at = e.location().map_or(Loc::new(file, 1, 1, 0), |l| Loc::from_saphyr(file, l));
    if let Some(tab) = tab_indent(file, text, at.line) {
        diag.at(tab, ErrorKind::Syntax, "tab character in indentation (YAML indents with spaces)");
        return;
    }
    let line = line_text(text, at.line as usize).unwrap_or("");
    let width = |loc: Loc| {
        let line = line_text(text, loc.line as usize).unwrap_or("");
        Loc { len: token_width(line, loc.col as usize) as u32, ..loc }
    };
    match e {
        YamlError::SerdeUnknownField { field, expected, .. } => {
            let loc = locate_word(line, at, field);
            diag.at(loc, ErrorKind::UnknownKey, unknown_key(field, expected));
        }
        YamlError::SerdeMissingField { field, .. } => {
            let loc = mapping_start(text, at);
            diag.at(width(loc), ErrorKind::MissingKey, format!("missing required key `{field}`"));
        }
        YamlError::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("?");
            diag.at(width(at), ErrorKind::DuplicateKey, format!("duplicate key `{key}`"));
        }
        _ if is_value_error(e) => diag.at(width(at), ErrorKind::InvalidValue, value_message(line, at, e)),
        _ => diag.at(width(at), ErrorKind::Syntax, format!("YAML syntax error: {}", message(e))),
    }
}

fn message(e: &YamlError) -> String {
    match e {
        YamlError::Unexpected { expected: "sequence start", .. } => return "expected a list".into(),
        YamlError::Unexpected { expected: "mapping start", .. } => return "expected a mapping".into(),
        _ => {}
    }
    let msg = DefaultMessageFormatter.format_message(e);
    // The text may come from the parser; keep it on one line.
    msg.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Errors where the YAML is fine but a value has the wrong shape or type.
fn is_value_error(e: &YamlError) -> bool {
    matches!(
        e,
        YamlError::Unexpected { .. }
            | YamlError::SerdeInvalidType { .. }
            | YamlError::SerdeInvalidValue { .. }
            | YamlError::SerdeInvalidLength { .. }
            | YamlError::SerdeUnknownVariant { .. }
            | YamlError::InvalidScalar { .. }
            | YamlError::InvalidBooleanStrict { .. }
            | YamlError::NullIntoString { .. }
            | YamlError::QuotingRequired { .. }
    )
}

/// "invalid value for `required`: ..." when the key is on the same line.
fn value_message(line: &str, at: Loc, e: &YamlError) -> String {
    let before: String = line.chars().take((at.col as usize).saturating_sub(1)).collect();
    match key_before(&before) {
        Some(key) => format!("invalid value for `{key}`: {}", message(e)),
        None => format!("invalid value: {}", message(e)),
    }
}

/// The key of a `key: ` that immediately precedes a value.
fn key_before(before: &str) -> Option<String> {
    let head = before.trim_end().strip_suffix(':')?;
    let key: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!key.is_empty()).then_some(key)
}

fn unknown_key(field: &str, expected: &[&str]) -> String {
    // `{ type: Map<String,Long> }` splits at the comma: YAML flow syntax.
    if field.contains(['<', '>']) {
        return format!(
            "unknown key `{field}`: inside `{{ }}` a type with a comma must be quoted (`\"Map<String,Long>\"`)"
        );
    }
    match closest(field, expected.iter().copied()) {
        Some(c) => format!("unknown key `{field}` (did you mean `{c}`?)"),
        None if expected.is_empty() => format!("unknown key `{field}`"),
        None => format!("unknown key `{field}` (expected one of {})", list(expected)),
    }
}

/// Where `word` is on the error line: at the reported column when it is
/// there (serde-saphyr points at the key), else its `word:` on the line.
fn locate_word(line: &str, at: Loc, word: &str) -> Loc {
    let len = word.chars().count() as u32;
    let here: String = line.chars().skip((at.col as usize).saturating_sub(1)).collect();
    if here.trim_start_matches(['"', '\'']).starts_with(word) {
        let quote = u32::from(here.starts_with(['"', '\'']));
        return Loc { col: at.col + quote, len, ..at };
    }
    match find_key(line, word) {
        Some(col) => Loc { col: col as u32, len, ..at },
        None => at,
    }
}

/// serde-saphyr reports a missing key where the mapping ended; for a block
/// mapping that is a list item, point at its first key (`- name: X`) instead.
fn mapping_start(text: &str, at: Loc) -> Loc {
    let indent = (at.col as usize).saturating_sub(1);
    let before: Vec<&str> = lines(text).take(at.line as usize).collect();
    for (i, line) in before.iter().enumerate().rev() {
        let lead = line.chars().take_while(|c| *c == ' ').count();
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') || lead > indent {
            continue;
        }
        if lead + 2 == indent && body.starts_with("- ") {
            return Loc::new(at.file, i as u32 + 1, indent as u32 + 1, 0);
        }
        if lead < indent {
            break;
        }
    }
    at
}

/// The first tab in leading whitespace on lines up to just after the error:
/// saphyr reports a tab-indented line at the end of the line before it.
fn tab_indent(file: u32, text: &str, err_line: u32) -> Option<Loc> {
    lines(text).take(err_line as usize + 1).enumerate().find_map(|(i, l)| {
        let col = l.chars().take_while(|c| *c == ' ' || *c == '\t').position(|c| c == '\t')?;
        Some(Loc::new(file, i as u32 + 1, col as u32 + 1, 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_texts() {
        for blank in ["", " ", "\n\n", "\t\r\n  \r", "# a comment\n  # another\r\n", "#"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for content in ["a: 1", "# c\n---\n", "\r{}", "~", "  x # c"] {
            assert!(!is_blank(content), "{content:?}");
        }
    }

    #[test]
    fn finds_the_key_before_a_value() {
        assert_eq!(key_before("    required: ").as_deref(), Some("required"));
        assert_eq!(key_before("  - { name: A, min_length:").as_deref(), Some("min_length"));
        assert_eq!(key_before("  - ").as_deref(), None);
    }

    #[test]
    fn unknown_key_messages() {
        assert_eq!(unknown_key("mehtod", &["name", "method"]), "unknown key `mehtod` (did you mean `method`?)");
        assert_eq!(unknown_key("zzz", &["name", "method"]), "unknown key `zzz` (expected one of `name`, `method`)");
    }

    #[test]
    fn missing_keys_point_at_the_list_item() {
        let text = "apis:\n  - name: A\n    method: GET\n    result: x\n";
        let at = mapping_start(text, Loc::new(0, 4, 5, 0));
        assert_eq!((at.line, at.col), (2, 5));
        let top = mapping_start("x: 1\n", Loc::new(0, 1, 1, 0));
        assert_eq!((top.line, top.col), (1, 1));
    }

    #[test]
    fn locates_unknown_keys() {
        let at = Loc::new(0, 1, 5, 0);
        assert_eq!(locate_word("    mehtod: PUT", at, "mehtod").col, 5);
        assert_eq!(locate_word("  - { a: 1, mehtod: PUT }", Loc::new(0, 1, 1, 0), "mehtod").col, 13);
    }
}
