//! Closed value sets of string params (`allowed:` in the spec) as enums.
//!
//! A `String` (or `List<String>`) param with `allowed` values is typed as a
//! string enum, which keeps an `Unknown(String)` variant: the MN may learn new
//! values before this SDK does, and `From<&str>` still takes any string. The
//! derive's `one_of` check stays, so a value outside the param's set is still
//! refused before anything is sent. Path params (filled into the URL as
//! `&str`) and credentials (held in `Secret`) stay strings.
//!
//! [`ValueSets::plan`] rewrites the spec's param types once, up front, so
//! every later stage (names, features, emitters) sees an ordinary named type:
//!
//! * **Reuse.** A spec enum of the API's own group is reused when its values
//!   contain the param's set (equal, or a superset: `one_of` then keeps the
//!   param's subset) and its name has the param's UpperCamel wire name in it
//!   (`state` → `PciDeviceState` in `pci-devices`). A spec enum of another
//!   group is reused when it has exactly the param's values and is named
//!   after it (`deleteMode` → `DeleteMode`); a superset there is a different
//!   concept that shares a name (iam2's `State` has `Staled`). Among several,
//!   an equal set beats a superset, the API's own group beats another, then
//!   fewer values, then the name. A reused enum from another group's types
//!   module makes the API group's feature enable that module
//!   ([`crate::features`]).
//! * **New enums.** Every other distinct value set (compared as a set; the
//!   variants keep the order of the set's first use) becomes one enum, shared
//!   by every param that has exactly that set, in the `types::values` module.
//!   Each is compiled when any API group that uses it is enabled.
//!
//! Names of new enums (planned here, after every spec type, enum and `Any…`
//! enum, so those never lose their names):
//!
//! 1. The *base* is the UpperCamel wire name most of the set's params have
//!    (ties: alphabetical): `strategy` → `Strategy`.
//! 2. Of the sets with the same base, the one used by the most APIs (ties:
//!    more groups, then the sorted values) gets the bare base, unless a spec
//!    type already has that name. A set that is alone with its base is that
//!    winner, so a base only gains a qualifier when it is contested, and the
//!    most-used set keeps its name when a new API brings another set.
//! 3. Every other set is qualified by where it is used: the API's name when
//!    one API uses it (`CreateBaremetalInstanceStrategy`), else the group's
//!    UpperCamel name when one group does (`SecurityGroupsType`), else (or
//!    when that is taken too) its first three values (`StateStoppedRunning`).
//! 4. If every qualified name is taken, the values name gets a numeric suffix.
//!
//! Names the crate root or the prelude export (`SortDirection`, `Method`, ...)
//! count as taken, like spec type names.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use zstack_spec::{EnumDef, ParamLocation, Spec, TypeRef};

use crate::naming::type_name;

/// The new enums of a spec, and which API groups use each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValueSets {
    /// New enums, sorted by name; `name` is the planned Rust name, which is
    /// also the name params refer to (`TypeRef::Named`).
    pub enums: Vec<EnumDef>,
    /// Enum name → the groups whose APIs use it.
    pub users: BTreeMap<String, BTreeSet<String>>,
    /// Params typed as a spec enum they previously were not (`Api.param` → enum).
    pub reused: BTreeMap<String, String>,
}

/// One use of a value set: (group, API, param wire name).
type Use = (String, String, String);

/// A distinct value set on its way to becoming an enum.
struct Set {
    /// Values in the order of the set's first use.
    values: Vec<String>,
    uses: Vec<Use>,
}

impl Set {
    fn apis(&self) -> BTreeSet<&str> {
        self.uses.iter().map(|(_, api, _)| api.as_str()).collect()
    }

    fn groups(&self) -> BTreeSet<&str> {
        self.uses.iter().map(|(group, _, _)| group.as_str()).collect()
    }

