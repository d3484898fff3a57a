//! How spec types become Rust types.
//!
//! Response fields are forward-compatible: the MN omits nulls, so scalars are
//! `Option<T>` and collections default to empty. Request params are typed by
//! presence: required params are plain `T`, optional ones `Option<T>`, and
//! collections are empty when absent.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use zstack_spec::{Field, Spec, TypeRef};

use crate::names::Names;

/// Resolves spec types to Rust tokens; knows which struct fields must be boxed
/// and which types can hold polymorphic values or credentials.
pub struct TypeMapper<'a> {
    names: &'a Names,
    /// `(type, field)` pairs whose direct (non-collection) reference closes a cycle.
    boxed: BTreeSet<(String, String)>,
    /// Types that are, or lead through their fields to, a polymorphic base.
    polymorphic: BTreeSet<String>,
    /// Types that have, or lead through their fields to, a `sensitive` field.
    sensitive: BTreeSet<String>,
}

impl<'a> TypeMapper<'a> {
    pub fn new(spec: &Spec, names: &'a Names) -> Self {
        let bases = crate::inherit::polymorphic_bases(spec);
        TypeMapper {
            names,
            boxed: recursive_fields(spec),
            polymorphic: reaching(spec, |def| bases.contains(&def.name)),
            sensitive: sensitive_types(spec),
        }
    }

    /// Whether a value of `ty` can contain a polymorphic value anywhere inside.
    pub fn reaches_polymorphic(&self, ty: &TypeRef) -> bool {
        ty.named().iter().any(|name| self.polymorphic.contains(*name))
    }

    /// Whether a value of `ty` can hold a `sensitive` field anywhere inside.
    pub fn reaches_sensitive(&self, ty: &TypeRef) -> bool {
        ty.named().iter().any(|name| self.sensitive.contains(*name))
    }

