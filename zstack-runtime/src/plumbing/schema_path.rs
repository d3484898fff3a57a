//! The decode context of polymorphic responses (protocol §7): the
//! response's `schema` map as a tree of its paths (`inventories[3].mons[0]`,
//! the form `schema` keys take), held in a thread-local for the duration of
//! one decode, and a [`Deserializer`] wrapper that moves through the tree
//! with each map key and array index as values are decoded. The generated
//! `Any…` enums ask [`current_class`] which class the schema names for the
//! value they are about to decode.
//!
//! Only [`Tracked`] moves through the tree: a value decoded through another
//! deserializer while a context is set (e.g. from a buffered `Value`) must
//! leave the context first (`Scope::suspend`).
//!
//! Subtrees that no `schema` path enters (an inventory's `uuid`, its
//! `createDate`, ...) are decoded without the wrapper, at no position, so
//! nothing inside can pick up a class.
//!
//! # Memory
//!
//! `schema` arrives from the server, so the tree must stay proportional to
//! its text whatever its shape: a million paths, paths 100,000 segments
//! deep, one large index under each of many parents. The tree is a radix
//! tree over path segments:
//!
//! - A node's *label* holds the segments below it that no other path shares
//!   (`x[70000]` of `inventories[4].x[70000]`), as text: a deep path is one
//!   node, not one per segment. A second path through a label splits it.
//! - A child that is a leaf with nothing left to read (the usual row,
//!   `inventories[7]`) is no node at all: its parent's slot holds its class.
//! - A node holds its first key child inline; index children sit in a dense
//!   array only while the array stays proportional to the children present
//!   (an index goes dense below `2 × count + 4`; an MN may sort `schema` keys
//!   as text, `[1]`, `[10]`, `[100]`, so later children move in as the array
//!   grows); every other child is in one open-addressing table keyed by
//!   (node, segment).
//! - Keys, labels and class names are bytes in two arenas; nodes, table
//!   slots and spans are `u32`s.
//!
//! A path naming an index no array of the body can have (above half the
//! body's length) can match nothing and is dropped. Building and walking the
//! tree never recurses.

use std::cell::{Cell, RefCell};
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, Error, MapAccess, SeqAccess, VariantAccess, Visitor};

/// No node (outside a decode context, or a subtree no schema path enters);
/// no class; no child.
const NONE: u32 = u32::MAX;

/// A child reference with this bit set is a leaf without a node: the low
/// bits are its class.
const LEAF: u32 = 1 << 31;

/// [`Node::first`] of a node whose index children are in a dense array.
const DENSE: u32 = u32::MAX - 1;

/// In [`Node::label_len`]: some children of the node are in [`Schema::more`].
const MORE: u32 = 1 << 31;

/// In a table slot's segment: a key (the low bits are its offset in the
/// text arena); otherwise an index.
const KEY: u32 = 1 << 31;

/// Arena offsets, node ids and class ids stay below this (a flag bit is free).
const LIMIT: usize = (1 << 31) - 2;

/// Up to this many classes are searched linearly (usually there are one to
/// three).
const FEW: usize = 8;

/// A response's `schema` as a radix tree of its paths (see the module doc).
/// Node 0 is the root (the path `""`).
pub(crate) struct Schema {
    nodes: Vec<Node>,
    /// Dense index children: `[count of index children, child of 0, child of 1, ...]`.
    dense: Vec<Box<[u32]>>,
    /// Children not held by their node: (node, segment) → child.
    more: Table,
    /// Labels and keys. Every chunk appended ends with `.`, so a key (which
    /// never contains `.` or `[`) is known by its start alone.
    text: Vec<u8>,
    /// Class names, and their spans in `class_text`.
    class_text: String,
    classes: Vec<(u32, u32)>,
    /// Class ids by name (open addressing), built past [`FEW`] classes.
    class_ids: Vec<u32>,
    hasher: RandomState,
    /// Paths with a larger index are dropped.
    max_index: usize,
}

/// 20 bytes.
#[derive(Clone, Copy)]
struct Node {
    class: u32,
    /// The label: where it starts in the text arena, and its length (with
    /// the [`MORE`] flag).
    label: u32,
    label_len: u32,
    /// `NONE`, [`DENSE`], or the first key child (a node or a leaf).
    first: u32,
    /// The first key child's key (its offset in the text arena), or with
    /// [`DENSE`] the index of the dense array.
    key: u32,
}

impl Node {
    fn new(class: u32, label: u32, label_len: u32) -> Node {
        Node { class, label, label_len, first: NONE, key: 0 }
    }

    fn len(&self) -> u32 {
        self.label_len & !MORE
    }

    fn has_more(&self) -> bool {
        self.label_len & MORE != 0
    }

    fn has_children(&self) -> bool {
        self.first != NONE || self.has_more()
    }
}

/// A place in the tree: a node (or a leaf reference, or `NONE`) and how far
/// into the node's label the path has read. At the node itself once `off`
/// is the label's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    node: u32,
    off: u32,
}

