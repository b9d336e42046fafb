//! Main text as two extractors agree on it. rs-trafilatura keeps the
//! article but also short blocks beside it ("Auch interessant", paywall
//! prompts, share labels, teaser headlines) and sometimes drops the lead
//! paragraph; a readability port (dom_smoothie) selects the article
//! container differently. So: trafilatura's lines, less the short ones
//! readability did not keep; readability's long lines before the first line
//! both share (the lead) put back in front; readability alone when it found
//! over three times as much text; trafilatura alone when the two chose
//! different parts of the page; and page furniture dropped line by line
//! ([`super::furniture`]). Measured on the 990 pages of trafilatura's
//! evaluation set (`../shared/data/html-main-text`, see `tests/real_html.rs`):
//! rs-trafilatura alone F1 0.890 (P 0.850, R 0.934), readability alone 0.889,
//! the earlier agreement-only combination 0.902, this one 0.931 (P 0.913,
//! R 0.949; Python trafilatura 0.926 in the same run).

use super::furniture::is_furniture;

/// A trafilatura line this long (characters) is kept even when readability
/// dropped it: furniture is short.
const KEEP_LONG: usize = 100;

/// A readability line before the shared text is a lead paragraph
/// trafilatura missed when it is this long (characters); shorter ones there
/// are bylines, captions and kickers.
const LEAD_LONG: usize = 120;

/// The first line both extractors share must have this many letters and
/// digits, so that a shared date or label does not end the lead early.
const SHARED_MIN: usize = 20;

/// Readability output shorter than this (bytes) is a failed extraction,
/// not a second opinion.
const MIN_READABILITY: usize = 200;

/// Readability found the article and trafilatura a fragment of it when its
/// text is this many times longer.
const READABILITY_WINS: usize = 3;

/// Below this share of trafilatura's text confirmed by readability, the two
/// picked different containers and readability's opinion says nothing.
const MIN_AGREEMENT: f64 = 0.1;

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Letters and digits only, lower case: the two extractors space inline
/// markup, table cells and bold markers differently, so lines are compared
/// on this.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Readability's text of the page, empty when it finds no article.
fn readability_text(html: &str) -> String {
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    dom_smoothie::Readability::new(html, None, Some(config))
        .ok()
        .and_then(|mut r| r.parse().ok())
        .map(|a| a.text_content.to_string())
        .unwrap_or_default()
}

/// The article text of a page whose trafilatura text is `trafilatura`.
pub fn article_text(trafilatura: &str, html: &str) -> String {
    combine(trafilatura, &readability_text(html))
}

/// Soft hyphens are invisible hyphenation hints that split words for the
/// index ("Klima\u{ad}wandel"): drop them.
fn without_soft_hyphens(s: &str) -> String {
    s.replace('\u{ad}', "")
}

fn combine(trafilatura: &str, readability: &str) -> String {
    let traf = without_soft_hyphens(trafilatura);
    let read = without_soft_hyphens(readability);
    drop_furniture(&choose(&traf, &read))
}

fn nonblank_lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().filter(|l| !l.trim().is_empty())
}

fn choose(traf: &str, read: &str) -> String {
    let (traf_len, read_len) = (squeeze(traf).len(), squeeze(read).len());
    if read_len < MIN_READABILITY {
        return traf.to_string();
    }
    // A JSON blob is a script readability mistook for text.
    if read_len > READABILITY_WINS * traf_len && !read.trim_start().starts_with('{') {
        return read.to_string();
    }
    let read_key = key(read);
    let confirmed: usize = nonblank_lines(traf)
        .filter(|l| read_key.contains(&key(l)))
        .map(|l| squeeze(l).len())
        .sum();
    if (confirmed as f64) < MIN_AGREEMENT * traf_len.max(1) as f64 {
        return traf.to_string();
    }
    let mut out = missed_lead(traf, read);
    out.extend(
        nonblank_lines(traf).filter(|line| {
            squeeze(line).chars().count() > KEEP_LONG || read_key.contains(&key(line))
        }),
    );
    out.join("\n")
}

/// Readability's long lines before the first substantial line both
/// extractors share, that trafilatura does not have.
fn missed_lead<'a>(traf: &str, read: &'a str) -> Vec<&'a str> {
    let traf_key = key(traf);
    nonblank_lines(read)
        .take_while(|l| {
            let k = key(l);
            !(k.chars().count() > SHARED_MIN && traf_key.contains(&k))
        })
        .filter(|l| squeeze(l).chars().count() > LEAD_LONG && !traf_key.contains(&key(l)))
        .collect()
}

fn drop_furniture(text: &str) -> String {
    nonblank_lines(text)
        .filter(|l| !is_furniture(&squeeze(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "The agency published its guidance on Tuesday and said that operators of water systems should patch the controllers within thirty days of the notice.";

    #[test]
    fn short_blocks_only_trafilatura_kept_are_dropped() {
        let traf = format!("{ARTICLE}\nAuch so\nSecond short line kept");
        let read = format!("{ARTICLE} Second short line kept {}", "x ".repeat(120));
        let out = combine(&traf, &read);
        assert!(out.contains(ARTICLE));
        assert!(out.contains("Second short line kept"));
        assert!(!out.contains("Auch so"));
    }

    #[test]
    fn failed_readability_leaves_trafilatura_alone() {
        assert_eq!(combine("a\nb", ""), "a\nb");
    }

    #[test]
    fn lines_match_across_spacing_and_bold_markers() {
        let traf = format!("{ARTICLE}\n**Nachteile:** Starke Hitze nur in der Mitte");
        let read = format!(
            "{ARTICLE}\nNachteileStarke Hitze nur in der Mitte\n{}",
            "y ".repeat(100)
        );
        let out = combine(&traf, &read);
        assert!(out.contains("Starke Hitze nur in der Mitte"), "{out}");
    }

    #[test]
    fn lead_paragraph_only_readability_found_is_put_first() {
        let lead = "Regulators in three countries opened inquiries on Monday into the breach, which exposed the records of some four million customers of the utility.";
        let traf = format!("{ARTICLE}\nMore text of the article follows here.");
        let read =
            format!("By Jane Doe\n{lead}\n{ARTICLE}\nMore text of the article follows here.");
        let out = combine(&traf, &read);
        assert!(out.starts_with(lead), "{out}");
        assert!(!out.contains("Jane Doe"));
    }

    #[test]
    fn readability_wins_when_trafilatura_kept_a_fragment() {
        let read = format!(
            "{ARTICLE}\n{}",
            "Further paragraph of the report. ".repeat(20)
        );
        let out = combine("Further paragraph of the report.", &read);
        assert!(out.contains(ARTICLE));
    }

    #[test]
    fn disagreeing_extractors_leave_trafilatura_alone() {
        let traf = format!("{ARTICLE}\nShort line of the article");
        let read = "Completely different teaser text from a sidebar box. ".repeat(6);
        let out = combine(&traf, &read);
        assert!(out.contains("Short line of the article"));
        assert!(!out.contains("sidebar"));
    }

    #[test]
    fn soft_hyphens_are_removed() {
        let out = combine("Der Klima\u{ad}wandel", "");
        assert_eq!(out, "Der Klimawandel");
    }

    #[test]
    fn furniture_lines_are_dropped_even_when_both_keep_them() {
        let traf = format!("{ARTICLE}\nÄhnliche Beiträge\nQuelle: dpa");
        let read = format!(
            "{ARTICLE}\nÄhnliche Beiträge\nQuelle: dpa\n{}",
            "z ".repeat(100)
        );
        let out = combine(&traf, &read);
        assert_eq!(out, ARTICLE);
    }
}
