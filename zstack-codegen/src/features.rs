//! Cargo features per API group, closed over type dependencies.
//!
//! * `<group>` enables the group's requests (`api::<group>`) and, through
//!   `types-<x>` features, every types module they need.
//! * `types-<group>` enables the group's types module and the types modules
//!   its types refer to (fields, parents, and the subclasses an `Any…` enum
//!   holds). Cargo closes the chain transitively.
//! * A types module that only its own group's APIs use has no `types-<group>`
//!   feature: the group's feature enables it (the crate registry allows at
//!   most 300 features).
//! * Types reachable from the `core` group are always compiled: the client
//!   runtime itself needs `ErrorCode` and `SessionInventory`.
//! * `full` enables every group.
//! * The value-set enums ([`crate::values`]) belong to no types module: each
//!   is compiled when any group whose APIs use it is enabled.

use std::collections::{BTreeMap, BTreeSet};

use zstack_spec::{ResultShape, Spec, TypeRef};

use crate::inherit::all_fields;

/// The group whose types are always compiled.
pub const ALWAYS_GROUP: &str = "core";

/// Feature name → the features it enables.
pub type Features = BTreeMap<String, Vec<String>>;

/// The feature plan of a spec.
pub struct FeaturePlan {
    pub features: Features,
    /// Groups whose types module is always compiled.
    pub always: BTreeSet<String>,
    /// Groups whose types module is enabled by the group's own feature.
    pub folded: BTreeSet<String>,
}

impl FeaturePlan {
    pub fn new(spec: &Spec) -> FeaturePlan {
        // Params typed as a spec enum of another group need its types module.
        let (spec, _) = crate::values::ValueSets::plan(spec);
        Self::of_typed(&spec)
    }

    /// The plan of a spec whose value sets are already enum-typed
    /// (`generate_with` has done that pass; doing it again would clone the spec).
    pub fn of_typed(spec: &Spec) -> FeaturePlan {
        let owner = owners(spec);
        let type_deps = type_module_deps(spec, &owner);
        let always = closure(&type_deps, ALWAYS_GROUP);
        let api_deps: BTreeMap<&str, BTreeSet<String>> = spec
            .groups
            .iter()
            .filter(|g| !g.apis.is_empty())
            .map(|g| (g.name.as_str(), api_type_groups(spec, &g.name, &owner)))
            .collect();
        let folded = folded_groups(spec, &always, &api_deps, &type_deps);
        let plan = FeaturePlan { features: Features::new(), always, folded };
        let mut features = Features::new();
        for group in &spec.groups {
            let name = group.name.as_str();
            let has_types = !group.types.is_empty() || !group.enums.is_empty();
            let own_type_deps = || {
                type_deps.get(name).into_iter().flatten().filter(|d| *d != name).filter_map(|d| plan.types_feature(d))
            };
            if has_types
                && !plan.folded.contains(name)
                && let Some(feature) = plan.types_feature(name)
            {
                features.insert(feature, own_type_deps().collect());
            }
            if let Some(deps) = api_deps.get(name) {
                let mut enabled: BTreeSet<String> =
                    deps.iter().filter(|d| *d != name).filter_map(|d| plan.types_feature(d)).collect();
                if plan.folded.contains(name) {
                    enabled.extend(own_type_deps());
                } else if deps.contains(name) {
                    enabled.extend(plan.types_feature(name));
                }
                features.insert(group.name.clone(), enabled.into_iter().collect());
            }
        }
        let groups: Vec<String> = spec.groups.iter().filter(|g| !g.apis.is_empty()).map(|g| g.name.clone()).collect();
        features.insert("full".into(), groups);
        FeaturePlan { features, ..plan }
    }

    /// `cfg` feature for a group's api module.
    pub fn api_feature(&self, group: &str) -> Option<&str> {
        self.features.get_key_value(group).map(|(k, _)| k.as_str())
    }

    /// `cfg` feature for a group's types module: `None` when always compiled,
    /// the group's own feature when only its own APIs use it, else `types-<group>`.
    pub fn types_feature(&self, group: &str) -> Option<String> {
        if self.always.contains(group) {
            None
        } else if self.folded.contains(group) {
            Some(group.to_string())
        } else {
            Some(format!("types-{group}"))
        }
    }
}

/// Groups whose types module only their own APIs use: no other group's APIs
/// and no other types module refer to it, so the group's feature enables it
/// and no `types-<group>` feature is needed (crates.io allows 300 features).
fn folded_groups(
    spec: &Spec,
    always: &BTreeSet<String>,
    api_deps: &BTreeMap<&str, BTreeSet<String>>,
    type_deps: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let mut used_elsewhere: BTreeSet<&str> = BTreeSet::new();
    for (group, deps) in api_deps {
        used_elsewhere.extend(deps.iter().map(String::as_str).filter(|d| d != group));
    }
    for (module, deps) in type_deps {
        used_elsewhere.extend(deps.iter().map(String::as_str).filter(|d| d != module));
    }
    spec.groups
        .iter()
        .filter(|g| !g.apis.is_empty() && (!g.types.is_empty() || !g.enums.is_empty()))
        .map(|g| g.name.as_str())
        .filter(|g| !always.contains(*g) && !used_elsewhere.contains(g))
        .map(str::to_string)
        .collect()
}