impl Pos {
    const ROOT: Pos = Pos { node: 0, off: 0 };
    const NOWHERE: Pos = Pos { node: NONE, off: 0 };
}

impl Default for Schema {
    fn default() -> Self {
        Schema::with_max_index(usize::MAX)
    }
}

impl Schema {
    /// An empty schema for a `schema` member of `text_len` bytes, whose
    /// paths may name indexes up to `max_index`. Room for the usual share of
    /// nodes and labels (a node per 160 bytes, a label byte per 64: an MN's
    /// reply names each row, leaves without nodes, and each row's few
    /// nested values) spares the large reallocations; a hostile shape only
    /// grows past it.
    pub(crate) fn for_member(text_len: usize, max_index: usize) -> Schema {
        let mut schema = Schema::with_max_index(max_index);
        schema.nodes.reserve(text_len / 160);
        // A small member (one inventory's) reserves its whole length: its
        // keys and labels never outgrow it.
        schema.text.reserve(if text_len <= 1024 { text_len } else { text_len / 64 });
        schema
    }

    /// An empty schema whose paths may name indexes up to `max_index`.
    pub(crate) fn with_max_index(max_index: usize) -> Schema {
        Schema {
            nodes: vec![Node::new(NONE, 0, 0)],
            dense: Vec::new(),
            more: Table::default(),
            text: Vec::new(),
            class_text: String::new(),
            classes: Vec::new(),
            class_ids: Vec::new(),
            hasher: RandomState::new(),
            max_index,
        }
    }

