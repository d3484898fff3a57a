//! A reply struct for APIs whose result is a set of named fields
//! (`{"valid": true}`, `{"successCount": 1, "failCount": 0}`, ...).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use zstack_spec::{Api, ResultShape};

use super::inventory::{ResponseField, WireStruct};
use crate::names::Names;
use crate::naming::{Namespace, ident, snake_name};
use crate::rust_type::TypeMapper;

pub struct ReplyStruct<'a> {
    pub api: &'a Api,
    pub names: &'a Names,
    pub types: &'a TypeMapper<'a>,
    /// `Serialize` only with the `serialize` feature.
    pub gated: bool,
}

impl ToTokens for ReplyStruct<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (ResultShape::Fields(fields), Some(reply)) = (&self.api.result, self.names.reply(&self.api.name)) else {
            return;
        };
        let name = ident(reply);
        let doc = format!(" The result of [`{}`].", self.names.request(&self.api.name));
        let mut ns = Namespace::new();
        // Replies are keyed by API name, which is never a type name in `crate::types`.
        let owner = format!("reply:{}", self.api.name);
        let fields: Vec<ResponseField> = fields
            .iter()
            .map(|field| ResponseField {
                owner: &owner,
                field,
                rust: ns.allocate(&snake_name(&field.name)),
                types: self.types,
            })
            .collect();
        let wire = WireStruct { name: &name, fields: &fields, gated: self.gated };
        tokens.extend(quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, Default, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }

            #wire
        });
    }
}
