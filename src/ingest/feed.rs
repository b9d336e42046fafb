//! RSS, Atom and RDF feeds (and JSON Feed, when it arrives with a feed
//! extension): each item or entry is one article. HTML in descriptions and
//! content becomes text. Parsing is done by feed-rs on quick-xml, which never
//! resolves external entities, so a feed cannot make us read other files.

use std::sync::LazyLock;

use regex::Regex;

use super::{html::fragment_to_text, Parsed, Problem};
use crate::document::RawArticle;

/// Reads a feed file.
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    if has_entity_declarations(bytes) {
        return Err(
            "XML declares entities (DOCTYPE with ENTITY); refused to avoid entity expansion".into(),
        );
    }
    let feed = feed_rs::parser::parse(bytes).map_err(|e| format!("invalid feed: {e}"))?;
    let source = feed.title.as_ref().map(|t| fragment_to_text(&t.content));
    let raw_dates = raw_item_dates(bytes, feed.entries.len());
    let mut parsed = Parsed::default();
    for (i, entry) in feed.entries.into_iter().enumerate() {
        let n = i + 1;
        // The date as written keeps its local day; feed-rs converts to UTC.
        let written_date = raw_dates.as_ref().and_then(|d| d[i].clone());
        let title = entry.title.map(|t| fragment_to_text(&t.content));
        let body = entry
            .content
            .and_then(|c| c.body)
            .or(entry.summary.map(|s| s.content))
            .map(|b| fragment_to_text(&b))
            .unwrap_or_default();
        if title.is_none() && body.trim().is_empty() {
            parsed
                .problems
                .push(Problem::item(format!("item {n}"), "no title and no text"));
            continue;
        }
        let url = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.clone());
        let authors: Vec<String> = entry
            .authors
            .iter()
            .filter_map(|p| p.name.clone())
            .collect();
        parsed.articles.push(RawArticle {
            item: n,
            title,
            body,
            meta_date: written_date
                .or_else(|| entry.published.or(entry.updated).map(|d| d.to_rfc3339())),
            source: source.clone(),
            author: (!authors.is_empty()).then(|| authors.join(", ")),
            url,
            categories: entry
                .categories
                .into_iter()
                .map(|c| c.label.unwrap_or(c.term))
                .collect(),
            lang: entry.language,
            ..RawArticle::default()
        });
    }
    if parsed.articles.is_empty() && parsed.problems.is_empty() {
        return Err("feed has no items".into());
    }
    Ok(parsed)
}

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<(?:item|entry)[\s>].*?</(?:item|entry)>").expect("valid regex")
});
static ITEM_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<(pubDate|published|dc:date|updated)>\s*([^<]{4,60}?)\s*</(?:pubDate|published|dc:date|updated)>")
        .expect("valid regex")
});

/// Each item's date string as written, when the items can be matched one to
/// one with the parsed entries.
fn raw_item_dates(bytes: &[u8], entries: usize) -> Option<Vec<Option<String>>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let dates: Vec<Option<String>> = ITEM
        .find_iter(text)
        .map(|item| {
            let found: Vec<(String, String)> = ITEM_DATE
                .captures_iter(item.as_str())
                .map(|c| (c[1].to_string(), c[2].to_string()))
                .collect();
            ["pubDate", "published", "dc:date", "updated"]
                .iter()
                .find_map(|tag| found.iter().find(|(t, _)| t == tag).map(|(_, d)| d.clone()))
        })
        .collect();
    (dates.len() == entries).then_some(dates)
}

/// A DTD that declares entities is how "billion laughs" and external-entity
/// attacks start; news feeds never need one.
fn has_entity_declarations(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    head.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_become_articles() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>One</title><link>https://x.org/1</link><pubDate>Tue, 23 Jan 2024 09:00:00 +1100</pubDate>
<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>Two</title><description>Plain</description></item></channel></rss>"#;
        let p = parse(rss).expect("parses");
        assert_eq!(p.articles.len(), 2);
        let a = &p.articles[0];
        assert_eq!((a.item, a.title.as_deref()), (1, Some("One")));
        assert_eq!(a.source.as_deref(), Some("Wire"));
        assert!(a.body.contains("Hello world"), "{}", a.body);
        assert_eq!(a.url.as_deref(), Some("https://x.org/1"));
        assert_eq!(
            a.meta_date.as_deref(),
            Some("Tue, 23 Jan 2024 09:00:00 +1100")
        );
    }

    #[test]
    fn entity_declarations_are_refused() {
        let xml = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title></item></channel></rss>"#;
        assert!(parse(xml).unwrap_err().contains("entit"));
    }
}
