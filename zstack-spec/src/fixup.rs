//! Applying `fixups:` to the raw spec before validation.
//!
//! A fixup names its target as the source wrote it, checks `was` against the
//! raw values (a mismatch means the source changed: "stale fixup"), then
//! applies `set`, `add` or `remove`. Targets are looked up across every file.

use std::collections::HashSet;

use crate::diag::Diag;
use crate::error::ErrorKind;
use crate::hint::{did_you_mean, list};
use crate::model::Fixup;
use crate::raw::{RawApi, RawField, RawFile, RawFixup, RawParam, RawPatch, RawScalar, RawType};
use crate::span::{Loc, Sp};

/// What the fixups did, for lowering and rule 8.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Applied fixups with the index of the file that declares them.
    pub fixups: Vec<(u32, Fixup)>,
    /// APIs whose `envelope` a fixup set: exempt from the PUT lower-camel rule.
    pub envelope_set: HashSet<String>,
}

/// Applies every fixup of every file, in file order.
pub(crate) fn apply_all(files: &mut [RawFile], diag: &mut Diag) -> Applied {
    let fixups: Vec<(u32, Sp<RawFixup>)> =
        files.iter().enumerate().flat_map(|(i, f)| f.fixups.iter().map(move |x| (i as u32, x.clone()))).collect();
    let mut applied = Applied::default();
    for (file, f) in &fixups {
        let before = diag.errors.len();
        let Some(target) = apply_one(files, &f.value, &mut applied, diag) else { continue };
        if diag.errors.len() == before {
            let fixup = Fixup { name: f.value.name.value.clone(), why: f.value.why.value.trim().to_owned(), target };
            applied.fixups.push((*file, fixup));
        }
    }
    applied
}

enum Target<'f> {
    Api(&'f Sp<String>),
    Param(&'f Sp<String>, &'f Sp<String>),
    Type(&'f Sp<String>),
    Field(&'f Sp<String>, &'f Sp<String>),
}

enum Op<'f> {
    Set(&'f Sp<RawPatch>),
    Add(&'f Sp<RawParam>),
    Remove,
}

/// Returns the target string (`Api.param`) when the fixup could be attempted.
fn apply_one(files: &mut [RawFile], f: &RawFixup, applied: &mut Applied, diag: &mut Diag) -> Option<String> {
    let target = target(f, diag)?;
    let op = operation(f, &target, diag)?;
    let was = f.was.as_ref().map(|w| &w.value);
    let name = &f.name.value;
    match (op, target) {
        (Op::Set(p), t) if p.value.entries().is_empty() => {
            diag.at(p.loc, ErrorKind::BadFixup, "`set` is empty");
            Some(target_string(&t))
        }
        (Op::Set(p), Target::Api(a)) => {
            let api = find_api(files, a, diag)?;
            if patch(api, name, &a.value, was, Some(&p.value), diag) && p.value.envelope.is_some() {
                applied.envelope_set.insert(a.value.clone());
            }
            Some(a.value.clone())
        }
        (Op::Set(p), Target::Param(a, pn)) => {
            let param = find_param(files, a, pn, diag)?;
            patch(param, name, &format!("{}.{}", a.value, pn.value), was, Some(&p.value), diag);
            Some(format!("{}.{}", a.value, pn.value))
        }
        (Op::Set(p), Target::Type(t)) => {
            let ty = find_type(files, t, diag)?;
            patch(ty, name, &t.value, was, Some(&p.value), diag);
            Some(t.value.clone())
        }
        (Op::Set(p), Target::Field(t, fname)) => {
            let field = find_field(files, t, fname, diag)?;
            patch(field, name, &format!("{}.{}", t.value, fname.value), was, Some(&p.value), diag);
            Some(format!("{}.{}", t.value, fname.value))
        }
        (Op::Remove, Target::Param(a, pn)) => {
            let label = format!("{}.{}", a.value, pn.value);
            if patch(find_param(files, a, pn, diag)?, name, &label, was, None, diag) {
                find_api(files, a, diag)?.params.retain(|p| p.value.name.value != pn.value);
            }
            Some(label)
        }
        (Op::Remove, Target::Field(t, fname)) => {
            let label = format!("{}.{}", t.value, fname.value);
            if patch(find_field(files, t, fname, diag)?, name, &label, was, None, diag) {
                find_type(files, t, diag)?.fields.retain(|x| x.value.name.value != fname.value);
            }
            Some(label)
        }
        (Op::Add(p), Target::Api(a)) => add_param(find_api(files, a, diag)?, p, diag),
        (Op::Add(p), Target::Type(t)) => add_field(find_type(files, t, diag)?, p, diag),
        // `operation` rejects the other combinations.
        (_, t) => Some(target_string(&t)),
    }
}

fn target_string(t: &Target) -> String {
    match t {
        Target::Api(a) | Target::Type(a) => a.value.clone(),
        Target::Param(a, b) | Target::Field(a, b) => format!("{}.{}", a.value, b.value),
    }
}

fn target<'f>(f: &'f RawFixup, diag: &mut Diag) -> Option<Target<'f>> {
    let misplaced = |diag: &mut Diag, key: &str, v: &Sp<String>, with: &str| {
        diag.at(diag.key_loc(v.loc, key), ErrorKind::BadFixup, format!("`{key}` goes with `{with}:`"));
        None
    };
    match (&f.api, &f.ty, &f.param, &f.field) {
        (Some(_), Some(t), ..) => {
            let msg = "a fixup targets an `api` or a `type`, not both";
            diag.at(diag.key_loc(t.loc, "type"), ErrorKind::BadFixup, msg);
            None
        }
        (Some(_), None, _, Some(x)) => misplaced(diag, "field", x, "type"),
        (None, _, Some(x), _) => misplaced(diag, "param", x, "api"),
        (Some(a), None, Some(p), None) => Some(Target::Param(a, p)),
        (Some(a), None, None, None) => Some(Target::Api(a)),
        (None, Some(t), None, Some(x)) => Some(Target::Field(t, x)),
        (None, Some(t), None, None) => Some(Target::Type(t)),
        (None, None, None, _) => {
            let msg = format!("fixup `{}` has no target: add `api:` or `type:`", f.name.value);
            diag.at(f.name.loc, ErrorKind::BadFixup, msg);
            None
        }
    }
}