    fn sorted(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.values.iter().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}

impl ValueSets {
    /// The spec with every eligible param retyped, and the new enums it needs.
    /// Idempotent: a retyped param is no longer a string.
    pub fn plan(spec: &Spec) -> (Spec, ValueSets) {
        let mut out = spec.clone();
        let mut values = ValueSets::default();
        let mut sets: BTreeMap<BTreeSet<String>, Set> = BTreeMap::new();
        // (group, api index, param index) → value-set key, filled in below.
        let mut pending: Vec<(usize, usize, usize, BTreeSet<String>)> = Vec::new();
        for (gi, group) in spec.groups.iter().enumerate() {
            for (ai, api) in group.apis.iter().enumerate() {
                for (pi, p) in api.params.iter().enumerate() {
                    if !eligible(p) {
                        continue;
                    }
                    let key: BTreeSet<String> = p.allowed.iter().cloned().collect();
                    if let Some(existing) = reusable(spec, &group.name, &p.name, &key) {
                        values.reused.insert(format!("{}.{}", api.name, p.name), existing.clone());
                        retype(&mut out.groups[gi].apis[ai].params[pi].ty, existing);
                        continue;
                    }
                    let set =
                        sets.entry(key.clone()).or_insert_with(|| Set { values: dedup(&p.allowed), uses: Vec::new() });
                    set.uses.push((group.name.clone(), api.name.clone(), p.name.clone()));
                    pending.push((gi, ai, pi, key));
                }
            }
        }
        let names = name_sets(spec, &sets);
        for (gi, ai, pi, key) in pending {
            retype(&mut out.groups[gi].apis[ai].params[pi].ty, names[&key].clone());
        }
        for (key, set) in &sets {
            let name = names[key].clone();
            values.users.insert(name.clone(), set.groups().into_iter().map(str::to_string).collect());
            values.enums.push(EnumDef {
                name,
                values: set.values.clone(),
                server_classes: Vec::new(),
                description: Some(describe(set)),
            });
        }
        values.enums.sort_by(|a, b| a.name.cmp(&b.name));
        (out, values)
    }
}

/// A string (or list of strings) with a closed set, sent as itself.
fn eligible(p: &zstack_spec::Param) -> bool {
    let stringy = match &p.ty {
        TypeRef::String => true,
        TypeRef::List(inner) => **inner == TypeRef::String,
        _ => false,
    };
    stringy
        && !p.allowed.is_empty()
        && !p.secret
        && !crate::rust_type::is_secret_name(&p.name)
        && p.location != ParamLocation::Path
}

/// `String` → `Named`, `List<String>` → `List<Named>`.
fn retype(ty: &mut TypeRef, name: String) {
    match ty {
        TypeRef::List(inner) => **inner = TypeRef::Named(name),
        other => *other = TypeRef::Named(name),
    }
}

fn dedup(values: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    values.iter().filter(|v| seen.insert(v.as_str())).cloned().collect()
}

/// The UpperCamel type name of a wire name (`deleteMode` → `DeleteMode`).
fn base_name(wire: &str) -> String {
    type_name(&camel(wire))
}

/// UpperCamel, not yet escaped (`self` → `Self`), to build longer names from.
fn camel(wire: &str) -> String {
    wire.to_upper_camel_case().chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The spec enum a param with values `set` reuses, if any (see the module docs).
fn reusable(spec: &Spec, group: &str, param: &str, set: &BTreeSet<String>) -> Option<String> {
    let base = base_name(param);
    let mut candidates: Vec<(bool, bool, usize, &str)> = spec
        .groups
        .iter()
        .flat_map(|g| g.enums.iter().map(move |e| (g.name.as_str(), e)))
        .filter(|(owner, e)| {
            let equal = e.values.len() == set.len();
            let contains = set.iter().all(|v| e.values.contains(v));
            // Another group's enum only with exactly the same values: a superset
            // there means a different concept that shares a name (`State`).
            contains && (*owner == group && has_word(&e.name, &base) || equal && type_name(&e.name) == base)
        })
        .map(|(owner, e)| (e.values.len() != set.len(), owner != group, e.values.len(), e.name.as_str()))
        .collect();
    candidates.sort();
    candidates.first().map(|(.., name)| name.to_string())
}

/// `name` contains the UpperCamel words of `base` (`ActionType` has `Action`,
/// `PciDeviceState` has `State`; `Stateful` does not have `State`).
/// A match starts a word as `base` starts upper case; it must end one too.
fn has_word(name: &str, base: &str) -> bool {
    name.match_indices(base)
        .any(|(at, _)| name[at + base.len()..].chars().next().is_none_or(|c| !c.is_ascii_lowercase()))
}

/// A set's doc: where it is used.
fn describe(set: &Set) -> String {
    let mut params: Vec<&str> = set.uses.iter().map(|(_, _, p)| p.as_str()).collect();
    params.sort_unstable();
    params.dedup();
    let params: Vec<String> = params.iter().map(|p| format!("`{p}`")).collect();
    let apis: Vec<String> = set.apis().iter().map(|a| format!("`{a}`")).collect();
    const SHOWN: usize = 4;
    let list = if apis.len() > SHOWN {
        format!("{} and {} more", apis[..SHOWN].join(", "), apis.len() - SHOWN)
    } else {
        apis.join(", ")
    };
    let noun = if apis.len() == 1 { "API" } else { "APIs" };
    format!(
        "The values of the {} param{} of the {noun} {list}. A value this SDK does not know is kept in \
         `Unknown`; the request's validation refuses values the param does not accept.",
        params.join(", "),
        if params.len() == 1 { "" } else { "s" },
    )
}

/// Names the crate root and the prelude export: a glob import of
/// `zstack_sdk::types` next to them must not make a name ambiguous.
const RESERVED: &[&str] = &[
    "Api",
    "ApiRequest",
    "Call",
    "Client",
    "ClientBuilder",
    "Condition",
    "Error",
    "ErrorCode",
    "Field",
    "InvalidRequest",
    "JobHandle",
    "Method",
    "Password",
    "QueryRequest",
    "QueryStream",
    "Secret",
    "SessionInventory",
    "Sort",
    "SortDirection",
    "Submitted",
    "Timestamp",
    "WireRequest",
];

/// The planned name of each set (see the module docs).
fn name_sets(spec: &Spec, sets: &BTreeMap<BTreeSet<String>, Set>) -> BTreeMap<BTreeSet<String>, String> {
    // Every name a spec type, enum or `Any…` enum has (raw and as Rust), so a
    // new enum never takes or shadows one.
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    for g in &spec.groups {
        for name in g.types.iter().map(|t| &t.name).chain(g.enums.iter().map(|e| &e.name)) {
            taken.extend([name.clone(), type_name(name)]);
        }
    }
    taken.extend(crate::inherit::polymorphic_bases(spec).iter().map(|b| format!("Any{}", type_name(b))));

    let mut by_base: BTreeMap<String, Vec<&BTreeSet<String>>> = BTreeMap::new();
    for (key, set) in sets {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (_, _, p) in &set.uses {
            *counts.entry(camel(p)).or_default() += 1;
        }
        // Most uses; among equals the alphabetically first.
        let base = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(b, _)| b.clone());
        by_base.entry(base.unwrap_or_default()).or_default().push(key);
    }
    // Bare names first, so a qualified name never takes another base's.
    let mut winners = Vec::new();
    let mut others = Vec::new();
    for (base, mut keys) in by_base {
        // The winner first: most APIs, then most groups, then sorted values.
        keys.sort_by(|a, b| {
            let (a, b) = (&sets[*a], &sets[*b]);
            (b.apis().len(), b.groups().len())
                .cmp(&(a.apis().len(), a.groups().len()))
                .then(a.sorted().cmp(&b.sorted()))
        });
        let mut keys = keys.into_iter();
        let first = keys.next().expect("a base has at least one set");
        let bare = type_name(&base);
        if taken.contains(&bare) {
            others.push((base.clone(), first));
        } else {
            taken.insert(bare.clone());
            winners.push((bare, first));
        }
        others.extend(keys.map(|k| (base.clone(), k)));
    }
    let mut names: BTreeMap<BTreeSet<String>, String> =
        winners.into_iter().map(|(base, key)| (key.clone(), base)).collect();
    for (base, key) in others {
        let candidates = qualified(&base, &sets[key]);
        let name = match candidates.iter().find(|c| !taken.contains(*c)) {
            Some(free) => free.clone(),
            None => {
                let last = candidates.last().expect("the values name is always a candidate");
                (2..).map(|n| format!("{last}{n}")).find(|c| !taken.contains(c)).expect("unbounded")
            }
        };
        taken.insert(name.clone());
        names.insert(key.clone(), name);
    }
    names
}

/// The qualified names of a set (`base` not yet escaped), best first: `{Api}{Base}` when one API uses
/// it, `{Group}{Base}` when one group does, and always
/// `{Base}{Value1}{Value2}{Value3}`.
fn qualified(base: &str, set: &Set) -> Vec<String> {
    let mut out = Vec::new();
    if let [api] = set.apis().into_iter().collect::<Vec<_>>()[..] {
        out.push(type_name(&format!("{api}{base}")));
    }
    if let [group] = set.groups().into_iter().collect::<Vec<_>>()[..] {
        out.push(type_name(&format!("{}{base}", camel(group))));
    }
    let values: String = set.values.iter().take(3).map(|v| camel(v)).collect();
    out.push(type_name(&format!("{base}{values}")));
    out
}

#[cfg(test)]
mod tests {
    use zstack_spec::{EnumDef, Group, Method, ParamLocation, Spec, TypeRef};