/// Type or enum name → the group that defines it.
fn owners(spec: &Spec) -> BTreeMap<&str, &str> {
    let mut owner = BTreeMap::new();
    for g in &spec.groups {
        for t in &g.types {
            owner.insert(t.name.as_str(), g.name.as_str());
        }
        for e in &g.enums {
            owner.insert(e.name.as_str(), g.name.as_str());
        }
    }
    owner
}

/// Types module → the types modules its definitions refer to.
fn type_module_deps(spec: &Spec, owner: &BTreeMap<&str, &str>) -> BTreeMap<String, BTreeSet<String>> {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for g in &spec.groups {
        let entry = deps.entry(g.name.clone()).or_default();
        for t in &g.types {
            // Fields and the parent, not subclasses: an `Any…` enum's variant
            // of a subclass in another module is gated on that module's
            // feature instead (see `emit::any_enum`).
            let mut names: Vec<&str> = all_fields(spec, t).into_iter().flat_map(|f| f.ty.named()).collect();
            names.extend(t.extends.as_deref());
            entry.extend(names.into_iter().filter_map(|n| owner.get(n)).map(|g| g.to_string()));
        }
    }
    deps
}

/// Types modules an API group's params and results refer to directly.
fn api_type_groups(spec: &Spec, group: &str, owner: &BTreeMap<&str, &str>) -> BTreeSet<String> {
    let mut names: Vec<TypeRef> = Vec::new();
    for g in spec.groups.iter().filter(|g| g.name == group) {
        for api in &g.apis {
            names.extend(api.params.iter().map(|p| p.ty.clone()));
            match &api.result {
                ResultShape::Inventory(t) | ResultShape::Inventories { ty: t, .. } => {
                    names.push(TypeRef::Named(t.clone()))
                }
                ResultShape::Fields(fields) => names.extend(fields.iter().map(|f| f.ty.clone())),
                ResultShape::Empty => {}
            }
        }
    }
    names.iter().flat_map(|t| t.named()).filter_map(|n| owner.get(n)).map(|g| g.to_string()).collect()
}

/// Every module reachable from `start` (inclusive).
fn closure(deps: &BTreeMap<String, BTreeSet<String>>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.to_string()];
    while let Some(g) = stack.pop() {
        if seen.insert(g.clone()) {
            stack.extend(deps.get(&g).into_iter().flatten().cloned());
        }
    }
    seen
}

/// The `[features]` entries as TOML lines, sorted, one per feature.
pub fn render_toml(features: &Features) -> String {
    let mut out = String::new();
    for (name, deps) in features {
        let list: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
        out.push_str(&format!("{name} = [{}]\n", list.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use zstack_spec::{Method, ParamLocation};

    use super::*;
    use crate::test_support::*;

    #[test]
    fn api_features_pull_in_the_types_they_use_transitively() {
        let mut a = api(
            "GetVm",
            Method::Get,
            "/vms",
            None,
            vec![param("x", TypeRef::Named("Opt".into()), ParamLocation::Query, false)],
        );
        a.result = ResultShape::Inventory("Vm".into());
        let mut spec =
            spec(vec![a], vec![type_def("Vm", None, vec![field("nic", TypeRef::Named("Nic".into()))])], vec![]);
        spec.groups[0].name = "vms".into();
        let mut nics = spec.groups[0].clone();
        nics.name = "nics".into();
        nics.apis.clear();
        nics.types = vec![type_def("Nic", None, vec![]), type_def("SriovNic", Some("Nic"), vec![])];
        let mut opts = nics.clone();
        opts.name = "opts".into();
        opts.types = vec![type_def("Opt", None, vec![])];
        spec.groups.extend([nics, opts]);
        let plan = FeaturePlan::new(&spec);
        // Only `vms` uses its own types: they come with the `vms` feature.
        assert_eq!(plan.features["vms"], ["types-nics", "types-opts"]);
        assert!(!plan.features.contains_key("types-vms"));
        assert_eq!(plan.types_feature("vms").as_deref(), Some("vms"));
        assert_eq!(plan.features["types-nics"], Vec::<String>::new());
        assert_eq!(plan.types_feature("nics").as_deref(), Some("types-nics"));
        assert_eq!(plan.features["full"], ["vms"]);
        assert_eq!(plan.types_feature("core"), None);
    }

    #[test]
    fn a_subclass_elsewhere_does_not_pull_its_module_into_the_base_module() {
        let mut a = api("GetNic", Method::Get, "/nics", None, vec![]);
        a.result = ResultShape::Inventory("Nic".into());
        let mut spec = spec(vec![a], vec![type_def("Nic", None, vec![])], vec![]);
        spec.groups[0].name = "nics".into();
        let mut sriov = spec.groups[0].clone();
        sriov.name = "sriov".into();
        sriov.types = vec![type_def("SriovNic", Some("Nic"), vec![])];
        let mut b = api("GetSriov", Method::Get, "/sriov", None, vec![]);
        b.result = ResultShape::Inventory("SriovNic".into());
        sriov.apis = vec![b];
        spec.groups.push(sriov);
        let plan = FeaturePlan::new(&spec);
        // `nics` alone leaves the Sriov variant out; `sriov` brings the parent in.
        assert_eq!(plan.features["nics"], ["types-nics"]);
        assert_eq!(plan.features["sriov"], ["types-nics"]);
        assert_eq!(plan.features["types-nics"], Vec::<String>::new());
    }
}
