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

/// `[x]` in prose would be read by rustdoc as an intra-doc link.
fn escape_brackets(line: &str) -> String {
    if line.contains('`') { line.to_string() } else { line.replace('[', "\\[").replace(']', "\\]") }
}

/// `Since 4.10.16.` when known.
pub fn since(version: Option<&zstack_spec::Version>) -> Option<String> {
    version.map(|v| format!("Since ZStack {v}."))
}
