//! Field aliases shared by the structured readers (JSON, JSON Lines, CSV,
//! front matter, sidecar metadata tables): the many names real dumps use for
//! the same thing. Lookups by [`text_of`] are exact; CSV headers are matched
//! ignoring case by [`column_of`].

use serde_json::Value;

use crate::document::RawArticle;

/// Keys that hold a title.
pub const TITLE: &[&str] = &["title", "headline", "name"];
/// Keys that hold the article text, best first.
pub const BODY: &[&str] = &[
    "body",
    "text",
    "content",
    "article",
    "articleBody",
    "content_text",
    "content_html",
    "full_text",
    "article_text",
    "story_text",
    "description",
    "summary",
];
/// Keys that hold a publication date.
pub const DATE: &[&str] = &[
    "date",
    "published",
    "published_at",
    "publishedAt",
    "datePublished",
    "date_published",
    "pubDate",
    "created_at",
    "publish_date",
    "publication_date",
    "pub_date",
];
/// Keys that hold the author or authors.
pub const AUTHOR: &[&str] = &["author", "byline", "authors", "creator"];
/// Keys that hold the outlet.
pub const SOURCE: &[&str] = &[
    "source",
    "outlet",
    "publisher",
    "site_name",
    "siteName",
    "media_name",
    "media",
];
/// Keys that hold the URL.
pub const URL: &[&str] = &["url", "link", "canonical_url", "permalink", "article_url"];
/// Keys that hold categories or tags.
pub const CATEGORIES: &[&str] = &["categories", "category", "tags", "keywords"];
/// Keys that hold a language code.
pub const LANG: &[&str] = &["lang", "language", "inLanguage"];

/// Columns of a metadata table that name the article file it describes.
pub const FILE: &[&str] = &[
    "filename",
    "file_name",
    "file",
    "path",
    "filepath",
    "file_path",
    "document",
];

/// The index of the first header (ignoring ASCII case and surrounding
/// space) that is one of `keys`, trying keys in their order of preference.
pub fn column_of(headers: &[String], keys: &[&str]) -> Option<usize> {
    keys.iter().find_map(|k| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(k))
    })
}

/// The first key present, as text. Objects yield their `name` (an author or
/// publisher object), lists are joined with ", ".
pub fn text_of(obj: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| obj.get(*k))
        .find_map(value_text)
        .filter(|s| !s.trim().is_empty())
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("name").and_then(value_text),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(value_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// The first key present, as a list of strings.
pub fn list_of(obj: &serde_json::Map<String, Value>, keys: &[&str]) -> Vec<String> {
    let Some(v) = keys.iter().find_map(|k| obj.get(*k)) else {
        return Vec::new();
    };
    match v {
        Value::Array(items) => items.iter().filter_map(value_text).collect(),
        Value::String(s) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        other => value_text(other).into_iter().collect(),
    }
}

/// Reads the common article fields from an object. The body is passed
/// through `to_text` so HTML bodies become text.
pub fn article_from_object(
    obj: &serde_json::Map<String, Value>,
    to_text: impl Fn(&str) -> String,
) -> RawArticle {
    RawArticle {
        title: text_of(obj, TITLE),
        body: text_of(obj, BODY).map(|b| to_text(&b)).unwrap_or_default(),
        meta_date: text_of(obj, DATE),
        source: text_of(obj, SOURCE),
        author: text_of(obj, AUTHOR),
        url: text_of(obj, URL),
        categories: list_of(obj, CATEGORIES),
        lang: text_of(obj, LANG),
        ..RawArticle::default()
    }
}
