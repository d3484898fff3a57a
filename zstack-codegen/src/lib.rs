//! Spec → Rust code generation for the ZStack SDK.
//!
//! [`generate`] turns a loaded [`Spec`] into the files of one crate's
//! `src/gen/`, keyed by path relative to that directory; [`parts::generate`]
//! places the same files into the SDK's crates (`generated/` and its parts). Output is a pure function of the
//! spec: identifiers are planned once up front ([`names`]), every construct is a
//! small `ToTokens` struct ([`emit`]), and files come out in a `BTreeMap`.

pub mod cli;
pub mod emit;
pub mod features;
mod inherit;
pub mod names;
pub mod naming;
pub mod parts;
mod regex_check;
pub mod rust_type;
#[cfg(test)]
mod test_support;
pub mod values;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use rayon::prelude::*;
use zstack_spec::{Group, Spec};

use emit::any_enum::AnyEnum;
use emit::client::ClientMethods;
use emit::file::{mod_rs, module_index, render};
use emit::inventory::InventoryStruct;
use emit::reply::ReplyStruct;
use emit::request::RequestStruct;
use emit::string_enum::StringEnum;
use names::Names;
use rust_type::TypeMapper;
use values::ValueSets;

/// Generated files: path relative to a crate's `src/gen/` → contents.
pub type Files = BTreeMap<String, String>;

/// What to emit besides requests and types.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// `impl Client` convenience methods (only inside the SDK crate, which
    /// owns `Client`).
    pub client_methods: bool,
    /// Gate modules behind per-group cargo features ([`features`]), and the
    /// `Serialize` impls of response-only types behind the `serialize` feature.
    pub features: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { client_methods: true, features: true }
    }
}

/// Generate every file for `spec` with default options.
pub fn generate(spec: &Spec) -> Result<Files, String> {
    generate_with(spec, Options::default())
}

/// Generate every file for `spec`, as one crate's `src/gen/` (the naming
/// course's layout; the SDK is written in parts, see [`parts`]).
pub fn generate_with(spec: &Spec, options: Options) -> Result<Files, String> {
    let Built { mut files, api_modules, type_modules, may_be_empty, prelude, .. } = build(spec, options)?;
    let index =
        |doc: &str, children: &[(String, Option<String>)]| render(module_index(doc, children, &may_be_empty), "spec/");
    let api_modules: Vec<(String, Option<String>)> = api_modules.into_iter().map(|m| (m.module, m.feature)).collect();
    files.insert("api/mod.rs".into(), index(API_INDEX_DOC, &api_modules));
    files.insert("types/mod.rs".into(), index(TYPES_INDEX_DOC, &type_modules));
    files.insert("prelude.rs".into(), prelude);
    files.insert("mod.rs".into(), mod_rs(&["api", "prelude", "types"]));
    Ok(files)
}

const API_INDEX_DOC: &str = " Request types, one per API action.";
const TYPES_INDEX_DOC: &str = " Inventories and enums.";

/// One group's api module, before it is placed into a crate.
struct ApiModule {
    module: String,
    feature: Option<String>,
}

/// Everything generated from a spec, before it is placed into crates.
struct Built {
    /// `api/<module>.rs` and `types/<module>.rs` of each group, and the
    /// value-set enums' `types/<module>.rs`.
    files: Files,
    /// The api modules in spec order.
    api_modules: Vec<ApiModule>,
    /// (module, feature) of each types module in spec order.
    type_modules: Vec<(String, Option<String>)>,
    /// Modules whose glob import may be empty (see [`module_index`]).
    may_be_empty: Vec<String>,
    /// Types modules that another module names: they hold a subclass of a
    /// type of another group, which that type's `Any…` enum has as a variant.
    subclassing: BTreeSet<String>,
    /// `prelude.rs`, rendered.
    prelude: String,
    plan: features::FeaturePlan,
}

