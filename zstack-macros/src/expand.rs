//! Code generation: `impl <runtime>::request::ApiRequest` from a checked [`Api`]; the
//! runtime path is `::zstack_sdk::runtime` unless `#[api(crate = "...")]` names another.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned as _;

use crate::attr::{self, Api, Check, Field};
use crate::validate::{self, Piece};

/// The derive: parse, check, expand; or the errors as `compile_error!`s.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    attr::parse(input)
        .and_then(|api| validate::check(&api).map(|pieces| expand(&api, &pieces)))
        .unwrap_or_else(syn::Error::into_compile_error)
}

fn expand(api: &Api, pieces: &[Piece]) -> TokenStream {
    let rt = &api.runtime();
    let ident = api.ident;
    let action = &api.action;
    let method = format_ident!("{}", api.method.variant());
    let path = api.path.value();
    let envelope = match &api.envelope {
        Some((_, key)) => {
            let key = key.value();
            quote!(::core::option::Option::Some(#key))
        }
        None => quote!(::core::option::Option::None),
    };
    let is_async = api.is_async;
    let session = api.session;
    let polymorphic = api.polymorphic;
    let sensitive = api.sensitive;
    let since = match &api.since {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    };
    let versioned = versioned_params(rt, &api.fields);
    let response = match &api.response {
        Some(ty) => quote!(#ty),
        None => quote!(#rt::reply::Empty),
    };

    // Path params are filled into the path and sent nowhere else.
    let in_path = |i: usize| pieces.iter().any(|p| matches!(p, Piece::Placeholder { field, .. } if *field == i));
    let params: Vec<&Field> = api.fields.iter().enumerate().filter(|&(i, _)| !in_path(i)).map(|(_, f)| f).collect();

    let validate = validate_body(rt, &api.fields);
    let path_fn = path_body(rt, api, pieces);
    let (query, body) = if api.method.has_body() {
        (quote!(::core::result::Result::Ok(::std::vec::Vec::new())), body_body(rt, api, &params))
    } else {
        (query_body(rt, &params), quote!(::core::result::Result::Ok(::core::option::Option::None)))
    };

    quote! {
        #[automatically_derived]
        impl #rt::request::ApiRequest for #ident {
            const ACTION: &'static str = #action;
            const METHOD: #rt::request::Method = #rt::request::Method::#method;
            const PATH: &'static str = #path;
            const ENVELOPE: ::core::option::Option<&'static str> = #envelope;
            const ASYNC: bool = #is_async;
            const SESSION: bool = #session;
            const POLYMORPHIC: bool = #polymorphic;
            const SENSITIVE: bool = #sensitive;
            const SINCE: ::core::option::Option<&'static str> = #since;
            type Response = #response;

            fn validate(&self) -> ::core::result::Result<(), #rt::request::InvalidRequest> {
                #validate
            }

            #versioned

            fn path(&self) -> ::core::result::Result<::std::string::String, #rt::request::InvalidRequest> {
                #path_fn
            }

            fn query(
                &self,
            ) -> ::core::result::Result<
                ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                #rt::request::InvalidRequest,
            > {
                #query
            }

            fn body(
                &self,
            ) -> ::core::result::Result<
                ::core::option::Option<#rt::plumbing::serde_json::Value>,
                #rt::request::InvalidRequest,
            > {
                #body
            }
        }
    }
}

/// `versioned_params`: each field with a `since` that is set (not absent).
/// Nothing when no field has one (the trait's default).
fn versioned_params(rt: &TokenStream, fields: &[Field]) -> TokenStream {
    let visits: Vec<TokenStream> = fields
        .iter()
        .filter_map(|f| f.since.as_ref().map(|since| (f, since)))
        .map(|(f, since)| {
            let (wire, value) = (&f.wire, field_ref(f));
            quote! {
                if !#rt::plumbing::wire::WireValue::is_absent(#value) {
                    visit(#wire, #since);
                }
            }
        })
        .collect();
    if visits.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn versioned_params(&self, visit: &mut dyn ::core::ops::FnMut(&'static str, &'static str)) {
            #(#visits)*
        }
    }
}

