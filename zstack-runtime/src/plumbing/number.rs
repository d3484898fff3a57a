//! Lenient integer decoding (protocol §10).
//!
//! Older MNs (inside stored async results) and every doc sample write
//! `Integer`/`Long` fields as doubles: `8.589934592E9`, `1.0`, `0.0`. Generated
//! structs decode those fields through [`Lenient`] (`wire_struct!`'s
//! `lenient` kind; hand-written ones with `#[serde(deserialize_with =
//! "::zstack_sdk::runtime::number::lenient")]`), which accepts a JSON
//! integer, or a float or E-notation number whose value is integral and in
//! range.
//!
//! The value is read from the number's **decimal text**, not through `f64`:
//! above 2^53 a double no longer identifies one integer (`1.0E17` is exact in
//! the text but `100000000000000001` rounds to the same double), and a text
//! such as `1.00000000000000001` is not integral although its `f64` is. The
//! text comes from serde_json's raw-value hook (`raw_value` feature); a
//! deserializer without it hands over numbers, which are accepted while they
//! are exact (an integer, or an integral `f64` below 2^53).
//!
//! `Float`/`Double` fields need nothing: serde_json decodes JSON integers into
//! `f32`/`f64` natively.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::de::Text;

/// The newtype name through which serde_json hands over a value's raw JSON
/// text (what `serde_json::value::RawValue` deserializes with). Other
/// deserializers treat it as an ordinary newtype.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Magnitude from which an `f64` no longer identifies a single integer.
const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// A field shape that can be decoded leniently: `i32`, `i64`, and `Option`,
/// `Vec` and `BTreeMap<String, _>` of lenient shapes.
pub trait Lenient: Sized {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// `deserialize_with` target for integer fields of any [`Lenient`] shape.
/// JSON `null` gives `None` for `Option` fields.
pub fn lenient<'de, D: Deserializer<'de>, T: Lenient>(deserializer: D) -> Result<T, D::Error> {
    T::deserialize_lenient(deserializer)
}

/// Adapter so std's collection impls can drive element decoding.
struct Wrap<T>(T);

impl<'de, T: Lenient> Deserialize<'de> for Wrap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_lenient(deserializer).map(Wrap)
    }
}

fn out_of_range<E: de::Error>(ty: &str, shown: impl fmt::Display) -> E {
    E::custom(format_args!("expected an integral number in range for {ty}, got {shown}"))
}

/// At most this much of an offending raw value is quoted in an error.
const SHOWN: usize = 40;

