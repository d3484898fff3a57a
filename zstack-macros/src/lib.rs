//! `#[derive(Api)]`: implements `zstack_sdk::ApiRequest` from `#[api(...)]` attributes.
//! Use it through `zstack_sdk::Api`, which re-exports it.
//!
//! ```text
//! #[api(method = "GET" | "POST" | "PUT" | "DELETE",   // required
//!       path = "/literal/{wireName}/...",            // required, starts with `/`
//!       envelope = "key",                            // required for POST/PUT, forbidden for GET/DELETE
//!       response = Type,                             // default ::zstack_sdk::runtime::reply::Empty
//!       async,                                       // ASYNC = true (default false)
//!       polymorphic,                                 // POLYMORPHIC = true: decode via the `schema` map
//!       sensitive,                                   // SENSITIVE = true: the reply holds a credential
//!       session = false,                             // SESSION (default true)
//!       since = "4.10.16",                           // SINCE: the release that introduced the API
//!       action = "Name",                             // ACTION (default: the struct name)
//!       crate = "::zstack_runtime")]                 // the runtime's path (default ::zstack_sdk::runtime)
//! struct Request {
//!     #[api(rename = "wireName",                     // default: the field name without `r#`
//!           flatten,                                 // a `QueryPairs` group (GET/DELETE only)
//!           required,                                // sent even when empty (body), refused
//!                                                    // when empty (query string)
//!           one_of("a", "b"), min_length = N, max_length = N,
//!           range(LO, HI), non_empty, non_empty_string, regex = "...",
//!           since = "5.3.20")]                       // reported by `versioned_params` when set
//!     field: Type,
//! }
//! ```
//!
//! A placeholder `{x}` is filled from the field whose wire name is `x`; that
//! field is then left out of the query and the body. Other fields go to the
//! query string (GET/DELETE) or into the envelope object (POST/PUT), in
//! declaration order. The layers: `attr` parses, `validate` checks, `expand`
//! generates.

#![deny(missing_docs)]

mod attr;
mod expand;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Implements `ApiRequest` for a request struct from its `#[api(...)]`
/// attributes (see the crate docs for every key).
#[proc_macro_derive(Api, attributes(api))]
pub fn derive_api(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
