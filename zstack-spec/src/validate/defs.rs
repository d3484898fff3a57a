//! Rules about types and enums: names, fields, values, `extends` (rule 6).

use std::collections::HashSet;

use crate::diag::Diag;
use crate::error::ErrorKind;
use crate::hint::did_you_mean;
use crate::raw::{RawEnum, RawFile, RawType};

use super::common::{field, unique, upper_camel};
use super::{DefKind, Defs};

pub(super) fn check_type(t: &RawType, defs: &Defs, diag: &mut Diag) {
    upper_camel(&t.name, "type", diag);
    t.fields.iter().for_each(|f| field(&f.value, defs, diag));
    unique(t.fields.iter().map(|f| &f.value.name), "field", &t.name.value, diag);
    let Some(parent) = &t.extends else { return };
    match defs.kind(&parent.value) {
        Some(DefKind::Type) => {}
        Some(DefKind::Enum) => {
            let msg = format!("`{}` is an enum: `extends` names a type", parent.value);
            diag.at(parent.loc, ErrorKind::BadExtends, msg);
        }
        None => {
            let types = defs.names.iter().copied().filter(|n| defs.kind(n) == Some(DefKind::Type));
            let hint = did_you_mean(&parent.value, types);
            diag.at(parent.loc, ErrorKind::UnresolvedType, format!("unknown type `{}`{hint}", parent.value));
        }
    }
}

pub(super) fn check_enum(e: &RawEnum, diag: &mut Diag) {
    upper_camel(&e.name, "enum", diag);
    if e.values.value.is_empty() {
        diag.at(e.values.loc, ErrorKind::InvalidValue, format!("enum `{}` needs at least one value", e.name.value));
    }
    for v in e.values.value.iter().filter(|v| v.value.is_empty()) {
        diag.at(v.loc, ErrorKind::InvalidValue, "an enum value must not be empty");
    }
    unique(&e.values.value, "value", &e.name.value, diag);
}

/// Rule 6: no type reaches itself through `extends`. Each cycle is reported
/// once, at the `extends` of its first member in file order.
pub(super) fn extends_cycles(files: &[RawFile], defs: &Defs, diag: &mut Diag) {
    let types: Vec<&RawType> = files.iter().flat_map(|f| &f.types).map(|t| &t.value).collect();
    let parent = |name: &str| {
        let t = types.iter().find(|t| t.name.value == name)?;
        t.extends.as_ref().filter(|p| defs.kind(&p.value) == Some(DefKind::Type)).map(|p| p.value.as_str())
    };
    let mut reported: HashSet<&str> = HashSet::new();
    for t in &types {
        let start = t.name.value.as_str();
        if reported.contains(start) {
            continue;
        }
        let mut chain = vec![start];
        let mut cur = start;
        while let Some(next) = parent(cur) {
            chain.push(next);
            if next == start || chain.len() > types.len() + 1 {
                break;
            }
            cur = next;
        }
        if chain.len() > 1 && chain.last() == Some(&start) {
            let loc = t.extends.as_ref().map_or(t.name.loc, |p| p.loc);
            diag.at(loc, ErrorKind::BadExtends, format!("`extends` cycle: {}", chain.join(" → ")));
            reported.extend(chain);
        }
    }
}
