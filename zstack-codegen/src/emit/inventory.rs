//! A struct type (inventory) with every field optional or defaulted, inherited
//! fields first. It decodes and re-encodes through the runtime's
//! `wire_struct!` (much lighter to compile than `#[derive(Deserialize,
//! Serialize)]`), so every inventory can be written back as the MN's JSON and
//! types that requests send go into bodies the same way.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use zstack_spec::{Field, Spec, TypeDef};

use super::doc::{Doc, since};
use crate::inherit::{all_fields, ancestors};
use crate::names::Names;
use crate::naming::{Namespace, ident, snake_name};
use crate::rust_type::{TypeMapper, is_runtime_type, needs_lenient};

pub struct InventoryStruct<'a> {
    pub spec: &'a Spec,
    pub def: &'a TypeDef,
    pub names: &'a Names,
    pub types: &'a TypeMapper<'a>,
    /// Emit `Field` constants: the type is what a Query API returns.
    pub query_target: bool,
    /// `Serialize` only with the `serialize` feature (the type is never sent).
    pub gated: bool,
}

impl InventoryStruct<'_> {
    fn doc(&self) -> Doc {
        let parents = ancestors(self.spec, self.def);
        let extends = (!parents.is_empty()).then(|| {
            let list: Vec<String> = parents.iter().map(|p| format!("`{p}`")).collect();
            format!("Extends {} and carries all of its fields.", list.join(" → "))
        });
        let classes = (!self.def.server_classes.is_empty()).then(|| {
            let list: Vec<String> = self.def.server_classes.iter().map(|c| format!("`{c}`")).collect();
            format!("Server class: {}.", list.join(", "))
        });
        Doc::new().para(self.def.description.clone()).para(extends).para(classes)
    }
}

impl ToTokens for InventoryStruct<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let name = ident(self.names.type_ident(&self.def.name));
        if is_runtime_type(&self.def.name) {
            tokens.extend(quote! {
                #[doc(inline)]
                pub use ::zstack_sdk::runtime::#name;
            });
            return;
        }
        let doc = self.doc();
        let mut ns = Namespace::new();
        let fields: Vec<ResponseField> = all_fields(self.spec, self.def)
            .into_iter()
            .map(|field| ResponseField {
                owner: &self.def.name,
                field,
                rust: ns.allocate(&snake_name(&field.name)),
                types: self.types,
            })
            .collect();
        let consts = self.query_target.then(|| FieldConsts { spec: self.spec, def: self.def, name: name.clone() });
        let wire = WireStruct { name: &name, fields: &fields, gated: self.gated };
        tokens.extend(quote! {
            #doc
            #[derive(Clone, Debug, Default, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }

            #wire

            #consts
        });
    }
}

/// `wire_struct!(Name { "wireName" => field kind, ... });`: the struct's
/// `Deserialize` and `Serialize` impls (see the runtime's `plumbing/de.rs`).
pub struct WireStruct<'a> {
    pub name: &'a proc_macro2::Ident,
    pub fields: &'a [ResponseField<'a>],
    /// `Serialize` only with the `serialize` feature.
    pub gated: bool,
}

impl ToTokens for WireStruct<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let entries = self.fields.iter().map(|f| {
            let (wire, rust) = (&f.field.name, ident(&f.rust));
            let kind = match (f.field.ty.is_collection(), needs_lenient(&f.field.ty)) {
                (false, false) => None,
                (true, false) => Some(quote!(default)),
                (false, true) => Some(quote!(lenient)),
                (true, true) => Some(quote!(lenient_default)),
            };
            quote!(#wire => #rust #kind,)
        });
        let name = self.name;
        let gate = self.gated.then(|| quote!(serialize if feature = "serialize"));
        tokens.extend(quote! {
            ::zstack_sdk::runtime::plumbing::wire_struct!(#name { #(#entries)* } #gate);
        });
    }
}

/// `pub const UUID: Field<Self> = Field::new("uuid");` per field: typed field
/// names for query conditions (`BackupStorageInventory::NAME.like("ceph%")`).
struct FieldConsts<'a> {
    spec: &'a Spec,
    def: &'a TypeDef,
    name: proc_macro2::Ident,
}