    use super::*;
    use crate::test_support::*;

    fn with_allowed(name: &str, ty: TypeRef, values: &[&str]) -> zstack_spec::Param {
        let mut p = param(name, ty, ParamLocation::Body, false);
        p.allowed = values.iter().map(|v| v.to_string()).collect();
        p
    }

    fn post(name: &str, params: Vec<zstack_spec::Param>) -> zstack_spec::Api {
        api(name, Method::Post, &format!("/{}", name.to_lowercase()), Some("params"), params)
    }

    fn group(name: &str, apis: Vec<zstack_spec::Api>, enums: Vec<EnumDef>) -> Group {
        let mut g = spec(apis, vec![], enums).groups.remove(0);
        g.name = name.into();
        g.file = format!("{name}.yaml").into();
        g
    }

    fn enum_def(name: &str, values: &[&str]) -> EnumDef {
        EnumDef {
            name: name.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            server_classes: vec![],
            description: None,
        }
    }

    /// Every value-set case at once: reuse (equal, superset, by name and by
    /// group), dedupe, name contests, a taken name, and what stays a string.
    fn sample() -> Spec {
        let s = TypeRef::String;
        let vms = group(
            "vm-instances",
            vec![
                post(
                    "CreateVmInstance",
                    vec![
                        with_allowed("strategy", s.clone(), &["InstantStart", "JustCreate", "CreateStopped"]),
                        with_allowed("deleteMode", s.clone(), &["Permissive", "Enforcing"]),
                        with_allowed("state", s.clone(), &["Enabled", "Disabled"]),
                        with_allowed("ipVersion", TypeRef::Integer, &["4", "6"]),
                        with_allowed("tags", TypeRef::List(Box::new(s.clone())), &["a", "b"]),
                    ],
                ),
                // The same set in another order: the same enum.
                post(
                    "CloneVmInstance",
                    vec![with_allowed("strategy", s.clone(), &["JustCreate", "CreateStopped", "InstantStart"])],
                ),
                post(
                    "CreateVmInstanceFromVolume",
                    vec![with_allowed("strategy", s.clone(), &["InstantStart", "JustCreate", "CreateStopped"])],
                ),
                // A contested base: the set fewer APIs use is qualified by its API.
                post(
                    "CreateBaremetalInstance",
                    vec![with_allowed("strategy", s.clone(), &["InstantStart", "JustCreate"])],
                ),
                // Stays a string: a path param and a credential.
                api(
                    "GetVmThing",
                    Method::Get,
                    "/vm/{kind}",
                    None,
                    vec![
                        zstack_spec::Param {
                            location: ParamLocation::Path,
                            required: true,
                            ..with_allowed("kind", s.clone(), &["x", "y"])
                        },
                        with_allowed("accessToken", s.clone(), &["t"]),
                    ],
                ),
            ],
            vec![enum_def("VmInstanceState", &["Enabled", "Disabled", "Destroyed"])],
        );
        let zones = group(
            "zones",
            vec![
                post(
                    "CreateZone",
                    vec![
                        // Used in two groups with a contested base: qualified by its values.
                        with_allowed("strategy", s.clone(), &["InstantStart", "CreateStopped"]),
                        // `Protocol` is a spec enum's name with other values: qualified.
                        with_allowed("protocol", s.clone(), &["http", "https"]),
                        // A spec enum of another group, by name, for the same set.
                        with_allowed("protocolType", s.clone(), &["UDP", "TCP"]),
                        // Not for a subset: `Mode` there is another concept; `Mode` is taken.
                        with_allowed("mode", s.clone(), &["a"]),
                    ],
                ),
                post("UpdateZone", vec![with_allowed("sortDirection", s.clone(), &["asc", "desc"])]),
            ],
            vec![enum_def("DeleteMode", &["Permissive", "Enforcing"]), enum_def("Protocol", &["tcp", "udp"])],
        );
        let mut net = group(
            "networks",
            vec![post("CreateNet", vec![with_allowed("strategy", s, &["InstantStart", "CreateStopped"])])],
            vec![enum_def("ProtocolType", &["TCP", "UDP"]), enum_def("Mode", &["a", "b"])],
        );
        net.types.clear();
        Spec { groups: vec![net, vms, zones] }
    }

