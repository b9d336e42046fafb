//! JSON output: one object per search (`query`, `total_hits`, `took_ms`,
//! `hits`, `facets`), snippets as HTML-escaped text with `<b>` around
//! highlights so they are safe to put in a page.

use std::io::Write;

use serde::Serialize;

use super::{render_fragments, render_highlighted};
use crate::document::Document;
use crate::search::collapse::Copy;
use crate::search::{Facets, Hit, SearchResults};

/// A stored document with its near-duplicate copies (`show --copies --json`).
#[derive(Serialize)]
pub struct WithCopies<'a> {
    /// The document's fields.
    #[serde(flatten)]
    pub document: &'a Document,
    /// The other members of its cluster.
    pub copies: &'a [Copy],
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    score: Option<f32>,
    title: &'a str,
    title_html: String,
    date: Option<chrono::NaiveDate>,
    source: Option<&'a str>,
    author: Option<&'a str>,
    path: &'a str,
    url: Option<&'a str>,
    agencies: &'a [String],
    topics: &'a [String],
    countries: &'a [String],
    snippet: String,
    copies: &'a [Copy],
}

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total_hits: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_stories: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    did_you_mean: Option<&'a str>,
    took_ms: f64,
    hits: Vec<JsonHit<'a>>,
    facets: Option<&'a Facets>,
}

fn html_piece(text: &str, highlighted: bool) -> String {
    let escaped = html_escape::encode_text(text);
    if highlighted {
        format!("<b>{escaped}</b>")
    } else {
        escaped.into_owned()
    }
}

/// The snippet of a hit as safe HTML.
pub fn snippet_html(hit: &Hit) -> String {
    render_fragments(&hit.fragments, html_piece)
}

/// The title of a hit as safe HTML.
pub fn title_html(hit: &Hit) -> String {
    render_highlighted(&hit.title, &hit.title_highlights, html_piece)
}

/// Writes the results as one JSON object and a newline.
pub fn write_results(
    out: &mut impl Write,
    results: &SearchResults,
    took_ms: f64,
) -> std::io::Result<()> {
    let hits = results
        .hits
        .iter()
        .map(|h| JsonHit {
            id: &h.id,
            score: h.score,
            title: &h.title,
            title_html: title_html(h),
            date: h.date,
            source: h.source.as_deref(),
            author: h.author.as_deref(),
            path: &h.path,
            url: h.url.as_deref(),
            agencies: &h.agencies,
            topics: &h.topics,
            countries: &h.countries,
            snippet: snippet_html(h),
            copies: &h.copies,
        })
        .collect();
    let body = JsonResults {
        query: &results.query,
        total_hits: results.total_hits,
        total_stories: results.total_stories,
        did_you_mean: results.did_you_mean.as_deref(),
        took_ms: (took_ms * 1000.0).round() / 1000.0,
        hits,
        facets: results.facets.as_ref(),
    };
    serde_json::to_writer(&mut *out, &body).map_err(std::io::Error::from)?;
    writeln!(out)
}

/// Writes any serializable value as one line of JSON.
pub fn write_value(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
    writeln!(out)
}
