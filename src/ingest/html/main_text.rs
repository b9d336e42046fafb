//! Main text as two extractors agree on it. rs-trafilatura alone keeps the
//! article but also short blocks beside it ("Auch interessant", paywall
//! prompts, share labels, teaser headlines); a readability port
//! (dom_smoothie) selects the article container differently. Short
//! paragraphs that only trafilatura kept are mostly such furniture, while
//! long ones are article text readability cut. Measured on the 990 pages of
//! trafilatura's evaluation set: trafilatura alone F1 0.889 (P 0.850),
//! readability alone 0.888, this combination 0.901 (P 0.894, R 0.907);
//! keeping only agreed paragraphs gave P 0.910 but R 0.794.

/// A trafilatura paragraph this long (characters) is kept even when
/// readability dropped it: furniture is short.
const KEEP_LONG: usize = 120;

/// Readability output shorter than this (characters) is a failed
/// extraction, not a second opinion.
const MIN_READABILITY: usize = 200;

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// Trafilatura's lines (one block each), less the short ones readability
/// did not keep. When readability found nothing, trafilatura's text stands.
pub fn confirmed_by_readability(trafilatura: &str, html: &str) -> String {
    combine(trafilatura, &readability_text(html))
}

fn combine(trafilatura: &str, readability: &str) -> String {
    let other = squeeze(readability);
    if other.len() < MIN_READABILITY {
        return trafilatura.to_string();
    }
    trafilatura
        .lines()
        .filter(|line| {
            let line = squeeze(line);
            !line.is_empty() && (line.chars().count() > KEEP_LONG || other.contains(&line))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blocks_only_trafilatura_kept_are_dropped() {
        let article = "The agency published its guidance on Tuesday and said that operators of water systems should patch the controllers within thirty days of the notice.";
        let traf = format!("{article}\nAuch interessant\nSecond short line kept");
        let read = format!("{article} Second short line kept {}", "x ".repeat(120));
        let out = combine(&traf, &read);
        assert!(out.contains(article));
        assert!(out.contains("Second short line kept"));
        assert!(!out.contains("Auch interessant"));
    }

    #[test]
    fn failed_readability_leaves_trafilatura_alone() {
        assert_eq!(combine("a\nb", ""), "a\nb");
    }
}
