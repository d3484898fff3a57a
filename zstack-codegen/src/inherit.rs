//! `extends`: a subclass carries its parent's fields, parent first.

use std::collections::HashMap;

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

/// [`descendants`] of every type at once (bases without any are absent), in
/// one walk up each type's chain: asking each of the spec's ~800 types in
/// turn walks every chain once per type.
pub fn all_descendants(spec: &Spec) -> HashMap<&str, Vec<&TypeDef>> {
    let mut below: HashMap<&str, Vec<&TypeDef>> = HashMap::new();
    for ty in spec.groups.iter().flat_map(|g| g.types.iter()) {
        for base in ancestors(spec, ty) {
            if base != ty.name {
                below.entry(base).or_default().push(ty);
            }
        }
    }
    below
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{spec, type_def};

    #[test]
    fn all_descendants_agrees_with_descendants() {
        let spec = spec(
            vec![],
            vec![
                type_def("Leaf", Some("Mid"), vec![]),
                type_def("Root", None, vec![]),
                type_def("Mid", Some("Root"), vec![]),
                type_def("Other", Some("Root"), vec![]),
                type_def("Alone", None, vec![]),
                // A chain that loops is cut, not followed forever.
                type_def("Loop", Some("Loop"), vec![]),
            ],
            vec![],
        );
        let below = all_descendants(&spec);
        let names = |defs: Vec<&TypeDef>| defs.iter().map(|d| d.name.clone()).collect::<Vec<_>>();
        for ty in &spec.groups[0].types {
            let one = names(descendants(&spec, &ty.name));
            let all = names(below.get(ty.name.as_str()).cloned().unwrap_or_default());
            assert_eq!(one, all, "{}", ty.name);
        }
        assert_eq!(names(below["Root"].clone()), ["Leaf", "Mid", "Other"]);
        assert!(!below.contains_key("Alone") && !below.contains_key("Loop"));
    }
}
