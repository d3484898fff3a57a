//! Rules about one API: method, path and placeholders, envelope, params, result.

use crate::diag::Diag;
use crate::error::ErrorKind;
use crate::fixup::Applied;
use crate::hint::did_you_mean;
use crate::model::{Method, ParamLocation, TypeRef};
use crate::names::lower_camel;
use crate::raw::{RawApi, RawParam, RawResult};
use crate::span::Sp;

use super::Defs;
use super::common::{content, field, since, type_ref, unique, upper_camel, wire_name};

pub(super) fn check(api: &RawApi, defs: &Defs, applied: &Applied, diag: &mut Diag) {
    upper_camel(&api.name, "API", diag);
    since(&api.since, &api.since_source, diag);
    let method = method(&api.method, diag);
    let placeholders = path(&api.path, diag);
    let locations: Vec<_> = api.params.iter().map(|p| param(&p.value, defs, diag)).collect();
    unique(api.params.iter().map(|p| &p.value.name), "param", &api.name.value, diag);
    if let Some(placeholders) = placeholders {
        path_params(api, &placeholders, &locations, diag);
    }
    if let Some(method) = method {
        envelope(api, method, &locations, applied, diag);
        query(api, method, &locations, diag);
    }
    if let Some(r) = &api.result {
        result(&r.value, r.loc, defs, diag);
    }
}

/// `GET` `POST` `PUT` `DELETE`, exactly.
pub(crate) fn parse_method(s: &str) -> Option<Method> {
    match s {
        "GET" => Some(Method::Get),
        "POST" => Some(Method::Post),
        "PUT" => Some(Method::Put),
        "DELETE" => Some(Method::Delete),
        _ => None,
    }
}

pub(crate) fn parse_location(s: &str) -> Option<ParamLocation> {
    match s {
        "path" => Some(ParamLocation::Path),
        "query" => Some(ParamLocation::Query),
        "body" => Some(ParamLocation::Body),
        _ => None,
    }
}

fn method(m: &Sp<String>, diag: &mut Diag) -> Option<Method> {
    let parsed = parse_method(&m.value);
    if parsed.is_none() {
        let hint = did_you_mean(&m.value, ["GET", "POST", "PUT", "DELETE"]);
        let msg = format!("unknown method `{}`{hint}: expected `GET`, `POST`, `PUT` or `DELETE`", m.value);
        diag.at(m.loc, ErrorKind::InvalidValue, msg);
    }
    parsed
}

/// A `{name}` of a path, with its character offset inside the path.
pub(crate) struct Placeholder {
    pub name: String,
    pub offset: usize,
}

/// Splits a path template into placeholders, or reports why it is malformed.
pub(crate) fn placeholders(path: &str) -> Result<Vec<Placeholder>, (usize, String)> {
    if !path.starts_with('/') {
        return Err((0, "a path starts with `/`".into()));
    }
    let mut out: Vec<Placeholder> = Vec::new();
    let mut open: Option<usize> = None;
    let mut name = String::new();
    for (i, c) in path.chars().enumerate() {
        match (c, open) {
            ('{', Some(_)) => return Err((i, "`{` inside a placeholder".into())),
            ('{', None) => (open, name) = (Some(i), String::new()),
            ('}', None) => return Err((i, "unmatched `}`".into())),
            ('}', Some(at)) if name.is_empty() => return Err((at, "empty placeholder `{}`".into())),
            ('}', Some(at)) if out.iter().any(|p| p.name == name) => {
                return Err((at, format!("placeholder `{{{name}}}` appears twice")));
            }
            ('}', Some(at)) => {
                out.push(Placeholder { name: std::mem::take(&mut name), offset: at });
                open = None;
            }
            (c, _) if c.is_whitespace() || c == '?' || c == '#' => {
                return Err((
                    i,
                    format!("`{}` in a path (a path holds no spaces, query or fragment)", c.escape_debug()),
                ));
            }
            (c, Some(_)) if !(c.is_ascii_alphanumeric() || c == '_') => {
                return Err((i, format!("`{c}` in a placeholder name")));
            }
            (c, Some(_)) => name.push(c),
            _ => {}
        }
    }
    match open {
        Some(at) => Err((at, "unclosed `{`".into())),
        None => Ok(out),
    }
}

fn path(p: &Sp<String>, diag: &mut Diag) -> Option<Vec<Placeholder>> {
    placeholders(&p.value)
        .map_err(|(offset, msg)| {
            let at = content(p.loc, diag).shifted(offset, 1);
            diag.at(at, ErrorKind::BadPath, format!("invalid path `{}`: {msg}", p.value));
        })
        .ok()
}

