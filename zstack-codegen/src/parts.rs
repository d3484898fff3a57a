//! The SDK written as several crates, so that a build compiles its
//! generated code on more than one core.
//!
//! rustc type-checks one crate on one core, and the generated API is most of
//! the SDK's build. So the SDK target is written as:
//!
//! | crate | directory (under `generated/`) | holds |
//! |---|---|---|
//! | [`TYPES_CRATE`] | `parts/types` | the types modules that more than one group uses, and the value-set enums |
//! | `zstack-sdk-api-<n>`, [`API_PARTS`] of them | `parts/api-<n>` | a share of the groups, balanced by size: their api modules, and the types modules only their own APIs use |
//! | `zstack-sdk` | `.` | `api` and `types` (each module re-exported from its crate), the prelude |
//!
//! The api parts depend on the types crate and not on each other, so they
//! are checked side by side once it is done. Users depend on `zstack-sdk`
//! alone: paths (`zstack_sdk::api::…`, `zstack_sdk::types::…`) and features
//! are those of a single crate. Each part names the runtime as
//! `::zstack_sdk::runtime` (`extern crate self as zstack_sdk` and a
//! re-export of each crate it uses), so a group's file is the same text
//! whichever crate holds it.
//!
//! Features: the types crate has the whole feature plan (an api feature
//! enables types modules there, and value-set enums are gated on api
//! features); an api part has its groups' features, each forwarding to the
//! types crate's; the SDK's features forward to the part that holds the group.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use zstack_spec::Spec;

use crate::emit::file::{HEADER, mod_rs, module_index, reexport_index, render};
use crate::features::{FeaturePlan, Features, render_toml};
use crate::{API_INDEX_DOC, ApiModule, Built, Files, Options, TYPES_INDEX_DOC, build};

/// How many crates hold the api modules that need the types crate. Two keep
/// both cores of a small machine busy; each part costs a crate's fixed
/// overhead. One more part ([`light_part`]) holds the groups that need only
/// the base crate, and compiles beside the types crate.
pub const API_PARTS: usize = 2;

/// The crate of the always-compiled types (`core`'s) and the value-set enums.
pub const BASE_CRATE: &str = "zstack-sdk-base";

/// The crate of the types modules more than one group uses.
pub const TYPES_CRATE: &str = "zstack-sdk-types";

/// Feature names the manifests use for themselves; no API group may take one
/// (`full` is the plan's own).
const OWN_FEATURES: [&str; 4] = ["client", "serialize", "default", "test-server"];

/// The generated SDK, placed into crates. Paths are relative to the SDK
/// crate's directory (`generated/`).
pub struct Parts {
    /// Generated source trees (`src/gen` of each crate): directory → files.
    /// Each is written as a whole: a file not listed is stale.
    pub trees: Vec<(String, Files)>,
    /// Single generated files: each part's `Cargo.toml` and `src/lib.rs`.
    pub files: Files,
    /// The SDK manifest's generated feature table.
    pub features_toml: String,
}

/// The crate name of api part `n` (1-based).
pub fn api_crate(n: usize) -> String {
    format!("zstack-sdk-api-{n}")
}

/// The number of the api part that needs only the base crate.
pub fn light_part() -> usize {
    API_PARTS + 1
}

/// Every generated crate besides `zstack-sdk`, in dependency order.
pub fn crates() -> Vec<String> {
    let mut crates = vec![BASE_CRATE.to_string(), TYPES_CRATE.to_string()];
    crates.extend((1..=light_part()).map(api_crate));
    crates
}

fn rust_name(krate: &str) -> proc_macro2::Ident {
    crate::naming::ident(&krate.replace('-', "_"))
}

