//! The decode context of polymorphic responses (protocol §7): a
//! [`Deserializer`] wrapper that keeps the JSON path of the value being
//! decoded (`inventories[3].mons[0]`, the form `schema` keys take) in a
//! thread-local, and the response's `schema` map for the duration of one
//! decode. The generated `Any…` enums ask [`current_class`] which class the
//! schema names for the value they are about to decode.
//!
//! Only [`Tracked`] advances the path: a value decoded through another
//! deserializer while a context is set (e.g. from a buffered `Value`) must
//! leave the context first ([`Scope::suspend`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, Error, MapAccess, SeqAccess, VariantAccess, Visitor};

/// Schema path → server class, built once per decode. The paths share one
/// buffer and are indexed by a 64-bit hash (distinct paths with equal hashes
/// go to `overflow`); the classes, few and repeated, are shared.
#[derive(Default)]
pub(crate) struct Schema {
    paths: String,
    /// (start, end) in `paths`, index in `classes`.
    entries: Vec<(usize, usize, usize)>,
    index: HashMap<u64, usize, BuildHasherDefault<PassHasher>>,
    overflow: HashMap<Box<str>, usize>,
    classes: Vec<Rc<str>>,
    class_index: HashMap<Rc<str>, usize>,
}

impl Schema {
    /// Add or replace (the last entry wins, as in a JSON object) a path's class.
    pub(crate) fn insert(&mut self, path: &str, class: &str) {
        let class = match self.class_index.get(class) {
            Some(&i) => i,
            None => {
                let shared: Rc<str> = class.into();
                self.classes.push(Rc::clone(&shared));
                self.class_index.insert(shared, self.classes.len() - 1);
                self.classes.len() - 1
            }
        };
        match self.index.entry(hash_path(path)) {
            Entry::Occupied(slot) => {
                let entry = &mut self.entries[*slot.get()];
                if &self.paths[entry.0..entry.1] == path {
                    entry.2 = class;
                } else {
                    self.overflow.insert(path.into(), class);
                }
            }
            Entry::Vacant(slot) => {
                let start = self.paths.len();
                self.paths.push_str(path);
                slot.insert(self.entries.len());
                self.entries.push((start, self.paths.len(), class));
            }
        }
    }

    /// The class of a path.
    pub(crate) fn get(&self, path: &str) -> Option<&Rc<str>> {
        let class = match self.index.get(&hash_path(path)) {
            Some(&i) if &self.paths[self.entries[i].0..self.entries[i].1] == path => Some(self.entries[i].2),
            _ if self.overflow.is_empty() => None,
            _ => self.overflow.get(path).copied(),
        };
        class.map(|i| &self.classes[i])
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every (path, class).
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let indexed = self.entries.iter().map(|&(start, end, class)| (&self.paths[start..end], &*self.classes[class]));
        indexed.chain(self.overflow.iter().map(|(path, &class)| (&**path, &*self.classes[class])))
    }
}

