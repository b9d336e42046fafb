//! Highlighting and snippets, better than tantivy's built-in generator:
//! up to three fragments per hit, phrases highlighted only where the whole
//! phrase occurs, excluded terms never highlighted, and the opening of the
//! article when the match is only in the title or the filters.
//!
//! Everything here returns byte ranges into the text; `output` decides how
//! to render them (ANSI colour, HTML `<b>`, plain).

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

/// Number of bytes a fragment aims for.
pub const FRAGMENT_LEN: usize = 170;
/// Most fragments per snippet.
pub const MAX_FRAGMENTS: usize = 3;

/// The positive terms of a query, as analyzed tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Terms {
    /// Single terms (stems).
    pub words: HashSet<String>,
    /// Phrases: sequences of stems that must be adjacent.
    pub phrases: Vec<Vec<String>>,
}

impl Terms {
    /// True when there is nothing to highlight.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    /// Adds the analyzed form of a query literal: one token is a word, more
    /// are a phrase.
    pub fn add_literal(&mut self, analyzer: &mut TextAnalyzer, literal: &str) {
        let tokens = analyze(analyzer, literal);
        match tokens.len() {
            0 => {}
            1 => {
                self.words.insert(tokens[0].clone());
            }
            _ => self.phrases.push(tokens),
        }
    }
}

/// The analyzed forms (stems) of a text's tokens.
fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |t| out.push(t.text.clone()));
    out
}

/// A body token reduced to what highlighting needs: which query stem it is
/// (if any) and where it sits. Avoids keeping a string per token.
#[derive(Debug, Clone, Copy)]
struct Slot {
    stem: Option<u32>,
    from: usize,
    to: usize,
}

/// A highlighted range and what matched (for counting distinct terms).
#[derive(Debug, Clone)]
struct Mark {
    range: Range<usize>,
    key: usize,
}

/// Byte ranges of every occurrence of a word or a whole phrase, sorted and
/// not overlapping.
pub fn highlight(analyzer: &mut TextAnalyzer, text: &str, terms: &Terms) -> Vec<Range<usize>> {
    marks(analyzer, text, terms)
        .into_iter()
        .map(|m| m.range)
        .collect()
}

fn marks(analyzer: &mut TextAnalyzer, text: &str, terms: &Terms) -> Vec<Mark> {
    if terms.is_empty() {
        return Vec::new();
    }
    // Every distinct stem of the query gets a small id.
    let mut stems: Vec<&str> = terms.words.iter().map(String::as_str).collect();
    let word_count = stems.len();
    for phrase in &terms.phrases {
        for w in phrase {
            if !stems.contains(&w.as_str()) {
                stems.push(w);
            }
        }
    }
    let id_of = |s: &str| stems.iter().position(|x| *x == s).map(|i| i as u32);
    let phrases: Vec<Vec<Option<u32>>> = terms
        .phrases
        .iter()
        .map(|p| p.iter().map(|w| id_of(w)).collect())
        .collect();
    // Stemming every token of every hit dominated snippet time. English
    // stems keep the word's first letters, so only tokens that start like a
    // query stem are stemmed; the rest cannot match.
    let prefixes: Vec<&str> = stems.iter().map(|s| &s[..floor_boundary(s, 3)]).collect();
    // The analyzer's words before stemming, so accents and invisible
    // characters are treated as in the index.
    let mut plain = crate::analyzer::unstemmed();
    let mut candidates: Vec<(usize, String)> = Vec::new();
    let mut slots = Vec::new();
    let mut stream = plain.token_stream(text);
    stream.process(&mut |t| {
        if prefixes.iter().any(|p| t.text.starts_with(p)) {
            candidates.push((slots.len(), t.text.clone()));
        }
        slots.push(Slot {
            stem: None,
            from: t.offset_from,
            to: t.offset_to,
        })
    });
    for (i, word) in candidates {
        let stemmed = analyze(analyzer, &word);
        if let [stem] = stemmed.as_slice() {
            slots[i].stem = id_of(stem);
        }
    }
    let mut out = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let Some(stem) = slot.stem else { continue };
        if (stem as usize) < word_count {
            out.push(Mark {
                range: slot.from..slot.to,
                key: stem as usize,
            });
        }
        for (p, phrase) in phrases.iter().enumerate() {
            let fits = i + phrase.len() <= slots.len()
                && phrase.iter().zip(&slots[i..]).all(|(w, t)| *w == t.stem);
            if fits {
                out.push(Mark {
                    range: slot.from..slots[i + phrase.len() - 1].to,
                    key: word_count + p,
                });
            }
        }
    }
    merge(out)
}