/// Checks one param; returns its location when valid.
fn param(p: &RawParam, defs: &Defs, diag: &mut Diag) -> Option<ParamLocation> {
    wire_name(&p.name, "param", diag);
    type_ref(&p.ty, defs, diag);
    since(&p.since, &p.since_source, diag);
    constraints(p, diag);
    let Some(loc) = &p.location else {
        let at = diag.key_loc(p.name.loc, "name");
        diag.at(at, ErrorKind::MissingKey, format!("missing required key `location` in param `{}`", p.name.value));
        return None;
    };
    let parsed = parse_location(&loc.value);
    if parsed.is_none() {
        let hint = did_you_mean(&loc.value, ["path", "query", "body"]);
        let msg = format!("unknown param location `{}`{hint}: expected `path`, `query` or `body`", loc.value);
        diag.at(loc.loc, ErrorKind::InvalidValue, msg);
    }
    parsed
}

fn constraints(p: &RawParam, diag: &mut Diag) {
    if let Some(r) = &p.range
        && r.value.0 > r.value.1
    {
        let msg = format!("`range` low {} is above high {}", r.value.0, r.value.1);
        diag.at(r.loc, ErrorKind::BadConstraint, msg);
    }
    if let (Some(min), Some(max)) = (&p.min_length, &p.max_length)
        && min.value > max.value
    {
        let msg = format!("`min_length` {} is above `max_length` {}", min.value, max.value);
        diag.at(max.loc, ErrorKind::BadConstraint, msg);
    }
    if let Some(flag) = &p.empty_string
        && !flag.value
        && !matches!(crate::types::parse_type(&p.ty.value), Ok(TypeRef::String))
        && !matches!(crate::types::parse_type(&p.ty.value), Ok(TypeRef::List(inner)) if *inner == TypeRef::String)
    {
        let msg = format!("`empty_string: false` applies to strings, but `{}` is `{}`", p.name.value, p.ty.value);
        diag.at(flag.loc, ErrorKind::BadConstraint, msg);
    }
}

/// Rule 1 and "path params are required".
fn path_params(api: &RawApi, placeholders: &[Placeholder], locs: &[Option<ParamLocation>], diag: &mut Diag) {
    let params = || api.params.iter().map(|p| &p.value).zip(locs);
    let start = content(api.path.loc, diag);
    for ph in placeholders {
        if params().any(|(p, l)| p.name.value == ph.name && *l == Some(ParamLocation::Path)) {
            continue;
        }
        let elsewhere = params().find(|(p, _)| p.name.value == ph.name).and_then(|(p, _)| p.location.as_ref());
        let note = elsewhere.map(|l| format!(" (`{}` is located in `{}`)", ph.name, l.value)).unwrap_or_default();
        let msg = format!("placeholder `{{{}}}` has no `path` param named `{}`{note}", ph.name, ph.name);
        diag.at(start.shifted(ph.offset, ph.name.len() + 2), ErrorKind::PathParam, msg);
    }
    for (p, _) in params().filter(|(_, l)| **l == Some(ParamLocation::Path)) {
        let at = p.location.as_ref().map_or(p.name.loc, |l| l.loc);
        if !placeholders.iter().any(|ph| ph.name == p.name.value) {
            let msg = format!(
                "path param `{}` has no `{{{}}}` placeholder in `{}`",
                p.name.value, p.name.value, api.path.value
            );
            diag.at(at, ErrorKind::PathParam, msg);
        }
        if !p.required.as_ref().is_some_and(|r| r.value) {
            let at = p.required.as_ref().map_or(p.name.loc, |r| r.loc);
            diag.at(at, ErrorKind::PathParam, format!("path param `{}` must be `required: true`", p.name.value));
        }
    }
}

/// Rules 2, 3 and 8.
fn envelope(api: &RawApi, method: Method, locs: &[Option<ParamLocation>], applied: &Applied, diag: &mut Diag) {
    let env = api.envelope.as_ref();
    if let Some(e) = env.filter(|e| e.value.is_none()) {
        let msg = "`envelope: null` is YAML null: write `\"null\"` for the 4-letter key or `\"\"` for the empty key";
        diag.at(e.loc, ErrorKind::InvalidValue, msg);
        return;
    }
    let env = env.and_then(|e| e.value.as_deref().map(|v| (v, e.loc)));
    match (method.has_body(), env) {
        (false, Some((_, at))) => {
            let msg = format!("a {method} has no body, so no `envelope`");
            diag.at(diag.key_loc(at, "envelope"), ErrorKind::BodyOnBodyless, msg);
        }
        (true, None) => {
            let msg = format!("a {method} needs an `envelope` (the body key, e.g. `params`)");
            diag.at(api.method.loc, ErrorKind::MissingEnvelope, msg);
        }
        (true, Some((e, at))) if method == Method::Put && !applied.envelope_set.contains(&api.name.value) => {
            let want = lower_camel(&api.name.value);
            if e != want {
                let msg = format!(
                    "a PUT envelope is the lower-camel API name `{want}`, found `{e}` (if the MN really differs, say so with a fixup that sets `envelope`)"
                );
                diag.at(at, ErrorKind::EnvelopeMismatch, msg);
            }
        }
        _ => {}
    }
    if !method.has_body() {
        for (p, _) in api.params.iter().zip(locs).filter(|(_, l)| **l == Some(ParamLocation::Body)) {
            let at = p.value.location.as_ref().map_or(p.loc, |l| l.loc);
            let msg = format!(
                "`body` param `{}` on a {method}: GET and DELETE send params in the query string",
                p.value.name.value
            );
            diag.at(at, ErrorKind::BodyOnBodyless, msg);
        }
    }
}

