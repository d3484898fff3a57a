//! A request struct per API: `#[derive(Api)]` with its route, a constructor
//! taking the required params, and a builder setter per optional param.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};
use zstack_spec::{Api, Param, ParamLocation, ResultShape, TypeRef};

use super::client::RESERVED_CALL_METHODS;
use super::doc::{Doc, since};
use super::setters::SetterTrait;
use crate::names::Names;
use crate::naming::{Namespace, ident, snake_name};
use crate::rust_type::TypeMapper;

/// Inherent names that would shadow `ApiRequest` methods or the constructor.
const RESERVED_METHODS: &[&str] = &["new", "validate", "path", "query", "body", "to_wire", "params", "params_mut"];

pub struct RequestStruct<'a> {
    pub spec: &'a zstack_spec::Spec,
    pub api: &'a Api,
    pub names: &'a Names,
    pub types: &'a TypeMapper<'a>,
}

/// A param with its allocated Rust field and setter names.
pub struct ParamField<'a> {
    pub param: &'a Param,
    pub field: String,
    pub setter: String,
}

impl<'a> RequestStruct<'a> {
    pub fn fields(&self) -> Vec<ParamField<'a>> {
        let mut fields = Namespace::with_reserved(if self.api.query { &["params"] } else { &[] });
        // Setters live on the request and on its `Call`: neither's own methods may be shadowed.
        let reserved: Vec<&str> = RESERVED_METHODS.iter().chain(RESERVED_CALL_METHODS).copied().collect();
        let mut methods = Namespace::with_reserved(&reserved);
        self.api
            .params
            .iter()
            .map(|param| {
                let snake = snake_name(&param.name);
                ParamField { param, field: fields.allocate(&snake), setter: methods.allocate(&snake) }
            })
            .collect()
    }

    fn doc(&self) -> Doc {
        super::api_doc::ApiDoc { request: self }.doc()
    }

    /// The response may hold subclass values named only by `schema`.
    fn polymorphic(&self) -> bool {
        self.result_reaches(|ty| self.types.reaches_polymorphic(ty))
    }

    /// The response holds a credential (a login's session id).
    fn sensitive(&self) -> bool {
        self.result_reaches(|ty| self.types.reaches_sensitive(ty))
    }

    fn result_reaches(&self, reaches: impl Fn(&TypeRef) -> bool) -> bool {
        match &self.api.result {
            ResultShape::Empty => false,
            ResultShape::Inventory(t) | ResultShape::Inventories { ty: t, .. } => reaches(&TypeRef::Named(t.clone())),
            ResultShape::Fields(fields) => fields.iter().any(|f| f.sensitive || reaches(&f.ty)),
        }
    }

    fn response(&self) -> TokenStream {
        match &self.api.result {
            ResultShape::Empty => quote!(::zstack_sdk::runtime::reply::Empty),
            ResultShape::Inventory(t) => {
                let t = self.names.value_path(t);
                quote!(::zstack_sdk::runtime::reply::InventoryReply<#t>)
            }
            ResultShape::Inventories { ty, .. } => {
                let t = self.names.value_path(ty);
                quote!(::zstack_sdk::runtime::reply::InventoriesReply<#t>)
            }
            ResultShape::Fields(_) => {
                let reply = ident(self.names.reply(&self.api.name).unwrap_or_default());
                quote!(crate::api::#reply)
            }
        }
    }

    fn api_attr(&self) -> TokenStream {
        let a = self.api;
        let method = a.method.as_str();
        let path = &a.path;
        let response = self.response();
        let envelope = a.envelope.as_ref().map(|e| quote!(envelope = #e,));
        let is_async = a.is_async.then(|| quote!(, async));
        let polymorphic = self.polymorphic().then(|| quote!(, polymorphic));
        let sensitive = self.sensitive().then(|| quote!(, sensitive));
        let session = (!a.session).then(|| quote!(, session = false));
        let since = a.since.as_ref().map(|v| {
            let v = v.to_string();
            quote!(, since = #v)
        });
        let action = &a.name;
        quote!(#[api(action = #action, method = #method, path = #path, #envelope response = #response #is_async #polymorphic #sensitive #session #since)])
    }
}

impl ToTokens for RequestStruct<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let doc = self.doc();
        let attr = self.api_attr();
        let name = ident(self.names.request(&self.api.name));
        let fields = self.fields();
        let api_since = self.api.since.as_ref();
        let decls = fields.iter().map(|f| FieldDecl { f, types: self.types, api_since });
        let query = self.api.query.then(|| {
            quote! {
                /// Conditions, paging, sorting and field selection.
                #[api(flatten)]
                pub params: ::zstack_sdk::runtime::query::QueryParams,
            }
        });
        let ctor = Constructor { fields: &fields, types: self.types, query: self.api.query };
        let setters = SetterTrait { request: self };
        let query_impl = self.api.query.then(|| self.query_impl(&name));
        tokens.extend(quote! {
            #doc
            #[derive(Clone, Debug, PartialEq, ::zstack_sdk::Api)]
            #attr
            #[non_exhaustive]
            pub struct #name {
                #(#decls)*
                #query
            }

            impl #name {
                #ctor
            }

            #setters

            #query_impl
        });
    }
}

impl RequestStruct<'_> {
    fn query_impl(&self, name: &proc_macro2::Ident) -> TokenStream {
        let (inventory, target) = match &self.api.result {
            ResultShape::Inventories { ty, .. } | ResultShape::Inventory(ty) => {
                (self.names.value_path(ty), self.names.type_path(ty))
            }
            _ => (quote!(::serde_json::Value), quote!(::serde_json::Value)),
        };
        quote! {
            impl ::zstack_sdk::runtime::query::QueryRequest for #name {
                type Inventory = #inventory;
                type Target = #target;
                fn params(&self) -> &::zstack_sdk::runtime::query::QueryParams {
                    &self.params
                }
                fn params_mut(&mut self) -> &mut ::zstack_sdk::runtime::query::QueryParams {
                    &mut self.params
                }
            }
        }
    }
}

