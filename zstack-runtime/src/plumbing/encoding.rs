//! Percent-encoding for paths and query strings (protocol §3.1).
//!
//! Every byte outside the RFC 3986 unreserved set (`A-Z a-z 0-9 - . _ ~`) is
//! encoded with uppercase hex, so a space is `%20` and `+` is `%2B`. The same
//! rule applies to query keys, query values and path segments.

use std::fmt::Write;

/// The unreserved bytes, by value: one load per byte of a UUID in a path.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// Percent-encode a string (UTF-8 bytes) with the protocol's byte set.
pub fn percent_encode(s: &str) -> String {
    // Most values (UUIDs, names, numbers) need no escape at all.
    if s.bytes().all(is_unreserved) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Encode one path segment (a placeholder value).
pub fn encode_path_segment(s: &str) -> String {
    percent_encode(s)
}

/// Join unencoded pairs into `k=v&k=v`, encoding keys and values.
pub fn encode_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&percent_encode(k.as_ref()));
        out.push('=');
        out.push_str(&percent_encode(v.as_ref()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_bytes_pass_through() {
        assert_eq!(percent_encode("Az09-._~"), "Az09-._~");
    }

    #[test]
    fn space_plus_and_operators_are_encoded() {
        assert_eq!(percent_encode("a b+c"), "a%20b%2Bc");
        assert_eq!(percent_encode("uuid=1,2"), "uuid%3D1%2C2");
        assert_eq!(percent_encode("name~=web%"), "name~%3Dweb%25");
    }

    #[test]
    fn utf8_is_encoded_bytewise_uppercase() {
        assert_eq!(percent_encode("é"), "%C3%A9");
    }

    #[test]
    fn query_pairs_join_in_order() {
        let pairs = vec![("q".to_string(), "a=b".to_string()), ("limit".to_string(), "5".to_string())];
        assert_eq!(encode_query(&pairs), "q=a%3Db&limit=5");
        assert_eq!(encode_query::<String, String>(&[]), "");
    }
}