/// `&self.field`, spanned on the field's type so trait-bound errors point there.
fn field_ref(field: &Field) -> TokenStream {
    let ident = field.ident;
    quote_spanned!(field.ty.span()=> &self.#ident)
}

/// One call per constraint, then each flatten field's own checks, through
/// [`first_error`] (as are `query` and `body`).
fn validate_body(rt: &TokenStream, fields: &[Field]) -> TokenStream {
    let checks = fields.iter().flat_map(|f| {
        let wire = &f.wire;
        let value = field_ref(f);
        f.constraints.iter().map(move |c| match &c.check {
            Check::OneOf(allowed) => quote! {
                #rt::plumbing::validate::one_of(Self::ACTION, #wire, #value, &[#(#allowed),*])
            },
            Check::Length { min, max } => {
                let (min, max) = (optional_usize(*min), optional_usize(*max));
                quote! {
                    #rt::plumbing::validate::length(Self::ACTION, #wire, #value, #min, #max)
                }
            }
            Check::Range(lo, hi) => {
                let (lo, hi) = (Literal::i64_unsuffixed(*lo), Literal::i64_unsuffixed(*hi));
                quote! {
                    #rt::plumbing::validate::range(Self::ACTION, #wire, #value, #lo, #hi)
                }
            }
            Check::NonEmpty => quote! {
                #rt::plumbing::validate::non_empty(Self::ACTION, #wire, #value)
            },
            Check::NonEmptyString => quote! {
                #rt::plumbing::validate::non_empty_string(Self::ACTION, #wire, #value)
            },
            Check::Regex(regex) => quote! {
                #rt::plumbing::validate::pattern(Self::ACTION, #wire, #value, #regex)
            },
        })
    });
    let flattened = fields.iter().filter(|f| f.flatten.is_some()).map(|f| {
        let value = field_ref(f);
        quote!(#rt::plumbing::wire::QueryPairs::validate(#value, Self::ACTION))
    });
    let checks: Vec<TokenStream> = checks.chain(flattened).collect();
    if checks.is_empty() {
        return quote!(::core::result::Result::Ok(()));
    }
    first_error(rt, &checks, quote!(()))
}

fn optional_usize(n: Option<usize>) -> TokenStream {
    match n {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The template's literal pieces, with each placeholder encoded from its field.
fn path_body(rt: &TokenStream, api: &Api, pieces: &[Piece]) -> TokenStream {
    if !pieces.iter().any(|p| matches!(p, Piece::Placeholder { .. })) {
        let path = api.path.value();
        return quote!(::core::result::Result::Ok(::std::string::String::from(#path)));
    }
    // The encoded segments first, so that the path is allocated once, at
    // its length.
    let (mut vars, mut segments, mut literal_len) = (Vec::new(), Vec::new(), 0);
    let pushes: Vec<TokenStream> = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Literal(s) => {
                literal_len += s.len();
                quote!(path.push_str(#s);)
            }
            Piece::Placeholder { name, field } => {
                let f = &api.fields[*field];
                let ident = f.ident;
                let value = quote_spanned!(f.ty.span()=> ::core::convert::AsRef::<str>::as_ref(&self.#ident));
                let var = format_ident!("__segment{}", vars.len());
                segments.push(quote! {
                    let #var = #rt::request::path_segment(Self::ACTION, #name, #value)?;
                });
                let push = quote!(path.push_str(&#var););
                vars.push(var);
                push
            }
        })
        .collect();
    quote! {
        #(#segments)*
        let mut path = ::std::string::String::with_capacity(#literal_len #(+ #vars.len())*);
        #(#pushes)*
        ::core::result::Result::Ok(path)
    }
}

/// GET/DELETE: every non-path field as query pairs, in declaration order.
fn query_body(rt: &TokenStream, params: &[&Field]) -> TokenStream {
    if params.is_empty() {
        return quote!(::core::result::Result::Ok(::std::vec::Vec::new()));
    }
    let pushes: Vec<TokenStream> = params
        .iter()
        .map(|f| {
            let value = field_ref(f);
            if f.flatten.is_some() {
                quote!(#rt::plumbing::wire::QueryPairs::push_pairs(#value, Self::ACTION, &mut query))
            } else {
                let wire = &f.wire;
                let push = if f.required { quote!(required_query_field) } else { quote!(query_field) };
                quote!(#rt::plumbing::wire::#push(Self::ACTION, #wire, #value, &mut query))
            }
        })
        .collect();
    let run = first_error(rt, &pushes, quote!(query));
    quote! {
        let mut query = ::std::vec::Vec::new();
        #run
    }
}

/// POST/PUT: every non-path field in the envelope object, which is always sent.
fn body_body(rt: &TokenStream, api: &Api, params: &[&Field]) -> TokenStream {
    let key = api.envelope.as_ref().map(|(_, key)| key.value()).unwrap_or_default();
    let members: Vec<TokenStream> = params
        .iter()
        .map(|f| {
            let wire = &f.wire;
            let value = field_ref(f);
            let put = if f.required { quote!(required_body_field) } else { quote!(body_field) };
            quote!(#rt::plumbing::wire::#put(Self::ACTION, #wire, #value, &mut members))
        })
        .collect();
    if params.is_empty() {
        return quote! {
            ::core::result::Result::Ok(::core::option::Option::Some(
                #rt::plumbing::wire::envelope(#key, #rt::plumbing::serde_json::Map::new()),
            ))
        };
    }
    let run =
        first_error(rt, &members, quote!(::core::option::Option::Some(#rt::plumbing::wire::envelope(#key, members))));
    quote! {
        let mut members = #rt::plumbing::serde_json::Map::new();
        #run
    }
}

/// Each step's `Result` kept by the runtime's `plumbing::wire::FirstError`,
/// then `Ok(value)` or the first error: one plain statement per step rather
/// than a `?` each keeps the expansion's type-check and borrow-check small.
fn first_error(rt: &TokenStream, steps: &[TokenStream], value: TokenStream) -> TokenStream {
    quote! {
        let mut errors = #rt::plumbing::wire::FirstError::new();
        #(errors.keep(#steps);)*
        errors.or(#value)
    }
}