/// Sorts and merges overlapping marks (a word inside a highlighted phrase).
fn merge(mut marks: Vec<Mark>) -> Vec<Mark> {
    marks.sort_by_key(|m| (m.range.start, std::cmp::Reverse(m.range.end)));
    let mut out: Vec<Mark> = Vec::with_capacity(marks.len());
    for m in marks {
        match out.last_mut() {
            Some(last) if m.range.start < last.range.end => {
                last.range.end = last.range.end.max(m.range.end);
            }
            _ => out.push(m),
        }
    }
    out
}

/// A piece of the body with highlights relative to its own text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fragment {
    /// The fragment's text.
    pub text: String,
    /// Highlighted byte ranges within `text`.
    pub highlights: Vec<Range<usize>>,
    /// The fragment starts inside the body (not at its beginning).
    pub starts_inside: bool,
    /// The fragment ends before the end of the body.
    pub ends_inside: bool,
}

/// Up to [`MAX_FRAGMENTS`] fragments around the densest matches, in text
/// order; the opening of the text when nothing matches.
pub fn snippet(analyzer: &mut TextAnalyzer, text: &str, terms: &Terms) -> Vec<Fragment> {
    let marks = marks(analyzer, text, terms);
    if marks.is_empty() {
        return opening(text).into_iter().collect();
    }
    let mut chosen: Vec<Range<usize>> = Vec::new();
    let mut used = vec![false; marks.len()];
    while chosen.len() < MAX_FRAGMENTS {
        let Some(window) = best_window(text, &marks, &used, &chosen) else {
            break;
        };
        for (i, m) in marks.iter().enumerate() {
            if m.range.start >= window.start && m.range.end <= window.end {
                used[i] = true;
            }
        }
        chosen.push(window);
    }
    chosen.sort_by_key(|r| r.start);
    chosen
        .into_iter()
        .map(|w| trim_window(text, w))
        .map(|w| Fragment {
            text: one_line(&text[w.clone()]),
            highlights: marks
                .iter()
                .filter(|m| m.range.start >= w.start && m.range.end <= w.end)
                .map(|m| m.range.start - w.start..m.range.end - w.start)
                .collect(),
            starts_inside: w.start > 0,
            ends_inside: w.end < text.len(),
        })
        .collect()
}

/// The unused mark whose window holds the most distinct terms (then the
/// most marks), as a window snapped to word boundaries. Marks are sorted, so
/// the marks inside a window are one contiguous run found by binary search.
fn best_window(
    text: &str,
    marks: &[Mark],
    used: &[bool],
    chosen: &[Range<usize>],
) -> Option<Range<usize>> {
    let mut best: Option<((usize, usize), Range<usize>)> = None;
    for (i, m) in marks.iter().enumerate() {
        if used[i] {
            continue;
        }
        let window = window_around(text, m.range.clone());
        if chosen
            .iter()
            .any(|c| c.start < window.end && window.start < c.end)
        {
            continue;
        }
        let lo = marks.partition_point(|o| o.range.start < window.start);
        let hi = marks.partition_point(|o| o.range.end <= window.end).max(lo);
        let inside = &marks[lo..hi];
        let mut keys: Vec<usize> = inside.iter().map(|o| o.key).collect();
        keys.sort_unstable();
        keys.dedup();
        let score = (keys.len(), inside.len());
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, window));
        }
    }
    best.map(|(_, w)| w)
}

