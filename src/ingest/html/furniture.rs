//! Lines of extracted main text that are page furniture rather than
//! article: box headings ("Ähnliche Beiträge", "Most read"), teasers for
//! other articles ("Lea también: …"), share, print and comment buttons,
//! subscription and consent prompts, picture and source credits, and lines
//! that are only a date or a time. Both extractors let such short lines
//! through when they sit inside the article container. The vocabulary is
//! data (`data/furniture.toml`); this module only applies it.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

const BUILTIN: &str = include_str!("../../../data/furniture.toml");

/// A line that is only a date or time is at most this long ("23.10.2018",
/// "3:59 PM"): longer digit runs are tables or figures.
const DATE_LINE_CHARS: usize = 30;

#[derive(Debug, Deserialize)]
struct Vocabulary {
    max_line_chars: usize,
    headings: Vec<String>,
    teaser_prefixes: Vec<String>,
    prompt_line_chars: usize,
    prompts: Vec<String>,
    credit_line_chars: usize,
    caption_line_chars: usize,
    credit_words: Vec<String>,
    caption_marks: Vec<String>,
}

struct Furniture {
    vocabulary: Vocabulary,
    headings: HashSet<String>,
}

fn furniture() -> &'static Furniture {
    static CELL: OnceLock<Furniture> = OnceLock::new();
    CELL.get_or_init(|| {
        // The file is embedded at build time; a syntax error in it is a bug
        // that every test of this module catches.
        let vocabulary: Vocabulary = toml::from_str(BUILTIN)
            .unwrap_or_else(|e| panic!("data/furniture.toml is invalid: {e}"));
        let headings = vocabulary.headings.iter().map(|h| fold(h)).collect();
        Furniture {
            vocabulary,
            headings,
        }
    })
}

/// Lower case, no-break spaces as spaces, and without the bullets and
/// punctuation around the line: "» Auch interessant: " → "auch interessant".
fn fold(line: &str) -> String {
    const LEAD: &[char] = &['>', '»', '«', '|', '*', '-', '–', '—'];
    const TRAIL: &[char] = &[
        ':', '.', '!', '?', '»', '>', '«', '<', '-', '–', '—', '|', '*',
    ];
    let lower = line.to_lowercase().replace('\u{a0}', " ");
    lower
        .trim_start_matches(|c: char| c.is_whitespace() || LEAD.contains(&c))
        .trim_end_matches(|c: char| c.is_whitespace() || TRAIL.contains(&c))
        .to_string()
}

/// True when the line (whitespace already squeezed) is furniture.
pub fn is_furniture(line: &str) -> bool {
    let f = furniture();
    let v = &f.vocabulary;
    let chars = line.chars().count();
    if chars > v.max_line_chars {
        return false;
    }
    let folded = fold(line);
    f.headings.contains(&folded)
        || is_teaser(&folded, &v.teaser_prefixes)
        || (chars < v.prompt_line_chars && v.prompts.iter().any(|p| folded.contains(p.as_str())))
        || (chars < v.credit_line_chars && is_credit(&folded, &v.credit_words))
        || (chars < v.caption_line_chars && is_caption(&folded, &v.caption_marks))
        || (chars < DATE_LINE_CHARS && is_date_only(&folded))
}

/// "lea también: …", "czytaj też » …": a known prefix, then ':' or '»'.
fn is_teaser(folded: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| {
        folded
            .strip_prefix(p.as_str())
            .map(|rest| rest.trim_start())
            .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('»'))
    })
}

/// "quelle: dpa", "foto: …", "photograph by …", "image illustrative : …":
/// a credit word as the first word, then ':' or "by" within two words.
fn is_credit(folded: &str, words: &[String]) -> bool {
    let mut tokens = folded.split_whitespace();
    let Some(first) = tokens.next() else {
        return false;
    };
    if !words.iter().any(|w| w == first.trim_end_matches(':')) {
        return false;
    }
    if first.ends_with(':') {
        return true;
    }
    let marks = |t: Option<&str>| t.is_some_and(|t| t == ":" || t == "by" || t.starts_with(':'));
    let second = tokens.next();
    marks(second) || second.is_some_and(|s| s.ends_with(':')) || marks(tokens.next())
}

/// A caption with a copyright sign or a "(Foto: …)" credit.
fn is_caption(folded: &str, marks: &[String]) -> bool {
    folded.contains('©')
        || marks.iter().any(|m| {
            folded.match_indices('(').any(|(i, _)| {
                folded[i + 1..]
                    .strip_prefix(m.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
        })
}

/// "23.10.2018", "3:59 pm", "2021-10-16 |": digits and date punctuation.
fn is_date_only(folded: &str) -> bool {
    let rest = folded.replace("am", "").replace("pm", "");
    rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || ".:/-|,".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_file_parses() {
        assert!(!furniture().headings.is_empty());
    }

    #[test]
    fn box_headings_are_furniture_in_any_case_and_punctuation() {
        for line in [
            "Ähnliche Beiträge",
            "Das könnte Sie auch interessieren!",
            "» Most read",
            "Kommentare",
            "Beitrag teilen",
            "Rezept drucken",
        ] {
            assert!(is_furniture(line), "{line}");
        }
    }

    #[test]
    fn teasers_for_other_articles_are_furniture() {
        assert!(is_furniture(
            "Lea también: Impiden ingreso a Nicaragua a reportero"
        ));
        assert!(is_furniture("Czytaj też: Wyścig zbrojeń ruszył z kopyta"));
        assert!(is_furniture("Read more: Looted art to be returned"));
    }

    #[test]
    fn prompts_credits_captions_and_bare_dates_are_furniture() {
        assert!(is_furniture(
            "Never miss the latest news by signing up to our newsletter today!"
        ));
        assert!(is_furniture("Quelle: Landesregierung"));
        assert!(is_furniture(
            "Photograph by Ed Marshall, Restoration Programme"
        ));
        assert!(is_furniture(
            "Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO"
        ));
        assert!(is_furniture(
            "Cristina Kirchner en el Congreso (Foto: Natacha Pisarenko/Pool)."
        ));
        assert!(is_furniture("23.10.2018"));
        assert!(is_furniture(" 3:59 PM "));
    }

    #[test]
    fn article_sentences_with_the_same_words_are_kept() {
        for line in [
            "The agency said it would share the indicators with operators of water systems.",
            "Read more carefully, the advisory names three vendors.",
            "Source code for the exploit was published on Tuesday by a researcher.",
            "Sources close to the ministry said the audit began in March.",
            "The 2018 breach exposed 23 million records.",
            "Kommentare des Ministers wurden am Montag veröffentlicht.",
        ] {
            assert!(!is_furniture(line), "{line}");
        }
    }

    #[test]
    fn long_lines_are_never_furniture() {
        let long = format!("Read more: {}", "word ".repeat(60));
        assert!(!is_furniture(&long));
    }
}