    /// Add or replace (the last entry wins, as in a JSON object) a path's
    /// class. Paths look like `inventory`, `inventories[3]`,
    /// `inventory.mons[0]` and `field.mapKey`; one that cannot be read, or
    /// names an index no array of the body can have, is ignored, as `schema`
    /// never fails a call.
    ///
    /// A path arrives as bytes: it is compared with keys only, so the JSON
    /// parser need not validate 20,000 paths as UTF-8. A class arrives as
    /// the `str` the parser read it as.
    pub(crate) fn insert(&mut self, path: impl AsRef<[u8]>, class: &str) {
        let path = path.as_ref();
        // Room for what one insertion may add: two nodes and the path's text.
        if self.nodes.len() + 2 > LIMIT || self.text.len() + path.len() + 2 > LIMIT {
            return;
        }
        let Some(class) = self.intern(class) else { return };
        let mut pos = Pos::ROOT;
        // The edge into `pos.node`, to redirect when its label splits.
        let mut via: Option<(u32, SegRef<'_>)> = None;
        let mut off = 0;
        loop {
            if pos.off < self.nodes[pos.node as usize].len() {
                if off < path.len() {
                    // A malformed path stops where it goes wrong: what it
                    // changed so far (a split, a leaf made a node) means the same.
                    let Some((seg, next)) = seg_at(path, off) else { return };
                    let label = self.label(pos.node);
                    let (own, after) = seg_at(label, pos.off as usize).expect("labels parse");
                    if own == seg {
                        (pos.off, off) = (after as u32, next);
                        continue;
                    }
                }
                // The path ends inside the label or leaves it here.
                let upper = self.split(pos.node, pos.off, via);
                pos = Pos { node: upper, off: self.nodes[upper as usize].len() };
                continue;
            }
            if off == path.len() {
                self.nodes[pos.node as usize].class = class;
                return;
            }
            let Some((seg, next)) = seg_at(path, off) else { return };
            let mut child = self.child(pos.node, seg);
            if child == NONE {
                if self.admits(seg, &path[next..]) {
                    self.add_path(pos.node, seg, path, off, next, class);
                }
                return;
            }
            if child & LEAF != 0 {
                if next == path.len() {
                    self.set_child(pos.node, seg, LEAF | class);
                    return;
                }
                // A leaf with a path below it becomes a node.
                let node = self.push(Node::new(child & !LEAF, 0, 0));
                self.set_child(pos.node, seg, node);
                child = node;
            }
            via = Some((pos.node, seg));
            (pos, off) = (Pos { node: child, off: 0 }, next);
        }
    }

    /// Whether a new child for `seg`, labelled with the rest of its path,
    /// is worth a place in the tree: the rest is well-formed, and no index
    /// exceeds what an array of the body can have.
    fn admits(&self, seg: SegRef<'_>, rest: &[u8]) -> bool {
        let max_index = self.max_index.min(LIMIT);
        if matches!(seg, SegRef::Index(i) if i > max_index) {
            return false;
        }
        let mut off = 0;
        while off < rest.len() {
            match seg_at(rest, off) {
                Some((SegRef::Index(i), _)) if i > max_index => return false,
                Some((_, next)) => off = next,
                None => return false,
            }
        }
        true
    }

    /// Add a child of `node` for the path's segment `seg` (from `off` to
    /// `next`), holding the rest of the path as its label.
    fn add_path(&mut self, node: u32, seg: SegRef<'_>, path: &[u8], off: usize, next: usize, class: u32) {
        let rest = path.len() - next;
        let (key, label) = match seg {
            // The key and the rest in one chunk.
            SegRef::Key(_) => {
                let start = self.append(&path[off..]);
                (start, start + (next - off) as u32)
            }
            SegRef::Index(_) if rest > 0 => (0, self.append(&path[next..])),
            SegRef::Index(_) => (0, 0),
        };
        let child = if rest == 0 { LEAF | class } else { self.push(Node::new(class, label, rest as u32)) };
        self.add_child(node, seg, key, child);
    }

    /// Split `node`'s label before the segment at `off`: the part before it
    /// becomes a node of its own (returned), whose one child is the rest.
    /// The node keeps its id, class and children, so table slots keyed by
    /// it stay valid; the parent's edge (`via`) moves to the new node.
    fn split(&mut self, node: u32, off: u32, via: Option<(u32, SegRef<'_>)>) -> u32 {
        let n = self.nodes[node as usize];
        let label = self.label(node);
        let off = off as usize;
        let (own, after) = seg_at(label, off).expect("labels parse");
        let own = match own {
            SegRef::Key(_) => Seg::Key(n.label + off as u32),
            SegRef::Index(i) => Seg::Index(i),
        };
        // Without the `.` before the split point.
        let upper_len = if off > 0 && label[off - 1] == b'.' { off - 1 } else { off } as u32;
        let lower_len = n.len() - after as u32;
        let upper = Node::new(NONE, n.label, upper_len);
        if lower_len == 0 && !n.has_children() {
            // The rest is a bare leaf: the node itself becomes the upper part.
            self.nodes[node as usize] = upper;
            if n.class != NONE {
                self.add_child_seg(node, own, LEAF | n.class);
            }
            return node;
        }
        self.nodes[node as usize].label = n.label + after as u32;
        self.nodes[node as usize].label_len = lower_len | (n.label_len & MORE);
        let new = self.push(upper);
        self.add_child_seg(new, own, node);
        let (parent, seg) = via.expect("the root's label is empty");
        self.set_child(parent, seg, new);
        new
    }

    fn add_child(&mut self, node: u32, seg: SegRef<'_>, key: u32, child: u32) {
        let seg = match seg {
            SegRef::Key(_) => Seg::Key(key),
            SegRef::Index(i) => Seg::Index(i),
        };
        self.add_child_seg(node, seg, child);
    }

    fn add_child_seg(&mut self, node: u32, seg: Seg, child: u32) {
        let n = self.nodes[node as usize];
        match seg {
            Seg::Key(key) if n.first == NONE => {
                let n = &mut self.nodes[node as usize];
                (n.first, n.key) = (child, key);
            }
            Seg::Index(i) if n.first == DENSE => {
                let dense = &mut self.dense[n.key as usize];
                dense[0] += 1;
                let count = dense[0] as usize;
                let len = dense.len() - 1;
                if i < len {
                    dense[i + 1] = child;
                } else if i < dense_bound(count) {
                    self.grow_dense(node, n.key, i + 1);
                    self.dense[n.key as usize][i + 1] = child;
                } else {
                    self.put_more(node, Seg::Index(i), child);
                }
            }
            Seg::Index(i) if n.first == NONE && i < dense_bound(1) => {
                let id = self.dense.len() as u32;
                // The count, and room for indexes 0 and 1 at least.
                let mut dense = vec![NONE; i.max(1) + 2];
                dense[0] = 0;
                self.dense.push(dense.into_boxed_slice());
                let n = &mut self.nodes[node as usize];
                (n.first, n.key) = (DENSE, id);
                self.add_child_seg(node, seg, child);
            }
            seg => self.put_more(node, seg, child),
        }
    }

    /// Grow a node's dense array to hold at least `want` children (doubling,
    /// within `2 × count + 4`), moving in the children the table holds for
    /// the new indexes.
    fn grow_dense(&mut self, node: u32, id: u32, want: usize) {
        let old = std::mem::take(&mut self.dense[id as usize]);
        let (count, len) = (old[0] as usize, old.len() - 1);
        let new_len = want.max((2 * len).min(dense_bound(count)));
        let mut items = Vec::from(old);
        items.reserve_exact(new_len - len);
        items.resize(new_len + 1, NONE);
        // Slots left behind have no child: probe chains stay intact.
        let has_more = self.nodes[node as usize].has_more();
        if has_more && self.more.slots.len() <= new_len - len {
            // Fewer slots than new indexes: look at each slot once.
            for slot in &mut self.more.slots {
                let i = slot.seg as usize;
                if slot.node == node && slot.seg & KEY == 0 && (len..new_len).contains(&i) && slot.child != NONE {
                    items[i + 1] = std::mem::replace(&mut slot.child, NONE);
                }
            }
        } else if has_more {
            for (i, item) in items.iter_mut().enumerate().skip(len + 1) {
                let at = self.more.find(self.hash_index(node, i - 1), |s| s.node == node && s.seg == (i - 1) as u32);
                if let Some(at) = at {
                    *item = std::mem::replace(&mut self.more.slots[at].child, NONE);
                }
            }
        }
        self.dense[id as usize] = items.into_boxed_slice();
    }

    fn put_more(&mut self, node: u32, seg: Seg, child: u32) {
        self.nodes[node as usize].label_len |= MORE;
        let (hash, seg) = match seg {
            Seg::Key(key) => (self.hash_key(node, key_at(&self.text, key)), KEY | key),
            Seg::Index(i) => (self.hash_index(node, i), i as u32),
        };
        let Schema { more, text, hasher, .. } = self;
        more.insert(hash, Slot { node, seg, child }, |s| slot_hash(hasher, text, s));
    }

    /// Point an existing edge at another child.
    fn set_child(&mut self, node: u32, seg: SegRef<'_>, child: u32) {
        let n = self.nodes[node as usize];
        match seg {
            SegRef::Key(k) if n.first < DENSE && key_is(&self.text, n.key, k) => {
                self.nodes[node as usize].first = child;
                return;
            }
            SegRef::Index(i) if n.first == DENSE => {
                if let Some(slot) = self.dense[n.key as usize].get_mut(i + 1).filter(|c| **c != NONE) {
                    *slot = child;
                    return;
                }
            }
            _ => {}
        }
        if let Some(at) = self.find_more(node, seg) {
            self.more.slots[at].child = child;
        }
    }

    /// The child of `node` for a segment, or `NONE`.
    #[inline]
    fn child(&self, node: u32, seg: SegRef<'_>) -> u32 {
        let n = &self.nodes[node as usize];
        let inline = match seg {
            SegRef::Key(k) if n.first < DENSE && key_is(&self.text, n.key, k) => n.first,
            SegRef::Index(i) if n.first == DENSE => self.dense[n.key as usize].get(i + 1).copied().unwrap_or(NONE),
            _ => NONE,
        };
        if inline != NONE || !n.has_more() {
            return inline;
        }
        self.find_more(node, seg).map_or(NONE, |at| self.more.slots[at].child)
    }

    fn find_more(&self, node: u32, seg: SegRef<'_>) -> Option<usize> {
        match seg {
            SegRef::Key(k) => self.more.find(self.hash_key(node, k), |s| {
                s.node == node && s.seg & KEY != 0 && key_is(&self.text, s.seg & !KEY, k)
            }),
            SegRef::Index(i) => {
                let i = u32::try_from(i).ok().filter(|i| i & KEY == 0)?;
                self.more.find(self.hash_index(node, i as usize), |s| s.node == node && s.seg == i)
            }
        }
    }

    fn hash_key(&self, node: u32, key: &[u8]) -> u64 {
        self.hasher.hash_one((node, key))
    }

    fn hash_index(&self, node: u32, i: usize) -> u64 {
        self.hasher.hash_one((node, i as u32))
    }

    /// Where a path that has reached `pos` goes with one more segment.
    #[inline]
    fn step(&self, pos: Pos, seg: SegRef<'_>) -> Pos {
        if pos.node & LEAF != 0 {
            return Pos::NOWHERE; // also `NONE`
        }
        let n = &self.nodes[pos.node as usize];
        if pos.off < n.len() {
            let label = self.label(pos.node);
            return match seg_at(label, pos.off as usize) {
                Some((own, next)) if own == seg => Pos { node: pos.node, off: next as u32 },
                _ => Pos::NOWHERE,
            };
        }
        match self.child(pos.node, seg) {
            NONE => Pos::NOWHERE,
            child => Pos { node: child, off: 0 },
        }
    }

    /// No schema path lies below `pos`.
    #[inline]
    fn is_leaf(&self, pos: Pos) -> bool {
        if pos.node & LEAF != 0 {
            return true;
        }
        let n = &self.nodes[pos.node as usize];
        pos.off == n.len() && !n.has_children()
    }

    /// The class of the path at `pos`.
    fn class_at(&self, pos: Pos) -> Option<u32> {
        if pos.node == NONE {
            None
        } else if pos.node & LEAF != 0 {
            Some(pos.node & !LEAF)
        } else {
            let n = self.nodes.get(pos.node as usize)?;
            (pos.off == n.len() && n.class != NONE).then_some(n.class)
        }
    }

    fn class_name(&self, class: u32) -> &str {
        let (start, len) = self.classes[class as usize];
        &self.class_text[start as usize..][..len as usize]
    }

    fn label(&self, node: u32) -> &[u8] {
        let n = &self.nodes[node as usize];
        &self.text[n.label as usize..][..n.len() as usize]
    }

    fn push(&mut self, node: Node) -> u32 {
        self.nodes.push(node);
        (self.nodes.len() - 1) as u32
    }

    /// Copy a chunk into the text arena (with its closing `.`); its offset.
    fn append(&mut self, chunk: &[u8]) -> u32 {
        let start = self.text.len() as u32;
        if chunk.len() >= self.text.capacity() - self.text.len() && chunk.len() >= self.text.len() {
            // A chunk as large as the arena so far (a long key or deep path):
            // no doubling past it.
            self.text.reserve_exact(chunk.len() + 1);
        }
        self.text.extend_from_slice(chunk);
        self.text.push(b'.');
        start
    }

    /// The id of a class name; `None` past [`LIMIT`].
    fn intern(&mut self, class: &str) -> Option<u32> {
        let known = if self.class_ids.is_empty() {
            self.classes.iter().position(|&(s, l)| &self.class_text[s as usize..][..l as usize] == class)
        } else {
            let hash = self.hasher.hash_one(class.as_bytes());
            let at = probe(&self.class_ids, hash, |&id| id == NONE || self.class_name(id) == class);
            Some(self.class_ids[at]).filter(|&id| id != NONE).map(|id| id as usize)
        };
        if let Some(id) = known {
            return Some(id as u32);
        }
        if self.classes.len() >= LIMIT || self.class_text.len() + class.len() > LIMIT {
            return None;
        }
        let id = self.classes.len() as u32;
        self.classes.push((self.class_text.len() as u32, class.len() as u32));
        self.class_text.push_str(class);
        if self.classes.len() > FEW {
            // Open addressing, at most three quarters full.
            if self.class_ids.is_empty() || 4 * self.classes.len() > 3 * self.class_ids.len() {
                let size = (2 * self.classes.len()).next_power_of_two();
                self.class_ids = vec![NONE; size];
                for id in 0..self.classes.len() as u32 {
                    self.place_class(id);
                }
            } else {
                self.place_class(id);
            }
        }
        Some(id)
    }

    fn place_class(&mut self, id: u32) {
        let hash = self.hasher.hash_one(self.class_name(id).as_bytes());
        let at = probe(&self.class_ids, hash, |&c| c == NONE);
        self.class_ids[at] = id;
    }

    pub(crate) fn is_empty(&self) -> bool {
        let root = &self.nodes[0];
        root.class == NONE && !root.has_children()
    }

    /// The class of a path.
    #[cfg(test)]
    pub(crate) fn get(&self, path: &str) -> Option<&str> {
        let mut pos = Pos::ROOT;
        parse_segments(path.as_bytes(), |segment| pos = self.step(pos, segment))?;
        self.class_at(pos).map(|c| self.class_name(c))
    }

    /// Every (path, class), in no particular order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (String, &str)> {
        fn join(path: &mut String, segment: SegRef<'_>) {
            match segment {
                SegRef::Key(k) if path.is_empty() => path.push_str(&String::from_utf8_lossy(k)),
                SegRef::Key(k) => *path += &format!(".{}", String::from_utf8_lossy(k)),
                SegRef::Index(i) => *path += &format!("[{i}]"),
            }
        }
        let mut out = Vec::new();
        let mut stack = vec![(0u32, String::new())];
        while let Some((child, mut path)) = stack.pop() {
            if child & LEAF != 0 {
                out.push((path, self.class_name(child & !LEAF)));
                continue;
            }
            parse_segments(self.label(child), |s| join(&mut path, s));
            let n = self.nodes[child as usize];
            if n.class != NONE {
                out.push((path.clone(), self.class_name(n.class)));
            }
            let mut kids = Vec::new();
            if n.first == DENSE {
                let dense = &self.dense[n.key as usize][1..];
                kids.extend(dense.iter().enumerate().filter(|(_, c)| **c != NONE).map(|(i, c)| (Seg::Index(i), *c)));
            } else if n.first != NONE {
                kids.push((Seg::Key(n.key), n.first));
            }
            for s in self.more.slots.iter().filter(|s| s.node == child && s.child != NONE) {
                kids.push((
                    if s.seg & KEY != 0 { Seg::Key(s.seg & !KEY) } else { Seg::Index(s.seg as usize) },
                    s.child,
                ));
            }
            for (seg, c) in kids {
                let mut path = path.clone();
                join(
                    &mut path,
                    match seg {
                        Seg::Key(key) => SegRef::Key(key_at(&self.text, key)),
                        Seg::Index(i) => SegRef::Index(i),
                    },
                );
                stack.push((c, path));
            }
        }
        out.into_iter()
    }
}

/// How long a node's dense array may grow with `count` index children
/// (counting those in the table): proportional to them, so one large index
/// cannot claim a large array.
const fn dense_bound(count: usize) -> usize {
    2 * count + 4
}

/// The key starting at `start` in the text arena: up to the next `.` or `[`.
fn key_at(text: &[u8], start: u32) -> &[u8] {
    let key = &text[start as usize..];
    &key[..key.iter().position(|&b| b == b'.' || b == b'[').unwrap_or(key.len())]
}

/// Whether the key starting at `start` in the text arena is `key`.
#[inline]
fn key_is(text: &[u8], start: u32, key: &[u8]) -> bool {
    let at = &text[start as usize..];
    at.starts_with(key) && matches!(at.get(key.len()), Some(b'.' | b'['))
}

/// A segment whose key is in the text arena.
#[derive(Clone, Copy)]
enum Seg {
    Key(u32),
    Index(usize),
}

/// One child held by [`Schema::more`]; `node == NONE` marks a free slot.
#[derive(Clone, Copy)]
struct Slot {
    node: u32,
    /// An index, or [`KEY`] | the key's offset in the text arena.
    seg: u32,
    child: u32,
}

const FREE: Slot = Slot { node: NONE, seg: 0, child: NONE };

fn slot_hash(hasher: &RandomState, text: &[u8], s: &Slot) -> u64 {
    if s.seg & KEY != 0 {
        hasher.hash_one((s.node, key_at(text, s.seg & !KEY)))
    } else {
        hasher.hash_one((s.node, s.seg))
    }
}

/// An open-addressing table (triangular probing over a power-of-two size,
/// at most 7/8 full), hashed with the schema's random keys so that no body
/// can aim its segments at one probe chain.
#[derive(Default)]
struct Table {
    slots: Vec<Slot>,
    len: usize,
}

impl Table {
    fn find(&self, hash: u64, eq: impl Fn(&Slot) -> bool) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let at = probe(&self.slots, hash, |s| s.node == NONE || eq(s));
        (self.slots[at].node != NONE).then_some(at)
    }

