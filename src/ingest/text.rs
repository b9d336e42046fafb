//! Plain-text articles in the seed layout: an optional line of categories
//! ("Americas, Content"), the title, optional metadata lines (`Published:`,
//! `Date:`, `By …`, `Source:`, `URL:`), paragraphs, then optionally a byline
//! (a name alone on a line) and a one-line bio.
//!
//! Metadata lines may also stand above the title (exports from clipping
//! tools put them first); a metadata line is never the title: the title is
//! the first line at the top that is not one.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::RawArticle;
use crate::normalize::dates::published_line_date;

static NAME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[A-Z][\p{L}'’\-]*\.?)(?:\s+(?:[A-Z][\p{L}'’\-]*\.?|de|van|von|da|bin|al)){1,4}$",
    )
    .expect("valid regex")
});
/// "By Sam Lee", "BY JANE DOE AND SAM LEE", "By Sam Lee, Policy Wire": a
/// capitalized name after "By", so "By the numbers: …" stays a title.
static BY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:by)\s+(\p{Lu}[\p{L}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}'’.\-]*|and|&|de|van|von|da|bin|al)){0,6}(?:,\s*[^,:]{2,40})?)$")
        .expect("valid regex")
});
static SOURCE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:source|publisher|outlet|publication)\s*:\s*(.{2,80})$").expect("valid regex")
});
static URL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:url|link|canonical|original url)\s*:\s*(https?://\S+)$").expect("valid regex")
});

/// Splits text into blocks separated by blank lines, each block's lines kept.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// "Americas, Content": short comma-separated parts, no sentence punctuation.
fn is_categories_line(line: &str) -> bool {
    line.len() <= 80
        && line.contains(',')
        && !line.ends_with(['.', '?', '!', ':'])
        && line.split(',').all(|part| {
            let words = part.split_whitespace().count();
            (1..=3).contains(&words) && part.trim().chars().next().is_some_and(|c| c.is_uppercase())
        })
}

fn is_name_line(line: &str) -> bool {
    line.len() <= 50 && NAME_LINE.is_match(line)
}

