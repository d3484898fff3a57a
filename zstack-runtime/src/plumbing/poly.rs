//! Polymorphic inventories (protocol §7): a result declared as
//! `BackupStorageInventory` may hold a `CephBackupStorageInventory`, and only
//! the response's `schema` map (JSON path → server class) says which.
//!
//! [`decode`] never builds a `Value` tree. A first pass reads only the body's
//! `schema` member, into a tree of its paths. Without entries the typed
//! response decodes straight from the body's text, every `Any…` value as its
//! declared type. Otherwise it decodes from the text through
//! [`Tracked`](super::schema_path::Tracked), which follows that tree key by
//! key ([`schema_path`](super::schema_path)); the generated `Any…` enums ask
//! for the class at their position and decode the matching variant directly
//! ([`deserialize`], [`Polymorphic`]). Only classes this SDK does not know
//! buffer their object (`Unknown { raw, .. }`).

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use serde::de::{DeserializeOwned, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::schema_path::{CurrentClass, Schema, Scope, Tracked};

/// A generated `Any…` enum over a base type and its descendants.
pub trait Polymorphic: Sized {
    /// Decode the variant for a server `class`, or hand the deserializer back
    /// when the class is not the base type or one of its descendants.
    fn deserialize_class<'de, D: Deserializer<'de>>(class: &str, deserializer: D) -> Result<Result<Self, D::Error>, D>;
    /// Decode as the base type: no class known.
    fn deserialize_base<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
    /// A class this SDK does not know: decode the base type from the object's
    /// JSON `text` (see [`unknown_parts`]) and keep every field.
    fn from_unknown(class: String, text: &str) -> Result<Self, serde_json::Error>;
}

/// The `Deserialize` body of every generated `Any…` enum: the class the
/// decode context names for the current path picks the variant; without a
/// context (or an entry for this path) the value is the declared type.
pub fn deserialize<'de, T: Polymorphic, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let Some(class) = CurrentClass::get() else {
        return T::deserialize_base(deserializer);
    };
    match T::deserialize_class(class.as_str(), deserializer) {
        Ok(decoded) => decoded,
        Err(deserializer) => {
            // The object's text, so the base type decodes from the JSON as
            // sent (exact integers, protocol §10), not from a `Value`.
            let text: Box<RawValue> = serde::Deserialize::deserialize(deserializer)?;
            T::from_unknown(class.as_str().to_string(), text.get()).map_err(D::Error::custom)
        }
    }
}

/// The parts of an `Unknown` value: the declared type `B`, and every field as
/// sent. Both decode from `text` outside any `schema` context (it is not the
/// body, so its paths mean nothing).
pub fn unknown_parts<B: DeserializeOwned>(text: &str) -> Result<(B, Map<String, Value>), serde_json::Error> {
    let _scope = Scope::suspend();
    Ok((serde_json::from_str(text)?, serde_json::from_str(text)?))
}

/// Decode a response body, resolving polymorphic values through its `schema`
/// map when `polymorphic` is set. The error names the JSON path it occurred at.
///
/// The body is checked as UTF-8 once, up front, and then read as a `str`:
/// serde_json's byte reader checks every string it hands over (and every
/// lenient number's text) on its own, which costs more than one pass over
/// the whole body. A body that is not UTF-8 is read as bytes, as before, so
/// that bad bytes in a value nobody reads still do not fail the decode, and
/// bad bytes in one that is read fail with its path.
pub fn decode<T: DeserializeOwned>(
    body: &[u8],
    polymorphic: bool,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    // `simdutf8` checks many bytes per instruction where `std` checks a word
    // at a time (a 10 MB reply: ~1.4 M instructions against ~4.4 M).
    match simdutf8::basic::from_utf8(body) {
        Ok(text) => decode_from(body, Some(text), polymorphic, || serde_json::de::StrRead::new(text)),
        Err(_) => decode_from(body, None, polymorphic, || serde_json::de::SliceRead::new(body)),
    }
}

/// [`decode`] from a fresh reader over `body` (which is `text` if it is
/// UTF-8), as often as it needs one.
fn decode_from<'a, T: DeserializeOwned, R: serde_json::de::Read<'a>>(
    body: &'a [u8],
    text: Option<&'a str>,
    polymorphic: bool,
    reader: impl Fn() -> R,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    let schema = polymorphic.then(|| read_schema(body, text)).filter(|schema| !schema.is_empty());
    let Some(schema) = schema else {
        // No class to resolve: `Any…` values decode as their declared type.
        let _scope = Scope::suspend();
        return typed(reader, false);
    };
    let _scope = Scope::enter(Rc::new(schema));
    typed(reader, true)
}

