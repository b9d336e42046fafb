//! Related coverage: articles about the same subject as one article, for
//! `cpsearch related ID`.
//!
//! tantivy's MoreLikeThisQuery picks the article's most telling words by
//! tf-idf, from its title and body only (given as text: built from the
//! stored document it would also take ids, paths, facet strings and date
//! terms). Words in more than a tenth of the articles are left out, since
//! the analyzer keeps stop words. The article itself and its near-duplicate
//! copies are excluded; scores are scaled down with distance in time, so
//! coverage near the article's date comes first, and `window` keeps only
//! articles within that many days of it. The answer is shaped like search
//! results, one story per cluster.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, OwnedValue};
use tantivy::{DocId, Score, SegmentReader, TantivyDocument, Term};

use super::collapse::{address_of, cluster_at, cluster_query, copies};
use super::snippet::{self, Terms};
use super::{Hit, SearchResults};
use crate::error::{Error, Result};
use crate::index::Store;
use crate::schema::names;

/// Without a window, the time scale of the date preference: an article a
/// year away scores half of an equally similar one on the same day.
pub const DEFAULT_SCALE_DAYS: f32 = 365.0;
/// Most words taken from the article.
const MAX_QUERY_TERMS: usize = 25;
/// Words in more than this share of the articles are ignored.
const MAX_DOC_SHARE: u64 = 10;

/// The document-frequency ceiling never goes below this, so that in a small
/// index a story's own copies do not push its subject words over it.
const MIN_MAX_DOCS: u64 = 5;

/// What to find related coverage for.
#[derive(Debug, Clone)]
pub struct RelatedRequest {
    /// The article's id.
    pub id: String,
    /// Stories to return.
    pub limit: usize,
    /// Only articles within this many days of the article's date.
    pub window_days: Option<u32>,
}

/// How much a match `days` away keeps of its score.
fn nearness(days: Option<f32>, scale: f32) -> f32 {
    match days {
        Some(d) => 1.0 / (1.0 + d / scale),
        // Undated articles cannot be near; they keep half.
        None => 0.5,
    }
}

/// Articles related to the one with `request.id`, best first.
pub fn related(store: &Store, request: &RelatedRequest) -> Result<SearchResults> {
    let searcher = store.reader()?.searcher();
    let fields = store.fields();
    let Some(address) = address_of(store, &searcher, &request.id)? else {
        return Err(Error::NoSuchDocument(request.id.clone()));
    };
    let stored: TantivyDocument = searcher.doc(address)?;
    let article = store.to_document(&stored);
    let max_docs = (searcher.num_docs() / MAX_DOC_SHARE).max(MIN_MAX_DOCS);
    let like: Box<dyn Query> = Box::new(
        MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_max_doc_frequency(max_docs)
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(MAX_QUERY_TERMS)
            .with_document_fields(vec![
                (fields.title, vec![OwnedValue::Str(article.title.clone())]),
                (fields.body, vec![OwnedValue::Str(article.body.clone())]),
            ]),
    );
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, like),
        (
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.id, &request.id),
                IndexRecordOption::Basic,
            )),
        ),
    ];
    let own_cluster = cluster_at(&searcher, address);
    if let Some(c) = own_cluster {
        clauses.push((Occur::MustNot, Box::new(cluster_query(store, c))));
    }
    let anchor = article
        .date
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp());
    if let (Some(days), Some(at)) = (request.window_days, anchor) {
        let span = i64::from(days) * 86_400;
        let bound = |secs: i64| {
            Term::from_field_date_for_search(fields.date, crate::schema::seconds_value(secs))
        };
        let range = RangeQuery::new(
            std::ops::Bound::Included(bound(at - span)),
            std::ops::Bound::Included(bound(at + span)),
        );
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(range), 0.0)),
        ));
    }
    let query = BooleanQuery::new(clauses);
    let scale = request
        .window_days
        .map_or(DEFAULT_SCALE_DAYS, |d| (d.max(1)) as f32);
    let fetch = request.limit.saturating_mul(4).saturating_add(20);
    let by_nearness = TopDocs::with_limit(fetch.max(1)).tweak_score(move |seg: &SegmentReader| {
        let dates = seg.fast_fields().date(names::DATE).ok();
        move |doc: DocId, score: Score| -> Score {
            let Some(at) = anchor else {
                return score;
            };
            let days = dates
                .as_ref()
                .and_then(|c| c.first(doc))
                .map(|d| (d.into_timestamp_secs() - at).abs() as f32 / 86_400.0);
            score * nearness(days, scale)
        }
    });
    let (top, total) = searcher.search(&query, &(by_nearness, Count))?;

    // One story per cluster, as search shows them.
    let mut stories: Vec<(Score, tantivy::DocAddress, Vec<tantivy::DocAddress>)> = Vec::new();
    let mut cluster_of_story: Vec<Option<u64>> = Vec::new();
    for (score, a) in top {
        let cluster = cluster_at(&searcher, a);
        match cluster.and_then(|c| cluster_of_story.iter().position(|s| *s == Some(c))) {
            Some(i) => stories[i].2.push(a),
            None if stories.len() < request.limit => {
                stories.push((score, a, Vec::new()));
                cluster_of_story.push(cluster);
            }
            None => {}
        }
    }
    let mut analyzer = store.index().tokenizer_for_field(fields.body)?;
    let mut hits = Vec::with_capacity(stories.len());
    for (score, a, others) in stories {
        let stored: TantivyDocument = searcher.doc(a)?;
        let doc = store.to_document(&stored);
        let fragments = snippet::snippet(&mut analyzer, &doc.body, &Terms::default());
        let copies = copies(&searcher, store, &others);
        hits.push(Hit::of_document(
            doc,
            Some(score),
            Vec::new(),
            fragments,
            copies,
        ));
    }
    Ok(SearchResults {
        query: format!("related:{}", request.id),
        total_hits: total,
        hits,
        facets: None,
        total_stories: None,
        did_you_mean: None,
    })
}

/// Parses a window such as `90d`, `12w`, `6m` or `1y` (a bare number is
/// days) into days.
pub fn parse_window(s: &str) -> Result<u32> {
    let bad = || {
        Error::Query(format!(
            "bad window {s:?}: use days, weeks, months or years, like 90d, 12w, 6m or 1y"
        ))
    };
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => s.split_at(at),
        None => (s, "d"),
    };
    let n: u32 = number.parse().map_err(|_| bad())?;
    let per = match unit {
        "d" => 1,
        "w" => 7,
        "m" => 30,
        "y" => 365,
        _ => return Err(bad()),
    };
    n.checked_mul(per).filter(|d| *d > 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("90d").ok(), Some(90));
        assert_eq!(parse_window("90").ok(), Some(90));
        assert_eq!(parse_window("2w").ok(), Some(14));
        assert_eq!(parse_window("1y").ok(), Some(365));
        assert!(parse_window("0d").is_err());
        assert!(parse_window("soon").is_err());
        assert!(parse_window("99999999999d").is_err());
    }

    #[test]
    fn nearer_keeps_more() {
        assert!(nearness(Some(1.0), 90.0) > nearness(Some(30.0), 90.0));
        assert_eq!(nearness(Some(0.0), 90.0), 1.0);
    }
}
