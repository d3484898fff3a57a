//! Spec → Rust code generation for the ZStack SDK.
//!
//! [`generate`] turns a loaded [`Spec`] into the files of `generated/src/gen/`,
//! keyed by path relative to that directory. Output is a pure function of the
//! spec: identifiers are planned once up front ([`names`]), every construct is a
//! small `ToTokens` struct ([`emit`]), and files come out in a `BTreeMap`.

pub mod emit;
mod inherit;
pub mod names;
pub mod naming;
mod regex_check;
pub mod rust_type;
#[cfg(test)]
mod test_support;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use zstack_spec::{Group, Spec};

use emit::any_enum::AnyEnum;
use emit::client::ClientMethods;
use emit::file::{module_index, render};
use emit::inventory::InventoryStruct;
use emit::reply::ReplyStruct;
use emit::request::RequestStruct;
use emit::string_enum::StringEnum;
use names::Names;
use rust_type::TypeMapper;

/// Generated files: path relative to `generated/src/gen/` → contents.
pub type Files = BTreeMap<String, String>;

/// What to emit besides requests and types.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// `impl Client` convenience methods (only inside the SDK crate, which
    /// owns `Client`).
    pub client_methods: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { client_methods: true }
    }
}

/// Generate every file for `spec` with default options.
pub fn generate(spec: &Spec) -> Result<Files, String> {
    generate_with(spec, Options::default())
}

/// Generate every file for `spec`.
pub fn generate_with(spec: &Spec, options: Options) -> Result<Files, String> {
    check_references(spec)?;
    let names = Names::plan(spec);
    let types = TypeMapper::new(spec, &names);
    let mut files = Files::new();
    let mut api_modules = Vec::new();
    let mut type_modules = Vec::new();
    for group in &spec.groups {
        let module = names.module(&group.name).to_string();
        let source = format!("spec/{}", group.file.display());
        if !group.apis.is_empty() {
            files.insert(format!("api/{module}.rs"), render(api_file(spec, group, &names, &types, options), &source)?);
            api_modules.push((module.clone(), Some(group.name.clone())));
        }
        if !group.types.is_empty() || !group.enums.is_empty() {
            files.insert(format!("types/{module}.rs"), render(types_file(spec, group, &names, &types), &source)?);
            type_modules.push((module, Some(group.name.clone())));
        }
    }
    let index = |doc: &str, children: &[(String, Option<String>)]| render(module_index(doc, children), "spec/");
    files.insert("api/mod.rs".into(), index(" Request types, one per API action.", &api_modules)?);
    files.insert("types/mod.rs".into(), index(" Inventories and enums.", &type_modules)?);
    files.insert("mod.rs".into(), render(quote!(pub mod api; pub mod types;), "spec/")?);
    Ok(files)
}

fn api_file(spec: &Spec, group: &Group, names: &Names, types: &TypeMapper, options: Options) -> TokenStream {
    let doc = module_doc(group);
    let requests = group.apis.iter().map(|api| RequestStruct { spec, api, names, types });
    let replies = group.apis.iter().map(|api| ReplyStruct { api, names, types });
    let client = options.client_methods.then(|| ClientMethods { spec, group, names, types });
    quote! {
        #![doc = #doc]
        #(#requests)*
        #(#replies)*
        #client
    }
}

fn types_file(spec: &Spec, group: &Group, names: &Names, types: &TypeMapper) -> TokenStream {
    let doc = module_doc(group);
    let structs = group.types.iter().map(|def| InventoryStruct { spec, def, names, types });
    let anys = group.types.iter().map(|base| AnyEnum { spec, base, names });
    let enums = group.enums.iter().map(|def| StringEnum { def, names });
    quote! {
        #![doc = #doc]
        #(#structs)*
        #(#anys)*
        #(#enums)*
    }
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
