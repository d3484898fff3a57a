//! The global identifier plan: every Rust name the generator emits for
//! groups, types, requests and replies, allocated once in a fixed order
//! (groups sorted, entries in file order) so output is deterministic and
//! names are unique by construction.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use zstack_spec::{ResultShape, Spec};

use crate::naming::{Namespace, ident, snake_name, type_name};
use crate::values::ValueSets;

#[derive(Debug, Default)]
pub struct Names {
    /// Group name → module name.
    modules: BTreeMap<String, String>,
    /// Spec type/enum name → Rust name (in `crate::types`).
    types: BTreeMap<String, String>,
    /// API name → request struct name (in `crate::api`).
    requests: BTreeMap<String, String>,
    /// API name → reply struct name, for APIs with named result fields.
    replies: BTreeMap<String, String>,
    /// API name → client method name.
    methods: BTreeMap<String, String>,
    /// Polymorphic base type → its `Any…` enum (in `crate::types`).
    any: BTreeMap<String, String>,
    /// The module of the value-set enums ([`crate::values`]).
    values_module: String,
}

impl Names {
    /// The names of a spec without value-set enums.
    pub fn plan(spec: &Spec) -> Names {
        Names::plan_with(spec, &ValueSets::default())
    }

    /// The names of a spec whose params [`ValueSets::plan`] retyped.
    pub fn plan_with(spec: &Spec, values: &ValueSets) -> Names {
        let mut names = Names::default();
        // Module names share a namespace with the re-exports' siblings.
        let mut modules = Namespace::with_reserved(&["types", "api", "client"]);
        let mut types = Namespace::new();
        let mut api = Namespace::new();
        let mut methods = Namespace::with_reserved(RESERVED_CLIENT_METHODS);
        for group in &spec.groups {
            names.modules.insert(group.name.clone(), modules.allocate(&snake_name(&group.name)));
            for t in &group.types {
                names.types.insert(t.name.clone(), types.allocate(&type_name(&t.name)));
            }
            for e in &group.enums {
                names.types.insert(e.name.clone(), types.allocate(&type_name(&e.name)));
            }
        }
        // After every type, so a spec type never loses its name to an `Any…` enum.
        for base in crate::inherit::polymorphic_bases(spec) {
            names.any.insert(base.clone(), types.allocate(&format!("Any{}", type_name(&base))));
        }
        // Last: a value-set enum never takes a spec type's name (the planner
        // already avoided them, so each keeps the name it was planned with).
        for e in &values.enums {
            names.types.insert(e.name.clone(), types.allocate(&e.name));
        }
        names.values_module = modules.allocate("values");
        // Requests first, so a request never loses its name to a reply.
        for (_, a) in spec.apis() {
            names.requests.insert(a.name.clone(), api.allocate(&type_name(&a.name)));
            names.methods.insert(a.name.clone(), methods.allocate(&snake_name(&a.name)));
        }
        for (_, a) in spec.apis() {
            if matches!(a.result, ResultShape::Fields(_)) {
                names.replies.insert(a.name.clone(), api.allocate(&format!("{}Reply", type_name(&a.name))));
            }
        }
        names
    }

    pub fn module(&self, group: &str) -> &str {
        lookup(&self.modules, group)
    }

    pub fn type_ident(&self, ty: &str) -> &str {
        lookup(&self.types, ty)
    }

    /// `crate::types::Name`.
    pub fn type_path(&self, ty: &str) -> TokenStream {
        let ident = ident(self.type_ident(ty));
        quote!(crate::types::#ident)
    }

    /// The `Any…` enum of a polymorphic base type.
    pub fn any(&self, base: &str) -> Option<&str> {
        self.any.get(base).map(String::as_str)
    }

    /// How a value declared as `ty` is held: the `Any…` enum for polymorphic
    /// bases, else the type itself.
    pub fn value_path(&self, ty: &str) -> TokenStream {
        match self.any(ty) {
            Some(any) => {
                let ident = ident(any);
                quote!(crate::types::#ident)
            }
            None => self.type_path(ty),
        }
    }

    /// The module of the value-set enums (`values`, unless a group took it).
    pub fn values_module(&self) -> &str {
        &self.values_module
    }

    pub fn request(&self, api: &str) -> &str {
        lookup(&self.requests, api)
    }

    pub fn reply(&self, api: &str) -> Option<&str> {
        self.replies.get(api).map(String::as_str)
    }

    pub fn method(&self, api: &str) -> &str {
        lookup(&self.methods, api)
    }
}

/// Inherent methods of the client that generated methods must not shadow (an
/// inherent method wins over the generated group traits' methods, so a
/// generated one with such a name would be unreachable). The workspace test
/// `xtask/tests/reserved_names.rs` checks this list against `Client`.
pub const RESERVED_CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "call",
    "call_dynamic",
    "send",
    "submit",
    "config",
    "base_url",
    "session",
    "set_session",
    "with_session",
    "with_access_key",
    "access_key",
    "clear_credentials",
    "login",
    "login_by_account",
    "login_by_account_digest",
    "mn_version",
    "logout",
    "poll_policy",
];

/// The spec was validated, so every name asked for was planned; an unplanned
/// name is a generator bug and must not produce silently wrong code.
fn lookup<'m>(map: &'m BTreeMap<String, String>, key: &str) -> &'m str {
    map.get(key).map(String::as_str).unwrap_or_else(|| panic!("codegen bug: no Rust name planned for `{key}`"))
}
