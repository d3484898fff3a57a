//! The ZStack API spec: model, YAML loading, fixups and validation.

pub mod model;

pub use model::*;
