//! A string enum with an `Unknown(String)` catch-all that round-trips values
//! this SDK version does not know. The serde, `Display` and wire impls come
//! from the runtime's `string_enum_traits!`, which needs only `as_str` and
//! `From<&str>`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use zstack_spec::EnumDef;

use super::doc::Doc;
use crate::names::Names;
use crate::naming::{Namespace, ident, variant_name};

pub struct StringEnum<'a> {
    pub def: &'a EnumDef,
    pub names: &'a Names,
    /// `#[cfg(..)]` for every item, or nothing.
    pub cfg: TokenStream,
}

impl StringEnum<'_> {
    fn doc(&self) -> Doc {
        let classes = (!self.def.server_classes.is_empty()).then(|| {
            let list: Vec<String> = self.def.server_classes.iter().map(|c| format!("`{c}`")).collect();
            format!("Server class: {}.", list.join(", "))
        });
        Doc::new().para(self.def.description.clone()).para(classes)
    }

    /// (variant ident, wire value) pairs with unique variant names.
    fn variants(&self) -> Vec<(proc_macro2::Ident, &str)> {
        let mut ns = Namespace::with_reserved(&["Unknown"]);
        self.def.values.iter().map(|v| (ident(&ns.allocate(&variant_name(v))), v.as_str())).collect()
    }
}

impl ToTokens for StringEnum<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let doc = self.doc();
        let name = ident(self.names.type_ident(&self.def.name));
        let variants = self.variants();
        let decls = variants.iter().map(|(v, wire)| {
            let doc = format!(" `{wire}`");
            quote!(#[doc = #doc] #v,)
        });
        let values = variants.iter().map(|(_, wire)| wire);
        let to_str = variants.iter().map(|(v, wire)| quote!(Self::#v => #wire,));
        let from_str = variants.iter().map(|(v, wire)| quote!(#wire => Self::#v,));
        let cfg = &self.cfg;
        // `non_exhaustive`: the MN may add values, which a later SDK version
        // then adds as variants.
        tokens.extend(quote! {
            #doc
            #cfg
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #(#decls)*
                /// A value this SDK version does not know, kept verbatim.
                Unknown(::std::string::String),
            }

            #cfg
            impl #name {
                /// Every known wire value, in declaration order.
                pub const VALUES: &'static [&'static str] = &[#(#values),*];

                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#to_str)*
                        Self::Unknown(other) => other,
                    }
                }
            }

            #cfg
            impl ::core::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #(#from_str)*
                        other => Self::Unknown(other.to_string()),
                    }
                }
            }

            #cfg
            ::zstack_sdk::runtime::plumbing::string_enum_traits!(#name);
        });
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use zstack_spec::EnumDef;

    use super::StringEnum;
    use crate::names::Names;
    use crate::test_support::*;

    #[test]
    fn values_become_unique_variants() {
        let def = EnumDef {
            name: "Protocol".into(),
            values: vec!["tcp".into(), "TCP".into(), "TCP_UDP".into(), "Unknown".into(), "3par".into()],
            server_classes: vec!["org.zstack.Protocol".into()],
            description: Some("A protocol.".into()),
        };
        let spec = spec(vec![], vec![], vec![def]);
        let names = Names::plan(&spec);
        let e = StringEnum { def: &spec.groups[0].enums[0], names: &names, cfg: Default::default() };
        let out = pretty(quote!(#e));
        assert!(out.contains("Self::Tcp => \"tcp\""), "{out}");
        assert!(out.contains("Self::Tcp2 => \"TCP\""), "{out}");
        assert!(out.contains("Self::Unknown_ => \"Unknown\""), "{out}");
        insta::assert_snapshot!(out);
    }
}
