//! Response decoding with JSON paths in the errors (protocol §7).

use serde::de::DeserializeOwned;

use super::error::Error;
use zstack_runtime::ErrorCode;
use zstack_runtime::plumbing::poly;
use zstack_runtime::secret::scrub_credentials;

/// How many characters of a body an error keeps.
pub(crate) const EXCERPT_CHARS: usize = 512;

/// Whether a decode error may quote the body. Login replies carry the session
/// id, so they must not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Excerpt {
    Show,
    Redact,
}

/// The first [`EXCERPT_CHARS`] characters of `body` (lossy UTF-8, cut at a
/// character boundary), with `…` when it was cut, and the values of
/// credential-named keys (`sshPassword`, `token`, ...) redacted.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = scrub_credentials(&String::from_utf8_lossy(body));
    let text = text.trim();
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Decode a success body into `T`. With `polymorphic`, classes named by the
/// body's `schema` map pick the variants of `Any…` inventories
/// ([`zstack_runtime::plumbing::poly`]).
///
/// Every reply is a JSON object: any other JSON value (`[]`, `"x"`, `1`) is
/// an error, where serde's structs would read an array as their fields in
/// order (a top-level `[]` as a query page of no rows). An empty (or
/// all-whitespace) body is an error too, unless `T` expects no fields at
/// all (the no-result envelope [`Empty`](zstack_runtime::reply::Empty)):
/// read as `{}`, it would pass for an empty query page.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], polymorphic: bool, show: Excerpt) -> Result<T, Error> {
    /// Whether `T` deserializes as a struct without fields, such as
    /// [`Empty`](zstack_runtime::reply::Empty): asks `T` what it would read from
    /// a deserializer that only notes the request.
    fn expects_no_fields<T: DeserializeOwned>() -> bool {
        use serde::de::value::Error as Refused;
        use serde::de::{Error as _, Visitor};

        struct Probe<'a>(&'a mut bool);

        impl<'de> serde::Deserializer<'de> for Probe<'_> {
            type Error = Refused;

            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Refused> {
                Err(Refused::custom("probe"))
            }

            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Refused> {
                *self.0 = fields.is_empty();
                Err(Refused::custom("probe"))
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
                unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
            }
        }

        let mut none = false;
        let _ = T::deserialize(Probe(&mut none));
        none
    }

    let error = |path: String, message: String| Error::Decode {
        path,
        message,
        body_excerpt: match show {
            Excerpt::Show => excerpt(body),
            Excerpt::Redact => "<redacted>".to_string(),
        },
    };
    let found = match body.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        None if expects_no_fields::<T>() => {
            return poly::decode(b"{}", false).map_err(|e| error(".".into(), e.to_string()));
        }
        None => return Err(error(".".into(), "empty body where a result was expected".into())),
        Some(b'[') => Some("an array"),
        Some(b'"') => Some("a string"),
        Some(b'-' | b'0'..=b'9') => Some("a number"),
        Some(b't' | b'f') => Some("a boolean"),
        Some(b'n') => Some("null"),
        // An object, or not JSON: the parser says what is wrong.
        Some(_) => None,
    };
    if let Some(found) = found {
        return Err(error(".".into(), format!("expected a JSON object, found {found}")));
    }
    poly::decode(body, polymorphic).map_err(|e| error(e.path().to_string(), e.inner().to_string()))
}

#[derive(serde::Deserialize)]
struct ErrorReply {
    error: ErrorCode,
}

/// A `503` body: `{"error": ErrorCode}`, or an [`Error::Http`] with the raw
/// text when it is something else.
pub(crate) fn decode_failure(status: u16, body: &[u8], job_id: Option<String>) -> Error {
    match serde_json::from_slice::<ErrorReply>(body) {
        Ok(reply) => Error::from_error_code(status, reply.error, job_id),
        Err(_) => Error::Http { status, body_excerpt: excerpt(body) },
    }
}

/// The `202` body: `{"location": "...", "apiTimeout": ...}`; everything optional.
#[derive(Default, serde::Deserialize)]
pub(crate) struct Accepted {
    #[serde(default)]
    pub(crate) location: Option<String>,
}

