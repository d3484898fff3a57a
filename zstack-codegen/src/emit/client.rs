//! Client convenience methods: `client.reconnect_backup_storage(uuid)` returns
//! a `Call` whose setters mirror the request's optional params, so a call
//! reads `client.x(required).optional(..).send().await?`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use zstack_spec::Group;

use super::request::{Argument, RequestStruct};
use crate::names::Names;
use crate::naming::{Namespace, ident};
use crate::rust_type::TypeMapper;

/// Inherent methods of `Call` that generated setters must not shadow.
const RESERVED_CALL_METHODS: &[&str] = &[
    "new",
    "client",
    "request",
    "request_mut",
    "into_request",
    "map",
    "poll_interval",
    "poll_backoff",
    "poll_timeout",
    "header",
    "job_id",
    "api_timeout",
    "send",
    "submit",
    "into_future",
    "page_size",
    "get",
    "count",
    "stream",
];

/// Every client method of one group, plus the `Call` setters of each API.
pub struct ClientMethods<'a> {
    pub spec: &'a zstack_spec::Spec,
    pub group: &'a Group,
    pub names: &'a Names,
    pub types: &'a TypeMapper<'a>,
}

impl ToTokens for ClientMethods<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let requests: Vec<RequestStruct> = self
            .group
            .apis
            .iter()
            .map(|api| RequestStruct { spec: self.spec, api, names: self.names, types: self.types })
            .collect();
        let methods = requests.iter().map(|r| self.method(r));
        let setters = requests.iter().map(|r| self.call_setters(r));
        tokens.extend(quote! {
            #[cfg(feature = "client")]
            impl crate::client::Client {
                #(#methods)*
            }
            #(#setters)*
        });
    }
}

impl ClientMethods<'_> {
    /// `pub fn x(&self, required...) -> Call<'_, X>`.
    fn method(&self, r: &RequestStruct) -> TokenStream {
        let api = r.api;
        let request = ident(self.names.request(&api.name));
        let method = ident(self.names.method(&api.name));
        let required: Vec<_> = r.fields().into_iter().filter(|f| f.param.required).collect();
        let args = required.iter().map(|f| {
            let name = ident(&f.field);
            let ty = Argument::of(f.param, self.types);
            quote!(#name: #ty)
        });
        let names = required.iter().map(|f| ident(&f.field));
        let doc = format!(
            " `{} {}`: see [`{}`](crate::api::{}).",
            api.method,
            api.path,
            api.name,
            self.names.request(&api.name)
        );
        quote! {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            pub fn #method(&self, #(#args),*) -> crate::client::Call<'_, crate::api::#request> {
                crate::client::Call::new(self, crate::api::#request::new(#(#names),*))
            }
        }
    }

    /// Setters on `Call<'_, X>` delegating to the request's own setters.
    fn call_setters(&self, r: &RequestStruct) -> TokenStream {
        let request = ident(self.names.request(&r.api.name));
        let mut ns = Namespace::with_reserved(RESERVED_CALL_METHODS);
        let setters: Vec<TokenStream> = r
            .fields()
            .into_iter()
            .filter(|f| !f.param.required)
            .map(|f| {
                let on_call = ident(&ns.allocate(&f.setter));
                let on_request = ident(&f.setter);
                let ty = Argument::of(f.param, self.types);
                let doc = format!(" Set `{}`.", f.param.name);
                quote! {
                    #[doc = #doc]
                    pub fn #on_call(self, value: #ty) -> Self {
                        self.map(|request| request.#on_request(value))
                    }
                }
            })
            .collect();
        if setters.is_empty() {
            return TokenStream::new();
        }
        quote! {
            #[cfg(feature = "client")]
            impl crate::client::Call<'_, crate::api::#request> {
                #(#setters)*
            }
        }
    }
}
