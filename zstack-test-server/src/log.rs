//! The request log: every request the server receives, as it was received.

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::Value;

/// One request as the test server received it.
///
/// Paths are given without the context path (`/v1/...`), once as received
/// (`raw_path`, still percent-encoded) and once decoded (`path`), which is what
/// the MN matches routes against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, as sent (`GET`, `PUT`, ...).
    pub method: String,
    /// The path as received, still percent-encoded, without the context path.
    /// A request outside the context path keeps its full path here.
    pub raw_path: String,
    /// The percent-decoded path (`+` stays `+`). Invalid escapes are kept as they are.
    pub path: String,
    /// Decoded query pairs in the order they were sent (`+` decodes to a space).
    pub query: Vec<(String, String)>,
    /// The query string as received, without the `?`; `None` when the URL has no `?`.
    pub raw_query: Option<String>,
    /// Header names in lowercase, with their values, in the order they were sent.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8); `None` when the request had no body.
    pub body: Option<String>,
}

impl RecordedRequest {
    /// The query pairs as a set, for order-insensitive comparisons.
    pub fn query_set(&self) -> BTreeSet<(String, String)> {
        self.query.iter().cloned().collect()
    }

    /// Every value of the query key `key`, in order.
    pub fn query_values(&self, key: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// The first value of the query key `key`.
    pub fn query_first(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if there is a body and it is valid JSON.
    pub fn json(&self) -> Option<Value> {
        self.body.as_deref().and_then(|b| serde_json::from_str(b).ok())
    }

    /// The `X-Job-UUID` header.
    pub fn job_uuid(&self) -> Option<&str> {
        self.header("x-job-uuid")
    }
}

/// Percent-decodes `s`. Returns the decoded text (lossy UTF-8; a malformed
/// escape is kept literally) and whether every escape was well formed.
pub(crate) fn percent_decode(s: &str, plus_as_space: bool) -> (String, bool) {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut valid = true;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    let h = std::str::from_utf8(h).ok()?;
                    u8::from_str_radix(h, 16).ok()
                });
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        valid = false;
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), valid)
}

/// Splits a raw query string into decoded pairs, the way a servlet container
/// does (`a&b=` gives `("a", "")` and `("b", "")`; empty pieces are skipped).
pub(crate) fn parse_query(raw: &str) -> (Vec<(String, String)>, bool) {
    let mut valid = true;
    let pairs = raw
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            let (k, kv) = percent_decode(k, true);
            let (v, vv) = percent_decode(v, true);
            valid &= kv && vv;
            (k, v)
        })
        .collect();
    (pairs, valid)
}

/// The shared, append-only request log.
#[derive(Default)]
pub(crate) struct RequestLog(Mutex<Vec<RecordedRequest>>);

impl RequestLog {
    pub(crate) fn push(&self, req: RecordedRequest) {
        super::lock(&self.0).push(req);
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        super::lock(&self.0).clone()
    }

    pub(crate) fn clear(&self) {
        super::lock(&self.0).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(percent_decode("a%20b+c", false), ("a b+c".to_string(), true));
        assert_eq!(percent_decode("a%20b+c", true), ("a b c".to_string(), true));
        assert_eq!(percent_decode("%E4%B8%AD", false), ("中".to_string(), true));
        assert_eq!(percent_decode("100%", false), ("100%".to_string(), false));
        assert_eq!(percent_decode("%zz%4", false), ("%zz%4".to_string(), false));
    }

    #[test]
    fn splits_queries() {
        let (pairs, ok) = parse_query("q=uuid%3Dx&flag&&k=a=b");
        assert!(ok);
        assert_eq!(
            pairs,
            vec![("q".into(), "uuid=x".into()), ("flag".into(), String::new()), ("k".into(), "a=b".into())]
        );
    }
}