fn operation<'f>(f: &'f RawFixup, target: &Target, diag: &mut Diag) -> Option<Op<'f>> {
    let mut ops: Vec<(&str, Loc)> = Vec::new();
    f.set.iter().for_each(|s| ops.push(("set", s.loc)));
    f.add.iter().for_each(|s| ops.push(("add", s.loc)));
    f.remove.iter().for_each(|s| ops.push(("remove", s.loc)));
    let mut fail = |loc: Loc, key: &str, msg: &str| {
        diag.at(diag.key_loc(loc, key), ErrorKind::BadFixup, msg);
        None
    };
    if let [_, (key, loc), ..] = ops[..] {
        return fail(loc, key, "a fixup has exactly one operation: `set`, `add` or `remove`");
    }
    if let Some(w) = &f.was
        && f.set.is_none()
        && f.remove.is_none()
    {
        return fail(w.loc, "was", "`was` goes with `set` or `remove`");
    }
    match (&f.set, &f.add, &f.remove) {
        (Some(s), ..) => Some(Op::Set(s)),
        (_, Some(a), _) => match target {
            Target::Param(_, p) => fail(p.loc, "param", ADD_TARGET),
            Target::Field(_, x) => fail(x.loc, "field", ADD_TARGET),
            _ => Some(Op::Add(a)),
        },
        (.., Some(r)) if !r.value => fail(r.loc, "", "`remove` must be `true`"),
        (.., Some(r)) => match target {
            Target::Param(..) | Target::Field(..) => Some(Op::Remove),
            _ => fail(r.loc, "remove", "`remove` needs a `param` or `field` to remove"),
        },
        _ => {
            let msg = format!("fixup `{}` has no operation: add `set:`, `add:` or `remove: true`", f.name.value);
            diag.at(f.name.loc, ErrorKind::BadFixup, msg);
            None
        }
    }
}

const ADD_TARGET: &str = "with `add`, name only the API or type: the added entry carries its own `name`";

