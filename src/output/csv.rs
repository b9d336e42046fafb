//! Delimited and line-oriented exports: a timeline as CSV (one row per
//! bucket), and search hits as CSV, TSV or JSON Lines for briefings and
//! spreadsheets. Written with the `csv` crate, so quoting is always right.

use std::io::Write;

use serde::Serialize;

use super::render_fragments;
use crate::search::timeline::Timeline;
use crate::search::{Hit, SearchResults};

fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Writes `start,count[,partial][,all,share][,<series>…]`, one row per bucket.
pub fn write_timeline(out: &mut impl Write, t: &Timeline) -> std::io::Result<()> {
    let share = t.buckets.iter().any(|b| b.share.is_some());
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = vec!["start".into(), "count".into(), "partial".into()];
    if share {
        header.push("all".into());
        header.push("share".into());
    }
    // Series are facet values, and a source name comes from the articles.
    header.extend(t.series.iter().map(|s| defuse_formula(s).into_owned()));
    if share {
        header.extend(
            t.series
                .iter()
                .map(|s| defuse_formula(&format!("{s} share")).into_owned()),
        );
    }
    w.write_record(&header).map_err(csv_error)?;
    for b in &t.buckets {
        let mut row: Vec<String> = vec![
            b.start.format("%Y-%m-%d").to_string(),
            b.count.to_string(),
            b.partial.to_string(),
        ];
        if share {
            row.push(b.all.unwrap_or(0).to_string());
            row.push(b.share.unwrap_or(0.0).to_string());
        }
        for s in &t.series {
            row.push(b.series.get(s).copied().unwrap_or(0).to_string());
        }
        if share {
            for s in &t.series {
                row.push(b.series_share.get(s).copied().unwrap_or(0.0).to_string());
            }
        }
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush()
}

/// One hit as a briefing row: lists joined with "; ", the snippet as plain text.
#[derive(Debug, Serialize)]
pub struct ExportRow<'a> {
    /// Document id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Publication date (YYYY-MM-DD, empty when unknown).
    pub date: String,
    /// Source.
    pub source: &'a str,
    /// Author.
    pub author: &'a str,
    /// Agencies joined with "; ".
    pub agencies: String,
    /// Topics joined with "; ".
    pub topics: String,
    /// Countries joined with "; ".
    pub countries: String,
    /// Canonical URL.
    pub url: &'a str,
    /// The snippet without markup.
    pub snippet: String,
}

/// The export row of a hit.
pub fn export_row(hit: &Hit) -> ExportRow<'_> {
    ExportRow {
        id: &hit.id,
        title: &hit.title,
        date: hit.date.map(|d| d.to_string()).unwrap_or_default(),
        source: hit.source.as_deref().unwrap_or_default(),
        author: hit.author.as_deref().unwrap_or_default(),
        agencies: hit.agencies.join("; "),
        topics: hit.topics.join("; "),
        countries: hit.countries.join("; "),
        url: hit.url.as_deref().unwrap_or_default(),
        snippet: plain_snippet(hit),
    }
}

/// The snippet as one line of plain text.
pub fn plain_snippet(hit: &Hit) -> String {
    let text = render_fragments(&hit.fragments, |t, _| t.to_string());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The column names of a hit row, in the order of [`ExportRow::cells`].
const HIT_COLUMNS: [&str; 10] = [
    "id",
    "title",
    "date",
    "source",
    "author",
    "agencies",
    "topics",
    "countries",
    "url",
    "snippet",
];

impl ExportRow<'_> {
    /// The row's values in the order of the CSV header.
    fn cells(&self) -> [&str; 10] {
        [
            self.id,
            self.title,
            &self.date,
            self.source,
            self.author,
            &self.agencies,
            &self.topics,
            &self.countries,
            self.url,
            &self.snippet,
        ]
    }
}

/// A cell a spreadsheet will not run as a formula. Titles and sources come
/// from the articles, so a crafted `=HYPERLINK(…)` must stay text: cells
/// that start like a formula get a leading apostrophe, which spreadsheets
/// hide and treat as "this is text".
fn defuse_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes hits as CSV (`delimiter` b',') or TSV (b'\t') with a header row.
pub fn write_hits(out: &mut impl Write, r: &SearchResults, delimiter: u8) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out);
    w.write_record(HIT_COLUMNS).map_err(csv_error)?;
    for hit in &r.hits {
        let row = export_row(hit);
        let cells = row.cells().map(defuse_formula);
        w.write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(csv_error)?;
    }
    w.flush()
}

/// Writes one JSON object per hit per line.
pub fn write_jsonl(out: &mut impl Write, r: &SearchResults) -> std::io::Result<()> {
    for hit in &r.hits {
        serde_json::to_writer(&mut *out, &export_row(hit)).map_err(std::io::Error::other)?;
        writeln!(out)?;
    }
    Ok(())
}
