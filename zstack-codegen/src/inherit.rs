//! `extends`: a subclass carries its parent's fields, parent first.

use zstack_spec::{Field, Spec, TypeDef};

/// Inheritance chains are acyclic after validation; this bound only keeps a
/// malformed in-memory spec from looping.
const MAX_DEPTH: usize = 64;

/// The type's fields including inherited ones: root ancestor first, and a
/// field redeclared by a subclass replaces the inherited one in place.
pub fn all_fields<'s>(spec: &'s Spec, ty: &'s TypeDef) -> Vec<&'s Field> {
    let mut chain = vec![ty];
    while let Some(parent) = chain.last().and_then(|t| t.extends.as_deref()) {
        match spec.type_def(parent) {
            Some((_, def)) if chain.len() < MAX_DEPTH => chain.push(def),
            _ => break,
        }
    }
    let mut fields: Vec<&Field> = Vec::new();
    for def in chain.iter().rev() {
        for field in &def.fields {
            match fields.iter_mut().find(|f| f.name == field.name) {
                Some(slot) => *slot = field,
                None => fields.push(field),
            }
        }
    }
    fields
}

/// Names of `ty`'s ancestors, nearest first.
pub fn ancestors<'s>(spec: &'s Spec, ty: &'s TypeDef) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut current = ty.extends.as_deref();
    while let Some(name) = current {
        if out.len() >= MAX_DEPTH || out.contains(&name) {
            break;
        }
        out.push(name);
        current = spec.type_def(name).and_then(|(_, t)| t.extends.as_deref());
    }
    out
}

/// Every transitive descendant of `base`, in spec order.
pub fn descendants<'s>(spec: &'s Spec, base: &str) -> Vec<&'s TypeDef> {
    spec.groups
        .iter()
        .flat_map(|g| g.types.iter())
        .filter(|t| t.name != base && ancestors(spec, t).contains(&base))
        .collect()
}

/// Types with at least one subclass: values declared with them may hold a
/// subclass, so they are decoded through an `Any…` enum.
pub fn polymorphic_bases(spec: &Spec) -> std::collections::BTreeSet<String> {
    spec.groups
        .iter()
        .flat_map(|g| g.types.iter())
        .filter_map(|t| t.extends.clone())
        .filter(|base| spec.type_def(base).is_some_and(|(_, def)| def.polymorphic))
        .collect()
}
