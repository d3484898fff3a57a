//! How generated structs (inventories, replies, sent param types) decode and
//! re-encode: [`wire_struct!`](crate::wire_struct), one `Deserialize` and one
//! `Serialize` impl per struct.
//!
//! `Serialize` writes the MN's JSON back: wire names, absent `Option`s and
//! empty collections omitted (the MN omits nulls), values in their wire form
//! (timestamps as the MN writes them, integers exact). Omission is decided by
//! [`Omit`], implemented for the field types generated structs use
//! (`Option<T>`, `Vec<T>`, maps), so a required field in a hand-written
//! struct is a compile error rather than a silently dropped member.
//!
//! Every response field is optional or a collection that defaults to empty
//! (the MN omits nulls, protocol §7), and unknown keys are ignored (§10), so a
//! struct decodes by starting from `Default` and assigning each known key.
//! That needs one `visit_map` per struct, where `#[derive(Deserialize)]`
//! emits a field enum, its visitor, a sequence visitor, per-field option
//! slots and a wrapper type per `deserialize_with` field. With ~1,000
//! response structs, that difference is about a third of the full SDK's
//! type-check and borrow-check time.
//!
//! # Duplicate keys
//!
//! JSON leaves repeated keys to the reader. A response struct rejects a
//! *known* key that appears twice in one object (`duplicate field `name``),
//! as `#[derive(Deserialize)]` does, rather than keep the first or the last
//! value silently: the two values may disagree, and either choice could be
//! what a hostile or broken server wants the client to believe. The check is
//! a `[bool; N]` on the stack indexed by a per-struct field enum, so the
//! common path allocates nothing. Unknown keys may repeat: they are skipped
//! unread (protocol §10). The envelopes of [`reply`](crate::reply) are
//! `#[derive(Deserialize)]` and reject duplicates the same way; a map-typed
//! field (`BTreeMap`, `serde_json::Map`) keeps the last value of a repeated
//! map key, as serde does.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::ser::{self, Serialize};

use super::number::Lenient;

/// A string (a map key, a number's raw text), borrowed from the input when
/// it has no escapes.
pub struct Text<'de>(pub Cow<'de, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

/// The value of a lenient integer field (`Option<i64>`, `Vec<i32>`, ...;
/// see [`number`](super::number)).
pub struct LenientSeed<T>(PhantomData<T>);

impl<T> LenientSeed<T> {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        LenientSeed(PhantomData)
    }
}

impl<'de, T: Lenient> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize_lenient(deserializer)
    }
}

/// Whether a field is left out when a struct is re-encoded: `None` and empty
/// collections are, as the MN leaves out nulls.
pub trait Omit {
    /// True when the field is not written.
    fn omitted(&self) -> bool;
}

impl<T> Omit for Option<T> {
    fn omitted(&self) -> bool {
        self.is_none()
    }
}

impl<T> Omit for Vec<T> {
    fn omitted(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> Omit for std::collections::BTreeMap<K, V> {
    fn omitted(&self) -> bool {
        self.is_empty()
    }
}

impl Omit for serde_json::Map<String, serde_json::Value> {
    fn omitted(&self) -> bool {
        self.is_empty()
    }
}

/// 1 if `value` is written, 0 if it is [`Omit::omitted`].
#[doc(hidden)]
#[inline]
pub fn present<T: Omit>(value: &T) -> usize {
    usize::from(!value.omitted())
}

/// Writes one field of a struct, or skips it if it is [`Omit::omitted`];
/// after a failed field (`written` holds its error), does nothing. One
/// generic call per field, with no `?` at each, keeps the expansion (and its
/// type-check) small.
#[doc(hidden)]
#[inline]
pub fn field<S: ser::SerializeStruct, T: Serialize + Omit>(
    out: &mut S,
    written: &mut Result<(), S::Error>,
    key: &'static str,
    value: &T,
) {
    if written.is_ok() {
        *written = if value.omitted() { out.skip_field(key) } else { out.serialize_field(key, value) };
    }
}

/// `impl Deserialize` and `impl Serialize` for a generated struct: a JSON object whose
/// known keys are assigned to fields of `Self::default()`; other keys are
/// skipped, and a known key that appears twice is an error (see the module
/// doc). Each entry is `"wireName" => field` with an optional kind:
/// `default` (a collection; `null` reads as empty), `lenient` (integers that
/// may arrive as doubles) or `lenient_default` (both). Serializing writes each
/// field that is not [`Omit::omitted`] under its wire name, in entry order.
/// A trailing `serialize if <cfg predicate>` puts the `Serialize` impl behind
/// that `cfg` (evaluated in the calling crate): the SDK gates re-encoding of
/// response-only types behind its `serialize` feature, as it costs compile time.
///
/// ```
/// #[derive(Debug, Default, PartialEq)]
/// pub struct Thing {
///     pub uuid: Option<String>,
///     pub size: Option<i64>,
///     pub tags: Vec<String>,
/// }
/// zstack_runtime::wire_struct!(Thing {
///     "uuid" => uuid,
///     "size" => size lenient,
///     "tags" => tags default,
/// });
///
/// let thing: Thing = serde_json::from_str(r#"{"uuid":"u","size":1.0E3,"tags":null,"new":1}"#).unwrap();
/// assert_eq!(thing, Thing { uuid: Some("u".into()), size: Some(1000), tags: vec![] });
/// assert_eq!(serde_json::to_string(&thing).unwrap(), r#"{"uuid":"u","size":1000}"#);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! wire_struct {
    ($name:ident { $($wire:literal => $field:ident $($kind:ident)?),* $(,)? } $(serialize if $($cfg:tt)*)?) => {
        impl<'de> $crate::plumbing::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::plumbing::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                /// The known keys, in entry order; `__Unknown` is any other key.
                #[allow(non_camel_case_types, dead_code, clippy::enum_variant_names)]
                enum __Field {
                    $($field,)*
                    __Unknown,
                }
                impl ::core::clone::Clone for __Field {
                    fn clone(&self) -> Self {
                        *self
                    }
                }
                impl ::core::marker::Copy for __Field {}
                const __WIRE: &[&str] = &[$($wire),*];
                struct FieldsVisitor;
                impl<'de> $crate::plumbing::serde::de::Visitor<'de> for FieldsVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("struct ", ::core::stringify!($name)))
                    }

