//! "Did you mean" suggestions by edit distance.

/// Edit distance over characters where swapping two neighbours counts as one
/// edit (optimal string alignment): `mehtod` is 1 away from `method`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[at(i - 1, j)] + 1).min(d[at(i, j - 1)] + 1).min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = best;
        }
    }
    d[at(a.len(), b.len())]
}

/// The candidate closest to `word`, if it is close enough to be a plausible
/// typo: a case-only difference, or at most a third of the word's length
/// (at least 1) in edits. Ties go to the earlier candidate.
pub(crate) fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand == word {
            continue;
        }
        let d = if cand.to_lowercase() == lower { 0 } else { edit_distance(&lower, &cand.to_lowercase()) };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
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
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("mehtod", "method"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

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
}
