//! The resolved spec: what code generation consumes.
//!
//! A [`Spec`] is produced by [`crate::load_dir`] only after every YAML file has
//! parsed, every fixup has applied and every validation rule has passed, so
//! consumers can rely on the invariants documented on each type (names unique,
//! named types resolve, placeholders match path params, ...).

use std::fmt;
use std::path::PathBuf;

/// The whole API, one [`Group`] per spec file, sorted by group name.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub groups: Vec<Group>,
}

impl Spec {
    /// Every API of every group, in group order then file order.
    pub fn apis(&self) -> impl Iterator<Item = (&Group, &Api)> {
        self.groups.iter().flat_map(|g| g.apis.iter().map(move |a| (g, a)))
    }

    /// Look up a struct type by name in any group.
    pub fn type_def(&self, name: &str) -> Option<(&Group, &TypeDef)> {
        self.groups.iter().find_map(|g| g.types.iter().find(|t| t.name == name).map(|t| (g, t)))
    }

    /// Look up an enum by name in any group.
    pub fn enum_def(&self, name: &str) -> Option<(&Group, &EnumDef)> {
        self.groups.iter().find_map(|g| g.enums.iter().find(|e| e.name == name).map(|e| (g, e)))
    }
}

/// One API group: the contents of one spec file (`spec/<name>.yaml`).
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Kebab-case group name, the file stem (`backup-storage`).
    pub name: String,
    /// The file the group was loaded from, relative to the spec directory.
    pub file: PathBuf,
    pub description: Option<String>,
    pub apis: Vec<Api>,
    pub types: Vec<TypeDef>,
    pub enums: Vec<EnumDef>,
    /// Corrections applied to this group's entries, in file order.
    pub fixups: Vec<Fixup>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// POST and PUT carry a JSON body under an envelope key; GET and DELETE do not.
    pub fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API action (`ReconnectBackupStorage`).
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// UpperCamel action name, unique across the spec.
    pub name: String,
    pub method: Method,
    /// Path relative to `<base>/v1`, byte for byte, with `{placeholders}`.
    pub path: String,
    /// Envelope key for POST/PUT, verbatim (may be `""` or `"null"`). `None` for GET/DELETE.
    pub envelope: Option<String>,
    /// Answered with `202` and polled (`async: true` in the catalog).
    pub is_async: bool,
    /// Needs `Authorization` (false for logins, logout, ...).
    pub session: bool,
    /// A `Query*` API: GET with `q=` conditions, `limit`, `start`, `sort`, ...
    /// The query params are implied and not listed in [`Api::params`].
    pub query: bool,
    pub since: Option<Version>,
    /// Where `since` comes from.
    pub since_source: Option<SinceSource>,
    pub description: Option<String>,
    /// Params in declaration order. Path params first is *not* guaranteed.
    pub params: Vec<Param>,
    pub result: ResultShape,
    /// Where this entry came from (`seed`, `catalog`, ...), free text for docs.
    pub source: Option<String>,
}

impl Api {
    /// Placeholder names in `path`, in order.
    pub fn placeholders(&self) -> Vec<&str> {
        placeholders(&self.path)
    }
}

/// `{name}` placeholders of a path template, in order.
pub fn placeholders(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Body,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Body => "body",
        }
    }
}

/// One request parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Wire name, exactly as sent (`systemTags`).
    pub name: String,
    pub ty: TypeRef,
    pub location: ParamLocation,
    /// Path params are always required after validation.
    pub required: bool,
    /// The MN's own initial value; documentation only (we never send defaults).
    pub default: Option<Scalar>,
    /// Closed set of accepted values (compared case-sensitively by the MN).
    pub allowed: Vec<String>,
    pub since: Option<Version>,
    /// Where `since` comes from.
    pub since_source: Option<SinceSource>,
    pub description: Option<String>,
    /// A password-like value: sent as its lowercase SHA-512 hex digest and
    /// never shown in Debug output (protocol §9).
    pub secret: bool,
    pub constraints: Constraints,
}

/// Checks the client runs before sending (catalog `@Param` constraints).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    /// A Java regular expression the whole string must match.
    pub regex: Option<String>,
    /// Inclusive integer range.
    pub range: Option<(i64, i64)>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// A collection must not be empty.
    pub non_empty: bool,
    /// The MN rejects an empty string (spec `empty_string: false`).
    pub forbid_empty_string: bool,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// A scalar YAML value (for `default`).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    String(String),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::String(s) => f.write_str(s),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
        }
    }
}