/// Reads one plain-text article.
pub fn parse(text: &str) -> Result<Vec<RawArticle>, String> {
    let mut blocks = blocks(text);
    if blocks.is_empty() {
        return Err("no text".into());
    }
    let mut article = RawArticle::default();
    take_leading_metadata(&mut blocks, &mut article);
    if blocks.len() > 2 && blocks[0].len() == 1 && is_categories_line(blocks[0][0]) {
        article.categories = blocks[0][0]
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        blocks.remove(0);
        take_leading_metadata(&mut blocks, &mut article);
    }
    if blocks.is_empty() {
        return Ok(vec![article]);
    }
    let mut first = blocks.remove(0);
    article.title = Some(first.remove(0).to_string());
    // Metadata lines may follow the title in its block or as blocks of their own.
    // Only lines right under the title are metadata; a "Date:" line deep in
    // the text (a quoted e-mail header, say) is text.
    let meta_lines = first.iter().take_while(|l| is_metadata(l)).count();
    for line in first.drain(..meta_lines) {
        take_metadata(line, &mut article);
    }
    let rest_of_first = first;
    if !rest_of_first.is_empty() {
        blocks.insert(0, rest_of_first);
    }
    while let Some(block) = blocks.first() {
        let all_meta = block.len() <= 3 && block.iter().all(|l| is_metadata(l));
        if !all_meta {
            break;
        }
        for line in blocks.remove(0) {
            take_metadata(line, &mut article);
        }
    }
    take_byline(&mut blocks, &mut article);
    article.body = blocks
        .iter()
        .map(|b| b.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(vec![article])
}

/// Metadata lines at the very top, above the title, line by line.
fn take_leading_metadata(blocks: &mut Vec<Vec<&str>>, article: &mut RawArticle) {
    while let Some(block) = blocks.first_mut() {
        let taken = block.iter().take_while(|l| is_metadata(l)).count();
        for line in block.drain(..taken) {
            take_metadata(line, article);
        }
        if !block.is_empty() {
            return;
        }
        blocks.remove(0);
    }
}

fn is_metadata(line: &str) -> bool {
    published_line_date(line).is_some()
        || BY_LINE.is_match(line)
        || SOURCE_LINE.is_match(line)
        || URL_LINE.is_match(line)
}

fn take_metadata(line: &str, article: &mut RawArticle) -> bool {
    if let Some(date) = published_line_date(line) {
        article.text_date = Some(date.to_string());
    } else if let Some(c) = BY_LINE.captures(line) {
        article.author = Some(c[1].trim().to_string());
    } else if let Some(c) = SOURCE_LINE.captures(line) {
        article.source = Some(c[1].trim().to_string());
    } else if let Some(c) = URL_LINE.captures(line) {
        article.url = Some(c[1].trim().to_string());
    } else {
        return false;
    }
    true
}

/// A name alone on a line near the end, optionally followed by a one-line
/// bio, in its own paragraph or directly under the name.
fn take_byline(blocks: &mut Vec<Vec<&str>>, article: &mut RawArticle) {
    let n = blocks.len();
    if n >= 2 && blocks[n - 1].len() == 2 && is_name_line(blocks[n - 1][0]) {
        let name = blocks[n - 1][0];
        if blocks[n - 1][1].starts_with(name) {
            article.author.get_or_insert_with(|| name.to_string());
            blocks.truncate(n - 1);
            return;
        }
    }
    if n >= 3 && blocks[n - 2].len() == 1 && is_name_line(blocks[n - 2][0]) {
        let name = blocks[n - 2][0];
        let bio = blocks[n - 1].join(" ");
        let surname = name.split_whitespace().last().unwrap_or(name);
        if bio.starts_with(name) || bio.contains(surname) || bio.split_whitespace().count() < 60 {
            article.author.get_or_insert_with(|| name.to_string());
            blocks.truncate(n - 2);
            return;
        }
    }
    if n >= 2 && blocks[n - 1].len() == 1 && is_name_line(blocks[n - 1][0]) {
        article
            .author
            .get_or_insert_with(|| blocks[n - 1][0].to_string());
        blocks.truncate(n - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_layout() {
        let text = "Americas, Content\n\nA Title Here\n\nFirst para\nwraps.\n\nSecond para.\n\nJane Q. Doe\n\nJane Q. Doe is a reporter.\n";
        let a = &parse(text).expect("parses")[0];
        assert_eq!(a.categories, ["Americas", "Content"]);
        assert_eq!(a.title.as_deref(), Some("A Title Here"));
        assert_eq!(a.body, "First para wraps.\n\nSecond para.");
        assert_eq!(a.author.as_deref(), Some("Jane Q. Doe"));
    }

    #[test]
    fn bio_directly_under_the_byline_is_not_body() {
        let text = "Title\n\nBody text.\n\nOlga Garcia\nOlga Garcia reports on ransomware.\n";
        let a = &parse(text).expect("parses")[0];
        assert_eq!(a.body, "Body text.");
        assert_eq!(a.author.as_deref(), Some("Olga Garcia"));
    }

    #[test]
    fn date_lines_deep_in_the_text_are_not_metadata() {
        let text = "Title\nFirst line of text.\nDate: Tue, 26 Aug 1997 22:10:05 GMT\nMore.";
        let a = &parse(text).expect("parses")[0];
        assert_eq!(a.text_date, None);
        assert!(a.body.contains("Date: Tue"));
    }

    #[test]
    fn title_first_when_no_categories_and_metadata_lines_are_taken() {
        let text = "Russia, China Named in Joint Advisory on Hacking\nPublished: 2015-06-04\nBy Sam Lee\n\nBody text here.";
        let a = &parse(text).expect("parses")[0];
        assert!(a.categories.is_empty());
        assert_eq!(
            a.title.as_deref(),
            Some("Russia, China Named in Joint Advisory on Hacking")
        );
        assert_eq!(a.text_date.as_deref(), Some("2015-06-04"));
        assert_eq!(a.author.as_deref(), Some("Sam Lee"));
        assert_eq!(a.body, "Body text here.");
    }

    #[test]
    fn metadata_line_above_the_title_is_not_the_title() {
        let text = "Published: 2021-05-14\nSource: Policy Wire\n\nPipeline Operator Pays Ransom\nBy Sam Lee\n\nBody text.";
        let a = &parse(text).expect("parses")[0];
        assert_eq!(a.title.as_deref(), Some("Pipeline Operator Pays Ransom"));
        assert_eq!(a.text_date.as_deref(), Some("2021-05-14"));
        assert_eq!(a.source.as_deref(), Some("Policy Wire"));
        assert_eq!(a.author.as_deref(), Some("Sam Lee"));
        assert_eq!(a.body, "Body text.");
    }

    #[test]
    fn metadata_lines_in_the_title_block_above_and_below() {
        let text = "By Jane Roe\nURL: https://example.org/a\nTitle Of The Piece\nDate: March 3, 2022\n\nBody.";
        let a = &parse(text).expect("parses")[0];
        assert_eq!(a.title.as_deref(), Some("Title Of The Piece"));
        assert_eq!(a.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(a.author.as_deref(), Some("Jane Roe"));
        assert_eq!(a.text_date.as_deref(), Some("March 3, 2022"));
        assert_eq!(a.body, "Body.");
    }

    #[test]
    fn a_title_that_starts_with_by_is_still_the_title() {
        let text = "By the numbers: ransomware in 2021\n\nBody.";
        let a = &parse(text).expect("parses")[0];
        assert_eq!(
            a.title.as_deref(),
            Some("By the numbers: ransomware in 2021")
        );
    }
}
