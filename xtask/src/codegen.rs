//! `cargo xtask codegen [--check]`.

use std::path::Path;
use std::time::Instant;

use crate::files::{drift, sync};

pub enum Mode {
    Write,
    Check,
}

/// (spec directory, output directory): the SDK itself, and the naming
/// obstacle course that proves hostile names compile.
pub const TARGETS: &[(&str, &str, zstack_codegen::Options)] = &[
    ("spec", "generated/src/gen", zstack_codegen::Options { client_methods: true, features: true }),
    (
        "tests/naming-course/spec",
        "tests/naming-course/src/gen",
        zstack_codegen::Options { client_methods: false, features: false },
    ),
];

/// The `zstack` CLI's command table, generated from the SDK's spec.
pub const CLI_TARGET: (&str, &str) = ("spec", "zstack-cli/src/gen");

pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    let mut stale = 0;
    for (spec_dir, gen_dir, options) in TARGETS {
        let (spec, drifts) = run_target(root, spec_dir, gen_dir, *options, &mode)?;
        stale += drifts;
        if *spec_dir == CLI_TARGET.0 {
            stale += run_cli(root, &spec, &mode)?;
        }
    }
    if stale > 0 {
        return Err(format!(
            "codegen --check: {stale} generated file(s) are stale; run `cargo xtask codegen` and commit the result"
        ));
    }
    Ok(())
}

/// Generate the CLI's command table; returns the number of stale files in check mode.
fn run_cli(root: &Path, spec: &zstack_spec::Spec, mode: &Mode) -> Result<usize, String> {
    let (spec_dir, gen_dir) = CLI_TARGET;
    let started = Instant::now();
    let files = std::collections::BTreeMap::from([("commands.rs".to_string(), zstack_codegen::cli::generate(spec)?)]);
    let summary = format!("{} APIs", spec.apis().count());
    settle(root, (spec_dir, gen_dir), &files, None, &summary, started, mode)
}

/// The SDK manifest, whose feature table is partly generated.
const SDK_MANIFEST: &str = "generated/Cargo.toml";

/// (current, expected) text of the SDK manifest.
fn feature_manifest(root: &Path, plan: &zstack_codegen::features::FeaturePlan) -> Result<(String, String), String> {
    let path = root.join(SDK_MANIFEST);
    let old = std::fs::read_to_string(&path).map_err(|e| format!("reading {SDK_MANIFEST}: {e}"))?;
    let new = crate::manifest::splice(&old, &zstack_codegen::features::render_toml(&plan.features))?;
    Ok((old, new))
}

/// Generate one target; returns its spec and the number of stale files in check mode.
fn run_target(
    root: &Path,
    spec_dir: &str,
    gen_dir: &str,
    options: zstack_codegen::Options,
    mode: &Mode,
) -> Result<(zstack_spec::Spec, usize), String> {
    let started = Instant::now();
    let spec = zstack_spec::load_dir(&root.join(spec_dir)).map_err(|errors| format!("{errors}"))?;
    let (files, plan) = zstack_codegen::generate_planned(&spec, options)?;
    let manifest = if options.features { Some(feature_manifest(root, &plan)?) } else { None };
    let apis = spec.apis().count();
    let types: usize = spec.groups.iter().map(|g| g.types.len() + g.enums.len()).sum();
    let summary = format!("{} groups, {apis} APIs, {types} types and enums, {} files", spec.groups.len(), files.len());
    let stale = settle(root, (spec_dir, gen_dir), &files, manifest, &summary, started, mode)?;
    Ok((spec, stale))
}

/// Write the generated files (and the SDK manifest's new text, if given), or
/// in check mode print how they differ; returns the number of stale files.
fn settle(
    root: &Path,
    (spec_dir, gen_dir): (&str, &str),
    files: &zstack_codegen::Files,
    manifest: Option<(String, String)>,
    summary: &str,
    started: Instant,
    mode: &Mode,
) -> Result<usize, String> {
    let dir = root.join(gen_dir);
    match mode {
        Mode::Write => {
            let mut changed = sync(&dir, files).map_err(|e| format!("writing {gen_dir}: {e}"))?;
            if let Some((_, new)) = manifest.as_ref().filter(|(old, new)| old != new) {
                std::fs::write(root.join(SDK_MANIFEST), new).map_err(|e| format!("writing {SDK_MANIFEST}: {e}"))?;
                changed += 1;
            }
            println!(
                "codegen {spec_dir} -> {gen_dir}: {summary}; {changed} file(s) updated in {:.2?}",
                started.elapsed()
            );
            Ok(0)
        }
        Mode::Check => {
            let mut drifts = drift(&dir, files, gen_dir).map_err(|e| format!("reading {gen_dir}: {e}"))?;
            if let Some((old, new)) = manifest.filter(|(old, new)| old != new) {
                drifts.push(crate::files::Drift::Changed { path: SDK_MANIFEST.into(), old, new });
            }
            for d in &drifts {
                print!("{}", d.render());
            }
            let state = if drifts.is_empty() { "up to date".to_string() } else { format!("{} stale", drifts.len()) };
            println!("codegen --check {spec_dir} -> {gen_dir}: {summary}; {state}");
            Ok(drifts.len())
        }
    }
}
