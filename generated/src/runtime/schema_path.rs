//! The decode context of polymorphic responses (protocol §7): the
//! response's `schema` map as a tree of its paths (`inventories[3].mons[0]`,
//! the form `schema` keys take), held in a thread-local for the duration of
//! one decode, and a [`Deserializer`] wrapper that moves to the child node of
//! each map key and array index as values are decoded. The generated `Any…`
//! enums ask [`current_class`] which class the schema names for the value
//! they are about to decode.
//!
//! Only [`Tracked`] moves through the tree: a value decoded through another
//! deserializer while a context is set (e.g. from a buffered `Value`) must
//! leave the context first ([`Scope::suspend`]).
//!
//! Subtrees that no `schema` path enters (an inventory's `uuid`, its
//! `createDate`, ...) are decoded without the wrapper, at no node, so nothing
//! inside can pick up a class.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, Error, MapAccess, SeqAccess, VariantAccess, Visitor};

/// No node: outside a decode context, or a subtree no schema path enters.
const NONE: u32 = u32::MAX;

/// Up to this many key children a node is searched linearly.
const FEW: usize = 8;

/// A response's `schema` as a tree: one node per path prefix
/// (`inventories`, `inventories[3]`, `inventories[3].mons`, ...), children by
/// map key or array index, and the class of each exact path. Node 0 is the
/// root (the path `""`).
pub(crate) struct Schema {
    nodes: Vec<Node>,
    classes: Vec<Rc<str>>,
    /// Built once there are more than [`FEW`] distinct classes (usually
    /// there are one to three).
    class_index: HashMap<Rc<str>, u32>,
    /// Children beyond what [`Node`] holds inline: (parent, segment) → child.
    more: HashMap<(u32, Segment), u32>,
    /// Index children up to this are held densely, whatever order they
    /// arrive in (an MN may sort `schema` keys as text: `[1]`, `[10]`, `[100]`).
    max_index: usize,
}

#[derive(Default)]
struct Node {
    class: Option<u32>,
    /// The first [`FEW`] key children (keys as UTF-8 bytes).
    keys: Vec<(Box<[u8]>, u32)>,
    /// Index children `0..items.len()`, densely (`NONE` where absent).
    items: Vec<u32>,
    /// Some children live in [`Schema::more`].
    more: bool,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Segment {
    Key(Box<[u8]>),
    Index(usize),
}

impl Default for Schema {
    fn default() -> Self {
        Schema::with_max_index(1 << 16)
    }
}

impl Schema {
    /// An empty schema for a `schema` member of `text_len` bytes, whose
    /// indexes do not exceed `max_index`.
    pub(crate) fn for_member(text_len: usize, max_index: usize) -> Schema {
        let mut schema = Schema::with_max_index(max_index);
        // Entries take 30 bytes at least (`"a[0]":"C"` is short, real class
        // names are long), each adding a node or two: one allocation up front
        // instead of repeated large reallocations.
        schema.nodes.reserve(text_len / 30);
        schema
    }

    pub(crate) fn with_max_index(max_index: usize) -> Schema {
        Schema {
            nodes: vec![Node::default()],
            classes: Vec::new(),
            class_index: HashMap::new(),
            more: HashMap::new(),
            max_index,
        }
    }

    /// Add or replace (the last entry wins, as in a JSON object) a path's
    /// class. Paths look like `inventory`, `inventories[3]`,
    /// `inventory.mons[0]` and `field.mapKey`; one that cannot be read is
    /// ignored, as `schema` never fails a call.
    ///
    /// Both arrive as bytes: they are compared with keys and class names
    /// only, so the JSON parser need not validate 20,000 paths as UTF-8.
    pub(crate) fn insert(&mut self, path: impl AsRef<[u8]>, class: impl AsRef<[u8]>) {
        let (path, class) = (path.as_ref(), class.as_ref());
        let mut node = 0;
        let read = parse_segments(path, |segment| {
            node = match self.child(node, segment) {
                NONE => self.add_child(node, segment),
                child => child,
            };
        });
        // A malformed path may leave class-less nodes behind: harmless, they
        // only keep a subtree tracked.
        if read.is_none() {
            return;
        }
        if let Some(class) = self.intern(class) {
            self.nodes[node as usize].class = Some(class);
        }
    }

