//! Pre-send constraint checks (the catalog's `@Param` constraints). The derive
//! emits one call per constraint attribute; each returns a typed
//! [`InvalidRequest`] naming the API, the wire name and the rule broken.

use crate::request::InvalidRequest;

/// The strings and integers inside a param value, whatever its shape
/// (`String`, `Option<String>`, `Vec<String>`, `Option<i64>`, ...).
pub trait Checked {
    /// Visit every string element.
    fn for_each_str(&self, _f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
        Ok(())
    }
    /// Visit every integer element.
    fn for_each_int(&self, _f: &mut dyn FnMut(i64) -> Result<(), String>) -> Result<(), String> {
        Ok(())
    }
    /// Number of elements for collections; `None` for scalars.
    fn element_count(&self) -> Option<usize> {
        None
    }
}

impl Checked for String {
    fn for_each_str(&self, f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
        f(self)
    }
}

macro_rules! checked_int {
    ($($t:ty),*) => {$(
        impl Checked for $t {
            fn for_each_int(&self, f: &mut dyn FnMut(i64) -> Result<(), String>) -> Result<(), String> {
                f(i64::from(*self))
            }
        }
    )*};
}
checked_int!(i32, i64);

impl Checked for bool {}

/// The MN checks a number range on any number as Java's `longValue()`:
/// truncated toward zero, saturating, NaN as 0; `as i64` does the same.
macro_rules! checked_float {
    ($($t:ty),*) => {$(
        impl Checked for $t {
            fn for_each_int(&self, f: &mut dyn FnMut(i64) -> Result<(), String>) -> Result<(), String> {
                #[allow(clippy::cast_possible_truncation)]
                f(*self as i64)
            }
        }
    )*};
}
checked_float!(f32, f64);
impl Checked for serde_json::Value {}

impl<T: Checked> Checked for Option<T> {
    fn for_each_str(&self, f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
        self.as_ref().map_or(Ok(()), |v| v.for_each_str(f))
    }
    fn for_each_int(&self, f: &mut dyn FnMut(i64) -> Result<(), String>) -> Result<(), String> {
        self.as_ref().map_or(Ok(()), |v| v.for_each_int(f))
    }
    fn element_count(&self) -> Option<usize> {
        self.as_ref().and_then(Checked::element_count)
    }
}

