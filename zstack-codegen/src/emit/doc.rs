//! Doc comments: `#[doc = "..."]` attributes that prettyplease renders as `///`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// Paragraphs of a doc comment; empty paragraphs are dropped.
#[derive(Default)]
pub struct Doc {
    paragraphs: Vec<String>,
}

impl Doc {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a paragraph if there is one.
    pub fn para(mut self, text: impl Into<Option<String>>) -> Self {
        if let Some(text) = text.into() {
            let text = text.trim().to_string();
            if !text.is_empty() {
                self.paragraphs.push(text);
            }
        }
        self
    }
}

impl ToTokens for Doc {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for (i, para) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                tokens.extend(quote!(#[doc = ""]));
            }
            for line in para.lines() {
                let line = format!(" {}", escape_brackets(line.trim_end()));
                tokens.extend(quote!(#[doc = #line]));
            }
        }
    }
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
    use super::escape_brackets;

    #[test]
    fn markup_is_escaped_outside_code_spans_only() {
        assert_eq!(escape_brackets("GET /x/<uuid> [a]"), "GET /x/\\<uuid\\> \\[a\\]");
        assert_eq!(escape_brackets("`List<String>` and <b>"), "`List<String>` and \\<b\\>");
    }
}
