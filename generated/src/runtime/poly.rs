//! Polymorphic inventories (protocol §7): a result declared as
//! `BackupStorageInventory` may hold a `CephBackupStorageInventory`, and only
//! the response's `schema` map (JSON path → server class) says which.
//!
//! Decoding works in two steps. [`decode`] reads the body, writes each
//! `schema` entry's class into the object at that path under [`CLASS_KEY`],
//! and then decodes the typed response. The generated `Any…` enums read and
//! remove that key and pick the matching variant ([`Polymorphic`]); plain
//! structs ignore it like any unknown field. Responses without polymorphic
//! types skip the first step and decode straight from the bytes.

use serde::de::{DeserializeOwned, Error as _};
use serde_json::{Map, Value};

/// The key the class of a `schema` path is written under before decoding.
pub const CLASS_KEY: &str = "__zstack_class";

/// A generated `Any…` enum over a base type and its descendants.
pub trait Polymorphic: Sized {
    /// Decode `object` as the variant for a server `class`, or `None` when the
    /// class is not the base type or one of its descendants.
    fn from_class(class: &str, object: Value) -> Option<Result<Self, serde_json::Error>>;
    /// Decode `object` as the base type: no class known, or one this SDK does
    /// not know (then `class` is set and every field is kept in `raw`).
    fn from_base(class: Option<String>, object: Map<String, Value>) -> Result<Self, serde_json::Error>;
}

/// The `Deserialize` body of every generated `Any…` enum.
pub fn deserialize<'de, T: Polymorphic, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let mut object: Map<String, Value> = serde::Deserialize::deserialize(deserializer)?;
    let class = match object.remove(CLASS_KEY) {
        Some(Value::String(class)) => Some(class),
        _ => None,
    };
    let decoded = match class {
        Some(class) => match T::from_class(&class, Value::Object(object.clone())) {
            Some(result) => result,
            None => T::from_base(Some(class), object),
        },
        None => T::from_base(None, object),
    };
    decoded.map_err(D::Error::custom)
}

/// Decode a response body, resolving polymorphic values through its `schema`
/// map when `polymorphic` is set.
pub fn decode<T: DeserializeOwned>(
    body: &[u8],
    polymorphic: bool,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    if !polymorphic {
        let mut de = serde_json::Deserializer::from_slice(body);
        let value = serde_path_to_error::deserialize(&mut de)?;
        return de.end().map(|()| value).map_err(path_error);
    }
    let mut value: Value = serde_json::from_slice(body).map_err(path_error)?;
    annotate(&mut value);
    serde_path_to_error::deserialize(value)
}

/// A syntax error has no typed path: it is reported at the root.
fn path_error(e: serde_json::Error) -> serde_path_to_error::Error<serde_json::Error> {
    serde_path_to_error::Error::new(serde_path_to_error::Track::new().path(), e)
}

/// Write every `schema` class into the object its path names. Paths look
/// like `inventory`, `inventories[3]`, `inventory.mons[0]`, `field.mapKey`.
/// Paths that do not lead to an object are ignored: `schema` never fails a call.
pub fn annotate(body: &mut Value) {
    let Some(Value::Object(schema)) = body.as_object_mut().and_then(|o| o.remove("schema")) else {
        return;
    };
    for (path, class) in schema {
        let Value::String(class) = class else { continue };
        if let Some(Value::Object(target)) = resolve(body, &path) {
            target.insert(CLASS_KEY.to_string(), Value::String(class));
        }
    }
}

/// Follow a schema path from the body root.
fn resolve<'v>(root: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let mut current = root;
    for segment in path.split('.') {
        let (key, indexes) = split_indexes(segment)?;
        if !key.is_empty() {
            current = current.as_object_mut()?.get_mut(key)?;
        }
        for index in indexes {
            current = current.as_array_mut()?.get_mut(index)?;
        }
    }
    Some(current)
}

/// `mons[0][1]` → (`mons`, [0, 1]); `None` for malformed brackets.
fn split_indexes(segment: &str) -> Option<(&str, Vec<usize>)> {
    let (key, mut rest) = match segment.find('[') {
        Some(i) => (&segment[..i], &segment[i..]),
        None => return Some((segment, Vec::new())),
    };
    let mut indexes = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        indexes.push(inner[..close].parse().ok()?);
        rest = &inner[close + 1..];
    }
    rest.is_empty().then_some((key, indexes))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schema_classes_are_written_into_their_objects() {
        let mut body = json!({
            "inventories": [{"uuid": "a", "mons": [{"hostname": "h"}]}, {"uuid": "b"}],
            "schema": {
                "inventories[0]": "org.x.Ceph",
                "inventories[0].mons[0]": "org.x.Mon",
                "inventories[1]": "org.x.ImageStore",
                "inventories[9]": "org.x.Missing",
                "inventories[0].uuid": "java.lang.String",
                "bad[": "x"
            }
        });
        annotate(&mut body);
        assert_eq!(body["inventories"][0][CLASS_KEY], "org.x.Ceph");
        assert_eq!(body["inventories"][0]["mons"][0][CLASS_KEY], "org.x.Mon");
        assert_eq!(body["inventories"][1][CLASS_KEY], "org.x.ImageStore");
        assert!(body.get("schema").is_none());
    }

    #[test]
    fn map_keys_and_nested_indexes_resolve() {
        let mut body = json!({"inventory": {"m": {"k": {"v": 1}}, "grid": [[{"x": 1}]]},
            "schema": {"inventory.m.k": "C1", "inventory.grid[0][0]": "C2"}});
        annotate(&mut body);
        assert_eq!(body["inventory"]["m"]["k"][CLASS_KEY], "C1");
        assert_eq!(body["inventory"]["grid"][0][0][CLASS_KEY], "C2");
    }

    #[test]
    fn decode_reports_the_json_path_of_a_type_error() {
        #[derive(Debug, serde::Deserialize)]
        struct Inv {
            #[allow(dead_code)]
            size: i64,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Reply {
            #[allow(dead_code)]
            inventory: Inv,
        }
        for polymorphic in [false, true] {
            let err = decode::<Reply>(br#"{"inventory":{"size":"big"}}"#, polymorphic).unwrap_err();
            assert_eq!(err.path().to_string(), "inventory.size");
        }
        assert!(decode::<Reply>(b"not json", false).is_err());
    }
}