    /// The index of a class name; `None` if it is not UTF-8.
    fn intern(&mut self, class: &[u8]) -> Option<u32> {
        let known = if self.classes.len() <= FEW {
            self.classes.iter().position(|c| c.as_bytes() == class).and_then(|i| u32::try_from(i).ok())
        } else {
            std::str::from_utf8(class).ok().and_then(|c| self.class_index.get(c).copied())
        };
        if known.is_some() {
            return known;
        }
        let class: Rc<str> = std::str::from_utf8(class).ok()?.into();
        let i = u32::try_from(self.classes.len()).unwrap_or(NONE);
        self.classes.push(class);
        // The index exists only past FEW classes: building it for the usual
        // one to three would cost more than the scans it saves.
        if self.classes.len() > FEW {
            if self.class_index.is_empty() {
                self.class_index = self.classes.iter().zip(0..).map(|(c, i)| (Rc::clone(c), i)).collect();
            } else {
                self.class_index.insert(Rc::clone(&self.classes[i as usize]), i);
            }
        }
        Some(i)
    }

    /// The child of `node` for a segment, or `NONE`.
    fn child(&self, node: u32, segment: SegRef<'_>) -> u32 {
        let n = &self.nodes[node as usize];
        let inline = match segment {
            SegRef::Key(key) => n.keys.iter().find(|(k, _)| &**k == key).map(|&(_, c)| c),
            SegRef::Index(i) => n.items.get(i).copied().filter(|&c| c != NONE),
        };
        match inline {
            Some(child) => child,
            None if n.more => self.more.get(&(node, segment.to_owned())).copied().unwrap_or(NONE),
            None => NONE,
        }
    }

    fn add_child(&mut self, node: u32, segment: SegRef<'_>) -> u32 {
        let child = u32::try_from(self.nodes.len()).unwrap_or(NONE);
        self.nodes.push(Node::default());
        let n = &mut self.nodes[node as usize];
        match segment {
            SegRef::Key(key) if n.keys.len() < FEW => n.keys.push((key.into(), child)),
            SegRef::Index(i) if i <= self.max_index => {
                if n.items.len() <= i {
                    // Grow the length geometrically too: indexes may arrive
                    // one past the end each time.
                    n.items.resize((i + 1).max(n.items.len() * 2), NONE);
                }
                n.items[i] = child;
            }
            segment => {
                n.more = true;
                self.more.insert((node, segment.to_owned()), child);
            }
        }
        child
    }

    /// No schema path lies below `node`.
    fn is_leaf(&self, node: u32) -> bool {
        let n = &self.nodes[node as usize];
        n.keys.is_empty() && n.items.is_empty() && !n.more
    }

    fn class(&self, node: u32) -> Option<&Rc<str>> {
        let class = self.nodes.get(node as usize)?.class?;
        self.classes.get(class as usize)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.len() == 1 && self.nodes[0].class.is_none()
    }

    /// The class of a path.
    #[cfg(test)]
    pub(crate) fn get(&self, path: &str) -> Option<&Rc<str>> {
        let mut node = 0;
        parse_segments(path.as_bytes(), |segment| {
            if node != NONE {
                node = self.child(node, segment);
            }
        })?;
        if node == NONE { None } else { self.class(node) }
    }

    /// Every (path, class), in no particular order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (String, &str)> {
        let mut out = Vec::new();
        let mut stack = vec![(0u32, String::new())];
        while let Some((node, path)) = stack.pop() {
            let n = &self.nodes[node as usize];
            if let Some(class) = self.class(node) {
                out.push((path.clone(), &**class));
            }
            let join = |key: &[u8]| {
                let key = String::from_utf8_lossy(key);
                if path.is_empty() { key.into_owned() } else { format!("{path}.{key}") }
            };
            stack.extend(n.keys.iter().map(|(k, c)| (*c, join(k))));
            stack.extend(
                n.items.iter().enumerate().filter(|(_, c)| **c != NONE).map(|(i, c)| (*c, format!("{path}[{i}]"))),
            );
            for ((parent, segment), child) in &self.more {
                if *parent == node {
                    let path = match segment {
                        Segment::Key(k) => join(k),
                        Segment::Index(i) => format!("{path}[{i}]"),
                    };
                    stack.push((*child, path));
                }
            }
        }
        out.into_iter()
    }
}

