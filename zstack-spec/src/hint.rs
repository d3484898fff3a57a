//! "Did you mean" suggestions by edit distance.

/// Names longer than this (in characters) get no suggestion and are never
/// suggested: the edit distance costs the product of the two lengths, and a
/// spec name is far shorter (the longest is about 50).
pub(crate) const MAX_HINT_LEN: usize = 128;

/// The candidate closest to `word`, if it is close enough to be a plausible
/// typo: a case-only difference, or at most a third of the word's length
/// (at least 1) in edits, where swapping two neighbours counts as one edit
/// (optimal string alignment: `mehtod` is 1 away from `method`). Ties go to
/// the earlier candidate.
pub(crate) fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    if too_long(word) {
        return None;
    }
    let lower = word.to_lowercase();
    let lower_len = lower.chars().count();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand == word || too_long(cand) {
            continue;
        }
        let cand_lower = cand.to_lowercase();
        // The distance is at least the difference in length.
        if cand_lower.chars().count().abs_diff(lower_len) > limit {
            continue;
        }
        let d = if cand_lower == lower { 0 } else { strsim::osa_distance(&lower, &cand_lower) };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// More than [`MAX_HINT_LEN`] characters (the byte length bounds the count).
fn too_long(s: &str) -> bool {
    s.len() > MAX_HINT_LEN && s.chars().count() > MAX_HINT_LEN
}

/// ` (did you mean `x`?)`, or nothing.
pub(crate) fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

/// `` `a`, `b`, `c` `` for messages.
pub(crate) fn list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        let keys = ["name", "method", "path", "envelope"];
        assert_eq!(closest("mehtod", keys), Some("method"));
        assert_eq!(closest("envelop", keys), Some("envelope"));
        assert_eq!(closest("Method", keys), Some("method"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("Lnog", ["Long", "String"]), Some("Long"));
        assert_eq!(closest("x", ["y"]), Some("y"));
        assert_eq!(did_you_mean("pth", keys), " (did you mean `path`?)");
        assert_eq!(did_you_mean("zzzzzz", keys), "");
    }

    #[test]
    fn prefers_the_closest_candidate() {
        assert_eq!(closest("GETT", ["POST", "GET"]), Some("GET"));
        assert_eq!(closest("Get", ["GET", "PUT"]), Some("GET"));
    }

    #[test]
    fn huge_names_are_bounded() {
        // Two 30,000-character names one edit apart: a full edit-distance
        // table would be 30,001² cells (7.2 GB); the length cap skips them.
        let a = "A".repeat(30_000);
        let b = format!("{}B", &a[1..]);
        let started = std::time::Instant::now();
        assert_eq!(closest(&a, [b.as_str()]), None);
        assert_eq!(closest("Strng", [b.as_str(), "String"]), Some("String"));
        assert_eq!(did_you_mean(&b, [a.as_str(), "String"]), "");
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn length_cap_and_length_difference() {
        let at_cap = format!("{}x", "a".repeat(MAX_HINT_LEN - 1));
        let at_cap_typo = format!("{}y", "a".repeat(MAX_HINT_LEN - 1));
        assert_eq!(closest(&at_cap, [at_cap_typo.as_str()]), Some(at_cap_typo.as_str()));
        let over = format!("{at_cap}z");
        let over_typo = format!("{at_cap_typo}z");
        assert_eq!(closest(&over, [over_typo.as_str()]), None);
        assert_eq!(closest(&at_cap_typo, [over.as_str()]), None);
        // `abc` allows 1 edit: `abcde` is 2 longer, so it is not even compared.
        assert_eq!(closest("abc", ["abcde", "abcd"]), Some("abcd"));
        // Multi-byte characters count as one each.
        assert_eq!(closest("\u{e9}t\u{e9}", ["\u{e9}t\u{e8}"]), Some("\u{e9}t\u{e8}"));
    }
}
