//! Source locations that survive fixups moving values between files.
//!
//! serde-saphyr's [`Spanned`] knows line and column but not *which* spec file a
//! value came from. A fixup in `a.yaml` may set a value on an API declared in
//! `b.yaml`; errors about that value must still point into `a.yaml`. So every
//! located raw value is an [`Sp<T>`] whose [`Loc`] carries the file index,
//! stamped at parse time from a thread-local (serde derives cannot thread
//! context through `Deserialize`).

use std::cell::Cell;

use serde::{Deserialize, Deserializer};
use serde_saphyr::{Location, Spanned};

thread_local! {
    static CURRENT_FILE: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` with `file` as the index stamped on every [`Sp`] it deserializes.
pub(crate) fn with_file<R>(file: u32, f: impl FnOnce() -> R) -> R {
    let prev = CURRENT_FILE.with(|c| c.replace(file));
    let out = f();
    CURRENT_FILE.with(|c| c.set(prev));
    out
}

/// A position in one spec file: 1-based line and character column, and the
/// token length in characters (0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Loc {
    pub file: u32,
    pub line: u32,
    pub col: u32,
    pub len: u32,
}

impl Loc {
    pub fn new(file: u32, line: u32, col: u32, len: u32) -> Loc {
        Loc { file, line, col, len }
    }

    pub fn from_saphyr(file: u32, l: Location) -> Loc {
        let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Loc::new(file, clamp(l.line()), clamp(l.column()), clamp(l.span().len()))
    }

    /// The same position, `offset` characters further along the line.
    pub fn shifted(self, offset: usize, len: usize) -> Loc {
        let off = u32::try_from(offset).unwrap_or(u32::MAX);
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        Loc { col: self.col.saturating_add(off), len, ..self }
    }
}

/// A raw value with the location of its YAML node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sp<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Sp<T> {
    pub fn new(value: T, loc: Loc) -> Sp<T> {
        Sp { value, loc }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<T>::deserialize(d)?;
        let file = CURRENT_FILE.with(Cell::get);
        Ok(Sp::new(s.value, Loc::from_saphyr(file, s.referenced)))
    }
}

/// `deserialize_with` for keys whose explicit `null` must be told apart from
/// absence (`envelope: null` is YAML null, not the string `"null"`).
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}
