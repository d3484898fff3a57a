//! `cargo xtask codegen [--check]`.

use std::path::Path;
use std::time::Instant;

use crate::files::{drift, sync};

pub enum Mode {
    Write,
    Check,
}

/// Where generated code lives, apart from the SDK's hand-written runtime.
pub const GEN_DIR: &str = "generated/src/gen";

pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let spec = zstack_spec::load_dir(&root.join("spec")).map_err(|errors| format!("{errors}"))?;
    let files = zstack_codegen::generate(&spec)?;
    let dir = root.join(GEN_DIR);
    let apis = spec.apis().count();
    let types: usize = spec.groups.iter().map(|g| g.types.len() + g.enums.len()).sum();
    let summary = format!("{} groups, {apis} APIs, {types} types and enums, {} files", spec.groups.len(), files.len());
    match mode {
        Mode::Write => {
            let changed = sync(&dir, &files).map_err(|e| format!("writing {GEN_DIR}: {e}"))?;
            println!("codegen: {summary}; {changed} file(s) updated in {:.2?}", started.elapsed());
            Ok(())
        }
        Mode::Check => {
            let drifts = drift(&dir, &files, GEN_DIR).map_err(|e| format!("reading {GEN_DIR}: {e}"))?;
            if drifts.is_empty() {
                println!("codegen --check: {summary}; up to date");
                return Ok(());
            }
            for d in &drifts {
                print!("{}", d.render());
            }
            Err(format!(
                "codegen --check: {} generated file(s) are stale; run `cargo xtask codegen` and commit the result",
                drifts.len()
            ))
        }
    }
}