                    #[allow(unused_mut)]
                    fn visit_map<A: $crate::plumbing::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::core::result::Result<$name, A::Error> {
                        let mut out = <$name as ::core::default::Default>::default();
                        let mut seen = $crate::plumbing::de::Seen::<{ __WIRE.len() }>::new(__WIRE);
                        while let ::core::option::Option::Some(key) =
                            map.next_key::<$crate::plumbing::de::Text<'de>>()?
                        {
                            let field = match key.as_str() {
                                $($wire => __Field::$field,)*
                                _ => __Field::__Unknown,
                            };
                            seen.mark::<A::Error>(field as usize)?;
                            // One call per arm and one `?` for the match: a
                            // small expansion to type-check (see the module doc).
                            match field {
                                $(__Field::$field => $crate::__deserialize_value!(
                                    map, &mut out.$field $(, $kind)?
                                ),)*
                                __Field::__Unknown => $crate::plumbing::de::skip(&mut map),
                            }?;
                        }
                        ::core::result::Result::Ok(out)
                    }
                }
                deserializer.deserialize_map(FieldsVisitor)
            }
        }

        $(#[cfg($($cfg)*)])?
        impl $crate::plumbing::serde::Serialize for $name {
            fn serialize<S: $crate::plumbing::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                let present = 0 $(+ $crate::plumbing::de::present(&self.$field))*;
                let mut out = serializer.serialize_struct(::core::stringify!($name), present)?;
                let mut written = ::core::result::Result::Ok(());
                $($crate::plumbing::de::field(&mut out, &mut written, $wire, &self.$field);)*
                written?;
                $crate::plumbing::serde::ser::SerializeStruct::end(out)
            }
        }
    };
}

/// One field value of [`wire_struct!`](crate::wire_struct): a call of
/// [`value`], [`value_or_default`], [`lenient`] or [`lenient_or_default`].
#[doc(hidden)]
#[macro_export]
macro_rules! __deserialize_value {
    ($map:ident, $slot:expr) => {
        $crate::plumbing::de::value(&mut $map, $slot)
    };
    ($map:ident, $slot:expr, default) => {
        $crate::plumbing::de::value_or_default(&mut $map, $slot)
    };
    ($map:ident, $slot:expr, lenient) => {
        $crate::plumbing::de::lenient(&mut $map, $slot)
    };
    ($map:ident, $slot:expr, lenient_default) => {
        $crate::plumbing::de::lenient_or_default(&mut $map, $slot)
    };
}

/// Which known keys of a [`wire_struct!`](crate::wire_struct) one object
/// has had (`N` is the number of keys).
pub struct Seen<const N: usize> {
    wire: &'static [&'static str],
    seen: [bool; N],
}