    fn param_ty<'s>(spec: &'s Spec, api: &str, param: &str) -> &'s TypeRef {
        let (_, api) = spec.apis().find(|(_, a)| a.name == api).unwrap();
        &api.params.iter().find(|p| p.name == param).unwrap().ty
    }

    fn named(name: &str) -> TypeRef {
        TypeRef::Named(name.into())
    }

    #[test]
    fn sets_map_to_reused_or_shared_enums_with_planned_names() {
        let (spec, values) = ValueSets::plan(&sample());
        let ty = |api, param| param_ty(&spec, api, param).clone();
        // Reuse: equal sets by name from other groups, a superset from the own group.
        assert_eq!(ty("CreateVmInstance", "deleteMode"), named("DeleteMode"));
        assert_eq!(ty("CreateZone", "protocolType"), named("ProtocolType"));
        assert_eq!(ty("CreateVmInstance", "state"), named("VmInstanceState"));
        // No reuse of another group's superset; the bare name is taken.
        assert_eq!(ty("CreateZone", "mode"), named("CreateZoneMode"));
        // Dedupe: one enum for one set, whatever the order.
        assert_eq!(ty("CreateVmInstance", "strategy"), named("Strategy"));
        assert_eq!(ty("CloneVmInstance", "strategy"), named("Strategy"));
        // Contested base: one API → API-qualified; two groups → values-qualified.
        assert_eq!(ty("CreateBaremetalInstance", "strategy"), named("CreateBaremetalInstanceStrategy"));
        assert_eq!(ty("CreateZone", "strategy"), named("StrategyInstantStartCreateStopped"));
        assert_eq!(ty("CreateNet", "strategy"), named("StrategyInstantStartCreateStopped"));
        // A spec type's name and a crate-root name are taken: qualified.
        assert_eq!(ty("CreateZone", "protocol"), named("CreateZoneProtocol"));
        assert_eq!(ty("UpdateZone", "sortDirection"), named("UpdateZoneSortDirection"));
        // Lists of strings get the enum as element type.
        assert_eq!(ty("CreateVmInstance", "tags"), TypeRef::List(Box::new(named("Tags"))));
        // Left alone: integers, path params, credentials.
        assert_eq!(ty("CreateVmInstance", "ipVersion"), TypeRef::Integer);
        assert_eq!(ty("GetVmThing", "kind"), TypeRef::String);
        assert_eq!(ty("GetVmThing", "accessToken"), TypeRef::String);

        let names: Vec<&str> = values.enums.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "CreateBaremetalInstanceStrategy",
                "CreateZoneMode",
                "CreateZoneProtocol",
                "Strategy",
                "StrategyInstantStartCreateStopped",
                "Tags",
                "UpdateZoneSortDirection"
            ]
        );
        let strategy = &values.enums[3];
        assert_eq!(strategy.values, ["InstantStart", "JustCreate", "CreateStopped"]);
        assert_eq!(values.users["StrategyInstantStartCreateStopped"], ["networks".to_string(), "zones".into()].into());
        assert_eq!(values.reused.len(), 3);
        // Planning again changes nothing.
        let (again, more) = ValueSets::plan(&spec);
        assert_eq!(again, spec);
        assert!(more.enums.is_empty());
    }

    #[test]
    fn the_winner_of_a_contested_base_is_the_most_used_set() {
        let s = TypeRef::String;
        let apis = vec![
            post("A", vec![with_allowed("mode", s.clone(), &["x"])]),
            post("B", vec![with_allowed("mode", s.clone(), &["y", "z"])]),
            post("C", vec![with_allowed("mode", s.clone(), &["y", "z"])]),
        ];
        let (spec, _) = ValueSets::plan(&Spec { groups: vec![group("g", apis, vec![])] });
        assert_eq!(param_ty(&spec, "B", "mode"), &named("Mode"));
        assert_eq!(param_ty(&spec, "A", "mode"), &named("AMode"));
    }

    #[test]
    fn camel_words() {
        assert!(has_word("ActionType", "Action"));
        assert!(has_word("PciDeviceState", "State"));
        assert!(!has_word("Stateful", "State"));
        assert!(has_word("IPv4State", "State"));
    }

    #[test]
    fn generated_files_snapshot() {
        let files = crate::generate_with(&sample(), crate::Options { client_methods: false, features: true }).unwrap();
        let show = ["api/vm_instances.rs", "api/zones.rs", "types/values.rs", "types/mod.rs"];
        let out: Vec<String> = show.iter().map(|f| format!("==> {f}\n{}", files[*f])).collect();
        insta::assert_snapshot!(out.join("\n"));
        let plan = crate::features::FeaturePlan::new(&sample());
        // Reused spec enums of other groups bring their types modules.
        assert_eq!(plan.features["zones"], ["types-networks"]);
        assert_eq!(plan.features["vm-instances"], ["types-zones"]);
    }
}
