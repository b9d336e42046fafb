//! Co-mentions: which values of two facets (agency × agency, agency ×
//! country, …) appear in the same matching articles, how often, and how
//! much more often than chance.
//!
//! Lift is `n(a,b) · N / (n(a) · n(b))` over the N matches: 1 when the two
//! values are independent, above 1 when they go together. PMI is its
//! base-2 logarithm. Ranking by lift keeps the most frequent names (CISA,
//! the United States) from crowding out pairs that really belong together;
//! `min_count` keeps one-off pairs from topping that list by luck.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::collapse::search_stories;
use super::timeline::facet_field_name;
use super::{match_query, FacetField, SearchRequest};
use crate::error::{Error, Result};
use crate::index::Store;
use crate::normalize::Taxonomy;

/// How pairs are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PairOrder {
    /// Highest lift first (ties: more articles first).
    #[default]
    Lift,
    /// Most articles first.
    Count,
}

/// A validated co-mention request.
#[derive(Debug, Clone)]
pub struct CooccurRequest {
    /// The matches to count over (query and filters).
    pub search: SearchRequest,
    /// The first facet.
    pub facet: FacetField,
    /// The second facet (the first when None: pairs within one facet).
    pub with: Option<FacetField>,
    /// Pairs to return.
    pub top: usize,
    /// Pairs seen in fewer articles are left out.
    pub min_count: u64,
    /// Ranking.
    pub order: PairOrder,
}

/// One pair of values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pair {
    /// Value of the first facet.
    pub a: String,
    /// Value of the second facet.
    pub b: String,
    /// Matching articles naming both.
    pub count: u64,
    /// Matching articles naming `a`.
    pub count_a: u64,
    /// Matching articles naming `b`.
    pub count_b: u64,
    /// How many times more often than if they were independent.
    pub lift: f64,
    /// log2 of the lift.
    pub pmi: f64,
}

/// The answer to a co-mention request.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cooccurrence {
    /// The query as given.
    pub query: String,
    /// First facet name.
    pub facet: &'static str,
    /// Second facet name.
    pub with: &'static str,
    /// Matching articles.
    pub total: u64,
    /// Pairs, best first.
    pub pairs: Vec<Pair>,
}

/// Counts co-mentions over the matches of a search.
pub fn cooccur(
    store: &Store,
    taxonomy: &Taxonomy,
    request: &CooccurRequest,
) -> Result<Cooccurrence> {
    let with = request.with.unwrap_or(request.facet);
    if request.facet == FacetField::Year || with == FacetField::Year {
        return Err(Error::Query(
            "co-mentions are counted for agency, topic, country or source, not year".into(),
        ));
    }
    let searcher = store.reader()?.searcher();
    let query = match_query(store, &searcher, taxonomy, &request.search)?;
    let counts = search_stories(
        &searcher,
        &*query,
        PairCounter {
            a: request.facet,
            b: with,
        },
        request.search.dedupe,
    )?;
    let same = with == request.facet;
    let n = counts.total as f64;
    let mut pairs: Vec<Pair> = counts
        .pairs
        .iter()
        .filter(|(_, &c)| c >= request.min_count.max(1))
        .map(|((a, b), &count)| {
            let count_a = counts.singles_a.get(a).copied().unwrap_or(0);
            let count_b = if same {
                &counts.singles_a
            } else {
                &counts.singles_b
            }
            .get(b)
            .copied()
            .unwrap_or(0);
            let lift = if count_a == 0 || count_b == 0 {
                0.0
            } else {
                count as f64 * n / (count_a as f64 * count_b as f64)
            };
            Pair {
                a: a.clone(),
                b: b.clone(),
                count,
                count_a,
                count_b,
                lift,
                pmi: if lift > 0.0 {
                    lift.log2()
                } else {
                    f64::NEG_INFINITY
                },
            }
        })
        .collect();
    pairs.sort_by(|x, y| {
        let by_count = y.count.cmp(&x.count);
        let by_lift = y.lift.total_cmp(&x.lift);
        match request.order {
            PairOrder::Lift => by_lift.then(by_count),
            PairOrder::Count => by_count.then(by_lift),
        }
        .then_with(|| x.a.cmp(&y.a))
        .then_with(|| x.b.cmp(&y.b))
    });
    pairs.truncate(request.top);
    Ok(Cooccurrence {
        query: request.search.query.clone(),
        facet: facet_field_name(request.facet),
        with: facet_field_name(with),
        total: counts.total,
        pairs,
    })
}