/// The typed decode, through [`Tracked`] when `tracked`; after a failure,
/// again with the path tracked, for the error's place.
fn typed<'a, T: DeserializeOwned, R: serde_json::de::Read<'a>>(
    reader: impl Fn() -> R,
    tracked: bool,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    let mut de = serde_json::Deserializer::new(reader());
    let first = if tracked { T::deserialize(Tracked(&mut de)) } else { T::deserialize(&mut de) };
    if let Ok(value) = first.and_then(|value| de.end().map(|()| value)) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::new(reader());
    let value = if tracked {
        serde_path_to_error::deserialize(Tracked(&mut de))
    } else {
        serde_path_to_error::deserialize(&mut de)
    }?;
    de.end().map(|()| value).map_err(path_error)
}

/// A syntax error has no typed path: it is reported at the root.
fn path_error(e: serde_json::Error) -> serde_path_to_error::Error<serde_json::Error> {
    serde_path_to_error::Error::new(serde_path_to_error::Track::new().path(), e)
}

/// The body's `schema` entries whose class is a string; everything else in
/// the body is skipped. `schema` never fails a call: a body this cannot read
/// has no schema (the typed decode reports what is wrong with it). `text` is
/// `body` if it is UTF-8.
fn read_schema(body: &[u8], text: Option<&str>) -> Schema {
    let visitor = SchemaVisitor { max_index: body.len() / 2, text_len: 0 };
    match find_schema(body) {
        Found::At(start) => {
            let visitor = SchemaVisitor { text_len: body.len() - start, ..visitor };
            // `start` follows an ASCII `:`, so it is a `char` boundary.
            match text.and_then(|text| text.get(start..)) {
                Some(member) => visitor.read(serde_json::de::StrRead::new(member)),
                None => visitor.read(serde_json::de::SliceRead::new(&body[start..])),
            }
        }
        Found::Absent => Schema::default(),
        Found::Unsure => read_schema_fully(body, visitor),
    }
}

enum Found {
    /// The value of the top-level `schema` member starts at this offset.
    At(usize),
    Absent,
    /// A top-level key has escapes: let the JSON parser decide.
    Unsure,
}

/// Find the top-level `schema` member scanning backwards from the end: the
/// MN writes it last, so usually only its own bytes are read. Not a
/// validator: a malformed body is the typed decode's to report.
fn find_schema(body: &[u8]) -> Found {
    let Some(mut i) = body.iter().rposition(|b| !b.is_ascii_whitespace()) else { return Found::Absent };
    if body[i] != b'}' {
        return Found::Absent;
    }
    let mut depth = 1usize;
    while i > 0 {
        i -= 1;
        match body[i] {
            b'}' | b']' => depth += 1,
            b'{' | b'[' => {
                depth -= 1;
                if depth == 0 {
                    return Found::Absent;
                }
            }
            b'"' => {
                let close = i;
                // The opening quote: one not escaped by an odd run of
                // backslashes. `memrchr` jumps over the string's text (a
                // class name, a path) many bytes at a time.
                loop {
                    let Some(quote) = memchr::memrchr(b'"', &body[..i]) else { return Found::Absent };
                    i = quote;
                    if body[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0 {
                        break;
                    }
                }
                if depth != 1 {
                    continue;
                }
                let rest = &body[close + 1..];
                let Some(colon) = rest.iter().position(|b| !b.is_ascii_whitespace()) else { continue };
                if rest[colon] != b':' {
                    continue;
                }
                let key = &body[i + 1..close];
                if key == b"schema" {
                    return Found::At(close + 1 + colon + 1);
                }
                if key.contains(&b'\\') {
                    return Found::Unsure;
                }
            }
            _ => {}
        }
    }
    Found::Absent
}

fn read_schema_fully(body: &[u8], visitor: SchemaVisitor) -> Schema {
    #[derive(serde::Deserialize)]
    struct Body<'a> {
        #[serde(borrow, default)]
        schema: Option<&'a RawValue>,
    }
    let Ok(Body { schema: Some(raw) }) = serde_json::from_slice::<Body>(body) else { return Schema::default() };
    SchemaVisitor { text_len: raw.get().len(), ..visitor }.read(serde_json::de::StrRead::new(raw.get()))
}

