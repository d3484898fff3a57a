//! Rust identifiers for spec names: case conversion, keyword escaping and
//! uniqueness. Every identifier the generator emits is allocated from a
//! [`Namespace`], so two spec names can never produce the same Rust name.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Strict and reserved keywords of Rust 2024, plus `Self`-like names that
/// cannot be raw identifiers.
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super",
    "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while",
    "yield",
];

/// Names that would shadow prelude or std types a generated module relies on.
const SHADOWING_TYPES: &[&str] = &["Option", "Some", "None", "Result", "Ok", "Err", "String", "Vec", "Box"];

/// Keep only characters valid in an identifier; never empty, never a leading digit.
fn sanitize(raw: &str) -> String {
    let mut out: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if out.is_empty() {
        out.push('_');
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Escape keywords by appending `_` (`type` → `type_`, `Self` → `Self_`).
fn escape_keyword(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) || name == "_" { name + "_" } else { name }
}

/// A type name: spec type names are kept verbatim when they are valid
/// (`VmNicInventory`, `ZQLQueryReturn`), so users find ZStack's own names.
pub fn type_name(raw: &str) -> String {
    let valid =
        raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && raw.starts_with(|c: char| c.is_ascii_uppercase());
    let name = if valid { raw.to_string() } else { sanitize(&raw.to_upper_camel_case()) };
    let name = escape_keyword(name);
    if SHADOWING_TYPES.contains(&name.as_str()) { name + "_" } else { name }
}

/// A field, method or module name in snake case (`ipInLong` → `ip_in_long`).
pub fn snake_name(raw: &str) -> String {
    // The same few thousand param names come back for every request, setter
    // and client method, and heck's conversion was an eighth of a full
    // codegen: each thread remembers the names it converted.
    thread_local! {
        static SNAKE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    }
    SNAKE.with_borrow_mut(|known| {
        if let Some(name) = known.get(raw) {
            return name.clone();
        }
        let name = escape_keyword(sanitize(&raw.to_snake_case()));
        known.insert(raw.to_string(), name.clone());
        name
    })
}

/// An associated constant (`createDate` → `CREATE_DATE`). Upper case never
/// meets a keyword.
pub fn const_name(raw: &str) -> String {
    sanitize(&raw.to_shouty_snake_case())
}

/// An enum variant for a value (`Permissive`, `qcow2` → `Qcow2`, `3par` → `_3par`).
pub fn variant_name(raw: &str) -> String {
    let name = sanitize(&raw.to_upper_camel_case());
    // `Unknown` is the catch-all variant every generated enum has.
    if name == "Unknown" { "Unknown_".to_string() } else { escape_keyword(name) }
}

/// Allocates unique identifiers within one Rust namespace. A name already
/// taken gets a numeric suffix (`_2`, `_3`, ...), in allocation order, so the
/// outcome is deterministic for a deterministic input order.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// A namespace in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace { taken: reserved.iter().map(|s| s.to_string()).collect() }
    }

    /// Take `wanted`, or the first free `wanted_N`.
    pub fn allocate(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        // UpperCamel names take a bare number (`Tcp2`) to stay camel case.
        let camel = wanted.starts_with(|c: char| c.is_ascii_uppercase()) && !wanted.contains('_');
        let sep = if camel || wanted.ends_with('_') { "" } else { "_" };
        (2..)
            .map(|n| format!("{wanted}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

/// An identifier token for an already-allocated name.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_escaped_with_a_suffix() {
        assert_eq!(snake_name("type"), "type_");
        assert_eq!(snake_name("async"), "async_");
        assert_eq!(snake_name("self"), "self_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(snake_name("gen"), "gen_");
    }

    #[test]
    fn camel_wire_names_become_snake_case() {
        assert_eq!(snake_name("ipInLong"), "ip_in_long");
        assert_eq!(snake_name("systemTags"), "system_tags");
        assert_eq!(snake_name("vmNICs"), "vm_ni_cs");
        assert_eq!(snake_name("__systemTag__"), "system_tag");
    }

    #[test]
    fn leading_digits_and_symbols_are_made_valid() {
        assert_eq!(snake_name("3par"), "_3par");
        assert_eq!(variant_name("3par"), "_3par");
        assert_eq!(snake_name("a-b.c"), "a_b_c");
        assert_eq!(variant_name(""), "__");
        assert_eq!(variant_name("qcow2"), "Qcow2");
    }

    #[test]
    fn type_names_stay_verbatim_when_valid() {
        assert_eq!(type_name("ZQLQueryReturn"), "ZQLQueryReturn");
        assert_eq!(type_name("LoadBalancerACLEntry"), "LoadBalancerACLEntry");
        assert_eq!(type_name("Option"), "Option_");
        assert_eq!(type_name("lower-case"), "LowerCase");
    }

    #[test]
    fn constants_are_shouty() {
        assert_eq!(const_name("createDate"), "CREATE_DATE");
        assert_eq!(const_name("type"), "TYPE");
        assert_eq!(const_name("3par"), "_3PAR");
    }

    #[test]
    fn unknown_variant_is_reserved_for_the_catch_all() {
        assert_eq!(variant_name("Unknown"), "Unknown_");
    }

    #[test]
    fn namespace_suffixes_collisions_deterministically() {
        let mut ns = Namespace::with_reserved(&["new"]);
        assert_eq!(ns.allocate("vm_nic_uuid"), "vm_nic_uuid");
        assert_eq!(ns.allocate("vm_nic_uuid"), "vm_nic_uuid_2");
        assert_eq!(ns.allocate("vm_nic_uuid"), "vm_nic_uuid_3");
        assert_eq!(ns.allocate("new"), "new_2");
        assert_eq!(ns.allocate("type_"), "type_");
        assert_eq!(ns.allocate("type_"), "type_2");
        assert_eq!(ns.allocate("Tcp"), "Tcp");
        assert_eq!(ns.allocate("Tcp"), "Tcp2");
    }
}