/// Article counts per value and per pair of values.
#[derive(Debug, Default)]
struct PairCounts {
    total: u64,
    singles_a: HashMap<String, u64>,
    singles_b: HashMap<String, u64>,
    pairs: HashMap<(String, String), u64>,
}

struct PairCounter {
    a: FacetField,
    b: FacetField,
}

struct SegmentPairs {
    a: Option<StrColumn>,
    b: Option<StrColumn>,
    same: bool,
    total: u64,
    singles_a: FxHashMap<u64, u64>,
    singles_b: FxHashMap<u64, u64>,
    pairs: FxHashMap<(u64, u64), u64>,
    scratch_a: Vec<u64>,
    scratch_b: Vec<u64>,
}

impl Collector for PairCounter {
    type Fruit = PairCounts;
    type Child = SegmentPairs;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentPairs> {
        let column = |f| segment.fast_fields().str(facet_field_name(f));
        Ok(SegmentPairs {
            a: column(self.a)?,
            b: column(self.b)?,
            same: self.a == self.b,
            total: 0,
            singles_a: FxHashMap::default(),
            singles_b: FxHashMap::default(),
            pairs: FxHashMap::default(),
            scratch_a: Vec::new(),
            scratch_b: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<PairCounts>) -> tantivy::Result<PairCounts> {
        let mut merged = PairCounts::default();
        for fruit in fruits {
            merged.total += fruit.total;
            for (k, v) in fruit.singles_a {
                *merged.singles_a.entry(k).or_default() += v;
            }
            for (k, v) in fruit.singles_b {
                *merged.singles_b.entry(k).or_default() += v;
            }
            for (k, v) in fruit.pairs {
                *merged.pairs.entry(k).or_default() += v;
            }
        }
        Ok(merged)
    }
}

fn ords(column: &Option<StrColumn>, doc: DocId, out: &mut Vec<u64>) {
    out.clear();
    if let Some(c) = column {
        out.extend(c.term_ords(doc));
        out.sort_unstable();
        out.dedup();
    }
}

impl SegmentCollector for SegmentPairs {
    type Fruit = PairCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.total += 1;
        ords(&self.a, doc, &mut self.scratch_a);
        for &x in &self.scratch_a {
            *self.singles_a.entry(x).or_default() += 1;
        }
        if self.same {
            // Each unordered pair once, in ordinal order.
            for (i, &x) in self.scratch_a.iter().enumerate() {
                for &y in &self.scratch_a[i + 1..] {
                    *self.pairs.entry((x, y)).or_default() += 1;
                }
            }
            return;
        }
        ords(&self.b, doc, &mut self.scratch_b);
        for &y in &self.scratch_b {
            *self.singles_b.entry(y).or_default() += 1;
        }
        for &x in &self.scratch_a {
            for &y in &self.scratch_b {
                *self.pairs.entry((x, y)).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> PairCounts {
        let name = |column: &Option<StrColumn>, ord: u64| {
            let mut s = String::new();
            match column {
                Some(c) if c.ord_to_str(ord, &mut s).unwrap_or(false) => s,
                _ => String::new(),
            }
        };
        let b_column = if self.same { &self.a } else { &self.b };
        let mut out = PairCounts {
            total: self.total,
            ..PairCounts::default()
        };
        for (ord, n) in self.singles_a {
            out.singles_a.insert(name(&self.a, ord), n);
        }
        for (ord, n) in self.singles_b {
            out.singles_b.insert(name(b_column, ord), n);
        }
        for ((x, y), n) in self.pairs {
            out.pairs.insert((name(&self.a, x), name(b_column, y)), n);
        }
        out
    }
}