    fn insert(&mut self, hash: u64, slot: Slot, rehash: impl Fn(&Slot) -> u64) {
        if 8 * (self.len + 1) > 7 * self.slots.len() {
            let size = (2 * self.slots.len()).max(8);
            let old = std::mem::replace(&mut self.slots, vec![FREE; size]);
            for s in old.into_iter().filter(|s| s.node != NONE) {
                let at = probe(&self.slots, rehash(&s), |s| s.node == NONE);
                self.slots[at] = s;
            }
        }
        let at = probe(&self.slots, hash, |s| s.node == NONE);
        self.slots[at] = slot;
        self.len += 1;
    }
}

/// The first slot of `hash`'s probe sequence that `stop` accepts. The table
/// (a power of two in size) must hold a slot that `stop` accepts, e.g. a free one.
fn probe<T>(slots: &[T], hash: u64, stop: impl Fn(&T) -> bool) -> usize {
    let mask = slots.len() - 1;
    let (mut at, mut step) = (hash as usize & mask, 0);
    while !stop(&slots[at]) {
        step += 1;
        at = (at + step) & mask;
    }
    at
}

/// A path segment, borrowed from a path or label.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SegRef<'a> {
    Key(&'a [u8]),
    Index(usize),
}

/// The segment starting at `off` (`< bytes.len()`) of a path such as
/// `inventories[3].mons[0]`, and where the next one starts (past a `.`);
/// `None` if malformed there: an empty key (`a..b`, `.a`), an unclosed or
/// non-numeric bracket, something other than `.` or `[` after `]`, a
/// trailing `.`. (A map key containing `.` or `[` cannot be told apart from
/// a deeper path; the `schema` format itself is ambiguous there.)
#[inline]
fn seg_at(bytes: &[u8], off: usize) -> Option<(SegRef<'_>, usize)> {
    let (segment, mut next) = if bytes[off] == b'[' {
        let (digits, mut i, mut index) = (off + 1, off + 1, 0usize);
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            index = index.checked_mul(10)?.checked_add(usize::from(bytes[i] - b'0'))?;
            i += 1;
        }
        if i == digits || bytes.get(i) != Some(&b']') {
            return None;
        }
        (SegRef::Index(index), i + 1)
    } else {
        let len = bytes[off..].iter().position(|&b| b == b'.' || b == b'[').unwrap_or(bytes.len() - off);
        if len == 0 {
            return None;
        }
        (SegRef::Key(&bytes[off..off + len]), off + len)
    };
    match bytes.get(next) {
        None | Some(b'[') => {}
        Some(b'.') if next + 1 < bytes.len() => next += 1,
        _ => return None,
    }
    Some((segment, next))
}

