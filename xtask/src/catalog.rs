//! The serde model of `vendor/zstack-api/catalog.json` (format: that
//! directory's README). Only the keys the importer and coverage use are
//! modelled; unknown keys are ignored so a catalog that grows keeps loading.

use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// The catalog: every SDK action, type and enum, each list sorted by name.
#[derive(Debug, Deserialize)]
pub struct Catalog {
    pub format_version: u32,
    pub source: Source,
    pub actions: Vec<Action>,
    pub types: Vec<Type>,
    pub enums: Vec<Enum>,
}

/// Where the catalog was extracted from.
#[derive(Debug, Deserialize)]
pub struct Source {
    pub repository: String,
    pub commit: String,
}

#[derive(Debug, Deserialize)]
pub struct Action {
    /// SDK class name without `Action` (unique).
    pub name: String,
    pub method: String,
    pub path: String,
    pub path_placeholders: Vec<String>,
    /// `None` when the SDK's `parameterName` is empty; may be the string `"null"`.
    pub envelope: Option<String>,
    #[serde(rename = "async")]
    pub is_async: bool,
    pub session: bool,
    pub query: bool,
    pub params: Vec<Param>,
    pub result: ActionResult,
}

#[derive(Debug, Deserialize)]
pub struct Param {
    pub name: String,
    /// `path`, `query` or `body`.
    pub location: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    /// A string, number or bool literal; `[]` for `conditions`; else null.
    pub default: Option<Value>,
    pub valid_values: Option<Vec<String>>,
    pub valid_regex: Option<String>,
    pub max_length: Option<u64>,
    pub min_length: Option<u64>,
    pub number_range: Option<(i64, i64)>,
    pub non_empty: bool,
    /// `false`: the MN rejects an empty string.
    #[serde(default = "yes")]
    pub empty_string: bool,
    pub since: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub struct ActionResult {
    pub fields: Vec<Field>,
}

/// A field of a type or of a result.
#[derive(Debug, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub since: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Type {
    pub name: String,
    pub parent: Option<String>,
    pub fields: Vec<Field>,
    pub server_classes: Vec<String>,
    pub server_only: bool,
}

#[derive(Debug, Deserialize)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
    pub server_classes: Vec<String>,
}

impl Catalog {
    /// Reads and parses `catalog.json`.
    pub fn load(path: &Path) -> Result<Catalog, String> {
        let text = fs::read_to_string(path).map_err(|e| format!("cannot read catalog {}: {e}", path.display()))?;
        let catalog: Catalog =
            serde_json::from_str(&text).map_err(|e| format!("cannot parse catalog {}: {e}", path.display()))?;
        if catalog.format_version != 1 {
            return Err(format!(
                "{}: catalog format_version {} is not supported (expected 1)",
                path.display(),
                catalog.format_version
            ));
        }
        Ok(catalog)
    }
}

/// Every named type mentioned in a catalog type string (`List<Map<String,X>>` → `X`).
pub fn named_types(ty: &str) -> Vec<&str> {
    const BUILTIN: [&str; 10] =
        ["String", "Boolean", "Integer", "Long", "Float", "Double", "Timestamp", "Object", "List", "Map"];
    ty.split(['<', '>', ',']).map(str::trim).filter(|w| !w.is_empty() && !BUILTIN.contains(w)).collect()
}

#[cfg(test)]
mod tests {
    use super::named_types;

    #[test]
    fn named_types_skips_builtins() {
        assert_eq!(named_types("List<Map<String,VmNicInventory>>"), vec!["VmNicInventory"]);
        assert_eq!(named_types("Map<String,List<String>>"), Vec::<&str>::new());
        assert_eq!(named_types("ErrorCode"), vec!["ErrorCode"]);
    }
}