fn add_param(api: &mut RawApi, p: &Sp<RawParam>, diag: &mut Diag) -> Option<String> {
    let target = format!("{}.{}", api.name.value, p.value.name.value);
    if api.params.iter().any(|x| x.value.name.value == p.value.name.value) {
        let msg =
            format!("API `{}` already has a param `{}`: use `set` to change it", api.name.value, p.value.name.value);
        diag.at(p.value.name.loc, ErrorKind::BadFixup, msg);
    } else {
        api.params.push(p.clone());
    }
    Some(target)
}

fn add_field(ty: &mut RawType, p: &Sp<RawParam>, diag: &mut Diag) -> Option<String> {
    let target = format!("{}.{}", ty.name.value, p.value.name.value);
    let extra = p.value.param_only_keys();
    for (key, loc) in &extra {
        diag.at(diag.key_loc(*loc, key), ErrorKind::BadFixup, format!("`{key}` is not a key of a type field"));
    }
    if ty.fields.iter().any(|x| x.value.name.value == p.value.name.value) {
        let msg =
            format!("type `{}` already has a field `{}`: use `set` to change it", ty.name.value, p.value.name.value);
        diag.at(p.value.name.loc, ErrorKind::BadFixup, msg);
    } else if extra.is_empty() {
        let q = &p.value;
        let field = RawField {
            name: q.name.clone(),
            ty: q.ty.clone(),
            since: q.since.clone(),
            since_source: q.since_source.clone(),
            description: q.description.clone(),
            sensitive: None,
        };
        ty.fields.push(Sp::new(field, p.loc));
    }
    Some(target)
}

fn find_api<'f>(files: &'f mut [RawFile], name: &Sp<String>, diag: &mut Diag) -> Option<&'f mut RawApi> {
    let names: Vec<String> = files.iter().flat_map(|f| &f.apis).map(|a| a.value.name.value.clone()).collect();
    let found = files.iter_mut().flat_map(|f| &mut f.apis).map(|a| &mut a.value).find(|a| a.name.value == name.value);
    if found.is_none() {
        let hint = did_you_mean(&name.value, names.iter().map(String::as_str));
        diag.at(name.loc, ErrorKind::FixupTarget, format!("no API named `{}`{hint}", name.value));
    }
    found
}

fn find_param<'f>(
    files: &'f mut [RawFile],
    api: &Sp<String>,
    p: &Sp<String>,
    diag: &mut Diag,
) -> Option<&'f mut RawParam> {
    let api = find_api(files, api, diag)?;
    let names: Vec<String> = api.params.iter().map(|x| x.value.name.value.clone()).collect();
    let (api_name, params) = (&api.name.value, &mut api.params);
    let found = params.iter_mut().map(|x| &mut x.value).find(|x| x.name.value == p.value);
    if found.is_none() {
        let hint = did_you_mean(&p.value, names.iter().map(String::as_str));
        diag.at(p.loc, ErrorKind::FixupTarget, format!("API `{api_name}` has no param `{}`{hint}", p.value));
    }
    found
}

fn find_type<'f>(files: &'f mut [RawFile], name: &Sp<String>, diag: &mut Diag) -> Option<&'f mut RawType> {
    let names: Vec<String> = files.iter().flat_map(|f| &f.types).map(|t| t.value.name.value.clone()).collect();
    let found = files.iter_mut().flat_map(|f| &mut f.types).map(|t| &mut t.value).find(|t| t.name.value == name.value);
    if found.is_none() {
        let hint = did_you_mean(&name.value, names.iter().map(String::as_str));
        diag.at(name.loc, ErrorKind::FixupTarget, format!("no type named `{}`{hint}", name.value));
    }
    found
}

fn find_field<'f>(
    files: &'f mut [RawFile],
    ty: &Sp<String>,
    f: &Sp<String>,
    diag: &mut Diag,
) -> Option<&'f mut RawField> {
    let ty = find_type(files, ty, diag)?;
    let names: Vec<String> = ty.fields.iter().map(|x| x.value.name.value.clone()).collect();
    let (ty_name, fields) = (&ty.name.value, &mut ty.fields);
    let found = fields.iter_mut().map(|x| &mut x.value).find(|x| x.name.value == f.value);
    if found.is_none() {
        let hint = did_you_mean(&f.value, names.iter().map(String::as_str));
        diag.at(f.loc, ErrorKind::FixupTarget, format!("type `{ty_name}` has no field `{}`{hint}", f.value));
    }
    found
}

