//! How request field values go onto the wire: presence, query pairs and body
//! members. `#[derive(Api)]` calls these helpers once per field, so adding a
//! field type means implementing [`WireValue`] here, not touching the macro.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::request::InvalidRequest;

/// A value that can be a request parameter.
pub trait WireValue {
    /// Optional params that are absent (`None`, empty collections) are left out
    /// entirely: never sent as `null`, `[]` or `{}` (protocol §3.2).
    fn is_absent(&self) -> bool {
        false
    }

    /// Append this value as query pairs under `key` (protocol §3.1): scalars
    /// once, lists by repeating the key, maps as `key.<mapKey>=value`.
    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String>;
}

macro_rules! display_scalar {
    ($($t:ty),*) => {$(
        impl WireValue for $t {
            fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
                out.push((key.to_string(), self.to_string()));
                Ok(())
            }
        }
    )*};
}
display_scalar!(String, bool, i32, i64, u32, u64);

impl WireValue for &str {
    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        out.push((key.to_string(), (*self).to_string()));
        Ok(())
    }
}

macro_rules! float_scalar {
    ($($t:ty),*) => {$(
        impl WireValue for $t {
            fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
                if !self.is_finite() {
                    return Err(format!("must be a finite number, got {self}"));
                }
                // Plain decimal, never exponent notation (protocol §3.1).
                out.push((key.to_string(), format!("{self}")));
                Ok(())
            }
        }
    )*};
}
float_scalar!(f32, f64);

impl<T: WireValue> WireValue for Option<T> {
    fn is_absent(&self) -> bool {
        self.as_ref().is_none_or(WireValue::is_absent)
    }

    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        match self {
            Some(v) => v.push_query(key, out),
            None => Ok(()),
        }
    }
}

impl<T: WireValue> WireValue for Vec<T> {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }

    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        self.iter().try_for_each(|v| v.push_query(key, out))
    }
}

impl<T: WireValue> WireValue for BTreeMap<String, T> {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }

    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        self.iter().try_for_each(|(k, v)| v.push_query(&map_key(key, k)?, out))
    }
}

/// The query name of map entry `k` of param `key`: `key.k` (protocol §3.1).
fn map_key(key: &str, k: &str) -> Result<String, String> {
    // The MN splits names at `.` and reads all-digit suffixes as list
    // indexes, so such map keys cannot be expressed.
    if k.is_empty() || k.contains('.') || k.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("map key {k:?} cannot be sent in a query string (empty, contains '.', or all digits)"));
    }
    Ok(format!("{key}.{k}"))
}

impl WireValue for Value {
    fn is_absent(&self) -> bool {
        self.is_null()
    }

    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        match self {
            Value::Null => Ok(()),
            Value::String(s) => s.push_query(key, out),
            Value::Bool(b) => b.push_query(key, out),
            Value::Number(n) => {
                out.push((key.to_string(), n.to_string()));
                Ok(())
            }
            Value::Array(items) => items.iter().try_for_each(|v| v.push_query(key, out)),
            // An object is a map: `key.k=v` per member, as for a `BTreeMap`;
            // a member that is itself an object has no query form.
            Value::Object(members) => members.iter().try_for_each(|(k, v)| {
                if v.is_object() {
                    return Err(format!("map value of {k:?} is a JSON object, which has no query form"));
                }
                v.push_query(&map_key(key, k)?, out)
            }),
        }
    }
}

/// Derive helper: the first error of a run of field steps (checks, query
/// pairs, body members). Each step's result is kept with [`keep`] instead of
/// `?`, so a derived `validate`, `query` or `body` is one plain statement per
/// field, which type-checks and borrow-checks in a fraction of the time
/// across ~2,000 requests. Later steps still run after an error; only the
/// first error is reported, as with `?`.
///
/// [`keep`]: FirstError::keep
#[must_use = "the error is only reported by `or`"]
pub struct FirstError(Option<InvalidRequest>);

impl FirstError {
    #[allow(clippy::new_without_default)]
    #[inline]
    pub fn new() -> Self {
        FirstError(None)
    }

    /// Remember `result`'s error unless an earlier step failed.
    #[inline]
    pub fn keep(&mut self, result: Result<(), InvalidRequest>) {
        if let (None, Err(e)) = (&self.0, result) {
            self.0 = Some(e);
        }
    }