/// Call `f` with each segment of `inventories[3].mons[0]` (`inventories`,
/// 3, `mons`, 0); `None` at the first malformed part (see [`seg_at`]),
/// after calling `f` for the segments before it.
#[cfg(test)]
fn parse_segments<'a>(bytes: &'a [u8], mut f: impl FnMut(SegRef<'a>)) -> Option<()> {
    let mut off = 0;
    while off < bytes.len() {
        let (segment, next) = seg_at(bytes, off)?;
        f(segment);
        off = next;
    }
    Some(())
}

thread_local! {
    static SCHEMA: RefCell<Option<Rc<Schema>>> = const { RefCell::new(None) };
    /// Where in the schema the value being decoded is.
    static NODE: Cell<Pos> = const { Cell::new(Pos::NOWHERE) };
    /// Where the last map key read leads.
    static PENDING: Cell<Step> = const { Cell::new(Step::NOWHERE) };
}

/// The class the current decode's `schema` names for the value at the
/// current path; `None` outside a decode context or for unnamed paths.
pub fn current_class() -> Option<Rc<str>> {
    CurrentClass::get().map(|class| class.as_str().into())
}

/// The class at the current path, with the schema that holds its name
/// (no copy of the name, and no borrow of the thread's context held).
pub(crate) struct CurrentClass {
    schema: Rc<Schema>,
    id: u32,
}

