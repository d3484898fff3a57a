//! The optional params of one API as a setter trait: `XSetters` with one
//! default method per optional param, implemented for everything that
//! [`Holds`] an `X` — the request itself and the client's `Call<X>`. One body
//! per setter serves both, so
//! `client.create_vm_instance(name).image_uuid(id).send()` and
//! `CreateVmInstance::new(name).image_uuid(id)` read the same without a
//! second, forwarding set of functions.
//!
//! [`Holds`]: https://docs.rs/zstack-runtime/latest/zstack_runtime/request/trait.Holds.html

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::request::{Argument, ParamField, RequestStruct};
use crate::naming::ident;

/// `pub trait XSetters: Holds<X> + Sized { fn a(self, ..) -> Self; .. }` plus
/// its blanket impl; nothing for an API without optional params.
pub struct SetterTrait<'a> {
    pub request: &'a RequestStruct<'a>,
}

impl SetterTrait<'_> {
    /// The trait's name: the request's, suffixed.
    pub fn name(request: &str) -> String {
        format!("{request}Setters")
    }

    /// Whether `api` has the trait: it has an optional param. The emitter, the
    /// prelude and the request docs all ask here.
    pub fn exists(api: &zstack_spec::Api) -> bool {
        api.params.iter().any(|p| !p.required)
    }
}

impl ToTokens for SetterTrait<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let r = self.request;
        if !Self::exists(r.api) {
            return;
        }
        let fields: Vec<ParamField> = r.fields().into_iter().filter(|f| !f.param.required).collect();
        let request_name = r.names.request(&r.api.name);
        let request = ident(request_name);
        let name = ident(&Self::name(request_name));
        let setters = fields.iter().map(|f| Setter { f, types: r.types });
        let doc = format!(
            " The optional params of [`{request_name}`], settable on the request and on a \
             client `Call` for it:\n `client.{}(..).{}(..).send()`. In scope with \
             `use zstack_sdk::prelude::*` (or a glob import of this module).",
            r.names.method(&r.api.name),
            fields[0].setter,
        );
        tokens.extend(quote! {
            #[doc = #doc]
            pub trait #name: ::zstack_sdk::runtime::request::Holds<#request> + ::core::marker::Sized {
                #(#setters)*
            }

            impl<T: ::zstack_sdk::runtime::request::Holds<#request>> #name for T {}
        });
    }
}

/// A builder setter for one optional param.
struct Setter<'a> {
    f: &'a ParamField<'a>,
    types: &'a crate::rust_type::TypeMapper<'a>,
}

impl ToTokens for Setter<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let p = self.f.param;
        let method = ident(&self.f.setter);
        let field = ident(&self.f.field);
        let ty = Argument::of(p, self.types);
        let value = Argument::convert(p, quote!(value));
        let value = if p.ty.is_collection() { value } else { quote!(::core::option::Option::Some(#value)) };
        let doc = super::request::param_doc(p);
        // Clippy expects `is_*`/`as_*`/`to_*`/`from_*` to borrow or take no
        // `self`; a builder setter keeps the param's own name.
        let conventional = ["is_", "as_", "to_", "from_"].iter().any(|prefix| self.f.setter.starts_with(prefix));
        let allow = conventional.then(|| quote!(#[allow(clippy::wrong_self_convention)]));
        tokens.extend(quote! {
            #doc
            #allow
            fn #method(mut self, value: #ty) -> Self {
                self.held_mut().#field = #value;
                self
            }
        });
    }
}