fn build(spec: &Spec, options: Options) -> Result<Built, String> {
    check_references(spec)?;
    // From here on, params with a closed value set are enum-typed.
    let (spec, values) = ValueSets::plan(spec);
    let spec = &spec;
    let names = Names::plan_with(spec, &values);
    let types = TypeMapper::new(spec, &names);
    let plan = features::FeaturePlan::of_typed(spec);
    let params = param_types(spec);
    let targets = query_targets(spec);
    let sent = sent_types(spec, &params);
    let ctx = Context { spec, names: &names, types: &types, options, sent, params, targets, plan: &plan };
    let mut jobs: Vec<Job> = Vec::new();
    let mut api_modules = Vec::new();
    let mut type_modules = Vec::new();
    for group in &spec.groups {
        let module = names.module(&group.name).to_string();
        if !group.apis.is_empty() {
            let feature = options.features.then(|| plan.api_feature(&group.name).map(str::to_string)).flatten();
            api_modules.push(ApiModule { module: module.clone(), feature });
            jobs.push(Job::Api(group));
        }
        if has_types(group) {
            let feature = options.features.then(|| plan.types_feature(&group.name)).flatten();
            type_modules.push((module, feature));
            jobs.push(Job::Types(group));
        }
    }
    let mut may_be_empty = Vec::new();
    if !values.enums.is_empty() {
        let module = names.values_module().to_string();
        if options.features {
            may_be_empty.push(module.clone());
        }
        jobs.push(Job::Values(&values));
        // Ungated: each enum carries its own `cfg`.
        type_modules.push((module, None));
    }
    jobs.push(Job::Prelude);
    let mut files = render_all(&ctx, jobs);
    let prelude = files.remove("prelude.rs").unwrap_or_default();
    let subclassing = spec
        .groups
        .iter()
        .filter(|g| {
            g.types.iter().any(|t| {
                inherit::ancestors(spec, t)
                    .iter()
                    .any(|a| spec.type_def(a).is_some_and(|(owner, _)| owner.name != g.name))
            })
        })
        .map(|g| names.module(&g.name).to_string())
        .collect();
    Ok(Built { files, api_modules, type_modules, may_be_empty, subclassing, prelude, plan })
}