fn shown(text: &str) -> &str {
    match text.char_indices().nth(SHOWN) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// The exact integer a JSON number text denotes, or `None` when the text is
/// not a JSON number, not integral, or of a magnitude beyond `u64`.
///
/// Capacities arrive as `1.099511627776E13` on every row of a reply, so the
/// usual text, with at most 19 digits, is read in one pass into a `u64`
/// (19 digits cannot overflow it); longer ones go the careful way.
pub fn parse_integral(text: &str) -> Option<i128> {
    parse_integral_within(text, SHORT_DIGITS)
}

/// As many digits as a `u64` holds whatever they are.
const SHORT_DIGITS: usize = 19;

/// [`parse_integral`], with texts of up to `short` digits read the quick way.
fn parse_integral_within(text: &str, short: usize) -> Option<i128> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    // The digits as they are read; only meaningful for up to `SHORT_DIGITS`.
    let mut value = 0u64;
    let int_start = usize::from(negative);
    let int_end = digits_from(bytes, int_start, &mut value);
    let int_len = int_end - int_start;
    // JSON: at least one integer digit, and no leading zero before another digit.
    if int_len == 0 || (int_len > 1 && bytes[int_start] == b'0') {
        return None;
    }
    let (mut i, mut frac_len) = (int_end, 0);
    if bytes.get(i) == Some(&b'.') {
        i = digits_from(bytes, int_end + 1, &mut value);
        frac_len = i - (int_end + 1);
        if frac_len == 0 {
            return None;
        }
    }
    let exponent = exponent_at(bytes, &mut i)?;
    if i != bytes.len() {
        return None;
    }
    let magnitude = if int_len + frac_len <= short {
        short_magnitude(value, exponent - frac_len as i64)?
    } else {
        let frac = bytes.get(int_end + 1..int_end + 1 + frac_len).unwrap_or_default();
        long_magnitude(&bytes[int_start..int_end], frac, exponent)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Where the run of ASCII digits from `i` ends, with the digits appended to
/// `value` (wrapping: meaningful for up to [`SHORT_DIGITS`] in all).
#[inline(always)]
fn digits_from(bytes: &[u8], mut i: usize, value: &mut u64) -> usize {
    while let Some(d) = bytes.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
        *value = value.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    i
}

/// 10^0 to 10^19, the powers of ten a `u64` holds.
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// `digits × 10^scale` for digits read into a `u64`.
#[inline]
fn short_magnitude(mut digits: u64, mut scale: i64) -> Option<i128> {
    if digits == 0 {
        return Some(0);
    }
    // Trailing zeros of the digits make up for a negative scale.
    while scale < 0 && digits.is_multiple_of(10) {
        digits /= 10;
        scale += 1;
    }
    // A negative scale leaves a fraction; above 19, any value exceeds u64.
    let power = POWERS_OF_TEN.get(usize::try_from(scale).ok()?)?;
    Some(i128::from(digits.checked_mul(*power)?))
}

/// The integer and fraction digits × 10^`exponent`, for any number of
/// digits: zeros are counted, not multiplied in, until a later non-zero
/// digit needs them (so `1.0000E3` is 1 × 10^3). A magnitude beyond `u64`
/// fits no target type.
fn long_magnitude(int: &[u8], frac: &[u8], exponent: i64) -> Option<i128> {
    let (mut value, mut zeros) = (0u64, 0i64);
    for &b in int.iter().chain(frac) {
        if b == b'0' {
            zeros += 1;
            continue;
        }
        for _ in 0..zeros {
            value = value.checked_mul(10)?;
        }
        zeros = 0;
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if value == 0 {
        return Some(0);
    }
    let scale = exponent - frac.len() as i64 + zeros;
    if scale < 0 {
        return None; // a fraction remains
    }
    for _ in 0..scale {
        value = value.checked_mul(10)?;
    }
    Some(i128::from(value))
}

/// The exponent part (`E13`, `e-5`, `E+2`) of a number text at `*i`, if
/// there is one (0 otherwise), with `*i` moved past it; `None` if it has
/// no digits.
#[inline]
fn exponent_at(bytes: &[u8], i: &mut usize) -> Option<i64> {
    if !matches!(bytes.get(*i), Some(b'e' | b'E')) {
        return Some(0);
    }
    *i += 1;
    let minus = bytes.get(*i) == Some(&b'-');
    *i += usize::from(matches!(bytes.get(*i), Some(b'-' | b'+')));
    let start = *i;
    let mut exponent = 0i64;
    while let Some(d) = bytes.get(*i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
        // Saturated far beyond any text's length: such a value overflows,
        // or is a fraction, either way.
        exponent = (exponent * 10 + i64::from(d)).min(1 << 40);
        *i += 1;
    }
    if *i == start {
        return None;
    }
    Some(if minus { -exponent } else { exponent })
}

/// Integers of type `T`, from whichever JSON number form arrives.
struct IntVisitor<T>(PhantomData<T>);

macro_rules! lenient_int {
    ($($t:ident),*) => {$(
        impl<'de> Visitor<'de> for IntVisitor<$t> {
            type Value = $t;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!("an integral number for ", stringify!($t)))
            }

            /// serde_json's raw text of the value.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$t, A::Error> {
                use de::Error as _;
                if map.next_key::<IgnoredAny>()?.is_none() {
                    return Err(A::Error::invalid_type(de::Unexpected::Map, &self));
                }
                // serde_json hands over the value's exact text, no whitespace.
                let text: Text = map.next_value()?;
                let text = text.as_str();
                // Most values are plain integers.
                if let Ok(v) = text.parse::<$t>() {
                    return Ok(v);
                }
                if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                    return parse_integral(text)
                        .and_then(|v| $t::try_from(v).ok())
                        .ok_or_else(|| out_of_range(stringify!($t), shown(text)));
                }
                Err(A::Error::custom(format_args!(
                    concat!("expected an integral number for ", stringify!($t), ", got {}"),
                    shown(text)
                )))
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<$t, D::Error> {
                deserializer.deserialize_any(self)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<$t, E> {
                $t::try_from(v).map_err(|_| out_of_range(stringify!($t), v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<$t, E> {
                $t::try_from(v).map_err(|_| out_of_range(stringify!($t), v))
            }

            /// Only without the raw text: exact below 2^53, refused above.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<$t, E> {
                if !v.is_finite() || v.fract() != 0.0 {
                    return Err(out_of_range(stringify!($t), v));
                }
                if v.abs() >= EXACT_LIMIT {
                    return Err(E::custom(format_args!(
                        "integral double above 2^53 cannot be decoded exactly without its text, got {v:e}"
                    )));
                }
                #[allow(clippy::cast_possible_truncation)]
                $t::try_from(v as i64).map_err(|_| out_of_range(stringify!($t), v))
            }
        }

        impl Lenient for $t {
            fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, IntVisitor::<$t>(PhantomData))
            }
        }
    )*};
}
lenient_int!(i32, i64);

impl<T: Lenient> Lenient for Option<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<Wrap<T>>::deserialize(deserializer)?.map(|w| w.0))
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Wrap<T>>::deserialize(deserializer)?.into_iter().map(|w| w.0).collect())
    }
}

