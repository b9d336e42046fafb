//! Word wrapping for terminal output: lines break only between words, and
//! a highlighted word counts as wide as it looks (its `[brackets]` when
//! there is no colour; ANSI codes count for nothing). A word longer than a
//! whole line gets a line of its own rather than being split.

use unicode_width::UnicodeWidthStr;

/// A run of text and whether it is highlighted.
pub type Piece = (String, bool);

/// Lays `pieces` out in lines of at most `width` columns after `indent`;
/// `render(text, highlighted)` styles each part and `extra` is the number
/// of columns a highlight adds (2 for `[…]`, 0 for colour). Lines after the
/// first start with `indent`; the first does not (the caller wrote it).
pub fn wrap(
    pieces: &[Piece],
    width: usize,
    indent: &str,
    extra: usize,
    render: impl Fn(&str, bool) -> String,
) -> String {
    let room = width.saturating_sub(indent.width()).max(20);
    let mut out = String::new();
    let mut line = 0usize;
    for word in words(pieces) {
        let w: usize = word
            .iter()
            .map(|(t, h)| t.width() + if *h { extra } else { 0 })
            .sum();
        if line > 0 && line + 1 + w > room {
            out.push('\n');
            out.push_str(indent);
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        for (text, highlighted) in &word {
            out.push_str(&render(text, *highlighted));
        }
        line += w;
    }
    out
}

/// The words of the pieces: maximal runs without whitespace, each a list
/// of styled parts (`[ransomware],` is a highlighted part and a plain one).
fn words(pieces: &[Piece]) -> Vec<Vec<(&str, bool)>> {
    let mut words = Vec::new();
    let mut current: Vec<(&str, bool)> = Vec::new();
    for (text, highlighted) in pieces {
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let space = rest.find(char::is_whitespace);
            let (part, after) = match space {
                Some(at) => rest.split_at(at),
                None => (rest, ""),
            };
            if !part.is_empty() {
                current.push((part, *highlighted));
            }
            if space.is_some() {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                rest = after.trim_start();
            } else {
                rest = after;
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(t: &str, h: bool) -> String {
        if h {
            format!("[{t}]")
        } else {
            t.to_string()
        }
    }

    #[test]
    fn breaks_between_words_only_and_counts_brackets() {
        let pieces = vec![
            ("the quick brown ".to_string(), false),
            ("fox".to_string(), true),
            (", jumps over the lazy dog".to_string(), false),
        ];
        let text = wrap(&pieces, 24, "  ", 2, plain);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            ["the quick brown [fox],", "  jumps over the lazy", "  dog"]
        );
        for l in &lines {
            assert!(l.width() <= 24, "{l}");
        }
        let joined: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(
            joined.join(" "),
            "the quick brown [fox], jumps over the lazy dog"
        );
    }

    #[test]
    fn a_word_longer_than_the_line_stands_alone() {
        let long = "x".repeat(50);
        let pieces = vec![(format!("a {long} b"), false)];
        let text = wrap(&pieces, 30, "", 0, plain);
        assert_eq!(text.lines().collect::<Vec<_>>(), ["a", long.as_str(), "b"]);
    }
}
