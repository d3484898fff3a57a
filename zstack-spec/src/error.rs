//! Located spec errors.

use std::fmt;
use std::path::PathBuf;

/// What went wrong, for callers that match on errors (tests, tooling).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ErrorKind {
    #[error("the spec could not be read")]
    Io,
    #[error("YAML syntax error")]
    Syntax,
    #[error("empty spec file")]
    EmptyFile,
    #[error("unknown key")]
    UnknownKey,
    #[error("missing required key")]
    MissingKey,
    #[error("duplicate key")]
    DuplicateKey,
    #[error("invalid value")]
    InvalidValue,
    #[error("invalid name")]
    InvalidName,
    #[error("invalid type")]
    BadType,
    #[error("invalid version")]
    BadVersion,
    #[error("invalid path")]
    BadPath,
    #[error("path placeholder and path param disagree")]
    PathParam,
    #[error("GET/DELETE with a body")]
    BodyOnBodyless,
    #[error("missing envelope")]
    MissingEnvelope,
    #[error("PUT envelope mismatch")]
    EnvelopeMismatch,
    #[error("duplicate definition")]
    Duplicate,
    #[error("unresolved type")]
    UnresolvedType,
    #[error("invalid extends")]
    BadExtends,
    #[error("invalid query API")]
    BadQuery,
    #[error("invalid result")]
    BadResult,
    #[error("invalid constraint")]
    BadConstraint,
    #[error("invalid fixup")]
    BadFixup,
    #[error("fixup target not found")]
    FixupTarget,
    #[error("stale fixup")]
    StaleFixup,
}

/// One error, located in a spec file. `Display` renders it rustc-style with
/// the source line and a caret under the offending token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// The file as given to the loader (relative when the spec dir was).
    pub file: PathBuf,
    /// 1-based line; 0 when the error concerns the whole file.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Characters the caret underlines (at least 1).
    pub width: usize,
    pub kind: ErrorKind,
    pub message: String,
    /// The text of `line`, kept so the error renders on its own.
    pub source_line: Option<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::snippet::render(self, f)
    }
}

impl std::error::Error for SpecError {}

/// Every error found while loading a spec, sorted by file then position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<SpecError>);

impl Errors {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, SpecError> {
        self.0.iter()
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

impl<'a> IntoIterator for &'a Errors {
    type Item = &'a SpecError;
    type IntoIter = std::slice::Iter<'a, SpecError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
