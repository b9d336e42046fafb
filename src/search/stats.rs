//! Statistics of a whole index: a query over every document (facet counts
//! and the date span) plus the size of the index on disk.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::Store;
use crate::schema;

/// Document count, facet counts, date span and size on disk.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Documents in the index.
    pub documents: u64,
    /// Earliest document date.
    pub first_date: Option<chrono::NaiveDate>,
    /// Latest document date.
    pub last_date: Option<chrono::NaiveDate>,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// tantivy segments: each costs a one-shot search its own files and
    /// lookups (`index` merges small ones at the end of a run).
    pub segments: usize,
    /// Counts by agency, topic, country, year and source.
    pub facets: super::Facets,
}

/// Computes [`Stats`] for an opened index.
pub fn stats(store: &Store) -> Result<Stats> {
    let searcher = store.reader()?.searcher();
    let facets = super::count_facets(&searcher, &tantivy::query::AllQuery, true)?;
    let (first_date, last_date) = date_span(&searcher)?;
    let size_bytes = std::fs::read_dir(store.dir())
        .map_err(|e| Error::io(store.dir(), e))?
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    Ok(Stats {
        documents: searcher.num_docs(),
        first_date,
        last_date,
        size_bytes,
        segments: searcher.segment_readers().len(),
        facets,
    })
}

fn date_span(
    searcher: &tantivy::Searcher,
) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> {
    let mut min: Option<i64> = None;
    let mut max: Option<i64> = None;
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().date(schema::names::DATE)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            if let Some(d) = column.first(doc) {
                let s = d.into_timestamp_secs();
                min = Some(min.map_or(s, |m| m.min(s)));
                max = Some(max.map_or(s, |m| m.max(s)));
            }
        }
    }
    let to_date = |s: Option<i64>| {
        s.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|d| d.date_naive())
    };
    Ok((to_date(min), to_date(max)))
}
