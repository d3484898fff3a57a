//! Spec-wide uniqueness (rules 4, 9, 11) and fixup naming.

use std::collections::HashMap;

use crate::diag::Diag;
use crate::error::ErrorKind;
use crate::names::is_kebab;
use crate::raw::{RawFile, RawFixup};
use crate::span::{Loc, Sp};

use super::api::parse_method;

/// Reports every later occurrence of a name seen before, anywhere in the spec.
fn spec_unique<'a>(names: impl Iterator<Item = &'a Sp<String>>, what: &str, diag: &mut Diag) {
    let mut first: HashMap<&str, Loc> = HashMap::new();
    for name in names {
        match first.get(name.value.as_str()) {
            Some(loc) => {
                let msg = format!("duplicate {what} `{}` (first defined at {})", name.value, diag.describe(*loc));
                diag.at(name.loc, ErrorKind::Duplicate, msg);
            }
            None => {
                first.insert(&name.value, name.loc);
            }
        }
    }
}

/// Rule 4: API names.
pub(super) fn api_names(files: &[RawFile], diag: &mut Diag) {
    spec_unique(files.iter().flat_map(|f| &f.apis).map(|a| &a.value.name), "API name", diag);
}

/// Rule 4: types and enums share one namespace.
pub(super) fn def_names(files: &[RawFile], diag: &mut Diag) {
    let types = files.iter().flat_map(|f| &f.types).map(|t| &t.value.name);
    let enums = files.iter().flat_map(|f| &f.enums).map(|e| &e.value.name);
    spec_unique(types.chain(enums), "type or enum name", diag);
}

/// Rule 11: fixup names.
pub(super) fn fixup_names(files: &[RawFile], diag: &mut Diag) {
    spec_unique(files.iter().flat_map(|f| &f.fixups).map(|x| &x.value.name), "fixup name", diag);
}

/// Rule 9: method + path + envelope identify an action on the MN. Paths that
/// differ only in placeholder names are the same route (the MN merges them).
pub(super) fn routes(files: &[RawFile], diag: &mut Diag) {
    let mut seen: HashMap<(String, String, Option<String>), &str> = HashMap::new();
    for api in files.iter().flat_map(|f| &f.apis).map(|a| &a.value) {
        if parse_method(&api.method.value).is_none() {
            continue;
        }
        let env = api.envelope.as_ref().and_then(|e| e.value.clone());
        let key = (api.method.value.clone(), route(&api.path.value), env);
        if let Some(other) = seen.get(&key) {
            let env = key.2.as_deref().map(|e| format!(" with envelope `{e}`")).unwrap_or_default();
            let msg = format!("{} {}{env} is already the route of `{other}`", key.0, api.path.value);
            diag.at(api.path.loc, ErrorKind::Duplicate, msg);
        } else {
            seen.insert(key, &api.name.value);
        }
    }
}

/// `/a/{uuid}/b` → `/a/{}/b`.
fn route(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' if inside => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Fixup names are kebab-case and every fixup says why.
pub(super) fn check_fixup(f: &RawFixup, diag: &mut Diag) {
    if !is_kebab(&f.name.value) {
        let msg = format!("fixup name `{}` must be kebab-case, like `delete-mode-in-query`", f.name.value);
        diag.at(f.name.loc, ErrorKind::InvalidName, msg);
    }
    if f.why.value.trim().is_empty() {
        diag.at(f.why.loc, ErrorKind::BadFixup, "`why` must explain the fixup");
    }
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn routes_ignore_placeholder_names() {
        assert_eq!(route("/vm-instances/{uuid}/actions"), route("/vm-instances/{vmInstanceUuid}/actions"));
        assert_ne!(route("/a/{x}"), route("/a/x"));
    }
}