impl<T: Lenient> Lenient for BTreeMap<String, T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<String, Wrap<T>>::deserialize(deserializer)?.into_iter().map(|(k, w)| (k, w.0)).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Inv {
        #[serde(default, deserialize_with = "crate::plumbing::number::lenient")]
        cpu_num: Option<i32>,
        #[serde(default, deserialize_with = "crate::plumbing::number::lenient")]
        size: Option<i64>,
        #[serde(default, deserialize_with = "crate::plumbing::number::lenient")]
        count: i64,
        #[serde(default, deserialize_with = "crate::plumbing::number::lenient")]
        list: Vec<i32>,
        #[serde(default, deserialize_with = "crate::plumbing::number::lenient")]
        map: BTreeMap<String, i64>,
        #[serde(default, deserialize_with = "crate::plumbing::number::lenient")]
        opt_list: Option<Vec<Option<i64>>>,
    }

    fn inv(json: &str) -> Inv {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    fn err(json: &str) -> String {
        serde_json::from_str::<Inv>(json).unwrap_err().to_string()
    }

    #[test]
    fn integers_decode_as_usual() {
        let v = inv(r#"{"cpuNum":4,"size":8589934592,"count":-3}"#);
        assert_eq!((v.cpu_num, v.size, v.count), (Some(4), Some(8_589_934_592), -3));
        assert_eq!(inv(r#"{"size":9223372036854775807}"#).size, Some(i64::MAX));
        assert_eq!(inv(r#"{"size":-9223372036854775808}"#).size, Some(i64::MIN));
    }

    #[test]
    fn integral_doubles_and_e_notation_decode() {
        let v = inv(r#"{"cpuNum":1.0,"size":8.589934592E9,"count":0.0}"#);
        assert_eq!((v.cpu_num, v.size, v.count), (Some(1), Some(8_589_934_592), 0));
        assert_eq!(inv(r#"{"size":1.073741824E9}"#).size, Some(1_073_741_824));
        assert_eq!(inv(r#"{"size":-2.5E1}"#).size, Some(-25));
        assert_eq!(inv(r#"{"count":-0.0}"#).count, 0);
        assert_eq!(inv(r#"{"cpuNum":2.147483647E9}"#).cpu_num, Some(i32::MAX));
        assert_eq!(inv(r#"{"cpuNum":-2.147483648E9}"#).cpu_num, Some(i32::MIN));
        // 2^53 - 1 is the largest double accepted.
        assert_eq!(inv(r#"{"size":9.007199254740991E15}"#).size, Some(9_007_199_254_740_991));
    }

    #[test]
    fn absent_and_null_fields() {
        assert_eq!(inv("{}"), Inv::default());
        let v = inv(r#"{"cpuNum":null,"size":null,"optList":null}"#);
        assert_eq!((v.cpu_num, v.size, v.opt_list), (None, None, None));
        assert!(err(r#"{"count":null}"#).contains("an integral number for i64"));
    }

    #[test]
    fn collections_decode_each_element_leniently() {
        let v = inv(r#"{"list":[1,2.0,3E0],"map":{"a":1.0,"b":2},"optList":[null,5.0]}"#);
        assert_eq!(v.list, vec![1, 2, 3]);
        assert_eq!(v.map, BTreeMap::from([("a".to_string(), 1), ("b".to_string(), 2)]));
        assert_eq!(v.opt_list, Some(vec![None, Some(5)]));
        assert!(err(r#"{"list":[1,2.5]}"#).contains("got 2.5"));
    }

    #[test]
    fn fractions_are_rejected_with_the_value() {
        let e = err(r#"{"cpuNum":1.5}"#);
        assert!(e.starts_with("expected an integral number in range for i32, got 1.5"), "{e}");
        assert!(err(r#"{"size":0.1}"#).contains("in range for i64, got 0.1"));
    }

    #[test]
    fn out_of_range_values_are_rejected_with_the_value() {
        let e = err(r#"{"cpuNum":3000000000}"#);
        assert!(e.contains("in range for i32, got 3000000000"), "{e}");
        assert!(err(r#"{"cpuNum":-2147483649}"#).contains("got -2147483649"));
        assert!(err(r#"{"cpuNum":2.147483648E9}"#).contains("in range for i32, got 2.147483648E9"));
        assert!(err(r#"{"size":18446744073709551615}"#).contains("in range for i64, got 18446744073709551615"));
        assert!(err(r#"{"size":1E19}"#).contains("in range for i64"));
        // serde_json itself refuses numbers beyond f64.
        assert!(serde_json::from_str::<Inv>(r#"{"size":1E400}"#).is_err());
    }

    #[test]
    fn large_doubles_are_decoded_from_their_text_exactly() {
        // Above 2^53 the f64 of these texts is another integer or ambiguous.
        assert_eq!(inv(r#"{"size":1.0E17}"#).size, Some(100_000_000_000_000_000));
        assert_eq!(inv(r#"{"size":-1.0E17}"#).size, Some(-100_000_000_000_000_000));
        assert_eq!(inv(r#"{"size":9.007199254740993E15}"#).size, Some(9_007_199_254_740_993));
        assert_eq!(inv(r#"{"size":9.223372036854775807E18}"#).size, Some(i64::MAX));
        assert_eq!(inv(r#"{"size":-9.223372036854775808E18}"#).size, Some(i64::MIN));
        assert_eq!(inv(r#"{"size":1.073741824E11}"#).size, Some(107_374_182_400));
        assert!(err(r#"{"size":9.223372036854775808E18}"#).contains("in range for i64, got 9.223372036854775808E18"));
        // Integral as an f64, but not as written.
        assert!(err(r#"{"size":1.00000000000000001}"#).contains("got 1.00000000000000001"));
        assert!(err(r#"{"size":9.0071992547409931E15}"#).contains("got 9.0071992547409931E15"));
        // As a JSON integer the same magnitude is fine too.
        assert_eq!(inv(r#"{"size":100000000000000000}"#).size, Some(100_000_000_000_000_000));
    }

    #[test]
    fn integral_texts_are_parsed_exactly() {
        let cases: &[(&str, Option<i128>)] = &[
            ("0", Some(0)),
            ("-0", Some(0)),
            ("0.0", Some(0)),
            ("0E-5", Some(0)),
            ("12", Some(12)),
            ("1.0", Some(1)),
            ("12.50E1", Some(125)),
            ("1250E-1", Some(125)),
            ("1250e-2", None),
            ("8.589934592E9", Some(8_589_934_592)),
            ("8.589934592e+9", Some(8_589_934_592)),
            ("1E19", Some(10i128.pow(19))),
            ("18446744073709551615", Some(i128::from(u64::MAX))),
            ("1.8446744073709551615E19", Some(i128::from(u64::MAX))),
            ("1E20", None),
            ("100", Some(100)),
            ("-1.5E1", Some(-15)),
            ("10.10E1", Some(101)),
            ("0.00001E5", Some(1)),
            ("1.00000000000000000000000000000E3", Some(1000)),
            ("100000000000000000000000000000E-29", Some(1)),
            ("0.000", Some(0)),
            ("1.5E0", None),
            ("1E999999999999999999999", None),
            ("1E-999999999999999999999", None),
            ("0.5", None),
            ("01", None),
            ("1.", None),
            (".5", None),
            ("1e", None),
            ("--1", None),
            ("+1", None),
            ("1x", None),
            ("", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(parse_integral(text), expected, "{text}");
        }
    }

    #[test]
    fn without_the_text_only_exact_doubles_are_accepted() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, F64Deserializer};
        let de: F64Deserializer<Error> = 8.589934592E9.into_deserializer();
        assert_eq!(i64::deserialize_lenient(de), Ok(8_589_934_592));
        let de: F64Deserializer<Error> = 1.0E17.into_deserializer();
        let e = i64::deserialize_lenient(de).unwrap_err().to_string();
        assert!(e.contains("cannot be decoded exactly without its text"), "{e}");
        let de: F64Deserializer<Error> = 3.0E9.into_deserializer();
        assert!(i32::deserialize_lenient(de).is_err());
    }

    #[test]
    fn errors_quote_at_most_a_prefix_of_the_value() {
        let long = format!(r#"{{"size":"{}"}}"#, "x".repeat(500));
        let e = err(&long);
        assert!(e.contains("expected an integral number for i64"), "{e}");
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn non_numbers_are_rejected() {
        assert!(err(r#"{"cpuNum":"4"}"#).contains("expected an integral number for i32"));
        assert!(err(r#"{"count":true}"#).contains("expected an integral number for i64"));
        assert!(err(r#"{"list":{}}"#).contains("invalid type"));
    }

    #[test]
    fn float_fields_accept_json_integers_natively() {
        #[derive(Deserialize)]
        struct F {
            a: f32,
            b: f64,
            c: Option<f64>,
        }
        let f: F = serde_json::from_str(r#"{"a":3,"b":3,"c":-7}"#).unwrap();
        assert_eq!((f.a, f.b, f.c), (3.0, 3.0, Some(-7.0)));
    }

    #[test]
    fn works_on_serde_json_values_too() {
        let value = serde_json::json!({"cpuNum": 2.0, "list": [1.0]});
        let v: Inv = serde_json::from_value(value).unwrap();
        assert_eq!((v.cpu_num, v.list), (Some(2), vec![1]));
    }

    #[test]
    fn the_short_and_long_ways_agree() {
        // Every text of up to six characters over the characters a number
        // has, and texts around the 19-digit boundary.
        let alphabet = ["0", "1", "5", "9", ".", "E", "-", "+"];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts.iter().flat_map(|t| alphabet.map(|a| format!("{t}{a}"))).collect();
            for text in &longer {
                assert_eq!(parse_integral(text), parse_integral_within(text, 0), "{text}");
            }
            texts = longer;
        }
        for text in [
            "9999999999999999999",
            "9999999999999999999E1",
            "1844674407370955161.5E1",
            "1000000000000000000E-18",
            "1000000000000000000E-19",
            "10000000000000000000E-1",
            "0.0000000000000000001E19",
        ] {
            assert_eq!(parse_integral(text), parse_integral_within(text, 0), "{text}");
        }
    }
}