/// Generate the SDK for `spec`; `version` is the SDK's, which every part shares.
pub fn generate(spec: &Spec, version: &str) -> Result<Parts, String> {
    let Built { mut files, api_modules, type_modules, may_be_empty, subclassing, prelude, plan } =
        build(spec, Options { client_methods: true, features: true })?;
    if let Some(clash) = OWN_FEATURES.iter().find(|f| plan.features.contains_key(**f)) {
        return Err(format!("an API group is named `{clash}`, which is a feature of the SDK itself"));
    }
    // Where each types module goes: an always-compiled one (no feature) to the
    // base crate; one enabled by its own group's feature (a folded one, see
    // `features`), which only that group's APIs use, with those APIs, unless
    // a base type's `Any…` enum elsewhere names one of its types; the rest to
    // the types crate.
    let api_features: BTreeSet<&str> = api_modules.iter().filter_map(|m| m.feature.as_deref()).collect();
    let folded = |feature: &Option<String>| feature.as_deref().is_some_and(|f| api_features.contains(f));
    let (base, rest): (Vec<_>, Vec<_>) = type_modules.into_iter().partition(|(_, feature)| feature.is_none());
    let (moved, shared): (Vec<_>, Vec<_>) =
        rest.into_iter().partition(|(module, feature)| folded(feature) && !subclassing.contains(module));
    // A group whose feature enables no `types-…` feature and whose own types
    // (if any) go with it needs only the base crate: it goes to the light part.
    let light = |m: &ApiModule| {
        m.feature.as_deref().is_some_and(|f| {
            plan.features.get(f).is_some_and(Vec::is_empty) && !shared.iter().any(|(_, t)| t.as_deref() == Some(f))
        })
    };
    let (light_modules, heavy_modules): (Vec<&ApiModule>, Vec<&ApiModule>) = api_modules.iter().partition(|m| light(m));
    let mut shares = assign(&heavy_modules, &files);
    shares.push(light_modules);
    let holder: BTreeMap<&str, String> = shares
        .iter()
        .enumerate()
        .flat_map(|(i, share)| share.iter().filter_map(move |m| Some((m.feature.as_deref()?, api_crate(i + 1)))))
        .collect();
    let mut trees = Vec::new();
    let mut single = Files::new();

    // The base crate: `core`'s types and the value-set enums, whose `cfg`s
    // name api features (markers here).
    let mut tree = Files::new();
    place_types(&mut files, &mut tree, &base, &may_be_empty, None)?;
    tree.insert("mod.rs".into(), mod_rs(&["types"]));
    trees.push(("parts/base/src/gen".to_string(), tree));
    single.insert("parts/base/src/lib.rs".into(), types_lib(BASE_ABOUT, None));
    let mut features: Features = api_features.iter().map(|f| (f.to_string(), Vec::new())).collect();
    features.insert("serialize".into(), Vec::new());
    single.insert("parts/base/Cargo.toml".into(), manifest(BASE_CRATE, version, BASE_ABOUT, &features, &[]));

    // The types crate: the shared types modules.
    let mut tree = Files::new();
    place_types(&mut files, &mut tree, &shared, &[], Some(BASE_CRATE))?;
    tree.insert("mod.rs".into(), mod_rs(&["types"]));
    trees.push(("parts/types/src/gen".to_string(), tree));
    single.insert("parts/types/src/lib.rs".into(), types_lib(TYPES_ABOUT, Some(BASE_CRATE)));
    let mut features: Features = plan.features.clone();
    features.remove("full");
    for (name, deps) in features.iter_mut() {
        if api_features.contains(name.as_str()) {
            deps.push(format!("{BASE_CRATE}/{name}"));
        }
    }
    features.insert("serialize".into(), vec![format!("{BASE_CRATE}/serialize")]);
    single.insert(
        "parts/types/Cargo.toml".into(),
        manifest(TYPES_CRATE, version, TYPES_ABOUT, &features, &[&format!("{BASE_CRATE}.workspace = true")]),
    );

    // The api parts: their groups' api modules and the types modules that
    // went with them.
    for (i, share) in shares.iter().enumerate() {
        let n = i + 1;
        let krate = api_crate(n);
        let below = if n == light_part() { BASE_CRATE } else { TYPES_CRATE };
        let mut tree = Files::new();
        let mut children = Vec::new();
        let mut features = Features::new();
        if below == TYPES_CRATE {
            // The moved types modules' `Any…` variants name `types-…` features.
            features =
                forward(TYPES_CRATE, plan.features.keys().map(String::as_str).filter(|f| f.starts_with("types-")));
        }
        features.extend(forward(below, ["serialize"]));
        features.insert("client".into(), vec!["dep:zstack-client".into()]);
        for module in share {
            let key = format!("api/{}.rs", module.module);
            tree.insert(key.clone(), take(&mut files, &key)?);
            children.push((module.module.clone(), module.feature.clone()));
            if let Some(feature) = &module.feature {
                features.insert(feature.clone(), vec![format!("{below}/{feature}")]);
            }
        }
        let own: Vec<(String, Option<String>)> =
            moved.iter().filter(|(_, f)| f.as_deref().and_then(|f| holder.get(f)) == Some(&krate)).cloned().collect();
        place_types(&mut files, &mut tree, &own, &[], Some(below))?;
        tree.insert("api/mod.rs".into(), render(module_index(API_INDEX_DOC, &children, &[]), "spec/"));
        tree.insert("mod.rs".into(), mod_rs(&["api", "types"]));
        trees.push((format!("parts/api-{n}/src/gen"), tree));
        single.insert(format!("parts/api-{n}/src/lib.rs"), api_lib(n));
        let parts = light_part();
        let about = format!(
            "Generated requests of zstack-sdk, part {n} of {parts} (an internal part of it; depend on zstack-sdk)"
        );
        let below_dep = format!("{below}.workspace = true");
        let deps =
            ["zstack-macros.workspace = true", "zstack-client = { workspace = true, optional = true }", &below_dep];
        single.insert(format!("parts/api-{n}/Cargo.toml"), manifest(&krate, version, &about, &features, &deps));
    }
    if let Some(left) = files.keys().next() {
        return Err(format!("codegen bug: {left} was placed in no crate"));
    }

    // The SDK: re-exports of every part's modules, in spec order, and the prelude.
    let children = api_modules
        .iter()
        .map(|m| {
            let krate =
                m.feature.as_deref().and_then(|f| holder.get(f)).ok_or_else(|| {
                    format!("codegen bug: api module {} has no feature, so no part holds it", m.module)
                })?;
            Ok((m.module.clone(), m.feature.clone(), krate.clone()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let moved_children: Vec<(String, Option<String>, String)> = moved
        .iter()
        .filter_map(|(module, feature)| {
            let krate = holder.get(feature.as_deref()?)?;
            Some((module.clone(), feature.clone(), krate.clone()))
        })
        .collect();
    let types_index = reexport_index(TYPES_INDEX_DOC, "types", &moved_children);
    let types_crate = rust_name(TYPES_CRATE);
    let mut sdk = Files::new();
    sdk.insert("api/mod.rs".into(), render(reexport_index(API_INDEX_DOC, "api", &children), "spec/"));
    sdk.insert(
        "types/mod.rs".into(),
        render(
            quote! {
                #types_index
                pub use ::#types_crate::types::*;
            },
            "spec/",
        ),
    );
    sdk.insert("prelude.rs".into(), prelude);
    sdk.insert("mod.rs".into(), mod_rs(&["api", "prelude", "types"]));
    trees.insert(0, ("src/gen".to_string(), sdk));

    let features_toml = render_toml(&sdk_features(&plan, &holder));
    Ok(Parts { trees, files: single, features_toml })
}

/// Remove a generated file from those still to place.
fn take(files: &mut Files, key: &str) -> Result<String, String> {
    files.remove(key).ok_or_else(|| format!("codegen bug: no file {key}"))
}

/// Move `modules`' files into `tree`, with a `types/mod.rs` that declares
/// them (see [`module_index`] for `may_be_empty`) and re-exports crate
/// `below`'s types too, if given.
fn place_types(
    files: &mut Files,
    tree: &mut Files,
    modules: &[(String, Option<String>)],
    may_be_empty: &[String],
    below: Option<&str>,
) -> Result<(), String> {
    for (module, _) in modules {
        let key = format!("types/{module}.rs");
        tree.insert(key.clone(), take(files, &key)?);
    }
    let index = module_index(TYPES_INDEX_DOC, modules, may_be_empty);
    let below = below.map(|b| {
        let b = rust_name(b);
        quote! {
            #[doc(no_inline)]
            pub use ::#b::types::*;
        }
    });
    tree.insert("types/mod.rs".into(), render(quote!(#index #below), "spec/"));
    Ok(())
}

/// Each of `names` as a feature that enables the same feature of crate `to`.
fn forward<'a>(to: &str, names: impl IntoIterator<Item = &'a str>) -> Features {
    names.into_iter().map(|name| (name.to_string(), vec![format!("{to}/{name}")])).collect()
}

/// The SDK's features: `client` and `serialize` reach every part, a group's
/// feature its part's, a `types-…` feature the types crate's.
fn sdk_features(plan: &FeaturePlan, holder: &BTreeMap<&str, String>) -> Features {
    let parts: Vec<String> = (1..=light_part()).map(api_crate).collect();
    let mut features = Features::new();
    let mut client = vec!["dep:zstack-client".to_string()];
    client.extend(parts.iter().map(|p| format!("{p}/client")));
    features.insert("client".into(), client);
    let mut serialize = vec![format!("{TYPES_CRATE}/serialize")]; // which enables the base crate's
    serialize.extend(parts.iter().map(|p| format!("{p}/serialize")));
    features.insert("serialize".into(), serialize);
    for (name, deps) in &plan.features {
        let forwarded = match (name.as_str(), holder.get(name.as_str())) {
            ("full", _) => deps.clone(),
            (_, Some(part)) => vec![format!("{part}/{name}")],
            (_, None) => vec![format!("{TYPES_CRATE}/{name}")],
        };
        features.insert(name.clone(), forwarded);
    }
    features
}

/// Spread the api modules over [`API_PARTS`] crates: largest file first, each
/// to the part with the fewest bytes so far (ties: the lower part). Each
/// part lists its modules in spec order.
fn assign<'a>(modules: &[&'a ApiModule], files: &Files) -> Vec<Vec<&'a ApiModule>> {
    let size = |m: &ApiModule| files.get(&format!("api/{}.rs", m.module)).map_or(0, String::len);
    let mut order: Vec<(usize, &ApiModule)> = modules.iter().copied().enumerate().collect();
    order.sort_by(|(ia, a), (ib, b)| size(b).cmp(&size(a)).then(ia.cmp(ib)));
    let mut parts: Vec<(usize, Vec<(usize, &ApiModule)>)> = vec![(0, Vec::new()); API_PARTS];
    for (index, module) in order {
        let lightest = (0..API_PARTS).min_by_key(|&p| (parts[p].0, p)).unwrap_or(0);
        parts[lightest].0 += size(module);
        parts[lightest].1.push((index, module));
    }
    parts
        .into_iter()
        .map(|(_, mut share)| {
            share.sort_by_key(|(index, _)| *index);
            share.into_iter().map(|(_, m)| m).collect()
        })
        .collect()
}

const BASE_ABOUT: &str =
    "Generated core types and value-set enums of zstack-sdk (an internal part of it; depend on zstack-sdk)";
const TYPES_ABOUT: &str =
    "Generated inventories and enums of zstack-sdk (an internal part of it; depend on zstack-sdk)";

/// A part's whole manifest.
fn manifest(name: &str, version: &str, about: &str, features: &Features, deps: &[&str]) -> String {
    let mut deps: Vec<&str> = deps.to_vec();
    deps.extend(["zstack-runtime.workspace = true", "serde.workspace = true", "serde_json.workspace = true"]);
    deps.sort_unstable();
    format!(
        "# @generated by cargo xtask codegen — do not edit
[package]
name = \"{name}\"
version = \"{version}\"
description = \"{about}\"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true
homepage.workspace = true
documentation = \"https://docs.rs/zstack-sdk\"
include = [\"src/**/*.rs\", \"Cargo.toml\"]

[package.metadata.docs.rs]
all-features = true
rustdoc-args = [\"--cfg\", \"docsrs\"]

[features]
{}
[dependencies]
{}
",
        render_toml(features),
        deps.join("\n")
    )
}

/// The base or types crate's `lib.rs` (rustfmt-clean, like every
/// hand-written root); `below` is the crate whose types it re-exports.
fn types_lib(about: &str, below: Option<&str>) -> String {
    let below = below.map_or(String::new(), |b| format!(" The `types` module re-exports\n//! `{b}`'s too."));
    format!(
        "{HEADER}
//! {about}.
//!
//! Generated from the spec of [`zstack-sdk`](https://docs.rs/zstack-sdk), and
//! split out so that its parts compile in parallel: depend on `zstack-sdk`,
//! which re-exports every part's types as `zstack_sdk::types`, with the same
//! features.{below}
#![cfg_attr(docsrs, feature(doc_cfg))]

// The generated code names the runtime `::zstack_sdk::runtime`, as inside `zstack-sdk`.
extern crate self as zstack_sdk;

#[doc(hidden)]
pub use zstack_runtime as runtime;

// Laid out by the generator's own printer, not rustfmt.
#[rustfmt::skip]
mod r#gen;

pub use r#gen::types;
"
    )
}

/// Api part `n`'s `lib.rs`.
fn api_lib(n: usize) -> String {
    let parts = light_part();
    format!(
        "{HEADER}
//! Requests of [`zstack-sdk`](https://docs.rs/zstack-sdk), part {n} of {parts},
//! generated from its spec.
//!
//! An internal part of that crate, split out so that the parts compile in
//! parallel: depend on `zstack-sdk`, which re-exports every part's modules
//! as `zstack_sdk::api`, with the same features.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The generated code names the runtime `::zstack_sdk::runtime`, as inside
// `zstack-sdk`; `types` holds this part's own types modules and re-exports
// the types crate's.
extern crate self as zstack_sdk;

#[cfg(feature = \"client\")]
#[doc(hidden)]
pub use zstack_client as client;
#[doc(hidden)]
pub use zstack_macros::Api;
#[doc(hidden)]
pub use zstack_runtime as runtime;

// Laid out by the generator's own printer, not rustfmt.
#[rustfmt::skip]
mod r#gen;

pub use r#gen::{{api, types}};
"
    )
}

#[cfg(test)]
mod tests {
    use zstack_spec::{Method, ParamLocation, ResultShape, TypeRef};

    use super::*;
    use crate::test_support::*;

    /// Groups `vms` (a Vm with a Nic, and a parameter type of its own), `nics`
    /// (types only, also used by `sriov`), `sriov` (a subclass of Nic) and
    /// `zones` (an API with no types).
    fn three_groups() -> Spec {
        let mut get_vm = api(
            "GetVm",
            Method::Get,
            "/vms",
            None,
            vec![param("x", TypeRef::Named("VmOpt".into()), ParamLocation::Query, false)],
        );
        get_vm.result = ResultShape::Inventory("Vm".into());
        let vm = type_def("Vm", None, vec![field("nic", TypeRef::Named("Nic".into()))]);
        let mut spec = spec(vec![get_vm], vec![vm, type_def("VmOpt", None, vec![])], vec![]);
        spec.groups[0].name = "vms".into();
        let mut nics = spec.groups[0].clone();
        nics.name = "nics".into();
        nics.apis.clear();
        nics.types = vec![type_def("Nic", None, vec![])];
        let mut sriov = nics.clone();
        sriov.name = "sriov".into();
        let mut get_sriov = api("GetSriov", Method::Get, "/sriov", None, vec![]);
        get_sriov.result = ResultShape::Inventory("Nic".into());
        sriov.apis = vec![get_sriov];
        sriov.types = vec![type_def("SriovNic", Some("Nic"), vec![])];
        let mut zones = sriov.clone();
        zones.name = "zones".into();
        zones.apis = vec![api("DeleteZone", Method::Delete, "/zones", None, vec![])];
        zones.types.clear();
        spec.groups.extend([nics, sriov, zones]);
        spec
    }

    fn tree<'a>(parts: &'a Parts, dir: &str) -> &'a Files {
        &parts.trees.iter().find(|(d, _)| d == dir).unwrap_or_else(|| panic!("no tree {dir}")).1
    }

    #[test]
    fn every_module_is_in_one_crate_and_the_sdk_re_exports_it_from_there() {
        let parts = generate(&three_groups(), "9.9.9").unwrap();
        let placed: Vec<String> = parts
            .trees
            .iter()
            .flat_map(|(dir, files)| files.keys().map(move |k| format!("{dir}/{k}")))
            .filter(|k| !k.ends_with("mod.rs") && !k.ends_with("prelude.rs"))
            .collect();
        // `vms` is the larger group, so it takes part 1 and `sriov` part 2.
        // `vms`'s types module only its own APIs use: it goes with them. `nics`
        // is used by two groups, `sriov` holds a subclass of `Nic` (which
        // `AnyNicInventory`-like enums name): both stay in the types crate.
        // `zones` needs no types crate: it goes to the light part, 3.
        assert_eq!(
            placed,
            [
                "parts/types/src/gen/types/nics.rs",
                "parts/types/src/gen/types/sriov.rs",
                "parts/api-1/src/gen/api/vms.rs",
                "parts/api-1/src/gen/types/vms.rs",
                "parts/api-2/src/gen/api/sriov.rs",
                "parts/api-3/src/gen/api/zones.rs",
            ]
        );
        let api_index = &tree(&parts, "src/gen")["api/mod.rs"];
        assert!(api_index.contains("pub use ::zstack_sdk_api_1::api::vms;"), "{api_index}");
        assert!(api_index.contains("pub use ::zstack_sdk_api_2::api::sriov;"), "{api_index}");
        let types_index = &tree(&parts, "src/gen")["types/mod.rs"];
        assert!(types_index.contains("pub use ::zstack_sdk_api_1::types::vms;"), "{types_index}");
        assert!(types_index.contains("pub use ::zstack_sdk_types::types::*;"), "{types_index}");
        // The types crate's `types` re-exports the base crate's; the light part's, the base crate's.
        let index = &tree(&parts, "parts/types/src/gen")["types/mod.rs"];
        assert!(index.contains("pub use ::zstack_sdk_base::types::*;"), "{index}");
        let index = &tree(&parts, "parts/api-3/src/gen")["types/mod.rs"];
        assert!(index.contains("pub use ::zstack_sdk_base::types::*;"), "{index}");
        assert!(parts.files["parts/api-3/Cargo.toml"].contains("zstack-sdk-base.workspace = true"));
        assert!(!parts.files["parts/api-3/Cargo.toml"].contains("zstack-sdk-types"));
    }

    #[test]
    fn features_forward_to_the_crate_that_holds_the_group() {
        let parts = generate(&three_groups(), "9.9.9").unwrap();
        let sdk = &parts.features_toml;
        assert!(sdk.contains("vms = [\"zstack-sdk-api-1/vms\"]\n"), "{sdk}");
        assert!(sdk.contains("sriov = [\"zstack-sdk-api-2/sriov\"]\n"), "{sdk}");
        assert!(sdk.contains("types-nics = [\"zstack-sdk-types/types-nics\"]\n"), "{sdk}");
        assert!(
            sdk.contains(
                "client = [\"dep:zstack-client\", \"zstack-sdk-api-1/client\", \"zstack-sdk-api-2/client\", \"zstack-sdk-api-3/client\"]\n"
            ),
            "{sdk}"
        );
        assert!(sdk.contains("zones = [\"zstack-sdk-api-3/zones\"]\n"), "{sdk}");
        assert!(sdk.contains("full = [\"vms\", \"sriov\", \"zones\"]\n"), "{sdk}");
        // The types crate has the plan itself; a part forwards its groups.
        let types = &parts.files["parts/types/Cargo.toml"];
        assert!(types.contains("name = \"zstack-sdk-types\"\nversion = \"9.9.9\""), "{types}");
        assert!(types.contains("vms = [\"types-nics\", \"zstack-sdk-base/vms\"]\n"), "{types}");
        let part = &parts.files["parts/api-1/Cargo.toml"];
        assert!(part.contains("vms = [\"zstack-sdk-types/vms\"]\n"), "{part}");
        assert!(!part.contains("sriov = "), "{part}");
    }

    #[test]
    fn a_group_named_like_an_sdk_feature_is_refused() {
        let mut spec = three_groups();
        spec.groups[0].name = "serialize".into();
        let e = generate(&spec, "1.0.0").err().expect("refused");
        assert!(e.contains("`serialize`"), "{e}");
    }
}
