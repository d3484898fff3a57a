//! Catalog regexes are Java regexes. Only those the runtime's regex engine
//! accepts are emitted as pre-send checks; the MN still enforces the rest.

/// True when the runtime can compile `re` (anchored as the runtime anchors it).
pub fn usable(re: &str) -> bool {
    regex_lite::Regex::new(&format!("^(?:{re})$")).is_ok()
}
