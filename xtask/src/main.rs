//! Maintainer tasks: `cargo xtask <task>`.
//!
//! * `codegen [--check]` — regenerate the SDK's generated code (`generated/src/gen/`
//!   and `generated/parts/`) from `spec/`; with
//!   `--check`, change nothing and exit 1 with a unified diff when stale.
//! * `import-catalog [--check] [--catalog PATH]` — write `spec/catalog/*.yaml`
//!   from the catalog (docs/importing.md); with `--check`, only diff.
//! * `coverage [--catalog PATH]` — load `spec/` and list the catalog actions,
//!   types and enums it lacks; exit 1 if any.
//! * `openapi [--check]` — write `openapi/zstack.json`, the OpenAPI 3.1
//!   document of `spec/` (docs/openapi.md); with `--check`, only report drift.
//! * `bench-build [--runs N]` — build-cost figures of the whole-API SDK
//!   (codegen time, fresh `cargo check` time and peak memory, default build
//!   time), each with a baseline measured in the same run.

mod bench;
mod catalog;
mod codegen;
mod coverage;
mod files;
mod import;
mod manifest;
mod openapi;
mod since;

use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask import-catalog [--check] [--catalog PATH]
       cargo xtask coverage [--catalog PATH]
       cargo xtask openapi [--check]
       cargo xtask bench-build [--runs N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(&workspace_root(), codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(&workspace_root(), codegen::Mode::Check),
        ["import-catalog", rest @ ..] => catalog_args(rest, &["--check"]).and_then(|(catalog, flags)| {
            let mode = if flags.is_empty() { import::Mode::Write } else { import::Mode::Check };
            import::run(&workspace_root(), &catalog, mode)
        }),
        ["coverage", rest @ ..] => {
            catalog_args(rest, &[]).and_then(|(catalog, _)| coverage::run(&workspace_root(), &catalog))
        }
        ["openapi"] => openapi::run(&workspace_root(), openapi::Mode::Write),
        ["openapi", "--check"] => openapi::run(&workspace_root(), openapi::Mode::Check),
        ["bench-build"] => bench::run(&workspace_root(), 3),
        ["bench-build", "--runs", n] => match n.parse() {
            Ok(runs) => bench::run(&workspace_root(), runs),
            Err(_) => Err(USAGE.to_string()),
        },
        ["__measure", rest @ ..] => bench::measure_child(rest),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `[--catalog PATH]` plus any of `flags`; the default catalog is
/// `vendor/zstack-api/catalog.json` (a pinned copy of the catalog the project was given).
fn catalog_args<'a>(args: &[&'a str], flags: &[&str]) -> Result<(PathBuf, Vec<&'a str>), String> {
    let mut catalog = workspace_root().join(import::DEFAULT_CATALOG);
    let mut seen = Vec::new();
    let mut it = args.iter();
    while let Some(&arg) = it.next() {
        match arg {
            "--catalog" => catalog = PathBuf::from(it.next().ok_or_else(|| USAGE.to_string())?),
            f if flags.contains(&f) && !seen.contains(&f) => seen.push(f),
            _ => return Err(USAGE.to_string()),
        }
    }
    Ok((catalog, seen))
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