/// A query API is a GET whose query params are implied.
fn query(api: &RawApi, method: Method, locs: &[Option<ParamLocation>], diag: &mut Diag) {
    let Some(q) = api.query.as_ref().filter(|q| q.value) else { return };
    if method != Method::Get {
        diag.at(q.loc, ErrorKind::BadQuery, format!("a query API is a GET, not a {method}"));
    }
    for (p, _) in api.params.iter().zip(locs).filter(|(_, l)| **l != Some(ParamLocation::Path)) {
        let msg = format!(
            "query API `{}` lists param `{}`: query params are implied, list only path params",
            api.name.value, p.value.name.value
        );
        diag.at(p.value.name.loc, ErrorKind::BadQuery, msg);
    }
}

fn result(r: &RawResult, loc: crate::span::Loc, defs: &Defs, diag: &mut Diag) {
    let shapes: Vec<(&str, crate::span::Loc)> = [
        r.inventory.as_ref().map(|v| ("inventory", v.loc)),
        r.inventories.as_ref().map(|v| ("inventories", v.loc)),
        r.fields.as_ref().map(|v| ("fields", v.loc)),
    ]
    .into_iter()
    .flatten()
    .collect();
    match shapes.as_slice() {
        [] => diag.at(
            loc,
            ErrorKind::BadResult,
            "`result` needs `inventory`, `inventories` or `fields` (omit `result` when the answer is `{}`)",
        ),
        [_] => {}
        [_, (key, at), ..] => {
            let msg = "`result` has exactly one of `inventory`, `inventories` or `fields`";
            diag.at(diag.key_loc(*at, key), ErrorKind::BadResult, msg);
        }
    }
    if let Some(t) = &r.total
        && r.inventories.is_none()
    {
        diag.at(diag.key_loc(t.loc, "total"), ErrorKind::BadResult, "`total` goes with `inventories`");
    }
    for inv in [&r.inventory, &r.inventories].into_iter().flatten() {
        if let Some(t) = type_ref(inv, defs, diag)
            && !matches!(t, TypeRef::Named(_))
        {
            diag.at(inv.loc, ErrorKind::BadResult, format!("an inventory is a named type, found `{t}`"));
        }
    }
    if let Some(fields) = &r.fields {
        fields.value.iter().for_each(|f| field(&f.value, defs, diag));
        unique(fields.value.iter().map(|f| &f.value.name), "result field", "result", diag);
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    fn names(p: &str) -> Vec<(String, usize)> {
        placeholders(p).map(|v| v.into_iter().map(|p| (p.name, p.offset)).collect()).unwrap_or_default()
    }

    #[test]
    fn splits_placeholders() {
        assert_eq!(names("/a/{uuid}/b/{x_y}"), vec![("uuid".into(), 3), ("x_y".into(), 12)]);
        assert_eq!(names("/cas/login/"), vec![]);
    }

    #[test]
    fn rejects_malformed_paths() {
        let err = |p: &str| placeholders(p).err();
        assert_eq!(err("a/b").map(|e| e.0), Some(0));
        assert_eq!(err("/a/{uuid").map(|e| e.1), Some("unclosed `{`".into()));
        assert_eq!(err("/a/uuid}").map(|e| e.0), Some(7));
        assert_eq!(err("/a/{}").map(|e| e.1), Some("empty placeholder `{}`".into()));
        assert_eq!(err("/a/{a{b}}").map(|e| e.0), Some(5));
        assert_eq!(err("/{a}/{a}").map(|e| e.0), Some(5));
        assert_eq!(err("/a b").map(|e| e.0), Some(2));
        assert_eq!(err("/a?x=1").map(|e| e.0), Some(2));
        assert_eq!(err("/{a-b}").map(|e| e.0), Some(3));
    }
}