/// A multiply-rotate hash over 8-byte words with a final mix, for schema
/// paths (short, server-written keys).
fn hash_path(path: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let add = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let bytes = path.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut h = bytes.len() as u64;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = add(h, u64::from_le_bytes(word));
    }
    let mut word = [0u8; 8];
    word[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = add(h, u64::from_le_bytes(word));
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// The index keys are hashes already.
#[derive(Clone, Copy, Default)]
struct PassHasher(u64);

impl Hasher for PassHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

thread_local! {
    static PATH: RefCell<String> = const { RefCell::new(String::new()) };
    static SCHEMA: RefCell<Option<Rc<Schema>>> = const { RefCell::new(None) };
}

/// The class the current decode's `schema` names for the value at the
/// current path; `None` outside a decode context or for unnamed paths.
pub fn current_class() -> Option<Rc<str>> {
    let schema = SCHEMA.with_borrow(Clone::clone)?;
    PATH.with_borrow(|path| schema.get(path).cloned())
}

/// Sets the thread's decode context and restores the previous one when
/// dropped, also on error or panic.
pub(crate) struct Scope {
    schema: Option<Rc<Schema>>,
    path: String,
}

impl Scope {
    /// Decode with `schema`, from the root path.
    pub(crate) fn enter(schema: Rc<Schema>) -> Scope {
        Scope::replace(Some(schema))
    }

    /// No context until dropped: for values decoded from a buffer.
    pub fn suspend() -> Scope {
        Scope::replace(None)
    }

    fn replace(schema: Option<Rc<Schema>>) -> Scope {
        Scope { schema: SCHEMA.replace(schema), path: PATH.take() }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        SCHEMA.set(self.schema.take());
        PATH.set(std::mem::take(&mut self.path));
    }
}

fn mark() -> usize {
    PATH.with_borrow(String::len)
}

fn truncate(len: usize) {
    PATH.with_borrow_mut(|path| path.truncate(len));
}

fn push_key(key: &str) {
    PATH.with_borrow_mut(|path| {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    });
}

/// Append `[index]`; returns the path's length before.
fn push_index(index: usize) -> usize {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = index;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    PATH.with_borrow_mut(|path| {
        let mark = path.len();
        path.push('[');
        // ASCII digits only.
        path.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
        path.push(']');
        mark
    })
}

/// A deserializer whose maps and sequences record their keys and indexes in
/// the thread's path while their values decode.
pub struct Tracked<D>(pub D);

/// A map key's deserializer: records the key it reads.
struct Key<D>(D);

/// Visitor of a [`Tracked`] value: wraps what it hands on.
struct TrackVisitor<V>(V);

/// Visitor of a map key: records string and integer keys.
struct KeyVisitor<V>(V);

struct TrackSeed<S>(S);
struct KeySeed<S>(S);

struct TrackSeq<A> {
    inner: A,
    index: usize,
}

struct TrackMap<A> {
    inner: A,
    mark: usize,
}

struct TrackEnum<A>(A);

macro_rules! forward_deserializer {
    ($visitor:ident; $($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method($($arg,)* $visitor(visitor))
        }
    )*};
}

