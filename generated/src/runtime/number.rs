//! Lenient integer decoding (protocol §10).
//!
//! Older MNs (inside stored async results) and every doc sample write
//! `Integer`/`Long` fields as doubles: `8.589934592E9`, `1.0`, `0.0`. Fields of
//! those types are declared with
//! `#[serde(default, deserialize_with = "::zstack_sdk::runtime::number::lenient")]`,
//! which accepts a JSON integer, or a float whose value is integral and in range.
//!
//! serde_json (without `arbitrary_precision`) hands a float over as an `f64`, so
//! its decimal text is gone by the time we see it. A double is accepted only
//! while every integer of its magnitude is exactly representable, i.e. below
//! 2^53; larger doubles are refused rather than guessed (2^53 itself is refused
//! too, because the text `9007199254740993` also rounds to it).
//!
//! `Float`/`Double` fields need nothing: serde_json decodes JSON integers into
//! `f32`/`f64` natively.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

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

/// Integers of type `T`, from whichever JSON number form arrives.
struct IntVisitor<T>(PhantomData<T>);

macro_rules! lenient_int {
    ($($t:ident),*) => {$(
        impl Visitor<'_> for IntVisitor<$t> {
            type Value = $t;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!("an integral number for ", stringify!($t)))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<$t, E> {
                $t::try_from(v).map_err(|_| out_of_range(stringify!($t), v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<$t, E> {
                $t::try_from(v).map_err(|_| out_of_range(stringify!($t), v))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<$t, E> {
                // `as` casts saturate, so the bounds test is done in f64; both
                // bounds of i32/i64 are exactly representable there.
                #[allow(clippy::cast_precision_loss)]
                let (lo, hi) = ($t::MIN as f64, $t::MAX as f64);
                if !v.is_finite() || v.fract() != 0.0 || v < lo || v >= hi + 1.0 {
                    return Err(out_of_range(stringify!($t), v));
                }
                if v.abs() >= EXACT_LIMIT {
                    return Err(E::custom(format_args!(
                        "integral double above 2^53 cannot be decoded exactly, got {v:e}; \
                         the server must send it as a JSON integer"
                    )));
                }
                #[allow(clippy::cast_possible_truncation)]
                Ok(v as $t)
            }
        }

        impl Lenient for $t {
            fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(IntVisitor::<$t>(PhantomData))
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
        #[serde(default, deserialize_with = "crate::runtime::number::lenient")]
        cpu_num: Option<i32>,
        #[serde(default, deserialize_with = "crate::runtime::number::lenient")]
        size: Option<i64>,
        #[serde(default, deserialize_with = "crate::runtime::number::lenient")]
        count: i64,
        #[serde(default, deserialize_with = "crate::runtime::number::lenient")]
        list: Vec<i32>,
        #[serde(default, deserialize_with = "crate::runtime::number::lenient")]
        map: BTreeMap<String, i64>,
        #[serde(default, deserialize_with = "crate::runtime::number::lenient")]
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
        assert!(err(r#"{"cpuNum":2.147483648E9}"#).contains("in range for i32, got 2147483648"));
        assert!(err(r#"{"size":18446744073709551615}"#).contains("in range for i64, got 18446744073709551615"));
        assert!(err(r#"{"size":1E19}"#).contains("in range for i64"));
        // serde_json itself refuses numbers beyond f64.
        assert!(serde_json::from_str::<Inv>(r#"{"size":1E400}"#).is_err());
    }

    #[test]
    fn doubles_from_2_pow_53_are_refused_not_guessed() {
        for json in [r#"{"size":9.007199254740992E15}"#, r#"{"size":1.0E17}"#, r#"{"size":-1.0E17}"#] {
            let e = err(json);
            assert!(e.contains("integral double above 2^53 cannot be decoded exactly"), "{json}: {e}");
        }
        // As a JSON integer the same magnitude is fine.
        assert_eq!(inv(r#"{"size":100000000000000000}"#).size, Some(100_000_000_000_000_000));
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
}
