//! The shapes of the generated command table (`gen/commands.rs`): every API
//! of the spec as static data. Nothing here runs until a command is chosen.

use zstack_runtime::request::Route;

pub use crate::commands::GROUPS;
#[cfg(test)]
pub use crate::commands::{BUILTIN_COMMANDS, RESERVED_COMMANDS, RESERVED_FLAGS};

/// One group of APIs: `zstack <group> ...`.
#[derive(Debug)]
pub struct Group {
    /// The command name (`vm-instances`).
    pub name: &'static str,
    /// One line about the group.
    pub about: &'static str,
    /// Its APIs, in spec order.
    pub apis: &'static [Api],
}

/// One API: `zstack <group> <command> ...`.
#[derive(Debug)]
pub struct Api {
    /// The command name within the group (`create`, `attach-l3-network-to-vm`).
    pub command: &'static str,
    /// The full kebab-case name, when `command` is shorter (`create-vm-instance`).
    pub alias: Option<&'static str>,
    /// Where and how it is sent.
    pub route: Route,
    /// A Query API: conditions, paging and sorting apply.
    pub query: bool,
    /// What the reply holds.
    pub result: Reply,
    /// One line about the API.
    pub about: &'static str,
    /// The whole description.
    pub doc: &'static str,
    /// Its params, in spec order.
    pub params: &'static [Param],
}

/// What a reply holds.
#[derive(Debug)]
pub enum Reply {
    /// `{}`.
    Empty,
    /// `{"inventory": ...}`.
    Inventory(&'static Inventory),
    /// `{"inventories": [...]}`.
    Inventories(&'static Inventory),
    /// Other named fields.
    Fields,
}

/// An inventory type: its fields (to check `--where`) and default columns.
#[derive(Debug)]
pub struct Inventory {
    /// The spec's type name.
    pub name: &'static str,
    /// Every field, inherited ones first.
    pub fields: &'static [(&'static str, FieldKind)],
    /// What a table shows unless `--columns` says otherwise.
    pub columns: &'static [&'static str],
}

/// The kind of an inventory field, for checking conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Str,
    Bool,
    Int,
    Float,
    Time,
    /// A structure or a collection: conditions name its fields (`vmNics.ip`).
    Nested,
}

/// One param of an API.
#[derive(Debug)]
pub struct Param {
    /// The wire name (`l3NetworkUuids`).
    pub name: &'static str,
    /// The flag (`l3-network-uuids`), without dashes.
    pub flag: &'static str,
    pub kind: Kind,
    /// The only path param of its API: a positional argument.
    pub positional: bool,
    pub required: bool,
    /// Sent as its SHA-512 digest (a password).
    pub secret: bool,
    /// The closed set of accepted values (case-sensitive).
    pub allowed: &'static [&'static str],
    /// The release that added the param.
    pub since: Option<&'static str>,
    /// The MN's default, for the help text.
    pub default: Option<&'static str>,
    /// Inclusive integer range.
    pub range: Option<(i64, i64)>,
    /// Minimum and maximum length of a string.
    pub length: (Option<u64>, Option<u64>),
    /// A (Java) regular expression each string must match.
    pub regex: Option<&'static str>,
    /// A collection that must not be empty.
    pub non_empty: bool,
    /// The empty string is refused.
    pub no_empty_string: bool,
    pub doc: &'static str,
}

impl Param {
    /// The fields every entry leaves at their defaults.
    pub const DEFAULT: Param = Param {
        name: "",
        flag: "",
        kind: Kind::One(Scalar::Str),
        positional: false,
        required: false,
        secret: false,
        allowed: &[],
        since: None,
        default: None,
        range: None,
        length: (None, None),
        regex: None,
        non_empty: false,
        no_empty_string: false,
        doc: "",
    };
}

/// How a param's value is written on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One value.
    One(Scalar),
    /// Repeated flags or a comma list.
    List(Scalar),
    /// `key=value`, repeated, or `@file.json`.
    Map(Scalar),
    /// Raw JSON, `@file.json`, or `key=value` pairs of an object.
    Json,
}

/// A scalar value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    Str,
    Bool,
    Int,
    Float,
}

/// The group named `name`.
pub fn group(name: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.name == name)
}

/// Every API, with its group.
pub fn apis() -> impl Iterator<Item = (&'static Group, &'static Api)> {
    GROUPS.iter().flat_map(|g| g.apis.iter().map(move |a| (g, a)))
}

/// The API with this action name (`CreateVmInstance`), in any case.
pub fn by_action(action: &str) -> Option<(&'static Group, &'static Api)> {
    apis().find(|(_, a)| a.route.action.eq_ignore_ascii_case(action))
}

impl Group {
    /// The API whose command or alias is `command`.
    pub fn api(&self, command: &str) -> Option<&'static Api> {
        self.apis.iter().find(|a| a.command == command || a.alias == Some(command))
    }

    /// The group's main Query API (`zstack <group> query`), which `get` uses.
    pub fn main_query(&self) -> Option<&'static Api> {
        self.apis.iter().find(|a| a.query && a.command == "query")
    }
}

impl Api {
    /// The inventory a reply holds, if the spec names one.
    pub fn inventory(&self) -> Option<&'static Inventory> {
        match self.result {
            Reply::Inventory(inv) | Reply::Inventories(inv) => Some(inv),
            Reply::Empty | Reply::Fields => None,
        }
    }
}

impl Inventory {
    /// The kind of the field `name`.
    pub fn field(&self, name: &str) -> Option<FieldKind> {
        self.fields.iter().find(|(f, _)| *f == name).map(|(_, k)| *k)
    }
}