/// Checks that `was` and `set` name only attributes of `T`, that `was`
/// matches, then applies `set`. Returns whether everything held.
fn patch<T: Patchable>(
    target: &mut T,
    fixup: &str,
    label: &str,
    was: Option<&RawPatch>,
    set: Option<&RawPatch>,
    diag: &mut Diag,
) -> bool {
    let entries: Vec<_> = was.into_iter().chain(set).flat_map(RawPatch::entries).collect();
    let mut ok = true;
    for (key, _, loc) in entries.iter().filter(|(k, ..)| !T::ATTRS.contains(k)) {
        let msg = format!("`{key}` cannot be fixed on {} (attributes: {})", T::KIND, list(T::ATTRS));
        diag.at(diag.key_loc(*loc, key), ErrorKind::BadFixup, msg);
        ok = false;
    }
    if !ok {
        return false;
    }
    for (key, want, loc) in was.map(RawPatch::entries).unwrap_or_default() {
        let have = target.get(key);
        if have != want {
            let msg = format!("stale fixup `{fixup}`: `{key}` of `{label}` is {have}, not {want} as `was` says");
            diag.at(loc, ErrorKind::StaleFixup, msg);
            ok = false;
        }
    }
    if ok && let Some(set) = set {
        target.set(set);
    }
    ok
}

/// A raw attribute value, for `was` comparisons and messages.
#[derive(Debug, PartialEq)]
pub(crate) enum Val {
    Text(Option<String>),
    Bool(bool),
    List(Vec<String>),
    Scalar(Option<RawScalar>),
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Text(Some(s)) => write!(f, "`{s}`"),
            Val::Scalar(Some(s)) => write!(f, "`{s}`"),
            Val::Text(None) | Val::Scalar(None) => f.write_str("absent"),
            Val::Bool(b) => write!(f, "`{b}`"),
            Val::List(items) => write!(f, "`[{}]`", items.join(", ")),
        }
    }
}

fn text(v: &Option<Sp<String>>) -> Val {
    Val::Text(v.as_ref().map(|s| s.value.clone()))
}

fn flag(v: &Option<Sp<bool>>, default: bool) -> Val {
    Val::Bool(v.as_ref().map_or(default, |b| b.value))
}

impl RawPatch {
    /// Present keys with their values and locations, in declaration order of
    /// the struct (serde does not keep the YAML order).
    pub(crate) fn entries(&self) -> Vec<(&'static str, Val, Loc)> {
        let mut out = Vec::new();
        let mut put = |k, v, loc: Option<Loc>| {
            if let Some(loc) = loc {
                out.push((k, v, loc));
            }
        };
        let loc = |o: Option<Loc>| o;
        put("method", text(&self.method), loc(self.method.as_ref().map(|v| v.loc)));
        put("path", text(&self.path), loc(self.path.as_ref().map(|v| v.loc)));
        let env = Val::Text(self.envelope.as_ref().and_then(|e| e.value.clone()));
        put("envelope", env, self.envelope.as_ref().map(|v| v.loc));
        put("async", flag(&self.is_async, false), self.is_async.as_ref().map(|v| v.loc));
        put("session", flag(&self.session, true), self.session.as_ref().map(|v| v.loc));
        put("since", text(&self.since), self.since.as_ref().map(|v| v.loc));
        put("since_source", text(&self.since_source), self.since_source.as_ref().map(|v| v.loc));
        put("name", text(&self.name), self.name.as_ref().map(|v| v.loc));
        put("type", text(&self.ty), self.ty.as_ref().map(|v| v.loc));
        put("location", text(&self.location), self.location.as_ref().map(|v| v.loc));
        put("required", flag(&self.required, false), self.required.as_ref().map(|v| v.loc));
        let allowed = Val::List(self.allowed.as_ref().map(|a| a.value.clone()).unwrap_or_default());
        put("allowed", allowed, self.allowed.as_ref().map(|v| v.loc));
        let default = Val::Scalar(self.default.as_ref().map(|d| d.value.clone()));
        put("default", default, self.default.as_ref().map(|v| v.loc));
        put("extends", text(&self.extends), self.extends.as_ref().map(|v| v.loc));
        out
    }
}