    /// The Rust element type for a spec type, without optionality.
    pub fn element(&self, ty: &TypeRef) -> TokenStream {
        match ty {
            TypeRef::String => quote!(::std::string::String),
            TypeRef::Boolean => quote!(bool),
            TypeRef::Integer => quote!(i32),
            TypeRef::Long => quote!(i64),
            TypeRef::Float => quote!(f32),
            TypeRef::Double => quote!(f64),
            TypeRef::Timestamp => quote!(::zstack_sdk::runtime::timestamp::Timestamp),
            TypeRef::Object => quote!(::serde_json::Value),
            TypeRef::List(inner) => {
                let inner = self.element(inner);
                quote!(::std::vec::Vec<#inner>)
            }
            // Map keys are strings on the wire whatever the server declares.
            TypeRef::Map(_, value) => {
                let value = self.element(value);
                quote!(::std::collections::BTreeMap<::std::string::String, #value>)
            }
            TypeRef::Named(name) => self.names.value_path(name),
        }
    }

    /// A response field: collections as-is (defaulting to empty), the rest optional.
    pub fn response_field(&self, owner: &str, field: &Field) -> TokenStream {
        let secret = field.sensitive || is_secret_name(&field.name);
        let (ty, field) = (&field.ty, &field.name);
        let element = if secret && *ty == TypeRef::String {
            quote!(::zstack_sdk::runtime::secret::Secret)
        } else {
            self.element(ty)
        };
        match ty {
            TypeRef::List(_) | TypeRef::Map(..) => element,
            _ if self.boxed.contains(&(owner.to_string(), field.to_string())) => {
                quote!(::core::option::Option<::std::boxed::Box<#element>>)
            }
            _ => quote!(::core::option::Option<#element>),
        }
    }

    /// A request param: plain when required, `Option` when not; collections plain.
    pub fn request_param(&self, name: &str, ty: &TypeRef, required: bool, secret: bool) -> TokenStream {
        let element = match ty {
            TypeRef::String if secret => quote!(::zstack_sdk::runtime::secret::Password),
            TypeRef::String if is_secret_name(name) => quote!(::zstack_sdk::runtime::secret::Secret),
            _ => self.element(ty),
        };
        if required || ty.is_collection() { element } else { quote!(::core::option::Option<#element>) }
    }
}

/// Strings named like credentials are held in `Secret`, so `Debug` output and
/// logs never show them: passwords (`sshPassword`), secrets
/// (`accessKeySecret`, `clientSecret`), tokens (`accessToken`, `token`),
/// private keys and session ids (`sessionUuid`). Only the *end* of the name
/// counts for secrets and tokens, so `secretResourcePoolUuid` and `tokenUrl`
/// stay plain. A credential the name does not give away is marked in the
/// spec (`sensitive: true` on a field, e.g. `SessionInventory.uuid`).
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("password")
        || ["secret", "secrete", "token", "privatekey"].iter().any(|end| lower.ends_with(end))
        || ["sessionuuid", "sessionid"].contains(&lower.as_str())
}

/// Integer leaves need the lenient decoder (`1.0`, `8.589934592E9`, protocol §10).
pub fn needs_lenient(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Integer | TypeRef::Long => true,
        TypeRef::List(inner) => needs_lenient(inner),
        TypeRef::Map(_, value) => needs_lenient(value),
        _ => false,
    }
}

/// Fields that refer (directly, not through a collection) to a type that can
/// reach their owner again; those must be boxed for the struct to have a size.
fn recursive_fields(spec: &Spec) -> BTreeSet<(String, String)> {
    let edges = direct_edges(spec);
    let mut boxed = BTreeSet::new();
    for (owner, fields) in &edges {
        for (field, target) in fields {
            if reaches(&edges, target, owner) {
                boxed.insert((owner.clone(), field.clone()));
            }
        }
    }
    boxed
}

type Edges = BTreeMap<String, Vec<(String, String)>>;

/// Owner type → (field, named type) for every non-collection named field,
/// including inherited ones (a subclass embeds its parent's fields).
fn direct_edges(spec: &Spec) -> Edges {
    let mut edges = Edges::new();
    let below = crate::inherit::all_descendants(spec);
    for group in &spec.groups {
        for ty in &group.types {
            let mut out = Vec::new();
            for field in crate::inherit::all_fields(spec, ty) {
                if let TypeRef::Named(target) = &field.ty {
                    out.push((field.name.clone(), target.clone()));
                }
            }
            // An `Any…` value of this type holds any descendant by value.
            let descendants = below.get(ty.name.as_str()).into_iter().flatten();
            out.extend(descendants.map(|d| (String::new(), d.name.clone())));
            edges.insert(ty.name.clone(), out);
        }
    }
    edges
}

/// Types that have, or lead through their fields to, a `sensitive` field.
pub(crate) fn sensitive_types(spec: &Spec) -> BTreeSet<String> {
    reaching(spec, |def| crate::inherit::all_fields(spec, def).iter().any(|f| f.sensitive))
}

/// The types that satisfy `pred`, or whose fields (inherited ones included)
/// lead to one that does: computed once for the whole spec, to a fixed point.
fn reaching(spec: &Spec, pred: impl Fn(&zstack_spec::TypeDef) -> bool) -> BTreeSet<String> {
    let fields: Vec<(&str, Vec<&str>)> = spec
        .groups
        .iter()
        .flat_map(|g| g.types.iter())
        .map(|def| {
            let targets = crate::inherit::all_fields(spec, def).into_iter().flat_map(|f| f.ty.named()).collect();
            (def.name.as_str(), targets)
        })
        .collect();
    let mut found: BTreeSet<String> =
        spec.groups.iter().flat_map(|g| g.types.iter()).filter(|def| pred(def)).map(|def| def.name.clone()).collect();
    loop {
        let more: Vec<&str> = fields
            .iter()
            .filter(|(name, targets)| !found.contains(*name) && targets.iter().any(|t| found.contains(*t)))
            .map(|(name, _)| *name)
            .collect();
        if more.is_empty() {
            return found;
        }
        found.extend(more.into_iter().map(str::to_string));
    }
}

fn reaches(edges: &Edges, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node.clone()) {
            stack.extend(edges.get(&node).into_iter().flatten().map(|(_, t)| t.clone()));
        }
    }
    false
}

/// Spec types the runtime defines by hand (`zstack_runtime::ErrorCode`, ...),
/// because the client needs them and must not depend on generated code. The
/// generated types module re-exports them instead of emitting a struct; the
/// SDK's `runtime_types` test checks that each reads every field the spec lists.
pub const RUNTIME_TYPES: &[&str] = &["ErrorCode", "SessionInventory"];

/// Whether the runtime provides `name` (see [`RUNTIME_TYPES`]).
pub fn is_runtime_type(name: &str) -> bool {
    RUNTIME_TYPES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_secret_and_look_alikes_are_not() {
        for name in [
            "password",
            "sshPassword",
            "chapUserPassword",
            "AccessKeySecret",
            "clientSecret",
            "clientSecrete",
            "secret",
            "accessToken",
            "hmacToken",
            "token",
            "privateKey",
            "sessionUuid",
            "sessionId",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in
            ["secretResourcePoolUuid", "tokenUrl", "tokenName", "tokenType", "sessionPersistence", "uuid", "key"]
        {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn lenient_only_for_integer_leaves() {
        assert!(needs_lenient(&TypeRef::Long));
        assert!(needs_lenient(&TypeRef::List(Box::new(TypeRef::Integer))));
        assert!(needs_lenient(&TypeRef::Map(Box::new(TypeRef::String), Box::new(TypeRef::Long))));
        assert!(!needs_lenient(&TypeRef::Double));
        assert!(!needs_lenient(&TypeRef::List(Box::new(TypeRef::Named("X".into())))));
    }
}
