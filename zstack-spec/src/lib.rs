//! The ZStack API spec: model, YAML loading, fixups and validation.
//!
//! [`load_dir`] reads `spec/**/*.yaml` (format: `docs/spec.md`), applies the
//! fixups, checks every validation rule and returns the resolved [`Spec`], or
//! every error found, each located and rendered rustc-style.

mod diag;
mod error;
mod fixup;
mod hint;
mod load;
mod lower;
pub mod model;
mod names;
mod parse;
mod raw;
mod snippet;
mod span;
mod types;
mod validate;
mod version;

pub use error::{ErrorKind, Errors, SpecError};
pub use load::{load_dir, load_str};
pub use model::*;
pub use names::lower_camel;
pub use parse::is_blank as is_blank_spec;
pub use types::{TypeError, parse_type};
pub use version::parse_version;
