//! "Did you mean …" for facet values that match nothing: the closest
//! canonical names from the vocabulary (by name or alias) and from the
//! values stored in the index (sources, and tags a replaced taxonomy left).
//!
//! Two kinds of closeness: a value whose words start with what was typed
//! (`CSA` → "CSA Singapore"), and a small edit distance, transpositions
//! counting one (`Europool` → Europol), allowed to grow with the length of
//! the word so short acronyms do not match everything.

use crate::normalize::{Kind, Taxonomy};

/// At most this many suggestions.
const MAX_SUGGESTIONS: usize = 3;

/// Canonical values close to `input`, best first.
pub fn suggestions(
    taxonomy: &Taxonomy,
    kind: Option<Kind>,
    input: &str,
    indexed: &[String],
) -> Vec<String> {
    let wanted = input.trim().to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    // (spelling, canonical value)
    let mut candidates: Vec<(String, String)> = Vec::new();
    match kind {
        Some(Kind::Agency) => {
            for a in taxonomy.agencies() {
                for s in std::iter::once(&a.name)
                    .chain(&a.full_name)
                    .chain(&a.aliases)
                {
                    candidates.push((s.clone(), a.name.clone()));
                }
            }
        }
        Some(Kind::Country) => {
            for c in taxonomy.countries() {
                for s in std::iter::once(&c.name).chain(&c.aliases) {
                    candidates.push((s.clone(), c.name.clone()));
                }
            }
        }
        Some(Kind::Topic) => {
            for t in taxonomy.topics() {
                candidates.push((t.name.clone(), t.name.clone()));
            }
        }
        None => {}
    }
    candidates.extend(indexed.iter().map(|v| (v.clone(), v.clone())));
    let mut scored: Vec<(usize, String)> = candidates
        .into_iter()
        .filter_map(|(spelling, value)| closeness(&wanted, &spelling).map(|d| (d, value)))
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, value) in scored {
        if !out.contains(&value) {
            out.push(value);
        }
        if out.len() == MAX_SUGGESTIONS {
            break;
        }
    }
    out
}

/// A rank (lower is closer) when `spelling` is close to `wanted`
/// (lowercase), else None.
fn closeness(wanted: &str, spelling: &str) -> Option<usize> {
    let lower = spelling.to_lowercase();
    if lower == wanted {
        return Some(0);
    }
    // "csa" → "CSA Singapore"; "homeland" → "Department of Homeland Security".
    if wanted.chars().count() >= 2
        && lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == wanted || (wanted.len() >= 4 && w.starts_with(wanted)))
    {
        return Some(1);
    }
    let distance = strsim::damerau_levenshtein(wanted, &lower);
    let allowed = match wanted.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        7..=12 => 2,
        _ => 3,
    };
    (distance <= allowed).then_some(1 + distance)
}

/// ", did you mean X or Y?" or nothing.
pub fn hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one:?}?"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|s| format!("{s:?}")).collect();
            format!("; did you mean {} or {last:?}?", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_partial_names_find_the_canonical_value() {
        let t = Taxonomy::builtin().expect("built-in");
        let s = |k, input| suggestions(&t, Some(k), input, &[]);
        assert_eq!(
            s(Kind::Agency, "Europool").first().map(String::as_str),
            Some("Europol")
        );
        assert!(s(Kind::Agency, "CSA").contains(&"CSA Singapore".to_string()));
        assert_eq!(
            s(Kind::Country, "Rusia").first().map(String::as_str),
            Some("Russia")
        );
        assert_eq!(
            s(Kind::Topic, "ransomwear").first().map(String::as_str),
            Some("ransomware")
        );
        assert!(s(Kind::Agency, "zzzzzzzz").is_empty());
    }

    #[test]
    fn index_values_are_suggested_too() {
        let t = Taxonomy::builtin().expect("built-in");
        let indexed = vec!["Policy Wire".to_string()];
        assert_eq!(
            suggestions(&t, None, "policy wyre", &indexed),
            ["Policy Wire"]
        );
        assert_eq!(
            hint(&["A".into(), "B".into()]),
            "; did you mean \"A\" or \"B\"?"
        );
    }
}
