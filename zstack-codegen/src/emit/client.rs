//! A group's client methods as an extension trait of `Client`:
//! `pub trait BackupStorageApi` with `client.reconnect_backup_storage(uuid)`
//! returning a `Call`. The client lives in its own crate, so generated methods
//! reach it through a trait; one trait per group keeps each group's methods on
//! one docs page instead of 1,900 on `Client`'s.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use zstack_spec::Group;

use super::request::{Argument, RequestStruct};
use crate::names::Names;
use crate::naming::{ident, type_name};
use crate::rust_type::TypeMapper;

/// Inherent methods of `Call` that generated setters must not shadow (a
/// setter with one of these names would be unreachable on a `Call`). The
/// workspace test `xtask/tests/reserved_names.rs` checks this list against `Call`.
pub const RESERVED_CALL_METHODS: &[&str] = &[
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
    "timeout",
    "api_timeout",
    "retry",
    "send",
    "submit",
    "into_future",
    "page_size",
    "filter",
    "limit",
    "start",
    "reply_with_count",
    "sort_by",
    "sort",
    "group_by",
    "select_fields",
    "filter_name",
    "get",
    "count",
    "stream",
];

/// `pub trait <Group>Api: AsRef<Client>` with one method per API of the group.
pub struct ClientMethods<'a> {
    pub spec: &'a zstack_spec::Spec,
    pub group: &'a Group,
    pub names: &'a Names,
    pub types: &'a TypeMapper<'a>,
}

impl ClientMethods<'_> {
    /// The trait's name: the group's module name in UpperCamel case plus `Api`.
    pub fn trait_name(module: &str) -> String {
        format!("{}Api", type_name(module))
    }
}

impl ToTokens for ClientMethods<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let module = self.names.module(&self.group.name);
        let name = ident(&Self::trait_name(module));
        let methods = self.group.apis.iter().filter(|api| !is_login(api)).map(|api| {
            let request = RequestStruct { spec: self.spec, api, names: self.names, types: self.types };
            self.method(&request)
        });
        let doc = format!(
            " The `{}` group's APIs as methods of the client: each returns a \
             `Call` to send, await or stream. Implemented for \
             [`Client`](::zstack_sdk::client::Client); in scope with \
             `use zstack_sdk::prelude::*`.",
            self.group.name
        );
        tokens.extend(quote! {
            #[cfg(feature = "client")]
            #[doc = #doc]
            pub trait #name: ::core::convert::AsRef<::zstack_sdk::client::Client> {
                #(#methods)*
            }

            #[cfg(feature = "client")]
            impl #name for ::zstack_sdk::client::Client {}
        });
    }
}

/// A login API (needs no session, returns one): sent with
/// `client.login(request)`, which keeps the session, so it gets no client
/// method of its own. (`RenewSession` needs a session and keeps its method.)
pub fn is_login(api: &zstack_spec::Api) -> bool {
    !api.session && matches!(&api.result, zstack_spec::ResultShape::Inventory(ty) if ty == "SessionInventory")
}

impl ClientMethods<'_> {
    /// `fn x(&self, required...) -> Call<X>`.
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
            " {} [`{}`]: `{} {}`.",
            if api.is_async { "Send (and wait for the job of)" } else { "Send" },
            self.names.request(&api.name),
            api.method,
            api.path,
        );
        // Clippy counts `&self`: more than 7 in all.
        let allow = (required.len() + 1 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            #[doc = #doc]
            #allow
            fn #method(&self #(, #args)*) -> ::zstack_sdk::client::Call<#request> {
                ::zstack_sdk::client::Call::new(self.as_ref(), #request::new(#(#names),*))
            }
        }
    }
}
