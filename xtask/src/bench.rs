//! `cargo xtask bench-build`: the build-cost figures of the whole-API SDK,
//! each next to a baseline measured in the same run.
//!
//! | figure | what is timed | baseline |
//! |---|---|---|
//! | codegen | `cargo xtask codegen --check` (load, generate, format, compare), warm | `cargo xtask` printing its usage (cargo's and the binary's start-up) |
//! | full check | `cargo check -p zstack-sdk --all-features` after `cargo clean` of the SDK and its generated parts (`zstack_codegen::parts`; other dependencies built) | the same with `--no-default-features` (the hand-written runtime alone) |
//! | default build | `cargo build -p zstack-sdk`, fresh as above | the same with `--no-default-features` |
//!
//! | scaling sweep | `cargo check -p zstack-sdk` with `client`, `serialize` and the first 0, 1, 10, 40, 75 and all API groups (spec order), fresh | the 0-group row |
//!
//! Peak memory is the largest resident set of any process the measured
//! command ran, and CPU time the user + system time of all of them
//! (`getrusage(RUSAGE_CHILDREN)` in a fresh helper process, so earlier builds
//! do not count). Wall times are medians of `--runs` runs (codegen and its
//! baseline: of at least five, after one untimed run).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One measured command: wall time, and the peak RSS and CPU time of its process tree.
struct Sample {
    wall: Duration,
    peak_kib: Option<u64>,
    cpu: Option<Duration>,
}

/// Group counts of the scaling sweep (`usize::MAX`: every group).
const SWEEP: [usize; 6] = [0, 1, 10, 40, 75, usize::MAX];

pub fn run(root: &Path, runs: usize) -> Result<(), String> {
    println!("bench-build: {runs} run(s) per figure, medians; dependencies are built first and not timed");
    // Codegen is cheap next to a fresh build: after one untimed run (the
    // binary, the spec and the generated files in the page cache), it gets at
    // least five timed runs, so one busy moment of a shared host does not
    // make the figure.
    let quick = runs.max(5);
    measure(root, &["xtask", "codegen", "--check"], true)?;
    let codegen = median(quick, || measure(root, &["xtask", "codegen", "--check"], true))?;
    let startup = median(quick, || measure(root, &["xtask"], false))?;
    let label = format!("codegen --check, warm, {quick} runs");
    report(&label, &codegen, "cargo xtask start-up", &startup, Some(Duration::from_millis(600)), None);

    cargo(root, &["check", "-p", "zstack-sdk", "--all-features"])?;
    cargo(root, &["check", "-p", "zstack-sdk", "--no-default-features"])?;
    let full = median(runs, || fresh(root, &["check", "-p", "zstack-sdk", "--all-features"]))?;
    let runtime = median(runs, || fresh(root, &["check", "-p", "zstack-sdk", "--no-default-features"]))?;
    report(
        "check --all-features, fresh",
        &full,
        "runtime only",
        &runtime,
        Some(Duration::from_secs(20)),
        Some(3 * 1024 * 1024 / 2),
    );

    cargo(root, &["build", "-p", "zstack-sdk"])?;
    cargo(root, &["build", "-p", "zstack-sdk", "--no-default-features"])?;
    let default = median(runs, || fresh(root, &["build", "-p", "zstack-sdk"]))?;
    let bare = median(runs, || fresh(root, &["build", "-p", "zstack-sdk", "--no-default-features"]))?;
    report("build (default features), fresh", &default, "runtime only", &bare, Some(Duration::from_secs(4)), None);
    sweep(root, runs)
}