/// `pub use` of every generated trait a caller needs in scope: each group's
/// client trait and each API's setter trait, behind the group's feature.
fn prelude(ctx: &Context) -> TokenStream {
    let plan = ctx.plan;
    let groups = ctx.spec.groups.iter().filter(|g| !g.apis.is_empty()).map(|group| {
        let module = ctx.names.module(&group.name);
        let m = naming::ident(module);
        let cfg =
            ctx.options.features.then(|| plan.api_feature(&group.name)).flatten().map(|f| quote!(#[cfg(feature = #f)]));
        let setters: Vec<_> = group
            .apis
            .iter()
            .filter(|api| emit::setters::SetterTrait::exists(api))
            .map(|api| naming::ident(&emit::setters::SetterTrait::name(ctx.names.request(&api.name))))
            .collect();
        let client = ctx.options.client_methods.then(|| {
            let name = naming::ident(&ClientMethods::trait_name(module));
            quote! {
                #cfg
                #[cfg(feature = "client")]
                pub use crate::api::#m::#name;
            }
        });
        let setters = (!setters.is_empty()).then(|| {
            quote! {
                #cfg
                pub use crate::api::#m::{#(#setters),*};
            }
        });
        quote!(#client #setters)
    });
    quote! {
        //! The generated traits: each group's client methods and each API's setters.
        #(#groups)*
    }
}

/// Everything the per-group emitters share; computed once, read by every thread.
struct Context<'a> {
    spec: &'a Spec,
    names: &'a Names,
    types: &'a TypeMapper<'a>,
    options: Options,
    /// Struct types params use directly (get the wire traits).
    params: BTreeSet<String>,
    /// Types Query APIs return (get typed `Field` constants).
    targets: BTreeSet<String>,
    /// Types requests send: they serialize whatever the features (the others
    /// only with the `serialize` feature, see [`Options::features`]).
    sent: BTreeSet<String>,
    /// Which cargo feature enables each group (for the docs).
    plan: &'a features::FeaturePlan,
}

impl Context<'_> {
    /// Whether type `name` serializes only with the SDK's `serialize` feature:
    /// types requests send always serialize; re-encoding response-only types
    /// costs about 10 % of a full check, so it is opt-out (on by default).
    fn serialize_gated(&self, name: &str) -> bool {
        self.options.features && !self.sent.contains(name)
    }
}

fn has_types(group: &Group) -> bool {
    !group.types.is_empty() || !group.enums.is_empty()
}

/// One file to render: a group's api or types module, the value-set enums,
/// or the prelude.
#[derive(Clone, Copy)]
enum Job<'a> {
    Api(&'a Group),
    Types(&'a Group),
    Values(&'a ValueSets),
    Prelude,
}

impl Job<'_> {
    /// A rough size, so that the largest files start first.
    fn weight(&self) -> usize {
        match self {
            Job::Api(g) => g.apis.len() * 4,
            Job::Types(g) => g.types.len() + g.enums.len(),
            Job::Values(v) => v.enums.len(),
            Job::Prelude => 0,
        }
    }

    /// The file's path and text.
    fn render(self, ctx: &Context) -> (String, String) {
        let module = |g: &Group| ctx.names.module(&g.name).to_string();
        let source = |g: &Group| format!("spec/{}", g.file.display());
        match self {
            Job::Api(g) => (format!("api/{}.rs", module(g)), render(api_file(ctx, g), &source(g))),
            Job::Types(g) => (format!("types/{}.rs", module(g)), render(types_file(ctx, g), &source(g))),
            Job::Values(v) => (format!("types/{}.rs", ctx.names.values_module()), render(values_file(ctx, v), "spec/")),
            Job::Prelude => ("prelude.rs".to_string(), render(prelude(ctx), "spec/")),
        }
    }
}

/// Every file of `jobs`, rendered on every core (rayon). Token streams are
/// not `Send`, so each job builds and formats its whole file on one thread;
/// the `BTreeMap` makes the result independent of scheduling. The largest
/// files start first, one job per task, so no core idles behind a big one.
fn render_all(ctx: &Context, mut jobs: Vec<Job>) -> Files {
    jobs.sort_by_key(|job| std::cmp::Reverse(job.weight()));
    jobs.into_par_iter().with_max_len(1).map(|job| job.render(ctx)).collect()
}

fn api_file(ctx: &Context, group: &Group) -> TokenStream {
    let Context { spec, names, types, .. } = *ctx;
    let doc = api_module_doc(ctx, group);
    let requests = group.apis.iter().map(|api| RequestStruct { spec, api, names, types });
    let replies = group.apis.iter().map(|api| ReplyStruct { api, names, types, gated: ctx.options.features });
    let client = ctx.options.client_methods.then_some(ClientMethods { spec, group, names, types });
    let inner_doc = crate::emit::doc::ModuleDoc(&doc);
    quote! {
        #inner_doc
        #(#requests)*
        #(#replies)*
        #client
    }
}

fn types_file(ctx: &Context, group: &Group) -> TokenStream {
    let Context { spec, names, types, .. } = *ctx;
    let doc = module_doc(group);
    let structs = group.types.iter().map(|def| InventoryStruct {
        spec,
        def,
        names,
        types,
        query_target: ctx.targets.contains(&def.name),
        gated: ctx.serialize_gated(&def.name),
    });
    // A subclass from another group's types module is a variant only when
    // that module is compiled: the base's module does not pull in every
    // module that subclasses it (a row of a class left out decodes as
    // `Unknown`, every field kept).
    let owner_feature = |ty: &str| -> Option<String> {
        if !ctx.options.features {
            return None;
        }
        let (owner, _) = spec.type_def(ty)?;
        (owner.name != group.name).then(|| ctx.plan.types_feature(&owner.name)).flatten()
    };
    let anys = group.types.iter().map(|base| AnyEnum {
        spec,
        base,
        names,
        gated: ctx.serialize_gated(&base.name),
        variant_feature: &owner_feature,
    });
    let wire = group.types.iter().filter(|t| ctx.params.contains(&t.name)).map(|t| {
        let path = names.value_path(&t.name);
        quote!(::zstack_sdk::runtime::plumbing::struct_wire_traits!(#path);)
    });
    let enums = group.enums.iter().map(|def| StringEnum { def, names, cfg: TokenStream::new() });
    let inner_doc = crate::emit::doc::ModuleDoc(&doc);
    quote! {
        #inner_doc
        #(#structs)*
        #(#anys)*
        #(#enums)*
        #(#wire)*
    }
}

/// The value-set enums ([`values`]), each compiled when a group that uses it is.
fn values_file(ctx: &Context, values: &ValueSets) -> TokenStream {
    let enums = values.enums.iter().map(|def| {
        let groups = values.users.get(&def.name).into_iter().flatten();
        let features: Vec<&str> = groups.filter_map(|g| ctx.plan.api_feature(g)).collect();
        let cfg = match features[..] {
            _ if !ctx.options.features => TokenStream::new(),
            [] => TokenStream::new(),
            [one] => quote!(#[cfg(feature = #one)]),
            _ => quote!(#[cfg(any(#(feature = #features),*))]),
        };
        StringEnum { def, names: ctx.names, cfg }
    });
    quote! {
        //! Enums for the closed value sets of request params that no spec enum
        //! covers, one per distinct set, shared by every param with that set.
        //! Each is compiled when an API group that uses it is enabled.
        #(#enums)*
    }
}

/// Every type a request can send: reachable from params through fields,
/// parents and (for polymorphic values) subclasses. These derive `Serialize`.
fn sent_types(spec: &Spec, params: &BTreeSet<String>) -> BTreeSet<String> {
    let below = inherit::all_descendants(spec);
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = params.iter().cloned().collect();
    while let Some(name) = stack.pop() {
        let Some((_, def)) = spec.type_def(&name) else { continue };
        if !seen.insert(name.clone()) {
            continue;
        }
        for field in inherit::all_fields(spec, def) {
            stack.extend(field.ty.named().into_iter().map(str::to_string));
        }
        stack.extend(def.extends.iter().cloned());
        stack.extend(below.get(name.as_str()).into_iter().flatten().map(|d| d.name.clone()));
    }
    seen
}

/// The inventory types of Query APIs: their fields are what conditions name.
fn query_targets(spec: &Spec) -> BTreeSet<String> {
    spec.apis()
        .filter(|(_, api)| api.query)
        .filter_map(|(_, api)| match &api.result {
            zstack_spec::ResultShape::Inventories { ty, .. } | zstack_spec::ResultShape::Inventory(ty) => {
                Some(ty.clone())
            }
            _ => None,
        })
        .collect()
}

/// Struct types that request params refer to (they need the wire traits).
fn param_types(spec: &Spec) -> BTreeSet<String> {
    spec.apis()
        .flat_map(|(_, api)| api.params.iter().flat_map(|p| p.ty.named()))
        .filter(|name| spec.type_def(name).is_some())
        .map(str::to_string)
        .collect()
}

/// A group's API module doc: what the group is, the feature that enables it,
/// how to call it, and a table of its APIs.
fn api_module_doc(ctx: &Context, group: &Group) -> String {
    let what = module_doc(group);
    let feature = ctx
        .options
        .features
        .then(|| ctx.plan.api_feature(&group.name))
        .flatten()
        .map(|f| format!("\n\nEnabled by the cargo feature `{f}` (or `full`)."))
        .unwrap_or_default();
    let module = ctx.names.module(&group.name);
    let calling = if ctx.options.client_methods {
        format!(
            "\n\nWith the client, each API is a method of [`{}`] (in scope with \
             `use zstack_sdk::prelude::*`); each request type also works on its own \
             (`client.call(request)`, or `request.to_wire()` without the client).",
            emit::client::ClientMethods::trait_name(module)
        )
    } else {
        String::new()
    };
    let mut table = String::from("\n\n| API | route | kind |\n|---|---|---|");
    for api in &group.apis {
        let kind = match (api.is_async, api.query) {
            (true, _) => "async job",
            (false, true) => "query",
            (false, false) => "sync",
        };
        let name = ctx.names.request(&api.name);
        table.push_str(&format!("\n| [`{name}`] | `{} {}` | {kind} |", api.method, api.path.replace('|', "\\|")));
    }
    format!("{what}{feature}{calling}{table}")
}

fn module_doc(group: &Group) -> String {
    let what = group.description.clone().unwrap_or_else(|| format!("The `{}` API group.", group.name));
    format!(" {what}")
}

/// Every named type must resolve. `zstack_spec::load_dir` guarantees this; a
/// hand-built spec gets an error instead of a panic.
fn check_references(spec: &Spec) -> Result<(), String> {
    let known = |n: &str| spec.type_def(n).is_some() || spec.enum_def(n).is_some();
    let mut missing = Vec::new();
    for group in &spec.groups {
        for ty in &group.types {
            missing.extend(ty.fields.iter().flat_map(|f| f.ty.named()).filter(|n| !known(n)).map(str::to_string));
            missing.extend(ty.extends.iter().filter(|n| spec.type_def(n).is_none()).cloned());
        }
        for api in &group.apis {
            missing.extend(api.params.iter().flat_map(|p| p.ty.named()).filter(|n| !known(n)).map(str::to_string));
            match &api.result {
                zstack_spec::ResultShape::Inventory(t) | zstack_spec::ResultShape::Inventories { ty: t, .. }
                    if spec.type_def(t).is_none() =>
                {
                    missing.push(t.clone())
                }
                zstack_spec::ResultShape::Fields(fields) => {
                    missing.extend(fields.iter().flat_map(|f| f.ty.named()).filter(|n| !known(n)).map(str::to_string))
                }
                _ => {}
            }
        }
    }
    if missing.is_empty() { Ok(()) } else { Err(format!("unresolved type names: {}", missing.join(", "))) }
}