/// An entry a fixup can patch.
trait Patchable {
    const KIND: &'static str;
    const ATTRS: &'static [&'static str];
    fn get(&self, key: &str) -> Val;
    fn set(&mut self, p: &RawPatch);
}

/// `slot = value.clone()` for every attribute present in the patch.
fn assign<T: Clone>(slot: &mut T, value: &Option<T>) {
    if let Some(v) = value {
        *slot = v.clone();
    }
}

fn assign_opt<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
    if value.is_some() {
        slot.clone_from(value);
    }
}

impl Patchable for RawApi {
    const KIND: &'static str = "an API";
    const ATTRS: &'static [&'static str] = &["method", "path", "envelope", "async", "session", "since", "since_source"];

    fn get(&self, key: &str) -> Val {
        match key {
            "method" => Val::Text(Some(self.method.value.clone())),
            "path" => Val::Text(Some(self.path.value.clone())),
            "envelope" => Val::Text(self.envelope.as_ref().and_then(|e| e.value.clone())),
            "async" => flag(&self.is_async, false),
            "session" => flag(&self.session, true),
            "since_source" => text(&self.since_source),
            _ => text(&self.since),
        }
    }

    fn set(&mut self, p: &RawPatch) {
        assign(&mut self.method, &p.method);
        assign(&mut self.path, &p.path);
        assign_opt(&mut self.envelope, &p.envelope);
        assign_opt(&mut self.is_async, &p.is_async);
        assign_opt(&mut self.session, &p.session);
        assign_opt(&mut self.since, &p.since);
        assign_opt(&mut self.since_source, &p.since_source);
    }
}

impl Patchable for RawParam {
    const KIND: &'static str = "a param";
    const ATTRS: &'static [&'static str] =
        &["name", "type", "location", "required", "since", "since_source", "allowed", "default"];

    fn get(&self, key: &str) -> Val {
        match key {
            "name" => Val::Text(Some(self.name.value.clone())),
            "type" => Val::Text(Some(self.ty.value.clone())),
            "location" => text(&self.location),
            "required" => flag(&self.required, false),
            "allowed" => Val::List(self.allowed.as_ref().map(|a| a.value.clone()).unwrap_or_default()),
            "default" => Val::Scalar(self.default.as_ref().map(|d| d.value.clone())),
            "since_source" => text(&self.since_source),
            _ => text(&self.since),
        }
    }

    fn set(&mut self, p: &RawPatch) {
        assign(&mut self.name, &p.name);
        assign(&mut self.ty, &p.ty);
        assign_opt(&mut self.location, &p.location);
        assign_opt(&mut self.required, &p.required);
        assign_opt(&mut self.since, &p.since);
        assign_opt(&mut self.since_source, &p.since_source);
        assign_opt(&mut self.allowed, &p.allowed);
        assign_opt(&mut self.default, &p.default);
    }
}

impl Patchable for RawType {
    const KIND: &'static str = "a type";
    const ATTRS: &'static [&'static str] = &["extends"];

    fn get(&self, _key: &str) -> Val {
        text(&self.extends)
    }

    fn set(&mut self, p: &RawPatch) {
        assign_opt(&mut self.extends, &p.extends);
    }
}

impl Patchable for RawField {
    const KIND: &'static str = "a field";
    const ATTRS: &'static [&'static str] = &["name", "type", "since", "since_source"];

    fn get(&self, key: &str) -> Val {
        match key {
            "name" => Val::Text(Some(self.name.value.clone())),
            "type" => Val::Text(Some(self.ty.value.clone())),
            "since_source" => text(&self.since_source),
            _ => text(&self.since),
        }
    }

    fn set(&mut self, p: &RawPatch) {
        assign(&mut self.name, &p.name);
        assign(&mut self.ty, &p.ty);
        assign_opt(&mut self.since, &p.since);
        assign_opt(&mut self.since_source, &p.since_source);
    }
}