/// Fresh checks with more and more API groups: how the cost grows with the
/// amount of generated code (wall, CPU: both cores at work shows as CPU > wall).
fn sweep(root: &Path, runs: usize) -> Result<(), String> {
    let spec = zstack_spec::load_dir(&root.join("spec")).map_err(|errors| format!("{errors}"))?;
    let plan = zstack_codegen::features::FeaturePlan::new(&spec);
    let groups: Vec<&str> = spec.groups.iter().filter_map(|g| plan.api_feature(&g.name)).collect();
    println!("  scaling sweep: fresh `check -p zstack-sdk --features client,serialize,<first N groups>`");
    println!("  {:>6} {:>9} {:>9} {:>10} {:>7}", "groups", "wall s", "CPU s", "peak GiB", "vs 0");
    let mut base: Option<Duration> = None;
    for count in SWEEP {
        let count = count.min(groups.len());
        let features = ["client", "serialize"].into_iter().chain(groups[..count].iter().copied()).collect::<Vec<_>>();
        let features = features.join(",");
        let args = ["check", "-p", "zstack-sdk", "--no-default-features", "--features", features.as_str()];
        cargo(root, &args)?;
        let sample = median(runs, || fresh(root, &args))?;
        let base = *base.get_or_insert(sample.wall);
        println!(
            "  {count:>6} {:>9.2} {:>9} {:>10} {:>7.2}",
            sample.wall.as_secs_f64(),
            sample.cpu.map_or("-".into(), |c| format!("{:.2}", c.as_secs_f64())),
            sample.peak_kib.map_or("-".into(), |k| format!("{:.2}", gib(k))),
            sample.wall.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

fn report(what: &str, a: &Sample, base_name: &str, base: &Sample, goal: Option<Duration>, mem_goal_kib: Option<u64>) {
    let goal = goal.map_or(String::new(), |g| format!(" (goal <= {} s)", g.as_secs_f64()));
    let ratio = a.wall.as_secs_f64() / base.wall.as_secs_f64().max(1e-9);
    println!(
        "  {what:<36} {:>7.2} s{goal}; baseline {base_name}: {:.2} s; ratio {ratio:.2}",
        a.wall.as_secs_f64(),
        base.wall.as_secs_f64()
    );
    if let (Some(peak), Some(base_peak)) = (a.peak_kib, base.peak_kib) {
        let goal = mem_goal_kib.map_or(String::new(), |g| format!(" (goal <= {:.1} GiB)", gib(g)));
        println!(
            "  {:<36} {:>7.2} GiB peak RSS{goal}; baseline: {:.2} GiB; ratio {:.2}",
            "",
            gib(peak),
            gib(base_peak),
            peak as f64 / base_peak.max(1) as f64
        );
    }
}

fn gib(kib: u64) -> f64 {
    kib as f64 / (1024.0 * 1024.0)
}

/// `cargo clean` of the SDK and its generated parts, then the measured cargo command.
fn fresh(root: &Path, args: &[&str]) -> Result<Sample, String> {
    let mut clean = vec!["clean".to_string(), "-p".into(), "zstack-sdk".into()];
    for part in zstack_codegen::parts::crates() {
        clean.extend(["-p".into(), part]);
    }
    cargo(root, &clean.iter().map(String::as_str).collect::<Vec<_>>())?;
    measure(root, args, true)
}

/// Run cargo, untimed; fail on a non-zero exit.
fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new(cargo_bin())
        .args(args)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed ({status})", args.join(" "))) }
}

/// Time `cargo <args>` through a fresh `xtask __measure` process, which
/// reports the peak RSS of the command's process tree.
fn measure(root: &Path, args: &[&str], must_succeed: bool) -> Result<Sample, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let started = Instant::now();
    let output = Command::new(exe)
        .arg("__measure")
        .arg(if must_succeed { "strict" } else { "any" })
        .args(args)
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run the measuring helper: {e}"))?;
    let wall = started.elapsed();
    if !output.status.success() {
        return Err(format!("`cargo {}` failed", args.join(" ")));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut fields = text.split_whitespace();
    let peak_kib = fields.next().and_then(|f| f.parse().ok());
    let cpu = fields.next().and_then(|f| f.parse().ok()).map(Duration::from_millis);
    Ok(Sample { wall, peak_kib, cpu })
}

/// The helper (`xtask __measure strict|any <cargo args>`): run cargo, then
/// print the largest RSS (KiB) among the processes it waited for, and their
/// CPU time (ms).
pub fn measure_child(args: &[&str]) -> Result<(), String> {
    let (mode, args) = args.split_first().ok_or("__measure needs a mode")?;
    let status = Command::new(cargo_bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if *mode == "strict" && !status.success() {
        return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
    }
    if let Some((kib, cpu_ms)) = children_usage() {
        println!("{kib} {cpu_ms}");
    }
    Ok(())
}

/// (peak RSS in KiB, user + system CPU in ms) of the waited-for children.
#[cfg(unix)]
fn children_usage() -> Option<(u64, u64)> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a valid, writable `rusage`; getrusage fills it.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: getrusage succeeded, so the struct is initialised.
    let usage = unsafe { usage.assume_init() };
    let ms = |t: libc::timeval| -> Option<u64> {
        Some(u64::try_from(t.tv_sec).ok()? * 1000 + u64::try_from(t.tv_usec).ok()? / 1000)
    };
    // Linux reports ru_maxrss in KiB.
    Some((u64::try_from(usage.ru_maxrss).ok()?, ms(usage.ru_utime)? + ms(usage.ru_stime)?))
}

#[cfg(not(unix))]
fn children_usage() -> Option<(u64, u64)> {
    None
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

fn median(runs: usize, mut f: impl FnMut() -> Result<Sample, String>) -> Result<Sample, String> {
    let mut samples = (0..runs.max(1)).map(|_| f()).collect::<Result<Vec<_>, _>>()?;
    samples.sort_by_key(|s| s.wall);
    let mid = samples.len() / 2;
    let peak = samples.iter().filter_map(|s| s.peak_kib).max();
    Ok(Sample { wall: samples[mid].wall, peak_kib: peak, cpu: samples[mid].cpu })
}
