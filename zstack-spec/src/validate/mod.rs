//! The validation rules of docs/spec.md, run on the raw spec after fixups so
//! every error can point at a token. Lowering to the model happens only when
//! this stage reports nothing.

mod api;
pub(crate) use api::{parse_location, parse_method};
mod common;
mod defs;
mod unique;

use std::collections::HashMap;

use crate::diag::{Diag, Source};
use crate::error::ErrorKind;
use crate::fixup::Applied;
use crate::names::is_kebab;
use crate::raw::RawFile;
use crate::span::Loc;

/// Whether a name is a struct type or an enum (one namespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DefKind {
    Type,
    Enum,
}

/// Every type and enum name of the spec, first definition wins.
pub(crate) struct Defs<'f> {
    pub map: HashMap<&'f str, (DefKind, Loc)>,
    pub names: Vec<&'f str>,
}

impl<'f> Defs<'f> {
    fn collect(files: &'f [RawFile]) -> Defs<'f> {
        let mut defs = Defs { map: HashMap::new(), names: Vec::new() };
        let types = files.iter().flat_map(|f| &f.types).map(|t| (&t.value.name, DefKind::Type));
        let enums = files.iter().flat_map(|f| &f.enums).map(|e| (&e.value.name, DefKind::Enum));
        for (name, kind) in types.chain(enums) {
            if !defs.map.contains_key(name.value.as_str()) {
                defs.map.insert(&name.value, (kind, name.loc));
                defs.names.push(&name.value);
            }
        }
        defs
    }

    pub fn kind(&self, name: &str) -> Option<DefKind> {
        self.map.get(name).map(|(k, _)| *k)
    }
}

pub(crate) fn validate(sources: &[Source], files: &[RawFile], applied: &Applied, diag: &mut Diag) {
    let defs = Defs::collect(files);
    for (i, (source, file)) in sources.iter().zip(files).enumerate() {
        if !is_kebab(&source.group) {
            let msg =
                format!("group name `{}` (the file stem) must be kebab-case, like `backup-storage`", source.group);
            diag.file(i as u32, ErrorKind::InvalidName, msg);
        }
        file.apis.iter().for_each(|a| api::check(&a.value, &defs, applied, diag));
        file.types.iter().for_each(|t| defs::check_type(&t.value, &defs, diag));
        file.enums.iter().for_each(|e| defs::check_enum(&e.value, diag));
        file.fixups.iter().for_each(|f| unique::check_fixup(&f.value, diag));
    }
    unique::api_names(files, diag);
    unique::def_names(files, diag);
    unique::routes(files, diag);
    unique::fixup_names(files, diag);
    defs::extends_cycles(files, &defs, diag);
}
