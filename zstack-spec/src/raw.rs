//! The spec files as written: serde targets with locations, before fixups.
//!
//! Enumerated values (`method`, `location`), type strings and versions stay
//! strings here so that a bad value becomes a located, hinted error in
//! validation instead of an opaque serde message.

use serde::Deserialize;

use crate::span::{Sp, present};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub apis: Vec<Sp<RawApi>>,
    #[serde(default)]
    pub types: Vec<Sp<RawType>>,
    #[serde(default)]
    pub enums: Vec<Sp<RawEnum>>,
    #[serde(default)]
    pub fixups: Vec<Sp<RawFixup>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApi {
    pub name: Sp<String>,
    pub method: Sp<String>,
    pub path: Sp<String>,
    /// `Some(Sp(None))` is an explicit YAML `null`, which is an error.
    #[serde(default, deserialize_with = "present")]
    pub envelope: Option<Sp<Option<String>>>,
    #[serde(default, rename = "async")]
    pub is_async: Option<Sp<bool>>,
    #[serde(default)]
    pub session: Option<Sp<bool>>,
    #[serde(default)]
    pub query: Option<Sp<bool>>,
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub since_source: Option<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub params: Vec<Sp<RawParam>>,
    #[serde(default)]
    pub result: Option<Sp<RawResult>>,
}

/// A request param; also the body of a fixup's `add`, where it may describe a
/// type field instead (so `location` is checked in validation, not by serde).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParam {
    pub name: Sp<String>,
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    #[serde(default)]
    pub location: Option<Sp<String>>,
    #[serde(default)]
    pub required: Option<Sp<bool>>,
    #[serde(default)]
    pub default: Option<Sp<RawScalar>>,
    #[serde(default)]
    pub allowed: Option<Sp<Vec<String>>>,
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub since_source: Option<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub secret: Option<Sp<bool>>,
    #[serde(default)]
    pub regex: Option<Sp<String>>,
    #[serde(default)]
    pub range: Option<Sp<(i64, i64)>>,
    #[serde(default)]
    pub min_length: Option<Sp<u64>>,
    #[serde(default)]
    pub max_length: Option<Sp<u64>>,
    #[serde(default)]
    pub non_empty: Option<Sp<bool>>,
    #[serde(default)]
    pub empty_string: Option<Sp<bool>>,
}

impl RawParam {
    /// Keys that a type field cannot have, with the location of their value.
    pub fn param_only_keys(&self) -> Vec<(&'static str, crate::span::Loc)> {
        let mut out = Vec::new();
        let mut note = |key, loc: Option<crate::span::Loc>| {
            if let Some(loc) = loc {
                out.push((key, loc));
            }
        };
        note("location", self.location.as_ref().map(|v| v.loc));
        note("required", self.required.as_ref().map(|v| v.loc));
        note("default", self.default.as_ref().map(|v| v.loc));
        note("allowed", self.allowed.as_ref().map(|v| v.loc));
        note("secret", self.secret.as_ref().map(|v| v.loc));
        note("regex", self.regex.as_ref().map(|v| v.loc));
        note("range", self.range.as_ref().map(|v| v.loc));
        note("min_length", self.min_length.as_ref().map(|v| v.loc));
        note("max_length", self.max_length.as_ref().map(|v| v.loc));
        note("non_empty", self.non_empty.as_ref().map(|v| v.loc));
        note("empty_string", self.empty_string.as_ref().map(|v| v.loc));
        out
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawField {
    pub name: Sp<String>,
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub since_source: Option<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub sensitive: Option<Sp<bool>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawResult {
    #[serde(default)]
    pub inventory: Option<Sp<String>>,
    #[serde(default)]
    pub inventories: Option<Sp<String>>,
    #[serde(default)]
    pub total: Option<Sp<bool>>,
    #[serde(default)]
    pub fields: Option<Sp<Vec<Sp<RawField>>>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawType {
    pub name: Sp<String>,
    #[serde(default)]
    pub extends: Option<Sp<String>>,
    /// `false`: values declared with this type never decode as a subclass.
    #[serde(default)]
    pub polymorphic: Option<bool>,
    #[serde(default)]
    pub server_classes: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub fields: Vec<Sp<RawField>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEnum {
    pub name: Sp<String>,
    pub values: Sp<Vec<Sp<String>>>,
    #[serde(default)]
    pub server_classes: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFixup {
    pub name: Sp<String>,
    pub why: Sp<String>,
    #[serde(default)]
    pub api: Option<Sp<String>>,
    #[serde(default)]
    pub param: Option<Sp<String>>,
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    #[serde(default)]
    pub field: Option<Sp<String>>,
    #[serde(default)]
    pub was: Option<Sp<RawPatch>>,
    #[serde(default)]
    pub set: Option<Sp<RawPatch>>,
    #[serde(default)]
    pub add: Option<Sp<RawParam>>,
    #[serde(default)]
    pub remove: Option<Sp<bool>>,
}

/// The attributes a fixup's `was`/`set` may name; which ones apply depends on
/// the target and is checked in `fixup.rs`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPatch {
    #[serde(default)]
    pub method: Option<Sp<String>>,
    #[serde(default)]
    pub path: Option<Sp<String>>,
    #[serde(default, deserialize_with = "present")]
    pub envelope: Option<Sp<Option<String>>>,
    #[serde(default, rename = "async")]
    pub is_async: Option<Sp<bool>>,
    #[serde(default)]
    pub session: Option<Sp<bool>>,
    #[serde(default)]
    pub since: Option<Sp<String>>,
    #[serde(default)]
    pub since_source: Option<Sp<String>>,
    #[serde(default)]
    pub name: Option<Sp<String>>,
    #[serde(default, rename = "type")]
    pub ty: Option<Sp<String>>,
    #[serde(default)]
    pub location: Option<Sp<String>>,
    #[serde(default)]
    pub required: Option<Sp<bool>>,
    #[serde(default)]
    pub allowed: Option<Sp<Vec<String>>>,
    #[serde(default)]
    pub default: Option<Sp<RawScalar>>,
    #[serde(default)]
    pub extends: Option<Sp<String>>,
}

/// A `default:` value as YAML typed it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawScalar {
    String(String),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl std::fmt::Display for RawScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawScalar::String(s) => f.write_str(s),
            RawScalar::Bool(b) => write!(f, "{b}"),
            RawScalar::Int(i) => write!(f, "{i}"),
            RawScalar::Float(x) => write!(f, "{x}"),
        }
    }
}

impl<'de> Deserialize<'de> for RawScalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl serde::de::Visitor<'_> for ScalarVisitor {
    type Value = RawScalar;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a scalar (string, boolean or number)")
    }

    fn visit_bool<E>(self, v: bool) -> Result<RawScalar, E> {
        Ok(RawScalar::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<RawScalar, E> {
        Ok(RawScalar::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<RawScalar, E> {
        // Beyond i64 the MN could not hold it as a Long either; keep it approximate.
        Ok(i64::try_from(v).map_or(RawScalar::Float(v as f64), RawScalar::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<RawScalar, E> {
        Ok(RawScalar::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<RawScalar, E> {
        Ok(RawScalar::String(v.to_owned()))
    }
}
