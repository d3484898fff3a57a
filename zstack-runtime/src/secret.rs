//! Values that must never show up in logs: [`Secret`] for opaque secrets
//! (access-key secrets, tokens) and [`Password`] for the password params of
//! login and account APIs (protocol §9).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha512};

use crate::plumbing::validate::Checked;
use crate::plumbing::wire::WireValue;

/// What is shown in place of a credential.
pub const REDACTED: &str = "<redacted>";

/// A secret string. `Debug` and `Display` never show it; call
/// [`Secret::expose`] where the raw value is really needed. It serializes as
/// its value, because secret params (an SSH password) must reach the MN.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value that must not be shown.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Reading one (from configuration or a reply) is fine; writing one is not.
/// Secret params (an SSH password, a key secret) must reach the MN as sent,
/// so a `Secret` serializes as its value; only Debug and Display hide it.
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl WireValue for Secret {
    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        out.push((key.to_string(), self.expose().to_string()));
        Ok(())
    }
}

impl Checked for Secret {
    fn for_each_str(&self, f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
        f(self.expose())
    }
}

/// For path placeholders (LogOut's `{sessionUuid}`): the value must reach the
/// URL, which the client never logs (spans carry the path template).
impl AsRef<str> for Secret {
    fn as_ref(&self) -> &str {
        self.expose()
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// Whether a JSON key names a credential: passwords, secrets, tokens, private
/// keys, session ids. The same rule makes the code generator hold such
/// fields in [`Secret`] (`zstack-codegen`, `rust_type::is_secret_name`).
pub fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("password")
        || ["secret", "secrete", "token", "privatekey"].iter().any(|end| lower.ends_with(end))
        || ["sessionuuid", "sessionid"].contains(&lower.as_str())
}

/// `text` (JSON, possibly cut short) with the string value of every
/// credential-named key replaced by `<redacted>`, for error excerpts.
pub fn scrub_credentials(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied, mut credential_next) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'"' => {
                let start = i + 1;
                let end = closing_quote(bytes, start);
                let after = (end + 1).min(bytes.len());
                let token = bytes[after..].iter().position(|b| !b.is_ascii_whitespace()).map(|at| after + at);
                if let Some(at) = token.filter(|&at| bytes[at] == b':') {
                    credential_next = is_credential_name(&text[start..end]);
                    i = at + 1;
                    continue;
                }
                if credential_next {
                    out.push_str(&text[copied..start]);
                    out.push_str(REDACTED);
                    copied = end;
                }
                credential_next = false;
                i = end + 1;
            }
            _ => {
                credential_next = false;
                i += 1;
            }
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Index of the quote closing a string that starts at `start`, or the end.
fn closing_quote(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A pre-hashed password that is not a SHA-512 hex digest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid password digest: {reason}")]
pub struct InvalidDigest {
    // Never holds the input: it may be a plain password passed by mistake.
    reason: String,
}

impl InvalidDigest {
    /// Why the password was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// What a password param carries: the lowercase hex SHA-512 of the password,
/// which is what the MN stores and compares verbatim (protocol §9).
///
/// Build it with [`Password::plain`] (hashes here) or [`Password::digest`]
/// (already hashed). Only the digest is kept. It serializes as the digest
/// string; `Debug` shows neither the password nor the digest.
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    digest: String,
}

/// Lowercase hex of `bytes`.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

impl Password {
    /// Length of a SHA-512 digest in hex characters.
    pub const DIGEST_LEN: usize = 128;

    /// Hash a plain password: `lowercase_hex(SHA-512(UTF-8 bytes))`.
    pub fn plain(password: &str) -> Self {
        Password { digest: to_hex(&Sha512::digest(password.as_bytes())) }
    }

    /// Use an existing digest: exactly 128 hex characters in any case; stored
    /// lowercased, as the MN compares case-sensitively.
    pub fn digest(hex: &str) -> Result<Self, InvalidDigest> {
        let len = hex.chars().count();
        if len != Self::DIGEST_LEN {
            return Err(InvalidDigest {
                reason: format!("expected {} hex characters (SHA-512), got {len} characters", Self::DIGEST_LEN),
            });
        }
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(InvalidDigest { reason: "contains a character that is not a hex digit".to_string() });
        }
        Ok(Password { digest: hex.to_ascii_lowercase() })
    }

    /// The 128-character lowercase hex digest, i.e. the wire value.
    pub fn as_digest(&self) -> &str {
        &self.digest
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password({REDACTED})")
    }
}

impl Serialize for Password {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digest)
    }
}

impl WireValue for Password {
    fn push_query(&self, key: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        out.push((key.to_string(), self.digest.clone()));
        Ok(())
    }
}

