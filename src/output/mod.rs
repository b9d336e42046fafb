//! Output: the only code that renders results. Human output for a terminal
//! (with optional colour) and JSON; both write to any `impl Write`, so they
//! are testable without a terminal.

pub mod chart;
pub mod csv;
pub mod human;
pub mod json;
pub mod markdown;
pub mod vocab;
pub mod wrap;

use crate::search::snippet::Fragment;

/// The separator between snippet fragments.
pub const ELLIPSIS: &str = "…";

/// Renders fragments with `mark(text, highlighted)` deciding how each piece
/// looks; fragments are joined by " … ", with an ellipsis where a fragment
/// starts or ends inside the text.
pub fn render_fragments(
    fragments: &[Fragment],
    mut piece: impl FnMut(&str, bool) -> String,
) -> String {
    fragment_pieces(fragments)
        .iter()
        .map(|(text, highlighted)| piece(text, *highlighted))
        .collect()
}

/// The fragments as runs of plain and highlighted text, separators and
/// ellipses included, for renderers that lay text out themselves.
pub fn fragment_pieces(fragments: &[Fragment]) -> Vec<(String, bool)> {
    let mut pieces = Vec::new();
    for (i, f) in fragments.iter().enumerate() {
        let mut lead = String::new();
        if i > 0 {
            lead.push(' ');
        }
        if f.starts_inside || i > 0 {
            lead.push_str(ELLIPSIS);
            lead.push(' ');
        }
        if !lead.is_empty() {
            pieces.push((lead, false));
        }
        render_highlighted(&f.text, &f.highlights, |text, highlighted| {
            if !text.is_empty() {
                pieces.push((text.to_string(), highlighted));
            }
            String::new()
        });
        if f.ends_inside && i + 1 == fragments.len() {
            pieces.push((format!(" {ELLIPSIS}"), false));
        }
    }
    pieces
}

/// Renders `text` with the given byte ranges highlighted.
pub fn render_highlighted(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    mut piece: impl FnMut(&str, bool) -> String,
) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut at = 0;
    for r in ranges {
        let (start, end) = (r.start.min(text.len()), r.end.min(text.len()));
        if start < at || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        out.push_str(&piece(&text[at..start], false));
        out.push_str(&piece(&text[start..end], true));
        at = end;
    }
    out.push_str(&piece(&text[at..], false));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_wrapped_and_fragments_joined() {
        let frags = vec![
            Fragment {
                text: "a bc d".into(),
                highlights: vec![std::ops::Range { start: 2, end: 4 }],
                starts_inside: false,
                ends_inside: true,
            },
            Fragment {
                text: "x bc".into(),
                highlights: vec![std::ops::Range { start: 2, end: 4 }],
                starts_inside: true,
                ends_inside: true,
            },
        ];
        let s = render_fragments(
            &frags,
            |t, h| if h { format!("[{t}]") } else { t.to_string() },
        );
        assert_eq!(s, "a [bc] d … x [bc] …");
    }
}