/// The field declaration with its docs and `#[api(...)]` attributes.
struct FieldDecl<'a> {
    f: &'a ParamField<'a>,
    types: &'a TypeMapper<'a>,
    /// The API's since-version: a param's own is emitted only when newer.
    api_since: Option<&'a zstack_spec::Version>,
}

impl ToTokens for FieldDecl<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let p = self.f.param;
        let doc = param_doc(p);
        let name = ident(&self.f.field);
        let ty = self.types.request_param(&p.name, &p.ty, p.required, p.secret);
        let attrs = field_attrs(p, &self.f.field, self.api_since);
        tokens.extend(quote! {
            #doc
            #attrs
            pub #name: #ty,
        });
    }
}

pub(super) fn param_doc(p: &Param) -> Doc {
    let location = match p.location {
        ParamLocation::Path => "path placeholder",
        ParamLocation::Query => "query string",
        ParamLocation::Body => "body",
    };
    let mut facts = vec![format!("Wire name `{}` ({location}).", p.name)];
    facts.extend(since(p.since.as_ref(), p.since_source));
    if let Some(default) = &p.default {
        facts.push(format!("Server default: `{default}`."));
    }
    if !p.allowed.is_empty() {
        let values: Vec<String> = p.allowed.iter().map(|v| format!("`{v}`")).collect();
        facts.push(format!("One of {}.", values.join(", ")));
    }
    if p.secret {
        facts.push("Sent as the lowercase SHA-512 hex digest of the password.".to_string());
    }
    if let Some(re) = p.constraints.regex.as_ref().filter(|re| !crate::regex_check::usable(re)) {
        facts.push(format!(
            "Must match `{re}`; only the MN checks this (the pattern uses Java regex features, such as \
             look-around, that the client's regex engine lacks)."
        ));
    }
    Doc::new().para(p.description.clone()).para(facts.join(" "))
}