/// What a successful (`200`) response body holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultShape {
    /// `{}` (plus `schema`).
    Empty,
    /// `{"inventory": T}` where T is a named type.
    Inventory(String),
    /// `{"inventories": [T], "total": n}`; `total` only when `total` is true.
    Inventories { ty: String, total: bool },
    /// Any other set of named fields (`results`, `valid`, `successCount` ...).
    Fields(Vec<Field>),
}

/// A struct (inventory) type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// UpperCamel name, unique across types and enums of the spec.
    pub name: String,
    /// Parent type; its fields are inherited (and come first).
    pub extends: Option<String>,
    /// Whether a value declared with this type may hold a subclass named by
    /// the response's `schema` map (default). `false` keeps one plain struct,
    /// as protocol §6 asks for `ErrorCode`; subclasses still get their own types.
    pub polymorphic: bool,
    /// Server class names (FQCN, `$` for nested) that the `schema` map uses.
    pub server_classes: Vec<String>,
    pub description: Option<String>,
    /// Fields this type declares itself (not inherited ones).
    pub fields: Vec<Field>,
    pub source: Option<String>,
}

/// A field of a type or of a named-fields result.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Wire name (`createDate`).
    pub name: String,
    pub ty: TypeRef,
    pub since: Option<Version>,
    /// Where `since` comes from.
    pub since_source: Option<SinceSource>,
    pub description: Option<String>,
    /// A credential (a session id, a token): held in a `Secret`, so it never
    /// shows in `Debug` output, logs or error excerpts.
    pub sensitive: bool,
}

/// A closed set of string values; generated with an `Unknown(String)` variant.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub values: Vec<String>,
    pub server_classes: Vec<String>,
    pub description: Option<String>,
}

/// The type vocabulary of the spec (`List<Map<String,Long>>`, `VmNicInventory`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    String,
    Boolean,
    Integer,
    Long,
    Float,
    Double,
    Timestamp,
    /// Raw JSON.
    Object,
    List(Box<TypeRef>),
    Map(Box<TypeRef>, Box<TypeRef>),
    /// A type or enum defined in the spec.
    Named(String),
}

impl TypeRef {
    /// Every named type mentioned, outermost first.
    pub fn named(&self) -> Vec<&str> {
        match self {
            TypeRef::Named(n) => vec![n.as_str()],
            TypeRef::List(t) => t.named(),
            TypeRef::Map(k, v) => {
                let mut out = k.named();
                out.extend(v.named());
                out
            }
            _ => Vec::new(),
        }
    }

    pub fn is_collection(&self) -> bool {
        matches!(self, TypeRef::List(_) | TypeRef::Map(..))
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::String => f.write_str("String"),
            TypeRef::Boolean => f.write_str("Boolean"),
            TypeRef::Integer => f.write_str("Integer"),
            TypeRef::Long => f.write_str("Long"),
            TypeRef::Float => f.write_str("Float"),
            TypeRef::Double => f.write_str("Double"),
            TypeRef::Timestamp => f.write_str("Timestamp"),
            TypeRef::Object => f.write_str("Object"),
            TypeRef::List(t) => write!(f, "List<{t}>"),
            TypeRef::Map(k, v) => write!(f, "Map<{k},{v}>"),
            TypeRef::Named(n) => f.write_str(n),
        }
    }
}

/// A ZStack version string (`0.6`, `4.10.16`), compared numerically.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    pub parts: Vec<u32>,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.parts.iter().map(u32::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// Where a `since` version comes from (`since_source:` in the spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SinceSource {
    /// ZStack's own documentation of the API (its `*Doc_zh_cn.groovy` files), as the catalog records it.
    Annotation,
    /// The first ZStack release branch that has it, from the release history
    /// (`releases.json`, oldest listed release 3.0.1: "3.0.1" means "3.0.1 or earlier").
    Releases,
    /// A published API doc page (the seed pages).
    Seed,
}

impl SinceSource {
    /// Every value, in the order the spec format lists them.
    pub const ALL: [SinceSource; 3] = [SinceSource::Annotation, SinceSource::Releases, SinceSource::Seed];

    /// The spelling in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            SinceSource::Annotation => "annotation",
            SinceSource::Releases => "releases",
            SinceSource::Seed => "seed",
        }
    }

    pub fn parse(s: &str) -> Option<SinceSource> {
        SinceSource::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A named correction of the source documentation, kept for docs and review.
#[derive(Clone, Debug, PartialEq)]
pub struct Fixup {
    /// Kebab-case name, unique across the spec.
    pub name: String,
    /// Why the source is wrong and what the wire really does.
    pub why: String,
    /// `Api` or `Api.param`, `Type` or `Type.field`.
    pub target: String,
}
