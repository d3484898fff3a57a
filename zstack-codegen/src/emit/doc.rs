//! Doc comments: `#[doc = "..."]` attributes, one per line, that the
//! layout (`print.rs`) writes as `///` and `//!` lines.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};

/// Paragraphs of a doc comment; empty paragraphs are dropped.
#[derive(Default)]
pub struct Doc {
    /// Each paragraph, and whether its markup is escaped (text from the spec)
    /// or kept (links and emphasis the generator writes itself).
    paragraphs: Vec<(String, bool)>,
}

impl Doc {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a paragraph of spec text if there is one: brackets are escaped.
    pub fn para(self, text: impl Into<Option<String>>) -> Self {
        self.push(text.into(), true)
    }

    /// Add a paragraph of markdown the generator wrote (intra-doc links kept).
    pub fn markdown(self, text: impl Into<Option<String>>) -> Self {
        self.push(text.into(), false)
    }

    fn push(mut self, text: Option<String>, escape: bool) -> Self {
        if let Some(text) = text {
            let text = text.trim().to_string();
            if !text.is_empty() {
                self.paragraphs.push((text, escape));
            }
        }
        self
    }
}

impl ToTokens for Doc {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for (i, (para, escape)) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                tokens.extend(quote!(#[doc = ""]));
            }
            for line in para.lines() {
                let line = line.trim_end();
                let line = if *escape { format!(" {}", escape_brackets(line)) } else { format!(" {line}") };
                let line = text_literal(&line);
                tokens.extend(quote!(#[doc = #line]));
            }
        }
    }
}

/// A module's own doc: `#![doc = " line"]` per line of its text, so each
/// `//!` line reads like a hand-written one.
pub struct ModuleDoc<'a>(pub &'a str);

impl ToTokens for ModuleDoc<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for line in self.0.lines() {
            let line = if line.is_empty() || line.starts_with(' ') { line.to_string() } else { format!(" {line}") };
            let line = text_literal(&line);
            tokens.extend(quote!(#![doc = #line]));
        }
    }
}

/// The string literal of a doc line: raw (`r"..."`, `r#"..."#`) where the
/// text allows it. A raw literal is read back in one pass over its bytes;
/// `Literal::string` escapes char by char, which was a tenth of a full
/// codegen (docs are most of the generated text). The printer writes both
/// forms as the same `///` line.
fn text_literal(text: &str) -> Literal {
    let raw = if text.contains('\r') {
        None
    } else if !text.contains('"') {
        Some(format!("r\"{text}\""))
    } else if !text.contains("\"#") {
        Some(format!("r#\"{text}\"#"))
    } else {
        None
    };
    raw.and_then(|raw| raw.parse().ok()).unwrap_or_else(|| Literal::string(text))
}

/// Outside code spans, `[x]` would be read by rustdoc as an intra-doc link
/// and `<uuid>` as an HTML tag.
fn escape_brackets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code && matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `Since ZStack 4.10.16.` when known; a version read off the release
/// history says so (it is the first release branch that has the entry).
pub fn since(version: Option<&zstack_spec::Version>, source: Option<zstack_spec::SinceSource>) -> Option<String> {
    version.map(|v| match source {
        Some(zstack_spec::SinceSource::Releases) => format!("Since ZStack {v} (release history)."),
        _ => format!("Since ZStack {v}."),
    })
}

#[cfg(test)]
mod tests {
    use super::{escape_brackets, text_literal};

    #[test]
    fn doc_literals_are_raw_where_they_can_be_and_keep_the_text() {
        for (text, raw) in [
            (" plain [x] \\ back", true),
            (" \"quoted\"", true),
            (" a \"# in it", false),
            (" \"## and \"#", false),
            (" carriage\r return", false),
            ("", true),
        ] {
            let repr = text_literal(text).to_string();
            assert_eq!(repr.starts_with('r'), raw, "{repr}");
            assert_eq!(crate::emit::print::unescape(&repr).as_deref(), Some(text), "{repr}");
        }
    }

    #[test]
    fn markup_is_escaped_outside_code_spans_only() {
        assert_eq!(escape_brackets("GET /x/<uuid> [a]"), "GET /x/\\<uuid\\> \\[a\\]");
        assert_eq!(escape_brackets("`List<String>` and <b>"), "`List<String>` and \\<b\\>");
    }
}
