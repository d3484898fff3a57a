//! Property test: mutations of real spec files, with random line-break
//! styles, never make the loader panic, and every error it reports points
//! inside the input (lines counted as the YAML parser counts them).
//!
//! Bounded to a fixed number of cases so that it runs in seconds within the
//! ordinary `cargo test`; `cargo fuzz run spec_loader` (`fuzz/`) explores
//! further.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence};

/// The smallest spec file of `spec/` (a real, generated file) and the valid
/// fixtures (hand-written, with fixups and flow mappings).
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(read_seeds)
}

fn read_seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut spec_files = Vec::new();
    yaml_files(&root.join("../spec"), &mut spec_files);
    let smallest = spec_files.iter().min_by_key(|p| fs::metadata(p).map_or(u64::MAX, |m| m.len()));
    let mut paths: Vec<PathBuf> = smallest.into_iter().cloned().collect();
    yaml_files(&root.join("tests/fixtures/valid"), &mut paths);
    let seeds: Vec<String> = paths.iter().map(|p| fs::read_to_string(p).expect("seed text")).collect();
    assert!(seeds.len() >= 2, "no seeds in {paths:?}");
    seeds
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("dir entry").path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

/// The test's own line splitter (the oracle): `\r\n`, lone `\r` and `\n` each
/// end a line, and a trailing break is followed by an empty last line.
fn parser_lines(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(String::new());
            }
            c => lines.last_mut().expect("a line").push(c),
        }
    }
    lines
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert(Index, char),
    Delete(Index, usize),
    /// Copies a span to another place (duplicates keys, items, indentation).
    Copy {
        from: Index,
        len: usize,
        to: Index,
    },
    Truncate(Index),
}

/// Characters that matter to YAML and to the loader's column arithmetic.
const INTERESTING: &[char] = &[
    ' ',
    ' ',
    ' ',
    '\t',
    '\n',
    '\r',
    ':',
    '-',
    '#',
    '"',
    '\'',
    '{',
    '}',
    '[',
    ']',
    ',',
    '&',
    '*',
    '!',
    '|',
    '>',
    '?',
    '%',
    '@',
    '<',
    '>',
    '/',
    '~',
    'a',
    'Z',
    '0',
    '\u{e9}',
    '\u{1F600}',
    '\u{0}',
    '\u{feff}',
    '\u{85}',
    '\u{2028}',
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), prop::sample::select(INTERESTING)).prop_map(|(i, c)| Mutation::Insert(i, c)),
        3 => (any::<Index>(), 1..12usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => (any::<Index>(), 1..40usize, any::<Index>()).prop_map(|(from, len, to)| Mutation::Copy { from, len, to }),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(chars: &mut Vec<char>, m: &Mutation) {
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Insert(i, c) => {
            let pos = at(i, chars.len());
            chars.insert(pos, *c);
        }
        Mutation::Delete(i, n) => {
            let pos = at(i, chars.len());
            let end = (pos + n).min(chars.len());
            chars.drain(pos..end);
        }
        Mutation::Copy { from, len, to } => {
            let start = at(from, chars.len());
            let span: Vec<char> = chars[start..(start + len).min(chars.len())].to_vec();
            let pos = at(to, chars.len());
            chars.splice(pos..pos, span);
        }
        Mutation::Truncate(i) => {
            let pos = at(i, chars.len());
            chars.truncate(pos);
        }
    }
}

/// `text` with every line break replaced: 0 = `\n`, 1 = `\r\n`, 2 = `\r`,
/// 3 = a random mix (from `mix`).
fn with_breaks(text: &str, style: u8, mix: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            let pick = if style == 3 { mix.get(i % mix.len().max(1)).copied().unwrap_or(0) % 3 } else { style };
            out.push_str(["\n", "\r\n", "\r"][usize::from(pick)]);
        }
        out.push_str(line);
    }
    out
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let Err(errors) = zstack_spec::load_str("mutant.yaml", text) else { return Ok(()) };
    prop_assert!(!errors.is_empty());
    let lines = parser_lines(text.strip_prefix('\u{feff}').unwrap_or(text));
    for e in &errors {
        let rendered = e.to_string();
        prop_assert!(e.width >= 1, "{rendered}");
        if e.line == 0 {
            // A whole-file error (empty file, bad group name).
            prop_assert_eq!(e.col, 0, "{}", rendered);
            continue;
        }
        prop_assert!(e.line <= lines.len(), "line {} of {}:\n{rendered}", e.line, lines.len());
        let line = &lines[e.line - 1];
        let len = line.chars().count();
        prop_assert!(e.col >= 1 && e.col <= len + 1, "col {} on a line of {len}:\n{rendered}\n{line:?}", e.col);
        prop_assert_eq!(e.source_line.as_deref(), Some(line.as_str()), "{}", rendered);
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        // 256 cases take well under a second; `PROPTEST_CASES=100000` searches longer.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_time: 30_000,
        ..Config::default()
    })]

    #[test]
    fn mutated_specs_never_panic_and_errors_point_inside(
        seed in any::<Index>(),
        style in 0u8..4,
        mix in prop::collection::vec(any::<u8>(), 1..16),
        mutations in prop::collection::vec(mutation(), 0..8),
    ) {
        let base = with_breaks(seed.get::<String>(seeds()), style, &mix);
        let mut chars: Vec<char> = base.chars().collect();
        for m in &mutations {
            apply(&mut chars, m);
        }
        let text: String = chars.into_iter().collect();
        check(&text)?;
    }
}

#[test]
fn the_oracle_counts_lines_like_the_parser() {
    assert_eq!(parser_lines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
    assert_eq!(parser_lines("a\n"), ["a", ""]);
    assert_eq!(parser_lines(""), [""]);
    // An unknown key on the last line, after every style of break.
    let text = "apis:\r\n  - name: A\r    method: GET\n    path: /a\r\n\r    bad: 1\r";
    let err = zstack_spec::load_str("x.yaml", text).expect_err("unknown key");
    assert_eq!((err.0[0].line, err.0[0].col), (6, 5));
    check(text).expect("inside");
}