/// A path segment, borrowed from the path.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SegRef<'a> {
    Key(&'a [u8]),
    Index(usize),
}

impl SegRef<'_> {
    fn to_owned(self) -> Segment {
        match self {
            SegRef::Key(key) => Segment::Key(key.into()),
            SegRef::Index(i) => Segment::Index(i),
        }
    }
}

/// Call `f` with each segment of `inventories[3].mons[0]` (`inventories`,
/// 3, `mons`, 0); `None` at the first malformed part (empty keys, unclosed or
/// non-numeric brackets), after calling `f` for the segments before it.
/// (A map key containing `.` or `[` cannot be told apart from a deeper path;
/// the `schema` format itself is ambiguous there.)
fn parse_segments<'a>(bytes: &'a [u8], mut f: impl FnMut(SegRef<'a>)) -> Option<()> {
    let mut i = 0;
    while i < bytes.len() {
        // One `.`-separated part: a key and/or `[n]` indexes.
        let start = i;
        while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
            i += 1;
        }
        let mut empty = true;
        if i > start {
            f(SegRef::Key(&bytes[start..i]));
            empty = false;
        }
        while bytes.get(i) == Some(&b'[') {
            i += 1;
            let (digits, mut index) = (i, 0usize);
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                index = index.checked_mul(10)?.checked_add(usize::from(bytes[i] - b'0'))?;
                i += 1;
            }
            if i == digits || bytes.get(i) != Some(&b']') {
                return None;
            }
            i += 1;
            f(SegRef::Index(index));
            empty = false;
        }
        if empty {
            return None; // `a..b`, `.a`
        }
        match bytes.get(i) {
            None => return Some(()),
            Some(b'.') if i + 1 < bytes.len() => i += 1,
            _ => return None, // `a[1]b`, `a.`
        }
    }
    Some(())
}

thread_local! {
    static SCHEMA: RefCell<Option<Rc<Schema>>> = const { RefCell::new(None) };
    /// The schema node of the value being decoded.
    static NODE: Cell<u32> = const { Cell::new(NONE) };
    /// Where the last map key read leads.
    static PENDING: Cell<Step> = const { Cell::new(Step::NOWHERE) };
}

/// The class the current decode's `schema` names for the value at the
/// current path; `None` outside a decode context or for unnamed paths.
pub fn current_class() -> Option<Rc<str>> {
    let node = NODE.get();
    if node == NONE {
        return None;
    }
    SCHEMA.with_borrow(|schema| schema.as_ref()?.class(node).cloned())
}

/// Sets the thread's decode context and restores the previous one when
/// dropped, also on error or panic.
pub(crate) struct Scope {
    schema: Option<Rc<Schema>>,
    node: u32,
}

impl Scope {
    /// Decode with `schema`, from the root.
    pub(crate) fn enter(schema: Rc<Schema>) -> Scope {
        Scope::replace(Some(schema), 0)
    }

    /// No context until dropped: for values decoded from a buffer.
    pub fn suspend() -> Scope {
        Scope::replace(None, NONE)
    }

    fn replace(schema: Option<Rc<Schema>>, node: u32) -> Scope {
        Scope { schema: SCHEMA.replace(schema), node: NODE.replace(node) }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        SCHEMA.set(self.schema.take());
        NODE.set(self.node);
    }
}

/// A child value's node, and how to decode it: a subtree no schema path
/// enters (`NONE`) is decoded plainly, so nothing inside can pick up a
/// class; a leaf (a path with nothing named below it) through [`Leaf`],
/// which offers its class to the value itself only; anything else through
/// [`Tracked`].
#[derive(Clone, Copy)]
struct Step {
    node: u32,
    leaf: bool,
}

impl Step {
    const NOWHERE: Step = Step { node: NONE, leaf: false };
}

/// Look a child of the current node up in the thread's schema.
fn lookup(f: impl FnOnce(&Schema, u32) -> u32) -> Step {
    let node = NODE.get();
    if node == NONE {
        return Step::NOWHERE;
    }
    SCHEMA.with_borrow(|schema| {
        let Some(schema) = schema.as_ref() else { return Step::NOWHERE };
        match f(schema, node) {
            NONE => Step::NOWHERE,
            child => Step { node: child, leaf: schema.is_leaf(child) },
        }
    })
}