/// `#[api(rename = .., one_of(..), max_length = .., ..)]`, or nothing.
fn field_attrs(p: &Param, rust: &str, api_since: Option<&zstack_spec::Version>) -> TokenStream {
    let mut parts = Vec::new();
    if rust != p.name {
        let wire = &p.name;
        parts.push(quote!(rename = #wire));
    }
    // A param's version matters only when it is newer than its API's: an MN
    // that knows the API knows every older param.
    if let Some(since) = p.since.as_ref().filter(|v| api_since.is_none_or(|api| *v > api)) {
        let since = since.to_string();
        parts.push(quote!(since = #since));
    }
    // Required collections are sent even when empty (or refused, in a query
    // string); required scalars are always present anyway.
    if p.required && p.ty.is_collection() && p.location != ParamLocation::Path {
        parts.push(quote!(required));
    }
    // Enum-typed params too: the allowed values may be a subset of the enum's.
    if !p.allowed.is_empty() {
        let values = &p.allowed;
        parts.push(quote!(one_of(#(#values),*)));
    }
    let c = &p.constraints;
    if let Some(n) = c.min_length {
        let n = Literal::u64_unsuffixed(n);
        parts.push(quote!(min_length = #n));
    }
    if let Some(n) = c.max_length {
        let n = Literal::u64_unsuffixed(n);
        parts.push(quote!(max_length = #n));
    }
    if let Some((lo, hi)) = c.range {
        let (lo, hi) = (Literal::i64_unsuffixed(lo), Literal::i64_unsuffixed(hi));
        parts.push(quote!(range(#lo, #hi)));
    }
    // The MN checks `nonempty` on collections only.
    if c.non_empty && p.required && p.ty.is_collection() {
        parts.push(quote!(non_empty));
    }
    if c.forbid_empty_string {
        parts.push(quote!(non_empty_string));
    }
    if let Some(re) = c.regex.as_ref().filter(|re| crate::regex_check::usable(re)) {
        parts.push(quote!(regex = #re));
    }
    if parts.is_empty() { TokenStream::new() } else { quote!(#[api(#(#parts),*)]) }
}

/// `new(required...)`: every required param, in declaration order.
struct Constructor<'a> {
    fields: &'a [ParamField<'a>],
    types: &'a TypeMapper<'a>,
    query: bool,
}

impl ToTokens for Constructor<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let required: Vec<&ParamField> = self.fields.iter().filter(|f| f.param.required).collect();
        let args = required.iter().map(|f| {
            let name = ident(&f.field);
            let ty = Argument::of(f.param, self.types);
            quote!(#name: #ty)
        });
        let inits = self.fields.iter().map(|f| {
            let name = ident(&f.field);
            if !f.param.required {
                quote!(#name: ::core::default::Default::default(),)
            } else if Argument::is_identity(f.param) {
                quote!(#name,)
            } else {
                let value = Argument::convert(f.param, quote!(#name));
                quote!(#name: #value,)
            }
        });
        let params = self.query.then(|| quote!(params: ::core::default::Default::default(),));
        let doc = if required.is_empty() {
            " A request with every optional param unset.".to_string()
        } else {
            let list: Vec<String> = required.iter().map(|f| format!("`{}`", f.param.name)).collect();
            format!(" A request with the required params {}; optional ones unset.", list.join(", "))
        };
        // Each lint only where it applies: `new()` without args on a type
        // without `Default`, and more than 7 args.
        let mut lints = Vec::new();
        if required.is_empty() {
            lints.push(quote!(clippy::new_without_default));
        }
        if required.len() > 7 {
            lints.push(quote!(clippy::too_many_arguments));
        }
        let allow = (!lints.is_empty()).then(|| quote!(#[allow(#(#lints),*)]));
        tokens.extend(quote! {
            #[doc = #doc]
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* #params }
            }
        });
    }
}

/// How a param is accepted by `new` and the setters, and converted to the field.
pub struct Argument;

impl Argument {
    pub fn of(p: &Param, types: &TypeMapper<'_>) -> TokenStream {
        match &p.ty {
            TypeRef::String if p.secret => quote!(::zstack_sdk::runtime::secret::Password),
            TypeRef::String if crate::rust_type::is_secret_name(&p.name) => {
                quote!(impl ::core::convert::Into<::zstack_sdk::runtime::secret::Secret>)
            }
            TypeRef::List(inner) => {
                let inner = types.element(inner);
                quote!(impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<#inner>>)
            }
            other => {
                let ty = types.element(other);
                quote!(impl ::core::convert::Into<#ty>)
            }
        }
    }

    /// The argument already has the field's type.
    fn is_identity(p: &Param) -> bool {
        p.secret && p.ty == TypeRef::String
    }

    pub(super) fn convert(p: &Param, value: TokenStream) -> TokenStream {
        match &p.ty {
            TypeRef::String if p.secret => value,
            TypeRef::List(_) => quote!(#value.into_iter().map(::core::convert::Into::into).collect()),
            _ => quote!(#value.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use zstack_spec::{Method, ParamLocation, ResultShape, TypeRef};

    use super::RequestStruct;
    use crate::names::Names;
    use crate::rust_type::TypeMapper;
    use crate::test_support::*;

    fn emit(api: zstack_spec::Api) -> String {
        let spec = spec(vec![api], vec![type_def("BackupStorageInventory", None, vec![])], vec![]);
        let names = Names::plan(&spec);
        let types = TypeMapper::new(&spec, &names);
        let (_, api) = spec.apis().next().unwrap();
        let r = RequestStruct { spec: &spec, api, names: &names, types: &types };
        pretty(quote!(#r))
    }

    #[test]
    fn put_with_path_param_and_optional_tags() {
        let mut a = api(
            "ReconnectBackupStorage",
            Method::Put,
            "/backup-storage/{uuid}/actions",
            Some("reconnectBackupStorage"),
            vec![
                param("uuid", TypeRef::String, ParamLocation::Path, true),
                param("systemTags", TypeRef::List(Box::new(TypeRef::String)), ParamLocation::Body, false),
            ],
        );
        a.is_async = true;
        a.description = Some("Reconnect a backup storage.".into());
        a.result = ResultShape::Inventory("BackupStorageInventory".into());
        insta::assert_snapshot!(emit(a));
    }

    #[test]
    fn delete_with_constraints_secret_and_keyword_names() {
        let mut mode = param("deleteMode", TypeRef::String, ParamLocation::Query, false);
        mode.allowed = vec!["Permissive".into(), "Enforcing".into()];
        let mut name = param("name", TypeRef::String, ParamLocation::Query, true);
        name.constraints.max_length = Some(255);
        name.constraints.min_length = Some(1);
        let mut limit = param("limit", TypeRef::Integer, ParamLocation::Query, false);
        limit.constraints.range = Some((-1, 100));
        let mut password = param("password", TypeRef::String, ParamLocation::Query, false);
        password.secret = true;
        let a = api(
            "DeleteThing",
            Method::Delete,
            "/things/{uuid}",
            None,
            vec![
                param("uuid", TypeRef::String, ParamLocation::Path, true),
                mode,
                name,
                limit,
                password,
                param("type", TypeRef::String, ParamLocation::Query, false),
                param("path", TypeRef::String, ParamLocation::Query, false),
                param("new", TypeRef::Boolean, ParamLocation::Query, false),
            ],
        );
        let out = emit(a);
        // `path` and `new` must not shadow the trait method or the constructor.
        assert!(out.contains(" fn path_2("), "{out}");
        assert!(out.contains(" fn new_2("), "{out}");
        assert!(out.contains("pub type_: ::core::option::Option<::std::string::String>"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn query_api_carries_flattened_params() {
        let mut a = api("QueryBackupStorage", Method::Get, "/backup-storage", None, vec![]);
        a.query = true;
        a.result = ResultShape::Inventories { ty: "BackupStorageInventory".into(), total: true };
        insta::assert_snapshot!(emit(a));
    }
}
