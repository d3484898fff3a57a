//! The `Any…` enum of a polymorphic base type: one variant per concrete class
//! (the base and each descendant), chosen through the response's `schema`
//! map, plus `Unknown` for classes this SDK does not know. Also the
//! `From<&Descendant> for Base` projections behind [`base()`].

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use zstack_spec::{Spec, TypeDef};

use crate::inherit::{all_fields, descendants};
use crate::names::Names;
use crate::naming::{Namespace, ident, snake_name};

pub struct AnyEnum<'a> {
    pub spec: &'a Spec,
    pub base: &'a TypeDef,
    pub names: &'a Names,
    /// `Serialize` only with the `serialize` feature (the type is never sent).
    pub gated: bool,
    /// The cargo feature a subclass's variant needs (its types module's), or
    /// `None` when it is compiled wherever the base is.
    pub variant_feature: &'a dyn Fn(&str) -> Option<String>,
}

impl ToTokens for AnyEnum<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Some(any) = self.names.any(&self.base.name) else { return };
        let any = ident(any);
        let concrete: Vec<&TypeDef> =
            std::iter::once(self.base).chain(descendants(self.spec, &self.base.name)).collect();
        let variant = |t: &TypeDef| ident(self.names.type_ident(&t.name));
        let cfg = |t: &TypeDef| (self.variant_feature)(&t.name).map(|f| quote!(#[cfg(feature = #f)]));
        let path = |t: &TypeDef| self.names.type_path(&t.name);
        let base_path = path(self.base);
        let base_variant = variant(self.base);
        let doc = format!(" A `{}` or one of its subclasses, as the response's `schema` map names it.", self.base.name);
        let decls = concrete.iter().map(|t| {
            let (v, p, cfg) = (variant(t), path(t), cfg(t));
            quote!(#cfg #v(#p),)
        });
        let arms = concrete.iter().map(|t| {
            let (v, cfg) = (variant(t), cfg(t));
            quote!(#cfg Self::#v(value) => ::serde::Serialize::serialize(value, serializer),)
        });
        // Written back as the concrete class's fields (an unknown class as the
        // members it was sent with), which is what the MN sends and accepts.
        let gate = self.gated.then(|| quote!(#[cfg(feature = "serialize")]));
        let serialize = {
            quote! {
                #gate
                impl ::serde::Serialize for #any {
                    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                        match self {
                            #(#arms)*
                            Self::Unknown { raw, .. } => ::serde::Serialize::serialize(raw, serializer),
                        }
                    }
                }
            }
        };
        let classes = concrete.iter().flat_map(|t| {
            let (v, p, cfg) = (variant(t), path(t), cfg(t));
            t.server_classes.iter().map(move |class| {
                quote!(#cfg #class => ::core::result::Result::Ok(<#p as ::serde::Deserialize<'de>>::deserialize(deserializer).map(Self::#v)),)
            })
        });
        let bases = concrete.iter().map(|t| {
            let (v, cfg) = (variant(t), cfg(t));
            if t.name == self.base.name {
                quote!(Self::#v(value) => ::std::borrow::Cow::Borrowed(value),)
            } else {
                quote!(#cfg Self::#v(value) => ::std::borrow::Cow::Owned(#base_path::from(value)),)
            }
        });
        let projections = concrete.iter().skip(1).map(|d| Projection {
            spec: self.spec,
            from: d,
            to: self.base,
            names: self.names,
            cfg: cfg(d),
        });
        tokens.extend(quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq)]
            // Variants are decoded inventories, usually all of one class in a
            // reply; boxing them would cost an allocation per row.
            #[allow(clippy::large_enum_variant)]
            #[non_exhaustive]
            pub enum #any {
                #(#decls)*
                /// A class that is not this type or a known subclass: decoded as
                /// the declared type, with every field as sent kept in `raw`.
                Unknown {
                    class: ::std::string::String,
                    base: #base_path,
                    raw: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                },
            }

            impl #any {
                /// The fields every class shares: the declared type's.
                pub fn base(&self) -> ::std::borrow::Cow<'_, #base_path> {
                    match self {
                        #(#bases)*
                        Self::Unknown { base, .. } => ::std::borrow::Cow::Borrowed(base),
                    }
                }
            }

            impl ::zstack_sdk::runtime::plumbing::poly::Polymorphic for #any {
                fn deserialize_class<'de, D: ::serde::Deserializer<'de>>(
                    class: &str,
                    deserializer: D
                ) -> ::core::result::Result<::core::result::Result<Self, D::Error>, D> {
                    match class {
                        #(#classes)*
                        _ => ::core::result::Result::Err(deserializer),
                    }
                }

                fn deserialize_base<'de, D: ::serde::Deserializer<'de>>(
                    deserializer: D
                ) -> ::core::result::Result<Self, D::Error> {
                    <#base_path as ::serde::Deserialize<'de>>::deserialize(deserializer).map(Self::#base_variant)
                }

                fn from_unknown(
                    class: ::std::string::String,
                    text: &str
                ) -> ::core::result::Result<Self, ::serde_json::Error> {
                    let (base, raw) = ::zstack_sdk::runtime::plumbing::poly::unknown_parts(text)?;
                    ::core::result::Result::Ok(Self::Unknown { class, base, raw })
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #any {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    ::zstack_sdk::runtime::plumbing::poly::deserialize(deserializer)
                }
            }

            #serialize

            #(#projections)*
        });
    }
}

/// `impl From<&Descendant> for Ancestor`: copies the ancestor's fields.
/// Subclasses never redeclare a parent field with another type (checked in
/// the catalog), and both structs allocate those fields' names in the same
/// order, so the names line up.
struct Projection<'a> {
    spec: &'a Spec,
    from: &'a TypeDef,
    to: &'a TypeDef,
    names: &'a Names,
    /// The descendant's feature gate, if it has one.
    cfg: Option<TokenStream>,
}

impl ToTokens for Projection<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (from, to) = (self.names.type_path(&self.from.name), self.names.type_path(&self.to.name));
        let mut ns = Namespace::new();
        let fields = all_fields(self.spec, self.to).into_iter().map(|f| {
            let name = ident(&ns.allocate(&snake_name(&f.name)));
            if is_copy(&f.ty) { quote!(#name: value.#name,) } else { quote!(#name: value.#name.clone(),) }
        });
        let cfg = &self.cfg;
        tokens.extend(quote! {
            #cfg
            impl ::core::convert::From<&#from> for #to {
                fn from(value: &#from) -> Self {
                    Self { #(#fields)* }
                }
            }
        });
    }
}

/// Response fields of these types are `Option<Copy>`, so they need no clone.
fn is_copy(ty: &zstack_spec::TypeRef) -> bool {
    use zstack_spec::TypeRef::*;
    matches!(ty, Boolean | Integer | Long | Float | Double | Timestamp)
}
