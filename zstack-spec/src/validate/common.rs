//! Checks shared by APIs, params, types and fields.

use crate::diag::Diag;
use crate::error::ErrorKind;
use crate::hint::{did_you_mean, list};
use crate::model::{SinceSource, TypeRef};
use crate::names::is_upper_camel;
use crate::raw::RawField;
use crate::span::{Loc, Sp};
use crate::types::{BUILTINS, parse_type};
use crate::version::parse_version;

use super::Defs;

/// Where the characters of a scalar start: after its opening quote, if any.
pub(super) fn content(loc: Loc, diag: &Diag) -> Loc {
    let quoted = diag
        .line_of(loc)
        .and_then(|l| l.chars().nth((loc.col as usize).saturating_sub(1)))
        .is_some_and(|c| c == '"' || c == '\'');
    if quoted { Loc { col: loc.col + 1, len: loc.len.saturating_sub(2), ..loc } } else { loc }
}

/// Rule 5 and the type vocabulary: the string parses and its names resolve.
pub(super) fn type_ref(ty: &Sp<String>, defs: &Defs, diag: &mut Diag) -> Option<TypeRef> {
    let start = content(ty.loc, diag);
    let parsed = match parse_type(&ty.value) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!("invalid type `{}`: {}", ty.value, e.message);
            diag.at(start.shifted(e.offset, e.len), ErrorKind::BadType, msg);
            return None;
        }
    };
    let mut ok = true;
    for name in parsed.named() {
        if defs.kind(name).is_none() {
            let candidates = defs.names.iter().copied().chain(BUILTINS);
            let hint = did_you_mean(name, candidates);
            let at = start.shifted(word_offset(&ty.value, name), name.len());
            diag.at(at, ErrorKind::UnresolvedType, format!("unknown type `{name}`{hint}"));
            ok = false;
        }
    }
    ok.then_some(parsed)
}

/// Character offset of `word` as a whole identifier inside `s` (0 if absent).
fn word_offset(s: &str, word: &str) -> usize {
    let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    s.match_indices(word)
        .find(|(i, _)| !is_ident(s[..*i].chars().next_back()) && !is_ident(s[i + word.len()..].chars().next()))
        .map_or(0, |(i, _)| s[..i].chars().count())
}

/// Rule 7: `since` parses as a version; `since_source` is a known source
/// and comes with a `since`.
pub(super) fn since(v: &Option<Sp<String>>, source: &Option<Sp<String>>, diag: &mut Diag) {
    if let Some(v) = v
        && let Err(msg) = parse_version(&v.value)
    {
        diag.at(v.loc, ErrorKind::BadVersion, msg);
    }
    let Some(source) = source else { return };
    if SinceSource::parse(&source.value).is_none() {
        let names = SinceSource::ALL.map(SinceSource::as_str);
        let hint = did_you_mean(&source.value, names);
        let msg = format!("unknown since_source `{}`{hint}: expected {}", source.value, list(&names));
        diag.at(source.loc, ErrorKind::InvalidValue, msg);
    } else if v.is_none() {
        diag.at(source.loc, ErrorKind::InvalidValue, "`since_source` needs a `since`".to_string());
    }
}

/// API, type and enum names become Rust identifiers.
pub(super) fn upper_camel(name: &Sp<String>, what: &str, diag: &mut Diag) {
    if !is_upper_camel(&name.value) {
        let msg = format!("{what} name `{}` must be UpperCamel (ASCII letters and digits)", name.value);
        diag.at(name.loc, ErrorKind::InvalidName, msg);
    }
}

/// A wire name: anything but empty.
pub(super) fn wire_name(name: &Sp<String>, what: &str, diag: &mut Diag) {
    if name.value.trim().is_empty() {
        diag.at(name.loc, ErrorKind::InvalidName, format!("{what} name must not be empty"));
    }
}

/// Rule 11: names unique within their owner; reports each later duplicate.
pub(super) fn unique<'a>(names: impl IntoIterator<Item = &'a Sp<String>>, what: &str, owner: &str, diag: &mut Diag) {
    let mut seen: Vec<&Sp<String>> = Vec::new();
    for name in names {
        match seen.iter().find(|s| s.value == name.value) {
            Some(first) => {
                let msg = format!("duplicate {what} `{}` in `{owner}` (first at line {})", name.value, first.loc.line);
                diag.at(name.loc, ErrorKind::Duplicate, msg);
            }
            None => seen.push(name),
        }
    }
}

/// A type field or named-fields result entry.
pub(super) fn field(f: &RawField, defs: &Defs, diag: &mut Diag) {
    wire_name(&f.name, "field", diag);
    type_ref(&f.ty, defs, diag);
    since(&f.since, &f.since_source, diag);
}

#[cfg(test)]
mod tests {
    use super::word_offset;

    #[test]
    fn finds_whole_words() {
        assert_eq!(word_offset("List<FooBar>", "FooBar"), 5);
        assert_eq!(word_offset("Map<String,Foo>", "Foo"), 11);
        assert_eq!(word_offset("List<Foox>", "Foo"), 0);
    }
}
