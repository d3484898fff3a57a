//! `since` versions: `digits(.digits)*`.

use crate::model::Version;

/// Parses `0.6`, `4.10.16`; the text is kept as written by the loader, so
/// `0.10` is version 0.10, not 0.1.
pub fn parse_version(s: &str) -> Result<Version, String> {
    let bad = || format!("`{s}` is not a version: expected numbers separated by dots, like `4.10.16`");
    let parts = s
        .split('.')
        .map(|p| if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) { None } else { p.parse().ok() })
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(bad)?;
    Ok(Version { parts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(parse_version("0.6").map(|v| v.parts), Ok(vec![0, 6]));
        assert_eq!(parse_version("4.10.16").map(|v| v.parts), Ok(vec![4, 10, 16]));
        assert_eq!(parse_version("0.10").map(|v| v.to_string()), Ok("0.10".into()));
        assert!(parse_version("5").is_ok());
    }

    #[test]
    fn rejects_non_versions() {
        for bad in ["", "1.", ".6", "1..2", "v1", "1.2a", "1e3", "+1", "99999999999", " 1"] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
    }
}