    /// `value`, or the first error kept.
    #[inline]
    pub fn or<T>(self, value: T) -> Result<T, InvalidRequest> {
        match self.0 {
            None => Ok(value),
            Some(e) => Err(e),
        }
    }
}

/// Derive helper: add one field to the query pairs unless it is absent.
pub fn query_field<T: WireValue>(
    api: &'static str,
    key: &str,
    value: &T,
    out: &mut Vec<(String, String)>,
) -> Result<(), InvalidRequest> {
    if value.is_absent() {
        return Ok(());
    }
    value.push_query(key, out).map_err(|reason| InvalidRequest::new(api, key, reason))
}

/// Derive helper for `#[api(required)]` query params: an empty collection has
/// no query form at all, so the MN would see the param as missing.
pub fn required_query_field<T: WireValue>(
    api: &'static str,
    key: &str,
    value: &T,
    out: &mut Vec<(String, String)>,
) -> Result<(), InvalidRequest> {
    if value.is_absent() {
        return Err(InvalidRequest::new(api, key, "is required, and an empty value cannot be sent in a query string"));
    }
    query_field(api, key, value, out)
}

/// Derive helper for `#[api(required)]` body params: present even when empty
/// (`[]`, `{}`), since a required param is never optional (protocol §3.2).
pub fn required_body_field<T: WireValue + Serialize>(
    api: &'static str,
    key: &str,
    value: &T,
    out: &mut Map<String, Value>,
) -> Result<(), InvalidRequest> {
    let json = to_member(api, key, value)?;
    if json.is_null() {
        return Err(InvalidRequest::new(api, key, "is required"));
    }
    out.insert(key.to_string(), json);
    Ok(())
}

/// Derive helper: add one field to the envelope object unless it is absent.
pub fn body_field<T: WireValue + Serialize>(
    api: &'static str,
    key: &str,
    value: &T,
    out: &mut Map<String, Value>,
) -> Result<(), InvalidRequest> {
    if !value.is_absent() {
        out.insert(key.to_string(), to_member(api, key, value)?);
    }
    Ok(())
}

fn to_member<T: Serialize>(api: &'static str, key: &str, value: &T) -> Result<Value, InvalidRequest> {
    serde_json::to_value(value).map_err(|e| InvalidRequest::new(api, key, format!("cannot be encoded as JSON: {e}")))
}

/// Derive helper: wrap the envelope members as `{"<envelope>": {...}}`. The
/// envelope object is present even when it is empty.
pub fn envelope(key: &str, members: Map<String, Value>) -> Value {
    let mut outer = Map::with_capacity(1);
    outer.insert(key.to_string(), Value::Object(members));
    Value::Object(outer)
}

/// A group of query params carried by one field (`#[api(flatten)]`), e.g. the
/// conditions, paging and sorting of a Query API.
pub trait QueryPairs {
    /// Append every pair; reject values the MN would mis-parse.
    fn push_pairs(&self, api: &'static str, out: &mut Vec<(String, String)>) -> Result<(), InvalidRequest>;

    /// Checks to run before building the wire form.
    fn validate(&self, _api: &'static str) -> Result<(), InvalidRequest> {
        Ok(())
    }
}

/// Wire traits for a structured type used as a request param: it goes into a
/// JSON body as itself, cannot be expressed in a query string, and carries no
/// constraint of its own. Generated code calls this for every struct type a
/// param uses.
#[doc(hidden)]
#[macro_export]
macro_rules! struct_wire_traits {
    ($name:ty) => {
        impl $crate::plumbing::wire::WireValue for $name {
            fn push_query(
                &self,
                _key: &str,
                _out: &mut ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            ) -> ::std::result::Result<(), ::std::string::String> {
                ::std::result::Result::Err(::std::string::String::from(
                    "a structured value cannot be sent in a query string",
                ))
            }
        }

        impl $crate::plumbing::validate::Checked for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::FirstError;
    use crate::request::InvalidRequest;

    #[test]
    fn first_error_reports_the_first_failed_step_only() {
        let mut errors = FirstError::new();
        errors.keep(Ok(()));
        assert_eq!(FirstError::new().or(7).unwrap(), 7);
        errors.keep(Err(InvalidRequest::new("Api", "a", "first")));
        errors.keep(Ok(()));
        errors.keep(Err(InvalidRequest::new("Api", "b", "second")));
        let e = errors.or(()).unwrap_err();
        assert_eq!((e.field.as_str(), e.reason.as_str()), ("a", "first"));
    }
}
