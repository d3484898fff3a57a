//! Response decoding with JSON paths in the errors (protocol §7).

use serde::de::DeserializeOwned;

use super::error::Error;
use crate::runtime::poly;
use crate::runtime::secret::scrub_credentials;
use crate::types::ErrorCode;

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

/// Decode a success body into `T`. An empty body reads as `{}`. With
/// `polymorphic`, classes named by the body's `schema` map pick the variants
/// of `Any…` inventories ([`crate::runtime::poly`]).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], polymorphic: bool, show: Excerpt) -> Result<T, Error> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    poly::decode(body, polymorphic).map_err(|e| Error::Decode {
        path: e.path().to_string(),
        message: e.inner().to_string(),
        body_excerpt: match show {
            Excerpt::Show => excerpt(body),
            Excerpt::Redact => "<redacted>".to_string(),
        },
    })
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
        let empty: crate::runtime::reply::Empty = decode(b"", false, Excerpt::Show).unwrap();
        assert_eq!(empty, crate::runtime::reply::Empty {});
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
