//! Small hand-built specs and the file layout, for unit tests of emitters.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use zstack_spec::*;

/// Emitted tokens as the generator writes them.
pub fn pretty(tokens: TokenStream) -> String {
    crate::emit::print::file(tokens)
}

pub fn version(s: &str) -> Option<Version> {
    Some(Version { parts: s.split('.').map(|p| p.parse().expect("numeric")).collect() })
}

pub fn param(name: &str, ty: TypeRef, location: ParamLocation, required: bool) -> Param {
    Param {
        name: name.into(),
        ty,
        location,
        required,
        default: None,
        allowed: Vec::new(),
        since: version("0.6"),
        since_source: None,
        description: None,
        secret: false,
        constraints: Constraints::default(),
    }
}

pub fn field(name: &str, ty: TypeRef) -> Field {
    Field { name: name.into(), ty, since: None, since_source: None, description: None, sensitive: false }
}

pub fn api(name: &str, method: Method, path: &str, envelope: Option<&str>, params: Vec<Param>) -> Api {
    Api {
        name: name.into(),
        method,
        path: path.into(),
        envelope: envelope.map(Into::into),
        is_async: false,
        session: true,
        query: false,
        since: version("0.6"),
        since_source: None,
        description: None,
        params,
        result: ResultShape::Empty,
        source: None,
    }
}

pub fn type_def(name: &str, extends: Option<&str>, fields: Vec<Field>) -> TypeDef {
    TypeDef {
        name: name.into(),
        extends: extends.map(Into::into),
        polymorphic: true,
        server_classes: Vec::new(),
        description: None,
        fields,
        source: None,
    }
}

pub fn spec(apis: Vec<Api>, types: Vec<TypeDef>, enums: Vec<EnumDef>) -> Spec {
    Spec {
        groups: vec![Group {
            name: "test-group".into(),
            file: PathBuf::from("test-group.yaml"),
            description: None,
            apis,
            types,
            enums,
            fixups: Vec::new(),
        }],
    }
}