impl<const N: usize> Seen<N> {
    /// None of `wire`'s `N` keys read yet.
    #[inline]
    pub fn new(wire: &'static [&'static str]) -> Self {
        Seen { wire, seen: [false; N] }
    }

    /// Marks entry `index` as read: an error if it already was. Any other
    /// index (an unknown key's) may repeat.
    #[inline]
    pub fn mark<E: de::Error>(&mut self, index: usize) -> Result<(), E> {
        match self.seen.get_mut(index) {
            Some(seen) if *seen => Err(E::duplicate_field(self.wire[index])),
            Some(seen) => {
                *seen = true;
                Ok(())
            }
            None => Ok(()),
        }
    }
}

/// Reads a field's value into `slot`.
#[doc(hidden)]
#[inline]
pub fn value<'de, A: de::MapAccess<'de>, T: de::Deserialize<'de>>(map: &mut A, slot: &mut T) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// [`value`] for a collection: `null` reads as empty.
#[doc(hidden)]
#[inline]
pub fn value_or_default<'de, A: de::MapAccess<'de>, T: de::Deserialize<'de> + Default>(
    map: &mut A,
    slot: &mut T,
) -> Result<(), A::Error> {
    *slot = map.next_value::<Option<T>>()?.unwrap_or_default();
    Ok(())
}

/// [`value`] for integers that may arrive as doubles.
#[doc(hidden)]
#[inline]
pub fn lenient<'de, A: de::MapAccess<'de>, T: Lenient>(map: &mut A, slot: &mut T) -> Result<(), A::Error> {
    *slot = map.next_value_seed(LenientSeed::<T>::new())?;
    Ok(())
}

/// [`lenient`] for a collection: `null` reads as empty.
#[doc(hidden)]
#[inline]
pub fn lenient_or_default<'de, A: de::MapAccess<'de>, T: Default>(map: &mut A, slot: &mut T) -> Result<(), A::Error>
where
    Option<T>: Lenient,
{
    *slot = map.next_value_seed(LenientSeed::<Option<T>>::new())?.unwrap_or_default();
    Ok(())
}

