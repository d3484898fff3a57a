//! Checks that relate several keys: method vs. envelope and `flatten`, the path
//! template vs. the fields, and wire names that must be unique.

use std::collections::HashMap;

use syn::{Error, LitStr, Result};

use crate::attr::{Api, Errors, Field, did_you_mean};

/// One piece of a checked path template.
pub(crate) enum Piece {
    Literal(String),
    /// `{name}`, filled from `fields[field]`.
    Placeholder {
        name: String,
        field: usize,
    },
}

/// Check the whole input; on success, return the path template split into pieces.
pub(crate) fn check(api: &Api) -> Result<Vec<Piece>> {
    let mut errors = Errors::default();
    errors.push(check_envelope(api));
    for field in &api.fields {
        errors.push(check_flatten(api, field));
    }
    errors.push(check_wire_names(&api.fields));
    let pieces = errors.take(split_template(&api.path).and_then(|raw| resolve(api, raw)));
    errors.finish()?;
    Ok(pieces.expect("errors reported above"))
}

fn check_envelope(api: &Api) -> Result<()> {
    let method = api.method.as_str();
    match (&api.envelope, api.method.has_body()) {
        (None, true) => Err(Error::new(
            api.method_lit.span(),
            format!("a {method} request needs `envelope = \"...\"`, the body's wrapping key (\"\" is allowed)"),
        )),
        (Some((key, value)), false) => Err(Error::new_spanned(
            quote::quote!(#key #value),
            format!("a {method} request has no body, so it cannot have an `envelope`"),
        )),
        _ => Ok(()),
    }
}

fn check_flatten(api: &Api, field: &Field) -> Result<()> {
    let Some(flatten) = field.flatten else { return Ok(()) };
    let mut errors = Errors::default();
    if api.method.has_body() {
        let method = api.method.as_str();
        errors.push(Err(Error::new(
            flatten,
            format!("`flatten` adds query params, but a {method} request sends its params in the body"),
        )));
    }
    if let Some(rename) = &field.rename {
        errors.push(Err(Error::new(rename.span(), "a `flatten` field has no wire name of its own to rename")));
    }
    if let Some(since) = &field.since {
        errors.push(Err(Error::new(since.span(), "a `flatten` field's params have no `since` of their own")));
    }
    for c in &field.constraints {
        errors.push(Err(Error::new(
            c.span,
            "constraints do not apply to a `flatten` field; check in `QueryPairs::validate`",
        )));
    }
    errors.finish()
}

fn check_wire_names(fields: &[Field]) -> Result<()> {
    let mut errors = Errors::default();
    let mut owners: HashMap<&str, &Field> = HashMap::new();
    for field in fields.iter().filter(|f| f.flatten.is_none()) {
        if let Some(first) = owners.insert(&field.wire, field) {
            errors.push(Err(Error::new(
                field.wire_span(),
                format!("wire name `{}` is already used by field `{}`", field.wire, first.ident),
            )));
            owners.insert(&field.wire, first);
        }
    }
    errors.finish()
}

/// A piece before its placeholder is matched to a field.
#[derive(Debug, PartialEq)]
enum RawPiece {
    Literal(String),
    Placeholder(String),
}

/// `/a/{b}/c` → `["/a/", {b}, "/c"]`; rejects a missing leading `/` and bad braces.
fn split_template(lit: &LitStr) -> Result<Vec<RawPiece>> {
    split(&lit.value()).map_err(|msg| Error::new(lit.span(), msg))
}

fn split(template: &str) -> std::result::Result<Vec<RawPiece>, String> {
    if !template.starts_with('/') {
        return Err(format!("path {template:?} must start with `/`"));
    }
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("unmatched `}}` in path {template:?}"));
        }
        if open > 0 {
            pieces.push(RawPiece::Literal(rest[..open].to_string()));
        }
        let inner = &rest[open + 1..];
        let close = match inner.find(['{', '}']) {
            Some(close) if inner[close..].starts_with('}') => close,
            _ => return Err(format!("unclosed `{{` in path {template:?}")),
        };
        if close == 0 {
            return Err(format!("empty placeholder `{{}}` in path {template:?}"));
        }
        pieces.push(RawPiece::Placeholder(inner[..close].to_string()));
        rest = &inner[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(RawPiece::Literal(rest.to_string()));
    }
    Ok(pieces)
}

/// Match every placeholder to the (non-flatten) field with that wire name.
fn resolve(api: &Api, raw: Vec<RawPiece>) -> Result<Vec<Piece>> {
    let mut errors = Errors::default();
    let params = || api.fields.iter().enumerate().filter(|(_, f)| f.flatten.is_none());
    let pieces = raw
        .into_iter()
        .filter_map(|piece| match piece {
            RawPiece::Literal(s) => Some(Piece::Literal(s)),
            RawPiece::Placeholder(name) => match params().find(|(_, f)| f.wire == name) {
                Some((field, _)) => Some(Piece::Placeholder { name, field }),
                None => {
                    let hint = did_you_mean(&name, params().map(|(_, f)| f.wire.as_str()))
                        .map_or_else(String::new, |w| format!("; did you mean `{w}`?"));
                    let msg = format!("placeholder `{{{name}}}` has no field named `{name}`{hint}");
                    errors.push(Err(Error::new(api.path.span(), msg)));
                    None
                }
            },
        })
        .collect();
    errors.finish()?;
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::RawPiece::{Literal, Placeholder};
    use super::*;

    #[test]
    fn splits_literals_and_placeholders() {
        assert_eq!(
            split("/backup-storage/{uuid}/actions").unwrap(),
            [Literal("/backup-storage/".into()), Placeholder("uuid".into()), Literal("/actions".into())]
        );
        assert_eq!(
            split("/a/{x}{y}").unwrap(),
            [Literal("/a/".into()), Placeholder("x".into()), Placeholder("y".into())]
        );
        assert_eq!(split("/cas/login/").unwrap(), [Literal("/cas/login/".into())]);
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(split("zones").unwrap_err().contains("must start with `/`"));
        assert!(split("/a/{uuid").unwrap_err().contains("unclosed `{`"));
        assert!(split("/a/{x{y}}").unwrap_err().contains("unclosed `{`"));
        assert!(split("/a/{}/b").unwrap_err().contains("empty placeholder"));
        assert!(split("/a/x}").unwrap_err().contains("unmatched `}`"));
    }
}
