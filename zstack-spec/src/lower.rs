//! Raw spec → resolved [`Spec`]. Runs only after validation passed, so every
//! conversion here succeeds; the fallbacks exist only to avoid panicking.

use crate::diag::Source;
use crate::fixup::Applied;
use crate::model::{
    Api, Constraints, EnumDef, Field, Group, Method, Param, ParamLocation, ResultShape, Scalar, Spec, TypeDef, TypeRef,
};
use crate::raw::{RawApi, RawEnum, RawField, RawFile, RawParam, RawResult, RawScalar, RawType};
use crate::span::Sp;
use crate::types::parse_type;
use crate::validate::{parse_location, parse_method};
use crate::version::parse_version;

pub(crate) fn lower(sources: &[Source], files: Vec<RawFile>, applied: Applied) -> Spec {
    let mut groups: Vec<Group> = sources.iter().zip(files).map(|(s, f)| group(s, f)).collect();
    for (file, fixup) in applied.fixups {
        if let Some(g) = groups.get_mut(file as usize) {
            g.fixups.push(fixup);
        }
    }
    Spec { groups: merge_same_name(groups) }
}

/// Files with the same stem in different directories form one group
/// (`spec/accounts.yaml` and the imported `spec/catalog/accounts.yaml`): one
/// Rust module and one cargo feature per resource. Sources are sorted by
/// path, so the first file (the hand-written one) names the group's file and
/// description, and its entries come first.
fn merge_same_name(groups: Vec<Group>) -> Vec<Group> {
    let mut merged: Vec<Group> = Vec::new();
    for g in groups {
        match merged.iter_mut().find(|m| m.name == g.name) {
            Some(m) => {
                m.description = m.description.take().or(g.description);
                m.apis.extend(g.apis);
                m.types.extend(g.types);
                m.enums.extend(g.enums);
                m.fixups.extend(g.fixups);
            }
            None => merged.push(g),
        }
    }
    merged.sort_by(|a, b| a.name.cmp(&b.name));
    merged
}

fn group(s: &Source, f: RawFile) -> Group {
    Group {
        name: s.group.clone(),
        file: s.rel.clone(),
        description: f.description,
        apis: f.apis.into_iter().map(|a| api(a.value)).collect(),
        types: f.types.into_iter().map(|t| type_def(t.value)).collect(),
        enums: f.enums.into_iter().map(|e| enum_def(e.value)).collect(),
        fixups: Vec::new(),
    }
}

fn ty(s: &Sp<String>) -> TypeRef {
    parse_type(&s.value).unwrap_or(TypeRef::Object)
}

fn since(s: &Option<Sp<String>>) -> Option<crate::model::Version> {
    s.as_ref().and_then(|v| parse_version(&v.value).ok())
}

fn since_source(s: &Option<Sp<String>>) -> Option<crate::model::SinceSource> {
    s.as_ref().and_then(|v| crate::model::SinceSource::parse(&v.value))
}

fn flag(b: &Option<Sp<bool>>, default: bool) -> bool {
    b.as_ref().map_or(default, |b| b.value)
}

fn api(a: RawApi) -> Api {
    Api {
        method: parse_method(&a.method.value).unwrap_or(Method::Get),
        envelope: a.envelope.as_ref().and_then(|e| e.value.clone()),
        is_async: flag(&a.is_async, false),
        session: flag(&a.session, true),
        query: flag(&a.query, false),
        since: since(&a.since),
        since_source: since_source(&a.since_source),
        params: a.params.into_iter().map(|p| param(p.value)).collect(),
        result: a.result.map_or(ResultShape::Empty, |r| result(r.value)),
        name: a.name.value,
        path: a.path.value,
        description: a.description,
        source: a.source,
    }
}

fn param(p: RawParam) -> Param {
    let location = p.location.as_ref().and_then(|l| parse_location(&l.value)).unwrap_or(ParamLocation::Query);
    Param {
        ty: ty(&p.ty),
        location,
        required: flag(&p.required, false),
        default: p.default.map(|d| scalar(d.value)),
        allowed: p.allowed.map(|a| a.value).unwrap_or_default(),
        since: since(&p.since),
        since_source: since_source(&p.since_source),
        secret: flag(&p.secret, false),
        constraints: Constraints {
            regex: p.regex.map(|r| r.value),
            range: p.range.map(|r| r.value),
            min_length: p.min_length.map(|v| v.value),
            max_length: p.max_length.map(|v| v.value),
            non_empty: flag(&p.non_empty, false),
            forbid_empty_string: !flag(&p.empty_string, true),
        },
        name: p.name.value,
        description: p.description,
    }
}

fn scalar(s: RawScalar) -> Scalar {
    match s {
        RawScalar::String(s) => Scalar::String(s),
        RawScalar::Bool(b) => Scalar::Bool(b),
        RawScalar::Int(i) => Scalar::Int(i),
        RawScalar::Float(x) => Scalar::Float(x),
    }
}

fn result(r: RawResult) -> ResultShape {
    match (r.inventory, r.inventories, r.fields) {
        (Some(t), ..) => ResultShape::Inventory(t.value),
        (_, Some(t), _) => ResultShape::Inventories { ty: t.value, total: flag(&r.total, false) },
        (.., Some(f)) => ResultShape::Fields(f.value.into_iter().map(|f| field(f.value)).collect()),
        _ => ResultShape::Empty,
    }
}

fn field(f: RawField) -> Field {
    Field {
        ty: ty(&f.ty),
        since: since(&f.since),
        since_source: since_source(&f.since_source),
        sensitive: flag(&f.sensitive, false),
        name: f.name.value,
        description: f.description,
    }
}

fn type_def(t: RawType) -> TypeDef {
    TypeDef {
        name: t.name.value,
        extends: t.extends.map(|e| e.value),
        polymorphic: t.polymorphic.unwrap_or(true),
        server_classes: t.server_classes,
        description: t.description,
        fields: t.fields.into_iter().map(|f| field(f.value)).collect(),
        source: t.source,
    }
}

fn enum_def(e: RawEnum) -> EnumDef {
    EnumDef {
        name: e.name.value,
        values: e.values.value.into_iter().map(|v| v.value).collect(),
        server_classes: e.server_classes,
        description: e.description,
    }
}