/// Skips the value of an unknown key unread.
#[doc(hidden)]
#[inline]
pub fn skip<'de, A: de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[derive(Debug, Default, PartialEq)]
    struct Inner {
        id: Option<i32>,
    }
    crate::wire_struct!(Inner { "id" => id lenient });

    #[derive(Debug, Default, PartialEq)]
    struct Outer {
        name: Option<String>,
        type_: Option<String>,
        inner: Option<Box<Inner>>,
        items: Vec<Inner>,
        sizes: Vec<i64>,
        labels: BTreeMap<String, String>,
    }
    crate::wire_struct!(Outer {
        "name" => name,
        "type" => type_,
        "inner" => inner,
        "items" => items default,
        "sizes" => sizes lenient_default,
        "labels" => labels default,
    });

    #[test]
    fn known_keys_are_assigned_and_the_rest_skipped() {
        let json = r#"{"name":"n","type":"t","inner":{"id":2.0},"items":[{"id":1},{}],"sizes":[1,2E1],
            "labels":{"a":"b"},"extra":{"deep":[1,2,{"x":null}]}}"#;
        let outer: Outer = serde_json::from_str(json).unwrap();
        assert_eq!(outer.name.as_deref(), Some("n"));
        assert_eq!(outer.type_.as_deref(), Some("t"));
        assert_eq!(outer.inner, Some(Box::new(Inner { id: Some(2) })));
        assert_eq!(outer.items, vec![Inner { id: Some(1) }, Inner { id: None }]);
        assert_eq!(outer.sizes, vec![1, 20]);
        assert_eq!(outer.labels["a"], "b");
    }

    #[test]
    fn nulls_and_absent_keys_give_defaults() {
        let outer: Outer = serde_json::from_str(r#"{"name":null,"items":null,"sizes":null,"labels":null}"#).unwrap();
        assert_eq!(outer, Outer::default());
        assert_eq!(serde_json::from_str::<Outer>("{}").unwrap(), Outer::default());
        // Escaped keys are matched after unescaping.
        let outer: Outer = serde_json::from_str(r#"{"n\u0061me":"x"}"#).unwrap();
        assert_eq!(outer.name.as_deref(), Some("x"));
    }

    #[test]
    fn a_known_key_twice_is_an_error_and_unknown_keys_may_repeat() {
        let e = serde_json::from_str::<Outer>(r#"{"name":"a","type":"t","name":"b"}"#).unwrap_err().to_string();
        assert!(e.contains("duplicate field `name`"), "{e}");
        // Also when the first value was null, or the second is escaped.
        let e = serde_json::from_str::<Outer>(r#"{"items":null,"items":[]}"#).unwrap_err().to_string();
        assert!(e.contains("duplicate field `items`"), "{e}");
        let e = serde_json::from_str::<Outer>(r#"{"type":"t","typ\u0065":"u"}"#).unwrap_err().to_string();
        assert!(e.contains("duplicate field `type`"), "{e}");
        // Nested objects each have their own keys.
        let e = serde_json::from_str::<Outer>(r#"{"items":[{"id":1},{"id":2,"id":3}]}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field `id`"), "{e}");
        let outer: Outer =
            serde_json::from_str(r#"{"extra":1,"extra":{"x":2},"inner":{"id":1},"items":[{"id":1},{"id":1}]}"#)
                .unwrap();
        assert_eq!((outer.inner, outer.items.len()), (Some(Box::new(Inner { id: Some(1) })), 2));
    }

    #[test]
    fn type_errors_name_the_expectation_and_the_path() {
        let e = serde_json::from_str::<Outer>("[]").unwrap_err().to_string();
        assert!(e.contains("expected struct Outer"), "{e}");
        let e = serde_json::from_str::<Outer>(r#"{"items":[{"id":1.5}]}"#).unwrap_err().to_string();
        assert!(e.contains("got 1.5"), "{e}");
        let mut de = serde_json::Deserializer::from_str(r#"{"inner":{"id":"x"}}"#);
        let e = serde_path_to_error::deserialize::<_, Outer>(&mut de).unwrap_err();
        assert_eq!(e.path().to_string(), "inner.id");
    }

    #[test]
    fn serializing_writes_wire_names_in_entry_order_and_omits_absent_values() {
        let outer = Outer {
            name: Some("n".into()),
            type_: Some("t".into()),
            inner: Some(Box::new(Inner { id: Some(2) })),
            items: vec![Inner { id: Some(1) }, Inner { id: None }],
            sizes: vec![1, 20],
            labels: BTreeMap::from([("a".into(), "b".into())]),
        };
        // `type_` under its wire name; lenient numbers as plain integers; an
        // empty nested struct as `{}`.
        assert_eq!(
            serde_json::to_string(&outer).unwrap(),
            r#"{"name":"n","type":"t","inner":{"id":2},"items":[{"id":1},{}],"sizes":[1,20],"labels":{"a":"b"}}"#
        );
        // `None` and empty collections are left out, as the MN leaves out nulls.
        assert_eq!(serde_json::to_string(&Outer::default()).unwrap(), "{}");
        let sparse = Outer { sizes: vec![3], ..Outer::default() };
        assert_eq!(serde_json::to_string(&sparse).unwrap(), r#"{"sizes":[3]}"#);
    }

    #[test]
    fn what_is_written_decodes_to_the_same_value() {
        let json = r#"{"labels":{"k":"v"},"sizes":[5.0E1],"inner":{"id":7.0},"type":"t","ignored":[1]}"#;
        let outer: Outer = serde_json::from_str(json).unwrap();
        let written = serde_json::to_string(&outer).unwrap();
        assert_eq!(written, r#"{"type":"t","inner":{"id":7},"sizes":[50],"labels":{"k":"v"}}"#);
        assert_eq!(serde_json::from_str::<Outer>(&written).unwrap(), outer);
    }

    #[test]
    fn the_length_hint_counts_written_fields() {
        use super::{Omit, present};
        assert_eq!(present(&Some(1)) + present(&None::<i32>), 1);
        assert_eq!(present(&Vec::<i32>::new()) + present(&vec![1]), 1);
        assert!(serde_json::Map::new().omitted());
        assert!(!BTreeMap::from([(1, 2)]).omitted());
    }

    /// `serialize if <cfg>` keeps `Deserialize` and puts `Serialize` behind the cfg.
    #[test]
    fn the_serialize_impl_can_be_gated() {
        #[derive(Debug, Default, PartialEq)]
        struct Open {
            id: Option<i64>,
        }
        crate::wire_struct!(Open { "id" => id } serialize if all());
        assert_eq!(serde_json::to_string(&Open { id: Some(1) }).unwrap(), r#"{"id":1}"#);

        #[derive(Debug, Default, PartialEq)]
        struct Gated {
            id: Option<i64>,
        }
        crate::wire_struct!(Gated { "id" => id } serialize if any());
        // Without the impl, autoref picks the fallback trait's method.
        trait NotSerialize {
            fn is_serialize(&self) -> bool {
                false
            }
        }
        impl<T> NotSerialize for T {}
        struct Probe<T>(T);
        impl<T: serde::Serialize> Probe<T> {
            fn is_serialize(&self) -> bool {
                true
            }
        }
        assert!(Probe(Open::default()).is_serialize());
        assert!(!Probe(Gated::default()).is_serialize());
        assert_eq!(serde_json::from_str::<Gated>(r#"{"id":3}"#).unwrap(), Gated { id: Some(3) });
    }
}