impl ToTokens for FieldConsts<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let mut ns = Namespace::new();
        let consts = all_fields(self.spec, self.def).into_iter().map(|f| {
            let name = ident(&ns.allocate(&crate::naming::const_name(&f.name)));
            let wire = &f.name;
            let doc = format!(" Query field `{wire}`.");
            quote! {
                #[doc = #doc]
                pub const #name: ::zstack_sdk::runtime::query::Field<Self> = ::zstack_sdk::runtime::query::Field::new(#wire);
            }
        });
        let name = &self.name;
        tokens.extend(quote! {
            impl #name {
                #(#consts)*
            }
        });
    }
}

/// One field of a response struct (inventory or named-fields reply).
pub struct ResponseField<'a> {
    pub owner: &'a str,
    pub field: &'a Field,
    /// The allocated Rust field name.
    pub rust: String,
    pub types: &'a TypeMapper<'a>,
}

impl ToTokens for ResponseField<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let f = self.field;
        // A field newer than the MN is absent from its replies (every response
        // field is optional or an empty collection).
        let since = since(f.since.as_ref(), f.since_source).map(|s| format!("{s} Absent from older MNs' replies."));
        let doc = Doc::new().para(f.description.clone()).para(since);
        let name = ident(&self.rust);
        let ty = self.types.response_field(self.owner, f);
        tokens.extend(quote! {
            #doc
            pub #name: #ty,
        });
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use zstack_spec::TypeRef;

    use super::InventoryStruct;
    use crate::names::Names;
    use crate::rust_type::TypeMapper;
    use crate::test_support::*;

    #[test]
    fn subclass_carries_parent_fields_and_recursion_is_boxed() {
        let base = type_def(
            "BackupStorageInventory",
            None,
            vec![
                field("uuid", TypeRef::String),
                field("totalCapacity", TypeRef::Long),
                field("createDate", TypeRef::Timestamp),
            ],
        );
        let ceph = type_def(
            "CephBackupStorageInventory",
            Some("BackupStorageInventory"),
            vec![
                field("mons", TypeRef::List(Box::new(TypeRef::Named("Fault".into())))),
                field("type", TypeRef::String),
            ],
        );
        let error = type_def(
            "Fault",
            None,
            vec![
                field("cause", TypeRef::Named("Fault".into())),
                field("causes", TypeRef::List(Box::new(TypeRef::Named("Fault".into())))),
                field("opaque", TypeRef::Map(Box::new(TypeRef::String), Box::new(TypeRef::Object))),
            ],
        );
        let spec = spec(vec![], vec![base, ceph, error], vec![]);
        let names = Names::plan(&spec);
        let types = TypeMapper::new(&spec, &names);
        let out: Vec<String> = spec.groups[0]
            .types
            .iter()
            .map(|def| {
                let s = InventoryStruct {
                    spec: &spec,
                    def,
                    names: &names,
                    types: &types,
                    query_target: true,
                    gated: false,
                };
                pretty(quote!(#s))
            })
            .collect();
        let ceph = &out[1];
        assert!(ceph.find("pub uuid").unwrap() < ceph.find("pub mons").unwrap(), "parent fields first:\n{ceph}");
        assert!(out[2].contains("pub cause: ::core::option::Option<::std::boxed::Box<crate::types::Fault>>"));
        assert!(out[2].contains("pub causes: ::std::vec::Vec<crate::types::Fault>"));
        insta::assert_snapshot!(out.join("\n"));
    }

    /// A response-only type's `Serialize` is behind the `serialize` feature;
    /// a sent type's is not. Both come from the one `wire_struct!` line.
    #[test]
    fn gated_types_put_serialize_behind_the_feature() {
        let def = type_def("ZoneInventory", None, vec![field("uuid", TypeRef::String), field("name", TypeRef::String)]);
        let spec = spec(vec![], vec![def], vec![]);
        let names = Names::plan(&spec);
        let types = TypeMapper::new(&spec, &names);
        let def = &spec.groups[0].types[0];
        let emit = |gated| {
            let s = InventoryStruct { spec: &spec, def, names: &names, types: &types, query_target: false, gated };
            pretty(quote!(#s))
        };
        let (gated, open) = (emit(true), emit(false));
        assert!(!gated.contains("derive(Serialize") && !gated.contains("Serialize)"), "{gated}");
        assert!(gated.contains(r#"} serialize if feature = "serialize""#), "{gated}");
        assert!(open.contains(r#""name" => name,"#) && !open.contains("serialize if"), "{open}");
    }
}