impl CurrentClass {
    pub(crate) fn get() -> Option<CurrentClass> {
        let pos = NODE.get();
        if pos.node == NONE {
            return None;
        }
        SCHEMA.with_borrow(|schema| {
            let schema = schema.as_ref()?;
            Some(CurrentClass { id: schema.class_at(pos)?, schema: Rc::clone(schema) })
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        self.schema.class_name(self.id)
    }
}

/// Sets the thread's decode context and restores the previous one when
/// dropped, also on error or panic.
pub(crate) struct Scope {
    schema: Option<Rc<Schema>>,
    pos: Pos,
}

impl Scope {
    /// Decode with `schema`, from the root.
    pub(crate) fn enter(schema: Rc<Schema>) -> Scope {
        Scope::replace(Some(schema), Pos::ROOT)
    }

    /// No context until dropped: for values decoded from a buffer.
    pub fn suspend() -> Scope {
        Scope::replace(None, Pos::NOWHERE)
    }

    fn replace(schema: Option<Rc<Schema>>, pos: Pos) -> Scope {
        Scope { schema: SCHEMA.replace(schema), pos: NODE.replace(pos) }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        SCHEMA.set(self.schema.take());
        NODE.set(self.pos);
    }
}

/// A child value's place, and how to decode it: a subtree no schema path
/// enters (`NOWHERE`) is decoded plainly, so nothing inside can pick up a
/// class; a leaf (a path with nothing named below it) through [`Leaf`],
/// which offers its class to the value itself only; anything else through
/// [`Tracked`].
#[derive(Clone, Copy)]
struct Step {
    pos: Pos,
    leaf: bool,
}

impl Step {
    const NOWHERE: Step = Step { pos: Pos::NOWHERE, leaf: false };
}

/// Move from the current place in the thread's schema by one segment.
fn lookup(segment: SegRef<'_>) -> Step {
    let pos = NODE.get();
    if pos.node == NONE {
        return Step::NOWHERE;
    }
    SCHEMA.with_borrow(|schema| {
        let Some(schema) = schema.as_ref() else { return Step::NOWHERE };
        match schema.step(pos, segment) {
            Pos { node: NONE, .. } => Step::NOWHERE,
            child => Step { pos: child, leaf: schema.is_leaf(child) },
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
        NODE.set(Pos::NOWHERE);
        self.0.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        NODE.set(Pos::NOWHERE);
        self.0.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        NODE.set(Pos::NOWHERE);
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
    PENDING.set(lookup(SegRef::Key(key.as_bytes())));
}

/// Decode one child value as its [`Step`] says, with its node current.
macro_rules! step_into {
    ($step:expr, $seed:ident => $call:expr) => {{
        let step: Step = $step;
        let parent = NODE.replace(step.pos);
        let value = if step.pos.node == NONE {
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
        step_into!(lookup(SegRef::Index(index)), seed => self.inner.next_element_seed(seed))
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
            m: std::collections::HashMap<String, Vec<Vec<Seen>>>,
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
        assert_eq!(NODE.get(), Pos::ROOT, "back at the root");
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
        assert_eq!(schema.get("rows[99000]"), Some("R"));
        assert_eq!(schema.get("rows[99001]"), None);
        assert_eq!(schema.get("m.k19"), Some("K"));
        assert_eq!(schema.iter().count(), 120);
    }

    /// The tree against a plain map of paths: random paths over a few keys
    /// and indexes (some past the dense bound, some past the body's bound),
    /// inserted in random order, with repeats (the last class wins), more
    /// than [`FEW`] classes, and malformed paths (ignored) among them.
    #[test]
    fn the_tree_agrees_with_a_map_of_paths() {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        enum S {
            K(&'static str),
            I(usize),
        }
        fn render(path: &[S]) -> String {
            let mut out = String::new();
            for s in path {
                match s {
                    S::K(k) if out.is_empty() => out.push_str(k),
                    S::K(k) => out += &format!(".{k}"),
                    S::I(i) => out += &format!("[{i}]"),
                }
            }
            out
        }
        const SEGMENTS: [S; 8] = [S::K("a"), S::K("b"), S::K("cc"), S::I(0), S::I(1), S::I(2), S::I(7), S::I(40)];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut paths = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<S>> = paths
                .iter()
                .filter(|p| p.len() == paths.last().map_or(0, Vec::len))
                .flat_map(|p| SEGMENTS.iter().map(move |s| [p.clone(), vec![*s]].concat()))
                .collect();
            paths.extend(longer);
        }
        for round in 0..150 {
            let max_index = if round % 2 == 0 { usize::MAX } else { 30 };
            let mut schema = Schema::with_max_index(max_index);
            let mut model: std::collections::HashMap<Vec<S>, String> = std::collections::HashMap::new();
            let classes = if round % 3 == 0 { 12 } else { 3 };
            for _ in 0..next(60) + 1 {
                let path: Vec<S> = (0..next(6)).map(|_| SEGMENTS[next(SEGMENTS.len())]).collect();
                let class = format!("C{}", next(classes));
                if next(8) == 0 {
                    let bad = ["..", ".", "[", "[x]", "[]", "a..b", "[1]z"][next(7)];
                    schema.insert(render(&path) + bad, &class);
                    continue;
                }
                schema.insert(render(&path), &class);
                if !path.iter().any(|s| matches!(s, S::I(i) if *i > max_index)) {
                    model.insert(path, class);
                }
            }
            for (path, class) in &model {
                assert_eq!(schema.get(&render(path)), Some(class.as_str()), "{}", render(path));
            }
            // Every path up to 4 segments: its class, and whether the tree has
            // a place for it and anything below it.
            // Paths with a longer path below them.
            let above: std::collections::HashSet<&[S]> =
                model.keys().flat_map(|p| (0..p.len()).map(move |n| &p[..n])).collect();
            for path in &paths {
                let path = path.as_slice();
                let mut pos = Pos::ROOT;
                for s in path {
                    pos = schema.step(
                        pos,
                        match s {
                            S::K(k) => SegRef::Key(k.as_bytes()),
                            S::I(i) => SegRef::Index(*i),
                        },
                    );
                }
                let class = schema.class_at(pos).map(|c| schema.class_name(c));
                assert_eq!(class, model.get(path).map(String::as_str), "{}", render(path));
                let below = above.contains(path);
                let placed = path.is_empty() || below || model.contains_key(path);
                assert_eq!(pos.node != NONE, placed, "{}", render(path));
                if placed {
                    assert_eq!(schema.is_leaf(pos), !below, "{}", render(path));
                }
            }
            let mut listed: Vec<_> = schema.iter().map(|(p, c)| (p, c.to_string())).collect();
            let mut want: Vec<_> = model.iter().map(|(p, c)| (render(p), c.clone())).collect();
            listed.sort();
            want.sort();
            assert_eq!(listed, want);
        }
    }

    #[test]
    fn deep_paths_are_one_node_and_split_where_paths_part() {
        let mut schema = Schema::default();
        let deep = vec!["a"; 10_000].join(".");
        schema.insert(&deep, "D");
        assert_eq!(schema.nodes.len(), 2, "the root and one labelled node");
        assert_eq!(schema.get(&deep), Some("D"));
        assert_eq!(schema.get(&deep[..deep.len() - 2]), None);
        let mut forked = deep[..999].to_string();
        forked.push_str(".b[3]");
        schema.insert(&forked, "F");
        assert!(schema.nodes.len() <= 4, "{}", schema.nodes.len());
        assert_eq!((schema.get(&deep), schema.get(&forked)), (Some("D"), Some("F")));
        // A leaf (no node) that gets a path below it becomes a node.
        schema.insert("r[0]", "R");
        schema.insert("r[1]", "R");
        let nodes = schema.nodes.len();
        schema.insert("r[1].x", "X");
        assert_eq!(schema.nodes.len(), nodes + 1);
        assert_eq!((schema.get("r[1]"), schema.get("r[1].x"), schema.get("r[0].x")), (Some("R"), Some("X"), None));
        assert_eq!(std::mem::size_of::<Node>(), 20);
        assert_eq!(std::mem::size_of::<Slot>(), 12);
    }

    #[test]
    fn dense_arrays_stay_proportional_to_their_children() {
        // One large index under each of many parents, and pairs of them: no
        // dense array at all.
        let mut schema = Schema::default();
        for k in 0..1000 {
            schema.insert(format!("a{k}[70000]"), "C");
            schema.insert(format!("b{k}[70000]"), "C");
            schema.insert(format!("b{k}[69999]"), "C");
        }
        assert!(schema.dense.is_empty());
        assert_eq!(
            (schema.get("a7[70000]"), schema.get("b7[69999]"), schema.get("b7[1]")),
            (Some("C"), Some("C"), None)
        );

        // Indexes in text order end up dense, moved out of the table.
        let mut paths: Vec<String> = (0..5000).map(|i| format!("rows[{i}]")).collect();
        paths.sort();
        let mut schema = Schema::default();
        for path in &paths {
            schema.insert(path, "R");
        }
        assert_eq!(schema.dense.len(), 1);
        assert!((5001..=10_005).contains(&schema.dense[0].len()), "{}", schema.dense[0].len());
        assert_eq!(schema.more.slots.iter().filter(|s| s.node != NONE && s.child != NONE).count(), 0);
        assert!((0..5000).all(|i| schema.get(&format!("rows[{i}]")) == Some("R")));

        // Indexes no array of the body can have are dropped.
        let mut schema = Schema::with_max_index(10);
        schema.insert("a[10]", "C");
        schema.insert("a[11]", "C");
        schema.insert("b[99999999999]", "C");
        assert_eq!((schema.get("a[10]"), schema.get("a[11]")), (Some("C"), None));
        assert_eq!(schema.iter().count(), 1);
    }

    #[test]
    fn scopes_restore_the_previous_context() {
        let mut schema = Schema::default();
        schema.insert("", "C");
        assert_eq!(current_class(), None);
        {
            assert_eq!(schema.get(""), Some("C"));
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
