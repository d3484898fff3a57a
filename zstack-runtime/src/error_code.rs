//! [`ErrorCode`]: the MN's description of a failure, with its cause chain.
//!
//! It is the one server type the runtime defines itself rather than the
//! generator: the client needs it to report failures, and the client must not
//! depend on generated code (the generated crate depends on the client). The
//! spec still describes it (`spec/core.yaml`), the generated `types::ErrorCode`
//! is this type, and a test of the SDK checks that it reads every field the
//! spec lists.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// The error of a failed call, carried as `{"error": ErrorCode}` by a `503`
/// answer to a request or to a job poll. Every field is optional and null
/// fields are omitted; the outer code is often generic (`SYS.1000`) with the
/// useful code in [`cause`](Self::cause) or [`causes`](Self::causes).
///
/// It implements [`std::error::Error`]: [`source`](std::error::Error::source)
/// is the cause, so any error-reporting helper walks the chain.
///
/// Server classes: `org.zstack.header.errorcode.ErrorCode`,
/// `org.zstack.header.errorcode.ErrorCodeList`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorCode {
    /// The error code, a globally unique identifier for the error, e.g.
    /// `SYS.1000`, `HOST.1001`.
    pub code: Option<String>,
    /// A brief description of the error.
    pub description: Option<String>,
    /// The detailed error information.
    pub details: Option<String>,
    /// Reserved; usually absent.
    pub elaboration: Option<String>,
    /// Reserved; a free-form map.
    pub opaque: BTreeMap<String, Value>,
    /// The error that caused this one, if any.
    pub cause: Option<Box<ErrorCode>>,
    /// Where the error was raised (ZStack 3.10.40 and later).
    pub location: Option<String>,
    /// Time spent, e.g. `12ms` (ZStack 3.6.1 and later).
    pub cost: Option<String>,
    /// Several failures at once (an `ErrorCodeList`).
    pub causes: Vec<ErrorCode>,
    /// Elaboration object (category, code, regex, message_cn, message_en,
    /// source, distance, method, formatSrcError), kept as raw JSON.
    pub messages: Option<Value>,
}

crate::wire_struct!(ErrorCode {
    "code" => code,
    "description" => description,
    "details" => details,
    "elaboration" => elaboration,
    "opaque" => opaque default,
    "cause" => cause,
    "location" => location,
    "cost" => cost,
    "causes" => causes default,
    "messages" => messages,
});

impl ErrorCode {
    /// An error with only a code and a description (tests, test doubles).
    pub fn new(code: impl Into<String>, description: impl Into<String>) -> Self {
        ErrorCode { code: Some(code.into()), description: Some(description.into()), ..ErrorCode::default() }
    }

    /// This error, then its causes: `cause` depth first, then each of
    /// `causes` with its own chain.
    pub fn chain(&self) -> impl Iterator<Item = &ErrorCode> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let next = stack.pop()?;
            // Pushed in reverse so `cause` comes first, then `causes` in order.
            stack.extend(next.causes.iter().rev());
            if let Some(cause) = &next.cause {
                stack.push(cause);
            }
            Some(next)
        })
    }

    /// Whether `code` appears anywhere in the chain (e.g. `ID.1001`, an
    /// invalid or expired session, often wrapped in a generic `SYS.1000`).
    pub fn has_code(&self, code: &str) -> bool {
        self.chain().any(|e| e.code.as_deref() == Some(code))
    }
}

/// `code: description: details` (the parts that are present), this error only;
/// the causes are reached through `source()`.
impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [&self.code, &self.description, &self.details];
        let mut first = true;
        for part in parts.into_iter().flatten().filter(|p| !p.is_empty()) {
            if !first {
                f.write_str(": ")?;
            }
            f.write_str(part)?;
            first = false;
        }
        if first {
            f.write_str("(an error without code or description)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorCode {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match (&self.cause, self.causes.first()) {
            (Some(cause), _) => Some(cause.as_ref()),
            (None, Some(first)) => Some(first),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    fn decode(json: &str) -> ErrorCode {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn source_walks_the_cause_chain() {
        let e = decode(
            r#"{"code":"SYS.1000","description":"An internal error","cause":
                {"code":"HOST.1001","description":"host is down","cause":{"code":"ID.1001"}}}"#,
        );
        let mut codes = vec![];
        let mut next: Option<&dyn std::error::Error> = Some(&e);
        while let Some(err) = next {
            codes.push(err.to_string());
            next = err.source();
        }
        assert_eq!(codes, ["SYS.1000: An internal error", "HOST.1001: host is down", "ID.1001"]);
        assert!(e.has_code("ID.1001"));
        assert!(!e.has_code("SYS.1001"));
    }

    #[test]
    fn chain_visits_cause_before_causes_in_order() {
        let e =
            decode(r#"{"code":"A","cause":{"code":"B"},"causes":[{"code":"C","cause":{"code":"D"}},{"code":"E"}]}"#);
        let codes: Vec<_> = e.chain().map(|e| e.code.as_deref().unwrap()).collect();
        assert_eq!(codes, ["A", "B", "C", "D", "E"]);
        // Without `cause`, `source` is the first of `causes`.
        let list = decode(r#"{"code":"A","causes":[{"code":"C"}]}"#);
        assert_eq!(list.source().unwrap().to_string(), "C");
    }

    #[test]
    fn serializes_as_the_mn_json_with_its_causes() {
        let json = serde_json::json!({
            "code": "SYS.1000", "description": "An internal error", "opaque": {"k": [1]},
            "cause": {"code": "HOST.1001", "cause": {"code": "ID.1001", "location": "Host.java:1"}},
            "causes": [{"code": "C", "messages": {"category": "HOST"}}, {"code": "E"}]
        });
        let e: ErrorCode = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&e).unwrap(), json);
        assert_eq!(serde_json::to_string(&ErrorCode::new("A", "a")).unwrap(), r#"{"code":"A","description":"a"}"#);
    }

    #[test]
    fn display_skips_missing_parts() {
        assert_eq!(decode(r#"{"details":"d"}"#).to_string(), "d");
        assert_eq!(decode("{}").to_string(), "(an error without code or description)");
    }
}
