//! rustc-style rendering of a [`SpecError`], and the source-text helpers that
//! find lines and token widths.

use std::fmt;

use crate::error::SpecError;

const TAB: &str = "    ";

pub(crate) fn render(e: &SpecError, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "error: {}", e.message)?;
    if e.line == 0 {
        return write!(f, "\n  --> {}", e.file.display());
    }
    let num = e.line.to_string();
    let gutter = " ".repeat(num.len() + 1);
    writeln!(f, "\n{gutter}--> {}:{}:{}", e.file.display(), e.line, e.col)?;
    writeln!(f, "{gutter} |")?;
    let line = e.source_line.as_deref().unwrap_or("");
    writeln!(f, " {num} | {}", display_line(line).trim_end())?;
    let indent = display_width(line, e.col.saturating_sub(1));
    let carets = display_width(line, e.col.saturating_sub(1) + e.width.max(1)) - indent;
    write!(f, "{gutter} | {}{}", " ".repeat(indent), "^".repeat(carets.max(1)))
}

/// The line as printed: tabs expanded, other control characters made visible.
fn display_line(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\t' => TAB.to_owned(),
            c if c.is_control() => '\u{FFFD}'.to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Printed width of the first `chars` characters of `line`.
fn display_width(line: &str, chars: usize) -> usize {
    let count = line.chars().count();
    let mut width: usize = line.chars().take(chars).map(|c| if c == '\t' { TAB.len() } else { 1 }).sum();
    // A column past the end of the line (an error at EOF) points just after it.
    width += chars.saturating_sub(count);
    width
}

/// The lines of `text` as the YAML parser (and so every reported line number)
/// counts them: `\n`, `\r\n` and a lone `\r` each end a line (YAML 1.2
/// §5.4). Unlike [`str::lines`], a trailing line break is followed by one more,
/// empty line: the parser reports an error at the end of such a file there. So
/// a text has exactly one line more than it has line breaks.
pub(crate) fn lines(text: &str) -> Lines<'_> {
    Lines { rest: Some(text) }
}

/// Iterator of [`lines`].
pub(crate) struct Lines<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let bytes = rest.as_bytes();
        match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            None => {
                self.rest = None;
                Some(rest)
            }
            Some(i) => {
                let crlf = bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n');
                self.rest = Some(&rest[i + 1 + usize::from(crlf)..]);
                Some(&rest[..i])
            }
        }
    }
}

/// Line `line` (1-based, numbered as the YAML parser numbers lines) of `text`,
/// without its line break.
pub(crate) fn line_text(text: &str, line: usize) -> Option<&str> {
    lines(text).nth(line.checked_sub(1)?)
}

/// Characters left on `line` from 1-based column `col` onwards.
pub(crate) fn rest_of_line(line: &str, col: usize) -> usize {
    line.chars().count().saturating_sub(col.saturating_sub(1))
}

/// The length of the YAML token starting at `col`: a quoted string up to its
/// closing quote, otherwise a plain word up to whitespace or a flow indicator.
pub(crate) fn token_width(line: &str, col: usize) -> usize {
    let mut chars = line.chars().skip(col.saturating_sub(1)).peekable();
    let Some(&first) = chars.peek() else { return 1 };
    if first == '"' || first == '\'' {
        let body = chars.skip(1).take_while(|&c| c != first).count();
        return body + 2;
    }
    if matches!(first, '{' | '[' | '-' | '}' | ']') {
        return 1;
    }
    let mut width = 0;
    let mut prev = ' ';
    for c in chars {
        let ends_key = prev == ':' && c == ' ';
        if c.is_whitespace() || matches!(c, ',' | '}' | ']' | '#') || ends_key {
            break;
        }
        width += 1;
        prev = c;
    }
    if prev == ':' && width > 1 {
        width -= 1;
    }
    width.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::path::PathBuf;

    fn err(line: usize, col: usize, width: usize, src: &str) -> SpecError {
        SpecError {
            file: PathBuf::from("spec/accounts.yaml"),
            line,
            col,
            width,
            kind: ErrorKind::UnknownKey,
            message: "unknown key `mehtod` (did you mean `method`?)".into(),
            source_line: Some(src.into()),
        }
    }

    #[test]
    fn renders_like_rustc() {
        let out = err(4, 5, 6, "    mehtod: PUT").to_string();
        let want = "error: unknown key `mehtod` (did you mean `method`?)\n  --> spec/accounts.yaml:4:5\n   |\n 4 |     mehtod: PUT\n   |     ^^^^^^";
        assert_eq!(out, want);
    }

    #[test]
    fn wide_gutter_and_tabs() {
        let out = err(120, 2, 1, "\tx").to_string();
        assert!(out.contains("\n    --> spec/accounts.yaml:120:2\n     |\n 120 |     x\n     |     ^"), "{out}");
    }

    #[test]
    fn whole_file_error_has_no_snippet() {
        let out = err(0, 0, 1, "").to_string();
        assert!(out.ends_with("\n  --> spec/accounts.yaml"), "{out}");
    }

    #[test]
    fn lines_break_like_the_yaml_parser() {
        fn split(t: &str) -> Vec<&str> {
            lines(t).collect()
        }
        assert_eq!(split("a\nb\n"), ["a", "b", ""]);
        assert_eq!(split("a\r\nb\r\n"), ["a", "b", ""]);
        assert_eq!(split("a\rb\r"), ["a", "b", ""]);
        assert_eq!(split("a\r\rb"), ["a", "", "b"]);
        assert_eq!(split("a\n\rb\r\n\r\nc"), ["a", "", "b", "", "c"]);
        assert_eq!(split(""), [""]);
        assert_eq!(split("\u{e9}\r\u{1F600}"), ["\u{e9}", "\u{1F600}"]);
        assert_eq!(line_text("a\rb\r\nc", 3), Some("c"));
        assert_eq!(line_text("a\rb", 0), None);
        assert_eq!(line_text("a\rb", 3), None);
    }

    #[test]
    fn token_widths() {
        assert_eq!(token_width("    mehtod: PUT", 5), 6);
        assert_eq!(token_width("  - { name: A, since: '0.6' }", 23), 5);
        assert_eq!(token_width("  x: [1, 2]", 6), 1);
        assert_eq!(token_width("", 3), 1);
        assert_eq!(token_width("a: http://x:1", 4), 10);
    }
}
