//! `cargo xtask codegen [--check]`.

use std::path::Path;
use std::time::Instant;

use crate::files::{drift, ensure_file, sync};

pub enum Mode {
    Write,
    Check,
}

/// The SDK: its spec and its crate's directory. The SDK is written as
/// several crates under that directory (`zstack_codegen::parts`).
pub const SDK_TARGET: (&str, &str) = ("spec", "generated");

/// (spec directory, output directory) of single-crate targets: the naming
/// obstacle course, which proves hostile names compile.
pub const TARGETS: &[(&str, &str, zstack_codegen::Options)] = &[(
    "tests/naming-course/spec",
    "tests/naming-course/src/gen",
    zstack_codegen::Options { client_methods: false, features: false },
)];

/// Where the `zstack` CLI's command table goes; it is generated from the
/// SDK's spec (`SDK_TARGET`), loaded once for both.
pub const CLI_DIR: &str = "zstack-cli/src/gen";

pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    let started = Instant::now();
    let spec = zstack_spec::load_dir(&root.join(SDK_TARGET.0)).map_err(|errors| format!("{errors}"))?;
    let manifest =
        std::fs::read_to_string(root.join(SDK_MANIFEST)).map_err(|e| format!("reading {SDK_MANIFEST}: {e}"))?;
    let version = sdk_version(&manifest)?;
    // The CLI's table is one serial job: it runs beside the SDK's planning
    // (also serial) instead of after the whole SDK.
    let (parts, commands) =
        rayon::join(|| zstack_codegen::parts::generate(&spec, &version), || zstack_codegen::cli::generate(&spec));
    let mut stale = settle_sdk(root, &spec, parts?, &manifest, started, &mode)?;
    stale += settle_cli(root, &spec, commands?, started, &mode)?;
    for (spec_dir, gen_dir, options) in TARGETS {
        stale += run_target(root, spec_dir, gen_dir, *options, &mode)?;
    }
    if stale > 0 {
        return Err(format!(
            "codegen --check: {stale} generated file(s) are stale; run `cargo xtask codegen` and commit the result"
        ));
    }
    Ok(())
}

/// Settle the CLI's command table; returns the number of stale files in check mode.
fn settle_cli(
    root: &Path,
    spec: &zstack_spec::Spec,
    commands: String,
    started: Instant,
    mode: &Mode,
) -> Result<usize, String> {
    let (spec_dir, _) = SDK_TARGET;
    let files = std::collections::BTreeMap::from([("commands.rs".to_string(), commands)]);
    let summary = format!("{} APIs", spec.apis().count());
    settle(root, (spec_dir, CLI_DIR), &files, &summary, started, mode)
}

/// The SDK manifest, whose feature table is partly generated.
const SDK_MANIFEST: &str = "generated/Cargo.toml";

/// The SDK's version, which its generated parts share.
fn sdk_version(manifest: &str) -> Result<String, String> {
    manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = \"")?.strip_suffix('"'))
        .map(str::to_string)
        .ok_or_else(|| format!("{SDK_MANIFEST}: no `version = \"...\"` line"))
}

/// Settle the SDK (its crate and its parts); returns the number of stale
/// files in check mode.
fn settle_sdk(
    root: &Path,
    spec: &zstack_spec::Spec,
    parts: zstack_codegen::parts::Parts,
    old_manifest: &str,
    started: Instant,
    mode: &Mode,
) -> Result<usize, String> {
    let (spec_dir, sdk_dir) = SDK_TARGET;
    let mut whole: Vec<(String, &str)> =
        parts.files.iter().map(|(rel, text)| (format!("{sdk_dir}/{rel}"), text.as_str())).collect();
    let manifest = crate::manifest::splice(old_manifest, &parts.features_toml)?;
    whole.push((SDK_MANIFEST.to_string(), &manifest));
    let mut stale = 0;
    for (dir, files) in &parts.trees {
        let gen_dir = format!("{sdk_dir}/{dir}");
        let summary = format!("{} files", files.len());
        stale += settle(root, (spec_dir, &gen_dir), files, &summary, started, mode)?;
    }
    let check = matches!(mode, Mode::Check);
    for (display, contents) in whole {
        let drift = ensure_file(&root.join(&display), &display, contents, check)
            .map_err(|e| format!("writing {display}: {e}"))?;
        if let Some(drift) = drift.filter(|_| check) {
            print!("{}", drift.render());
            stale += 1;
        }
    }
    println!("codegen {spec_dir} -> {sdk_dir} and its parts: {} in {:.2?}", spec_summary(spec), started.elapsed());
    Ok(stale)
}

/// Generate one single-crate target; returns the number of stale files in check mode.
fn run_target(
    root: &Path,
    spec_dir: &str,
    gen_dir: &str,
    options: zstack_codegen::Options,
    mode: &Mode,
) -> Result<usize, String> {
    let started = Instant::now();
    let spec = zstack_spec::load_dir(&root.join(spec_dir)).map_err(|errors| format!("{errors}"))?;
    let files = zstack_codegen::generate_with(&spec, options)?;
    let summary = format!("{}, {} files", spec_summary(&spec), files.len());
    settle(root, (spec_dir, gen_dir), &files, &summary, started, mode)
}

/// "N groups, N APIs, N types and enums".
fn spec_summary(spec: &zstack_spec::Spec) -> String {
    let types: usize = spec.groups.iter().map(|g| g.types.len() + g.enums.len()).sum();
    format!("{} groups, {} APIs, {types} types and enums", spec.groups.len(), spec.apis().count())
}

/// Write the generated files of one directory, or in check mode print how
/// they differ; returns the number of stale files.
fn settle(
    root: &Path,
    (spec_dir, gen_dir): (&str, &str),
    files: &zstack_codegen::Files,
    summary: &str,
    started: Instant,
    mode: &Mode,
) -> Result<usize, String> {
    let dir = root.join(gen_dir);
    match mode {
        Mode::Write => {
            let changed = sync(&dir, files).map_err(|e| format!("writing {gen_dir}: {e}"))?;
            println!(
                "codegen {spec_dir} -> {gen_dir}: {summary}; {changed} file(s) updated in {:.2?}",
                started.elapsed()
            );
            Ok(0)
        }
        Mode::Check => {
            let drifts = drift(&dir, files, gen_dir).map_err(|e| format!("reading {gen_dir}: {e}"))?;
            for d in &drifts {
                print!("{}", d.render());
            }
            let state = if drifts.is_empty() { "up to date".to_string() } else { format!("{} stale", drifts.len()) };
            println!("codegen --check {spec_dir} -> {gen_dir}: {summary}; {state}");
            Ok(drifts.len())
        }
    }
}