/// A window of about [`FRAGMENT_LEN`] bytes that contains `mark`, starting
/// at a sentence start when one is near, else at a word boundary.
fn window_around(text: &str, mark: Range<usize>) -> Range<usize> {
    let lead = FRAGMENT_LEN / 4;
    let reach = floor_boundary(text, mark.start.saturating_sub(FRAGMENT_LEN / 2));
    let mut start = floor_boundary(text, mark.start.saturating_sub(lead));
    if reach == 0 && !text[..mark.start].contains(['.', '!', '?', '\n']) {
        start = 0;
    } else if let Some(p) = text[reach..mark.start].rfind(['.', '!', '?', '\n']) {
        start = reach + p + 1;
    } else if start > 0 {
        start = text[start..mark.start]
            .find(char::is_whitespace)
            .map_or(mark.start, |p| start + p);
    }
    while start < mark.start && text[start..].starts_with(char::is_whitespace) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    let mut end = floor_boundary(text, (start + FRAGMENT_LEN).max(mark.end).min(text.len()));
    if end < text.len() {
        end = text[mark.end..end]
            .rfind(char::is_whitespace)
            .map_or(end, |p| mark.end + p);
    }
    start..end.max(mark.end)
}

/// Drops whitespace at both ends of a window.
fn trim_window(text: &str, w: Range<usize>) -> Range<usize> {
    let slice = &text[w.clone()];
    let start = w.start + (slice.len() - slice.trim_start().len());
    let end = w.end - (slice.len() - slice.trim_end().len());
    start..end.max(start)
}

/// Paragraph breaks become spaces; byte offsets stay valid (one byte each).
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The opening sentences of a text, about one fragment long.
fn opening(text: &str) -> Option<Fragment> {
    let first = text.trim_start();
    if first.is_empty() {
        return None;
    }
    let limit = floor_boundary(first, FRAGMENT_LEN + FRAGMENT_LEN / 2);
    let mut end = first[..limit]
        .rfind(". ")
        .filter(|&p| p > FRAGMENT_LEN / 3)
        .map_or(limit, |p| p + 1);
    if end < first.len() && end == limit {
        end = first[..limit].rfind(char::is_whitespace).unwrap_or(limit);
    }
    Some(Fragment {
        text: one_line(first[..end].trim_end()),
        highlights: Vec::new(),
        starts_inside: false,
        ends_inside: end < first.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    fn en() -> TextAnalyzer {
        crate::analyzer::english()
    }

    fn terms(words: &[&str], phrases: &[&str]) -> Terms {
        let mut a = en();
        let mut t = Terms::default();
        for w in words.iter().chain(phrases) {
            t.add_literal(&mut a, w);
        }
        t
    }

    #[test]
    fn phrase_is_highlighted_only_where_it_occurs() {
        let text = "Supply lines matter. A supply chain attack hit the chain store.";
        let ranges = highlight(&mut en(), text, &terms(&[], &["supply chain"]));
        let got: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["supply chain"]);
    }

    #[test]
    fn stems_match_inflections() {
        let text = "Attackers attacked; an attack.";
        let ranges = highlight(&mut en(), text, &terms(&["attacks"], &[]));
        let got: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert!(
            got.contains(&"attacked") && got.contains(&"attack"),
            "{got:?}"
        );
    }

    #[test]
    fn snippet_has_up_to_three_fragments_in_order() {
        let filler =
            "Nothing to see in this long stretch of ordinary words about policy. ".repeat(6);
        let text = format!("Ransomware hit. {filler} Later ransomware again. {filler} Third ransomware. {filler} Fourth ransomware.");
        let frags = snippet(&mut en(), &text, &terms(&["ransomware"], &[]));
        assert_eq!(frags.len(), 3);
        for f in &frags {
            assert!(!f.highlights.is_empty());
            for h in &f.highlights {
                assert_eq!(f.text[h.clone()].to_lowercase(), "ransomware");
            }
        }
    }

    #[test]
    fn no_match_gives_the_opening() {
        let frags = snippet(
            &mut en(),
            "First sentence here. Second one.",
            &terms(&["zebra"], &[]),
        );
        assert_eq!(frags[0].text, "First sentence here. Second one.");
        assert!(frags[0].highlights.is_empty());
    }
}
