//! Normalization: turns a [`RawArticle`] from any format reader into a
//! [`Document`] with clean text, a date and the agencies, topics and
//! countries it concerns. Pure functions: no I/O and no clock reads, so the
//! same input always gives the same document.

pub mod date_words;
pub mod dates;
pub mod hierarchy;
pub mod places;
pub mod taxonomy;
pub mod vocab;

use chrono::{Datelike, NaiveDate};

use crate::document::{DateSource, Document, Format, RawArticle};
pub use taxonomy::{Kind, Taxonomy};

/// Facts about the file an article came from.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    /// Path relative to the walked root, with forward slashes.
    pub rel_path: &'a str,
    /// The file's identity (`ingest::SourceFile::key`): ids of articles
    /// without a URL are `key#item`, unique per file.
    pub key: &'a str,
    /// The format the file was read as.
    pub format: Format,
    /// The file's modification date, passed only when `--date-from-mtime` is on.
    pub mtime_date: Option<NaiveDate>,
}

/// Builds the normalized document for one raw article.
pub fn normalize(raw: RawArticle, origin: &Origin<'_>, taxonomy: &Taxonomy) -> Document {
    let mut warnings = raw.warnings;
    let title = clean_inline(raw.title.as_deref().unwrap_or_default());
    let mut body = clean_body(&raw.body);
    let (date, date_source) = find_date(
        raw.meta_date.as_deref(),
        raw.text_date.as_deref(),
        raw.url_date.as_deref(),
        &mut body,
        origin,
        &mut warnings,
    );
    let tags = taxonomy.tag(&title, &body, raw.extra_text.as_deref().unwrap_or_default());
    let url = raw.url.as_deref().and_then(canonical_url);
    let item = raw.item;
    let id = url
        .clone()
        .unwrap_or_else(|| format!("{}#{item}", origin.key));
    Document {
        id,
        path: origin.rel_path.to_string(),
        item,
        format: raw.format.unwrap_or(origin.format),
        title,
        body,
        date,
        date_source,
        source: non_empty(raw.source.as_deref().map(clean_inline)),
        author: non_empty(raw.author.as_deref().map(clean_inline)),
        url,
        categories: raw
            .categories
            .iter()
            .map(|c| clean_inline(c))
            .filter(|c| !c.is_empty())
            .collect(),
        agencies: tags.agencies,
        topics: tags.topics,
        countries: tags.countries,
        lang: non_empty(raw.lang),
        warnings,
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Metadata first, then the URL, then the text (a `Published:` line or a dateline), then
/// the path, then (only when asked) the file's mtime.
fn find_date(
    meta: Option<&str>,
    text: Option<&str>,
    url: Option<&str>,
    body: &mut String,
    origin: &Origin<'_>,
    warnings: &mut Vec<String>,
) -> (Option<NaiveDate>, Option<DateSource>) {
    let mut try_parse = |s: &str| match dates::parse_date(s) {
        Ok(d) if !crate::schema::DAY_RANGE.contains(&d) => {
            warnings.push(format!(
                "date {s:?} is outside the years {}-{} the index holds; the article is kept undated",
                crate::schema::DAY_RANGE.start().year(),
                crate::schema::DAY_RANGE.end().year()
            ));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            warnings.push(e.to_string());
            None
        }
    };
    if let Some(d) = meta.and_then(&mut try_parse) {
        return (Some(d), Some(DateSource::Metadata));
    }
    if let Some(d) = url.and_then(&mut try_parse) {
        return (Some(d), Some(DateSource::Url));
    }
    let from_text = text
        .map(str::to_string)
        .or_else(|| take_published_line(body))
        .or_else(|| first_dateline(body));
    if let Some(d) = from_text.as_deref().and_then(&mut try_parse) {
        return (Some(d), Some(DateSource::Text));
    }
    if let Some(d) = dates::path_date(origin.rel_path) {
        return (Some(d), Some(DateSource::Path));
    }
    match origin.mtime_date {
        Some(d) => (Some(d), Some(DateSource::Mtime)),
        None => (None, None),
    }
}

/// A `Published:` line among the first lines of the body, removed from it.
fn take_published_line(body: &mut String) -> Option<String> {
    let (idx, date) = body
        .split("\n\n")
        .take(3)
        .enumerate()
        .find_map(|(i, para)| dates::published_line_date(para).map(|d| (i, d.to_string())))?;
    let rest: Vec<&str> = body
        .split("\n\n")
        .enumerate()
        .filter(|&(i, _)| i != idx)
        .map(|(_, p)| p)
        .collect();
    *body = rest.join("\n\n");
    Some(date)
}

fn first_dateline(body: &str) -> Option<String> {
    dates::dateline_date(body.split("\n\n").next()?).map(str::to_string)
}

/// Trims and drops a fragment; only http(s) URLs count as canonical.
pub fn canonical_url(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        .then(|| url.to_string())
        .filter(|u| u.len() > "https://".len() && !u.contains(char::is_whitespace))
}

/// One line of text: whitespace runs become one space.
pub fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A body: BOM and carriage returns removed, each paragraph on one line with
/// single spaces, paragraphs separated by one blank line.
pub fn clean_body(s: &str) -> String {
    let s = s.strip_prefix('\u{feff}').unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    let mut para = String::new();
    let flush = |para: &mut String, out: &mut String| {
        if !para.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(para);
            para.clear();
        }
    };
    for line in s.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
            continue;
        }
        // Most lines are ASCII, where the byte splitter is several times
        // faster than the Unicode one (it differs only on a vertical tab).
        let push = |para: &mut String, word: &str| {
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(word);
        };
        if line.is_ascii() {
            line.split_ascii_whitespace()
                .for_each(|w| push(&mut para, w));
        } else {
            line.split_whitespace().for_each(|w| push(&mut para, w));
        }
    }
    flush(&mut para, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_body_joins_lines_and_keeps_paragraphs() {
        let s = "\u{feff}One\r\ntwo   three\r\n\r\n\r\n\tFour\n";
        assert_eq!(clean_body(s), "One two three\n\nFour");
    }

    #[test]
    fn cleaning_twice_changes_nothing() {
        let once = clean_body("a  b\n\n\nc\r\nd");
        assert_eq!(clean_body(&once), once);
    }

    #[test]
    fn canonical_url_drops_fragments_and_rejects_non_http() {
        assert_eq!(
            canonical_url(" https://x.org/a#b ").as_deref(),
            Some("https://x.org/a")
        );
        assert_eq!(canonical_url("javascript:alert(1)"), None);
        assert_eq!(canonical_url("file:///etc/passwd"), None);
    }
}