/// The job id named by a `location` URL: its last non-empty path segment,
/// without query or fragment. Only the id is used, never the scheme, host or
/// prefix (protocol §5).
pub(crate) fn job_id_from_location(location: &str) -> Option<String> {
    let end = location.find(['?', '#']).unwrap_or(location.len());
    let mut path = &location[..end];
    if let Some((_, rest)) = path.split_once("://") {
        // Drop the authority: `http://host:8080/zstack/...` → `/zstack/...`.
        path = rest.find('/').map_or("", |slash| &rest[slash..]);
    }
    let id = path.trim_end_matches('/').rsplit('/').next()?;
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_char_boundaries() {
        let long = "é".repeat(600);
        let ex = excerpt(long.as_bytes());
        assert_eq!(ex.chars().count(), EXCERPT_CHARS + 1);
        assert!(ex.ends_with('…'));
        assert_eq!(excerpt(b"  short \n"), "short");
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn decode_errors_carry_the_json_path() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inv {
            #[serde(rename = "totalCapacity")]
            total_capacity: i64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Reply {
            inventory: Inv,
        }
        let err = decode::<Reply>(br#"{"inventory":{"totalCapacity":"big"}}"#, false, Excerpt::Show).unwrap_err();
        match err {
            Error::Decode { path, body_excerpt, .. } => {
                assert_eq!(path, "inventory.totalCapacity");
                assert!(body_excerpt.contains("big"));
            }
            other => panic!("{other:?}"),
        }
        let err = decode::<Reply>(br#"{"inventory":{"totalCapacity":1}} x"#, false, Excerpt::Redact).unwrap_err();
        assert!(matches!(err, Error::Decode { ref body_excerpt, .. } if body_excerpt == "<redacted>"), "{err:?}");
        let empty: zstack_runtime::reply::Empty = decode(b"", false, Excerpt::Show).unwrap();
        assert_eq!(empty, zstack_runtime::reply::Empty {});
    }

    #[test]
    fn a_reply_must_be_an_object_and_an_empty_body_fits_only_a_no_result_reply() {
        use zstack_runtime::reply::{Empty, InventoriesReply, InventoryReply};
        type Page = InventoriesReply<serde_json::Value>;
        let fail = |body: &[u8], polymorphic: bool| match decode::<Page>(body, polymorphic, Excerpt::Show) {
            Err(Error::Decode { path, message, .. }) => format!("{path} {message}"),
            other => panic!("{body:?}: {other:?}"),
        };
        for polymorphic in [false, true] {
            for (body, found) in [
                (&b"[]"[..], "an array"),
                (b" \n[{\"inventories\":[]}]", "an array"),
                (b"\"x\"", "a string"),
                (b"1", "a number"),
                (b"-1.5", "a number"),
                (b"true", "a boolean"),
                (b"null", "null"),
            ] {
                assert_eq!(fail(body, polymorphic), format!(". expected a JSON object, found {found}"));
                assert!(decode::<Empty>(body, polymorphic, Excerpt::Show).is_err());
            }
            for body in [&b""[..], b" \r\n\t "] {
                assert_eq!(fail(body, polymorphic), ". empty body where a result was expected");
                assert!(decode::<InventoryReply<Option<serde_json::Value>>>(body, polymorphic, Excerpt::Show).is_err());
                assert_eq!(decode::<Empty>(body, polymorphic, Excerpt::Show).unwrap(), Empty {});
            }
            // Not JSON at all: the parser's message.
            assert!(fail(b"\x0c{}", polymorphic).contains("expected value"));
            assert!(fail(b"{", polymorphic).contains("EOF"));
            assert_eq!(decode::<Page>(b" {} ", polymorphic, Excerpt::Show).unwrap().inventories.len(), 0);
        }
    }

    #[test]
    fn job_ids_come_from_the_last_segment() {
        let id = "4f2b0c8e1d9a4b7c8e6f5a4b3c2d1e0f";
        assert_eq!(job_id_from_location(&format!("http://10.0.0.1:8080/zstack/v1/api-jobs/{id}")).unwrap(), id);
        assert_eq!(job_id_from_location(&format!("/v1/api-jobs/{id}/?x=1#f")).unwrap(), id);
        assert_eq!(job_id_from_location(id).unwrap(), id);
        assert_eq!(job_id_from_location("http://10.0.0.1:8080"), None);
        assert_eq!(job_id_from_location("http://10.0.0.1:8080/"), None);
        assert_eq!(job_id_from_location(""), None);
    }
}