impl Checked for Password {
    fn for_each_str(&self, f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
        f(&self.digest)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;
    use crate::plumbing::wire::{body_field, envelope, query_field};

    const PASSWORD_SHA512: &str = "b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb9\
                                   80b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86";

    #[test]
    fn secret_is_redacted_but_exposable() {
        let s = Secret::from("hunter2".to_string());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.to_string(), "<redacted>");
        assert_eq!(format!("{s:#?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(Secret::new("x"), Secret::from("x"));
        let read: Secret = serde_json::from_str(r#""k3y""#).unwrap();
        assert_eq!(read.expose(), "k3y");
    }

    #[test]
    fn plain_password_is_the_sha512_hex_digest() {
        let p = Password::plain("password");
        assert_eq!(p.as_digest(), PASSWORD_SHA512);
        assert_eq!(p.as_digest().len(), Password::DIGEST_LEN);
        // SHA-512 of the empty string, and UTF-8 bytes for non-ASCII input.
        assert!(Password::plain("").as_digest().starts_with("cf83e1357eefb8bdf1542850d66d8007"));
        assert_eq!(Password::plain("pässword").as_digest().len(), 128);
        assert_ne!(Password::plain("pässword"), Password::plain("passsword"));
    }

    #[test]
    fn hex_encoding_is_lowercase_and_padded() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(to_hex(&[]), "");
    }

    #[test]
    fn digest_is_validated_and_lowercased() {
        let p = Password::digest(&PASSWORD_SHA512.to_ascii_uppercase()).unwrap();
        assert_eq!(p, Password::plain("password"));
        assert_eq!(p.as_digest(), PASSWORD_SHA512);

        let short = Password::digest("password").unwrap_err();
        assert_eq!(short.reason(), "expected 128 hex characters (SHA-512), got 8 characters");
        assert!(!short.to_string().contains("password\""));
        let bad = format!("{}g", &PASSWORD_SHA512[..127]);
        assert!(Password::digest(&bad).unwrap_err().to_string().contains("not a hex digit"));
        let multibyte = format!("{}é", &PASSWORD_SHA512[..127]);
        assert!(Password::digest(&multibyte).is_err());
    }

    #[test]
    fn debug_shows_neither_password_nor_digest() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct LogIn {
            account_name: String,
            password: Password,
        }
        let req = LogIn { account_name: "admin".into(), password: Password::plain("s3cret") };
        let shown = format!("{req:?} {req:#?}");
        assert!(shown.contains("Password(<redacted>)"), "{shown}");
        assert!(!shown.contains("s3cret"));
        assert!(!shown.contains(&req.password.as_digest()[..16]));
    }

    #[test]
    fn json_body_and_query_carry_the_digest() {
        let p = Password::plain("password");
        assert_eq!(serde_json::to_value(&p).unwrap(), json!(PASSWORD_SHA512));

        let mut members = Map::new();
        body_field("LogInByAccount", "accountName", &"admin".to_string(), &mut members).unwrap();
        body_field("LogInByAccount", "password", &p, &mut members).unwrap();
        assert_eq!(
            envelope("logInByAccount", members),
            json!({"logInByAccount": {"accountName": "admin", "password": PASSWORD_SHA512}})
        );

        let mut query = Vec::new();
        query_field("X", "password", &Some(p.clone()), &mut query).unwrap();
        assert_eq!(query, vec![("password".to_string(), PASSWORD_SHA512.to_string())]);
        query_field("X", "password", &None::<Password>, &mut query).unwrap();
        assert_eq!(query.len(), 1);
    }

    #[test]
    fn validators_see_the_digest() {
        use crate::plumbing::validate::length;
        let p = Some(Password::plain("x"));
        assert!(length("CreateAccount", "password", &p, Some(1), Some(255)).is_ok());
        assert!(length("CreateAccount", "password", &p, None, Some(100)).is_err());
    }
}

#[cfg(test)]
mod scrub_tests {
    use super::*;

    #[test]
    fn credential_values_are_scrubbed_from_json_text() {
        let text = r#"{"inventory": {"uuid": "u1", "sshPassword" : "p\"w", "token":"t", "sessionUuid": "s",
            "password": 5, "tokenUrl": "http://x", "secretResourcePoolUuid": "r", "name": "password"}}"#;
        let scrubbed = scrub_credentials(text);
        for gone in [r#"p\"w"#, r#""t""#, r#""s""#] {
            assert!(!scrubbed.contains(gone), "{gone} in {scrubbed}");
        }
        for kept in ["u1", r#""password": 5"#, "http://x", r#""r""#, r#""name": "password""#] {
            assert!(scrubbed.contains(kept), "{kept} not in {scrubbed}");
        }
        assert_eq!(scrubbed.matches(REDACTED).count(), 3);
        // Cut short inside a credential: the rest is gone too.
        assert_eq!(scrub_credentials(r#"{"password":"abc"#), r#"{"password":"<redacted>"#);
        assert_eq!(scrub_credentials("plain text: no JSON"), "plain text: no JSON");
        assert_eq!(scrub_credentials(r#"{"a":"\"#), r#"{"a":"\"#);
    }
}
