//! The normalized document: the one shape every input format is turned into,
//! what `extract` prints and what the index stores.

use serde::{Deserialize, Serialize};

/// The input format an article was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text in the seed layout.
    Text,
    /// Markdown, with or without front matter.
    Markdown,
    /// A saved HTML page.
    Html,
    /// A JSON object or array of objects.
    Json,
    /// JSON Lines, one object per line.
    Jsonl,
    /// A CISA CSAF advisory.
    Csaf,
    /// An RSS, Atom or JSON Feed.
    Feed,
    /// A CSV or TSV file, one article per row.
    Csv,
}

impl Format {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csaf => "csaf",
            Format::Feed => "feed",
            Format::Csv => "csv",
        }
    }
}

/// Where a document's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// The format's own metadata (front matter, meta tags, JSON field, feed date).
    Metadata,
    /// A `Published:` line or a dateline in the text.
    Text,
    /// The file's path (`2021/05/`, `2019-06-04-name.md`).
    Path,
    /// The article's canonical URL (`…/2021/05/14/…`).
    Url,
    /// The file's modification time (only with `--date-from-mtime`).
    Mtime,
}

/// An article as one format reader found it, before normalization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawArticle {
    /// Position inside a feed, JSONL or array file (1-based), else 0.
    pub item: usize,
    /// The title, if the format gave one.
    pub title: Option<String>,
    /// The article text (markup already removed).
    pub body: String,
    /// A date string from the format's metadata.
    pub meta_date: Option<String>,
    /// A date string found in the text (`Published:` line).
    pub text_date: Option<String>,
    /// A date read from the article's URL (`…/2021/05/14/…`).
    pub url_date: Option<String>,
    /// Publication or outlet name.
    pub source: Option<String>,
    /// Author or byline.
    pub author: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Categories or tags given by the source.
    pub categories: Vec<String>,
    /// Language code, when declared.
    pub lang: Option<String>,
    /// Problems met while reading this article.
    pub warnings: Vec<String>,
    /// Extra text that is matched for agencies and countries but not shown (e.g. CSAF notes).
    pub extra_text: Option<String>,
    /// Format override (CSAF documents are found by the JSON reader).
    pub format: Option<Format>,
}

/// A normalized article: what `extract` prints and the index stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id: the canonical URL when there is one, else `path#item`.
    pub id: String,
    /// Path relative to the walked root (forward slashes).
    pub path: String,
    /// Position inside a multi-article file (1-based), else 0.
    pub item: usize,
    /// The format the article was read from.
    pub format: Format,
    /// Title (may be empty when the source had none).
    pub title: String,
    /// Plain-text body.
    pub body: String,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<chrono::NaiveDate>,
    /// Where the date came from.
    pub date_source: Option<DateSource>,
    /// Outlet or publisher.
    pub source: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Categories or tags from the source.
    pub categories: Vec<String>,
    /// Canonical agency names found in the text.
    pub agencies: Vec<String>,
    /// Topics the article is about.
    pub topics: Vec<String>,
    /// Canonical country names the article concerns.
    pub countries: Vec<String>,
    /// Declared language, if any.
    pub lang: Option<String>,
    /// Problems met while reading or normalizing.
    pub warnings: Vec<String>,
}