impl<T: Checked> Checked for Vec<T> {
    fn for_each_str(&self, f: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
        self.iter().try_for_each(|v| v.for_each_str(f))
    }
    fn for_each_int(&self, f: &mut dyn FnMut(i64) -> Result<(), String>) -> Result<(), String> {
        self.iter().try_for_each(|v| v.for_each_int(f))
    }
    fn element_count(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: Checked> Checked for std::collections::BTreeMap<String, T> {
    fn element_count(&self) -> Option<usize> {
        Some(self.len())
    }
}

fn fail<'a>(api: &'static str, key: &'a str) -> impl FnOnce(String) -> InvalidRequest + 'a {
    move |reason| InvalidRequest::new(api, key, reason)
}

/// Every string must be one of `allowed` (case-sensitive, as the MN compares).
pub fn one_of<T: Checked>(api: &'static str, key: &str, value: &T, allowed: &[&str]) -> Result<(), InvalidRequest> {
    value
        .for_each_str(&mut |s| {
            if allowed.contains(&s) { Ok(()) } else { Err(format!("must be one of {}, got {s:?}", allowed.join(", "))) }
        })
        .map_err(fail(api, key))
}

/// Every string's length in characters must lie within the bounds.
pub fn length<T: Checked>(
    api: &'static str,
    key: &str,
    value: &T,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), InvalidRequest> {
    value
        .for_each_str(&mut |s| {
            let n = s.chars().count();
            match (min, max) {
                (Some(lo), _) if n < lo => Err(format!("must be at least {lo} characters, got {n}")),
                (_, Some(hi)) if n > hi => Err(format!("must be at most {hi} characters, got {n}")),
                _ => Ok(()),
            }
        })
        .map_err(fail(api, key))
}

/// Every integer must lie in `[lo, hi]`.
pub fn range<T: Checked>(api: &'static str, key: &str, value: &T, lo: i64, hi: i64) -> Result<(), InvalidRequest> {
    value
        .for_each_int(&mut |n| {
            if (lo..=hi).contains(&n) { Ok(()) } else { Err(format!("must be between {lo} and {hi}, got {n}")) }
        })
        .map_err(fail(api, key))
}

/// A present collection must not be empty.
pub fn non_empty<T: Checked>(api: &'static str, key: &str, value: &T) -> Result<(), InvalidRequest> {
    match value.element_count() {
        Some(0) => Err(InvalidRequest::new(api, key, "must not be empty")),
        _ => Ok(()),
    }
}

/// Every string must be non-empty (the catalog's `emptyString = false`).
pub fn non_empty_string<T: Checked>(api: &'static str, key: &str, value: &T) -> Result<(), InvalidRequest> {
    value
        .for_each_str(&mut |s| if s.is_empty() { Err("must not be an empty string".to_string()) } else { Ok(()) })
        .map_err(fail(api, key))
}

/// Every string must match `regex` as a whole (the catalog's `valid_regex`, a
/// Java regular expression, compared like Java's `String.matches`). The regex
/// is wrapped as `^(?:regex)$` and compiled with `regex-lite`, only when there
/// is a string to check. A regex that does not compile means the constraint
/// cannot be checked, which is reported as an invalid request rather than
/// skipped; code generation only emits regexes that compile.
pub fn pattern<T: Checked>(api: &'static str, key: &str, value: &T, regex: &str) -> Result<(), InvalidRequest> {
    let mut compiled: Option<regex_lite::Regex> = None;
    value
        .for_each_str(&mut |s| {
            let re = match &mut compiled {
                Some(re) => re,
                slot @ None => {
                    let re = regex_lite::Regex::new(&format!("^(?:{regex})$"))
                        .map_err(|e| format!("has a pattern constraint `{regex}` that cannot be checked: {e}"))?;
                    slot.insert(re)
                }
            };
            if re.is_match(s) { Ok(()) } else { Err(format!("must match the pattern `{regex}`, got {s:?}")) }
        })
        .map_err(fail(api, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_is_case_sensitive_and_skips_none() {
        let ok = Some("Permissive".to_string());
        assert!(one_of("X", "deleteMode", &ok, &["Permissive", "Enforcing"]).is_ok());
        let bad = Some("permissive".to_string());
        let err = one_of("X", "deleteMode", &bad, &["Permissive", "Enforcing"]).unwrap_err();
        assert_eq!(err.field, "deleteMode");
        assert!(err.reason.contains("must be one of Permissive, Enforcing"), "{}", err.reason);
        assert!(one_of("X", "deleteMode", &None::<String>, &["A"]).is_ok());
    }

    #[test]
    fn length_counts_characters() {
        assert!(length("X", "name", &"ééé".to_string(), None, Some(3)).is_ok());
        let err = length("X", "name", &"abcd".to_string(), None, Some(3)).unwrap_err();
        assert_eq!(err.reason, "must be at most 3 characters, got 4");
        assert!(length("X", "name", &String::new(), Some(1), None).is_err());
    }

    #[test]
    fn range_checks_every_element() {
        assert!(range("X", "n", &vec![1i32, 5], 1, 5).is_ok());
        let err = range("X", "n", &Some(9i64), 1, 5).unwrap_err();
        assert_eq!(err.to_string(), "invalid X request: `n` must be between 1 and 5, got 9");
    }

    #[test]
    fn ranges_on_doubles_compare_the_truncated_value_as_the_mn_does() {
        assert!(range("X", "threshold", &Some(100.7f64), 0, 100).is_ok());
        assert!(range("X", "threshold", &-0.5f64, 0, 100).is_ok());
        let err = range("X", "threshold", &Some(101.0f64), 0, 100).unwrap_err();
        assert!(err.reason.contains("got 101"), "{}", err.reason);
        assert!(range("X", "threshold", &-1.5f32, 0, 100).is_err());
    }

    #[test]
    fn empty_strings_are_refused_where_the_mn_refuses_them() {
        assert!(non_empty_string("X", "name", &"a".to_string()).is_ok());
        assert!(non_empty_string("X", "name", &None::<String>).is_ok());
        let err = non_empty_string("X", "name", &Some(String::new())).unwrap_err();
        assert_eq!(err.to_string(), "invalid X request: `name` must not be an empty string");
        assert!(non_empty_string("X", "names", &vec!["a".to_string(), String::new()]).is_err());
    }

    #[test]
    fn non_empty_only_rejects_present_empty_collections() {
        assert!(non_empty("X", "l", &Vec::<String>::new()).is_err());
        assert!(non_empty("X", "l", &vec!["a".to_string()]).is_ok());
        assert!(non_empty("X", "l", &None::<Vec<String>>).is_ok());
    }

    #[test]
    fn pattern_matches_whole_strings() {
        let re = "[A-Za-z0-9]{6}";
        assert!(pattern("X", "code", &"abc123".to_string(), re).is_ok());
        let err = pattern("X", "code", &"abc1234".to_string(), re).unwrap_err();
        assert_eq!(err.field, "code");
        assert_eq!(err.reason, "must match the pattern `[A-Za-z0-9]{6}`, got \"abc1234\"");
        assert!(pattern("X", "code", &"xabc123".to_string(), re).is_err());
        // An alternation is anchored as a whole, not just its first branch.
        assert!(pattern("X", "k", &"ab".to_string(), "a|ab").is_ok());
        assert!(pattern("X", "k", &"abx".to_string(), "a|ab").is_err());
        // Already anchored regexes work too; `$` does not accept a trailing newline.
        assert!(pattern("X", "k", &"a_b".to_string(), "^[A-Za-z0-9_-]+$").is_ok());
        assert!(pattern("X", "k", &"ab\n".to_string(), "^[a-z]+$").is_err());
    }

    #[test]
    fn pattern_checks_every_element_and_skips_absent_values() {
        let re = r"(\d{4})([0-1]\d)([0-3]\d)\s([0-5]\d):([0-5]\d):([0-5]\d)";
        assert!(pattern("X", "t", &Some("20240102 03:04:05".to_string()), re).is_ok());
        assert!(pattern("X", "t", &vec!["20240102 03:04:05".to_string(), "2024-01-02".to_string()], re).is_err());
        assert!(pattern("X", "t", &None::<String>, re).is_ok());
        assert!(pattern("X", "t", &Vec::<String>::new(), "(").is_ok());
        // Non-ASCII ranges written as Java `\uXXXX` escapes.
        let cjk = r"^[\u4e00-\u9fa5a-zA-Z][\u4e00-\u9fa5_a-zA-Z0-9-]+$";
        assert!(pattern("X", "name", &"云主机-1".to_string(), cjk).is_ok());
        assert!(pattern("X", "name", &"1vm".to_string(), cjk).is_err());
    }

    #[test]
    fn pattern_that_does_not_compile_is_reported() {
        let err = pattern("X", "name", &"abc".to_string(), "(unclosed").unwrap_err();
        assert!(
            err.reason.starts_with("has a pattern constraint `(unclosed` that cannot be checked"),
            "{}",
            err.reason
        );
        // regex-lite has no look-around, so such Java regexes must be rewritten by code generation.
        assert!(pattern("X", "name", &"abc".to_string(), "^(?! )[a-z ]*(?<! )$").is_err());
    }
}