macro_rules! deserializer_impl {
    ($wrapper:ident, $visitor:ident) => {
        impl<'de, D: Deserializer<'de>> Deserializer<'de> for $wrapper<D> {
            type Error = D::Error;

            forward_deserializer! {$visitor;
                deserialize_any(), deserialize_bool(),
                deserialize_i8(), deserialize_i16(), deserialize_i32(), deserialize_i64(), deserialize_i128(),
                deserialize_u8(), deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
                deserialize_f32(), deserialize_f64(), deserialize_char(),
                deserialize_str(), deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
                deserialize_option(), deserialize_unit(),
                deserialize_unit_struct(name: &'static str),
                deserialize_newtype_struct(name: &'static str),
                deserialize_seq(), deserialize_tuple(len: usize),
                deserialize_tuple_struct(name: &'static str, len: usize),
                deserialize_map(),
                deserialize_struct(name: &'static str, fields: &'static [&'static str]),
                deserialize_enum(name: &'static str, variants: &'static [&'static str]),
                deserialize_identifier(), deserialize_ignored_any(),
            }

            fn is_human_readable(&self) -> bool {
                self.0.is_human_readable()
            }
        }
    };
}

deserializer_impl!(Tracked, TrackVisitor);
deserializer_impl!(Key, KeyVisitor);

macro_rules! forward_visits {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.0.$method(v)
        }
    )*};
}

macro_rules! forward_primitive_visits {
    () => {
        forward_visits! {
            visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i128(i128),
            visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u128(u128),
            visit_f32(f32), visit_f64(f64), visit_char(char),
            visit_bytes(&[u8]), visit_borrowed_bytes(&'de [u8]), visit_byte_buf(Vec<u8>),
        }

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }

        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            self.0.visit_none()
        }

        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            self.0.visit_unit()
        }
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TrackVisitor<V> {
    type Value = V::Value;

    forward_primitive_visits!();
    forward_visits! {
        visit_i64(i64), visit_u64(u64), visit_str(&str), visit_borrowed_str(&'de str), visit_string(String),
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Tracked(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Tracked(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(TrackSeq { inner: seq, index: 0 })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(TrackMap { inner: map, mark: mark() })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(TrackEnum(data))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<V> {
    type Value = V::Value;

    forward_primitive_visits!();

    fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
        push_key(&v.to_string());
        self.0.visit_i64(v)
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
        push_key(&v.to_string());
        self.0.visit_u64(v)
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        push_key(v);
        self.0.visit_str(v)
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        push_key(v);
        self.0.visit_borrowed_str(v)
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        push_key(&v);
        self.0.visit_string(v)
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for TrackSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Tracked(deserializer))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Key(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for TrackSeq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        let mark = push_index(self.index);
        self.index += 1;
        let element = self.inner.next_element_seed(TrackSeed(seed));
        truncate(mark);
        element
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TrackMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        self.inner.next_key_seed(KeySeed(seed))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.inner.next_value_seed(TrackSeed(seed));
        truncate(self.mark);
        value
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for TrackEnum<A> {
    type Error = A::Error;
    type Variant = TrackEnum<A::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), Self::Error> {
        self.0.variant_seed(seed).map(|(value, variant)| (value, TrackEnum(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for TrackEnum<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Self::Error> {
        self.0.newtype_variant_seed(TrackSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.tuple_variant(len, TrackVisitor(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.struct_variant(fields, TrackVisitor(visitor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> String {
        PATH.with_borrow(Clone::clone)
    }

    /// Records the path each `Seen` value was decoded at.
    struct Seen(String);

    impl<'de> serde::Deserialize<'de> for Seen {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let path = path();
            serde::de::IgnoredAny::deserialize(deserializer)?;
            Ok(Seen(path))
        }
    }

    #[test]
    fn paths_follow_keys_and_indexes() {
        #[derive(serde::Deserialize)]
        struct Body {
            a: Vec<Seen>,
            m: HashMap<String, Vec<Vec<Seen>>>,
            o: Option<Seen>,
        }
        let json = br#"{"a":[1,{"x":2}],"m":{"k\"q":[[3],[4,5]]},"o":{}}"#;
        let _scope = Scope::enter(Rc::default());
        let mut de = serde_json::Deserializer::from_slice(json);
        let body: Body = serde::Deserialize::deserialize(Tracked(&mut de)).unwrap();
        let a: Vec<_> = body.a.into_iter().map(|s| s.0).collect();
        assert_eq!(a, ["a[0]", "a[1]"]);
        let m: Vec<_> = body.m["k\"q"].iter().flatten().map(|s| s.0.clone()).collect();
        assert_eq!(m, ["m.k\"q[0][0]", "m.k\"q[1][0]", "m.k\"q[1][1]"]);
        assert_eq!(body.o.unwrap().0, "o");
        assert_eq!(path(), "");
    }

    #[test]
    fn scopes_restore_the_previous_context() {
        let mut schema = Schema::default();
        schema.insert("", "C");
        assert_eq!(current_class(), None);
        {
            assert_eq!(schema.get("").map(|c| &**c), Some("C"));
            assert!(schema.get("x").is_none());
            let _outer = Scope::enter(Rc::new(schema));
            assert_eq!(current_class().as_deref(), Some("C"));
            {
                let _inner = Scope::suspend();
                assert_eq!(current_class(), None);
            }
            assert_eq!(current_class().as_deref(), Some("C"));
            let caught = std::panic::catch_unwind(|| {
                let _inner = Scope::suspend();
                panic!("decode failed");
            });
            assert!(caught.is_err());
            assert_eq!(current_class().as_deref(), Some("C"));
        }
        assert_eq!(current_class(), None);
    }
}