struct SchemaVisitor {
    /// An index in a schema path names an element of an array in the body,
    /// so none can exceed half the body's length: larger ones match nothing.
    max_index: usize,
    /// Length of the `schema` member's text, to size the schema.
    text_len: usize,
}

impl SchemaVisitor {
    /// The schema of the `schema` member `read` starts at; none if it is
    /// not a map.
    fn read<'de, R: serde_json::de::Read<'de>>(self, read: R) -> Schema {
        serde::Deserializer::deserialize_any(&mut serde_json::Deserializer::new(read), self).unwrap_or_default()
    }
}

impl<'de> Visitor<'de> for SchemaVisitor {
    type Value = Schema;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the schema map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Schema, A::Error> {
        let mut schema = Schema::for_member(self.text_len, self.max_index);
        while let Some(path) = map.next_key::<Bytes<'de>>()? {
            if let Class(Some(class)) = map.next_value::<Class<'de>>()? {
                schema.insert(&*path.0, &class);
            }
        }
        Ok(schema)
    }
    // Any other `schema` is a type error, which the callers read as no schema.
}

/// A schema key (a path) as raw bytes, borrowed from the body when it has
/// no escapes: serde_json reads it without validating it as UTF-8, which
/// paths (compared with keys only) do not need.
struct Bytes<'de>(Cow<'de, [u8]>);

/// A schema value: a class name, or anything else (ignored).
struct Class<'de>(Option<Cow<'de, str>>);

impl<'de> serde::Deserialize<'de> for Class<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ClassVisitor)
    }
}

struct ClassVisitor;

impl<'de> Visitor<'de> for ClassVisitor {
    type Value = Class<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a class name")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Class(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Class(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Class(None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Class(None))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Class(None))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Class(None))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Class(None))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Class(None))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Class(None))
    }
}

impl<'de> serde::Deserialize<'de> for Bytes<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(BytesVisitor)
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Bytes<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        Ok(Bytes(Cow::Borrowed(v)))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(Bytes(Cow::Owned(v.to_vec())))
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        Ok(Bytes(Cow::Owned(v)))
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Bytes(Cow::Borrowed(v.as_bytes())))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Bytes(Cow::Owned(v.as_bytes().to_vec())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_member_is_found_at_the_top_level_only() {
        let classes = |body: &str| {
            let mut found: Vec<_> =
                read_schema(body.as_bytes(), Some(body)).iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut as_bytes: Vec<_> =
                read_schema(body.as_bytes(), None).iter().map(|(k, v)| format!("{k}={v}")).collect();
            found.sort();
            as_bytes.sort();
            assert_eq!(found, as_bytes, "{body}");
            found
        };
        assert_eq!(classes(r#"{"a":{"schema":{"x":"N"}},"schema" : {"a":"C","b":1,"c":{}} }"#), ["a=C"]);
        assert_eq!(classes(r#"{"schema":{"a":"C"},"b":["schema",{"s\"":"}"}]}"#), ["a=C"]);
        assert_eq!(classes(r#"{"sch\u0065ma":{"a":"C"}}"#), ["a=C"]);
        assert!(classes(r#"{"a":{"schema":{"x":"N"}}}"#).is_empty());
        assert!(classes(r#"{"schema":"x"}"#).is_empty());
        assert!(classes(r#"{"schema":[1]}"#).is_empty());
        assert!(classes("[]").is_empty());
        assert!(classes("").is_empty());
        assert!(classes(r#"{"schema":{"a":"#).is_empty());
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

    #[test]
    fn a_body_that_is_not_utf8_fails_only_where_the_bad_bytes_are_read() {
        #[derive(Debug, serde::Deserialize)]
        struct Inv {
            name: String,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Reply {
            inventory: Inv,
        }
        for polymorphic in [false, true] {
            let ignored = b"{\"inventory\":{\"name\":\"n\",\"other\":\"\xff\"},\"schema\":{\"inventory\":\"C\"}}";
            let reply = decode::<Reply>(ignored, polymorphic).unwrap();
            assert_eq!(reply.inventory.name, "n");
            let read = b"{\"inventory\":{\"name\":\"\xff\"}}";
            let err = decode::<Reply>(read, polymorphic).unwrap_err();
            assert_eq!(err.path().to_string(), "inventory.name");
        }
    }
}