/// A deserializer whose maps and sequences move the thread's current node
/// to the child of each key and index while its value decodes.
pub struct Tracked<D>(pub D);

/// A map key's deserializer: notes where the key it reads leads.
struct Key<D>(D);

/// Visitor of a [`Tracked`] value: wraps what it hands on.
struct TrackVisitor<V>(V);

/// Visitor of a map key: looks string and integer keys up.
struct KeyVisitor<V>(V);

struct TrackSeed<S>(S);
struct KeySeed<S>(S);

struct TrackSeq<A> {
    inner: A,
    index: usize,
}

struct TrackMap<A> {
    inner: A,
}

struct TrackEnum<A>(A);

/// The deserializer of a value at a leaf node: the value itself sees the
/// node's class; once it opens (a map, a sequence, an enum), the node is
/// left, so nothing nested inside can take the class.
struct Leaf<D>(D);

struct LeafVisitor<V>(V);

struct LeafSeed<S>(S);

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
deserializer_impl!(Leaf, LeafVisitor);
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
        self.0.visit_map(TrackMap { inner: map })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(TrackEnum(data))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for LeafVisitor<V> {
    type Value = V::Value;

    forward_primitive_visits!();
    forward_visits! {
        visit_i64(i64), visit_u64(u64), visit_str(&str), visit_borrowed_str(&'de str), visit_string(String),
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Leaf(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Leaf(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        NODE.set(NONE);
        self.0.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        NODE.set(NONE);
        self.0.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        NODE.set(NONE);
        self.0.visit_enum(data)
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for LeafSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Leaf(deserializer))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<V> {
    type Value = V::Value;

    forward_primitive_visits!();

    fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
        read_key(&v.to_string());
        self.0.visit_i64(v)
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
        read_key(&v.to_string());
        self.0.visit_u64(v)
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        read_key(v);
        self.0.visit_str(v)
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        read_key(v);
        self.0.visit_borrowed_str(v)
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        read_key(&v);
        self.0.visit_string(v)
    }
}

/// Note where a map key leads, for the value that follows it.
fn read_key(key: &str) {
    PENDING.set(lookup(|schema, node| schema.child(node, SegRef::Key(key.as_bytes()))));
}

/// Decode one child value as its [`Step`] says, with its node current.
macro_rules! step_into {
    ($step:expr, $seed:ident => $call:expr) => {{
        let step: Step = $step;
        let parent = NODE.replace(step.node);
        let value = if step.node == NONE {
            let $seed = $seed;
            $call
        } else if step.leaf {
            let $seed = LeafSeed($seed);
            $call
        } else {
            let $seed = TrackSeed($seed);
            $call
        };
        NODE.set(parent);
        value
    }};
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
        let index = self.index;
        self.index += 1;
        step_into!(lookup(|schema, node| schema.child(node, SegRef::Index(index))), seed => self.inner.next_element_seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TrackMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        PENDING.set(Step::NOWHERE);
        self.inner.next_key_seed(KeySeed(seed))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        step_into!(PENDING.replace(Step::NOWHERE), seed => self.inner.next_value_seed(seed))
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

    /// Records the class the schema names where the value was decoded.
    struct Seen(Option<String>);

    impl<'de> serde::Deserialize<'de> for Seen {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let class = current_class().map(|c| c.to_string());
            serde::de::IgnoredAny::deserialize(deserializer)?;
            Ok(Seen(class))
        }
    }

    fn classes<'a>(seen: impl IntoIterator<Item = &'a Seen>) -> Vec<Option<&'a str>> {
        seen.into_iter().map(|s| s.0.as_deref()).collect()
    }

    #[test]
    fn keys_and_indexes_lead_to_their_classes() {
        #[derive(serde::Deserialize)]
        struct Body {
            a: Vec<Seen>,
            m: HashMap<String, Vec<Vec<Seen>>>,
            o: Option<Seen>,
            p: Seen,
        }
        let json = br#"{"a":[1,{"x":2},3],"m":{"k\"q":[[3],[4,5]]},"o":{},"p":1}"#;
        let mut schema = Schema::default();
        for (path, class) in
            [("a[0]", "A0"), ("a[1]", "A1"), ("m.k\"q[0][0]", "M00"), ("m.k\"q[1][1]", "M11"), ("o", "O")]
        {
            schema.insert(path, class);
        }
        let _scope = Scope::enter(Rc::new(schema));
        let mut de = serde_json::Deserializer::from_slice(json);
        let body: Body = serde::Deserialize::deserialize(Tracked(&mut de)).unwrap();
        assert_eq!(classes(&body.a), [Some("A0"), Some("A1"), None]);
        assert_eq!(classes(body.m["k\"q"].iter().flatten()), [Some("M00"), None, Some("M11")]);
        assert_eq!((body.o.unwrap().0.as_deref(), body.p.0), (Some("O"), None));
        assert_eq!(NODE.get(), 0, "back at the root");
    }

    #[test]
    fn subtrees_without_schema_paths_see_no_class() {
        #[derive(serde::Deserialize)]
        struct Row {
            plain: Vec<Seen>,
            nested: Vec<Vec<Seen>>,
        }
        let json = br#"[{"plain":[1,2],"nested":[[3],[4]]}]"#;
        let mut schema = Schema::default();
        // The row has a class itself; its untracked fields must not inherit it.
        schema.insert("[0]", "Row");
        schema.insert("[0].nested[1][0]", "N");
        let _scope = Scope::enter(Rc::new(schema));
        let mut de = serde_json::Deserializer::from_slice(json);
        let rows: Vec<Row> = serde::Deserialize::deserialize(Tracked(&mut de)).unwrap();
        assert_eq!(classes(&rows[0].plain), [None, None]);
        assert_eq!(classes(rows[0].nested.iter().flatten()), [None, Some("N")]);
    }

    #[test]
    fn a_leaf_class_goes_to_its_value_only() {
        /// A value that notes its own class, holding a nested value.
        struct Probe {
            class: Option<String>,
            inner: Seen,
        }
        impl<'de> serde::Deserialize<'de> for Probe {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                struct Fields {
                    inner: Seen,
                }
                let class = current_class().map(|c| c.to_string());
                let Fields { inner } = Fields::deserialize(deserializer)?;
                Ok(Probe { class, inner })
            }
        }
        let json = br#"[{"inner":{}},{"inner":{}}]"#;
        let mut schema = Schema::default();
        schema.insert("[0]", "Row");
        schema.insert("[1]", "Row");
        schema.insert("[1].inner", "Inner");
        let _scope = Scope::enter(Rc::new(schema));
        let mut de = serde_json::Deserializer::from_slice(json);
        let rows: Vec<Probe> = serde::Deserialize::deserialize(Tracked(&mut de)).unwrap();
        // Row 0 is a leaf: its class is not handed down to `inner`.
        assert_eq!((rows[0].class.as_deref(), rows[0].inner.0.as_deref()), (Some("Row"), None));
        assert_eq!((rows[1].class.as_deref(), rows[1].inner.0.as_deref()), (Some("Row"), Some("Inner")));
    }

    #[test]
    fn paths_are_read_into_segments() {
        let keys = |path: &str| {
            let mut out = Vec::new();
            parse_segments(path.as_bytes(), |s| {
                out.push(match s {
                    SegRef::Key(k) => String::from_utf8_lossy(k).into_owned(),
                    SegRef::Index(i) => format!("#{i}"),
                })
            })
            .map(|()| out)
        };
        assert_eq!(keys("inventories[3].mons[0]").unwrap(), ["inventories", "#3", "mons", "#0"]);
        assert_eq!(keys("grid[0][1]").unwrap(), ["grid", "#0", "#1"]);
        assert_eq!(keys("[2]").unwrap(), ["#2"]);
        assert_eq!(keys("").unwrap(), Vec::<String>::new());
        for bad in ["a..b", "a[", "a[x]", "a[+1]", "a[1]b", ".a", "a.", "a[99999999999999999999999]"] {
            assert_eq!(keys(bad), None, "{bad}");
        }
        // Sparse and many children still resolve.
        let mut schema = Schema::default();
        for i in (0..100).map(|i| i * 1000) {
            schema.insert(format!("rows[{i}]"), "R");
        }
        for k in 0..20 {
            schema.insert(format!("m.k{k}"), "K");
        }
        assert_eq!(schema.get("rows[99000]").map(|c| &**c), Some("R"));
        assert_eq!(schema.get("rows[99001]"), None);
        assert_eq!(schema.get("m.k19").map(|c| &**c), Some("K"));
        assert_eq!(schema.iter().count(), 120);
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
