//! Collapsing near-duplicates: one story once. Matches are grouped by
//! their cluster id (a fast field written at index time, see
//! `index::clusters`); each cluster is shown by its best-ranked member and
//! lists the other matching members as copies.
//!
//! Grouping covers the whole match set, not an over-fetched top-k, so
//! paging with `--offset`/`--limit` never shows a story twice or skips one,
//! and `total_stories` is the exact number of distinct clusters among the
//! matches. A plain collapsing search gets there without grouping every
//! match (see [`search_collapsed`]); `--dedupe` facets, counted over one
//! representative per story instead of every copy, group them all.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::collector::{Collector, Count};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{BitSet, DocAddress, TantivyDocument, Term};

use super::facets::{FacetCounter, FacetField, Facets};
use super::members::{
    before, order, BestOf, GroupCollector, Member, OnlyDocs, TopFruit, TopMembers,
};
use super::Sort;
use crate::error::Result;
use crate::index::Store;
use crate::schema::names;

/// Another member of a hit's cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Copy {
    /// Document id.
    pub id: String,
    /// Source.
    pub source: Option<String>,
    /// Publication date.
    pub date: Option<chrono::NaiveDate>,
    /// Canonical URL.
    pub url: Option<String>,
}

/// A hit on a page: its score (None when sorted by date) and address.
pub type PageEntry = (Option<f32>, DocAddress);

/// The matches of a query grouped into stories.
///
/// Nothing is sorted or grouped beyond what is asked for: the number of
/// stories is a count of distinct cluster ids, a page takes the best
/// matches (a bounded heap) and walks them until it has seen enough
/// distinct stories, and only the page's stories gather their other
/// members. The result is the same as
/// grouping and sorting everything, since [`order`] is a total order on
/// members; the cost is one hash insert per match instead of a sort of
/// every story.
#[derive(Debug, Default)]
pub struct Stories {
    /// Every match, in the order collected.
    members: Vec<Member>,
    /// Distinct stories among them.
    stories: usize,
    sort_by_score: bool,
}

impl Stories {
    /// Groups every match of `query`; `sort` decides what "best" means.
    pub fn group(searcher: &tantivy::Searcher, query: &dyn Query, sort: Sort) -> Result<Stories> {
        let members = searcher.search(query, &GroupCollector { sort })?;
        Ok(Stories::of_members(members, sort))
    }

    fn of_members(members: Vec<Member>, sort: Sort) -> Stories {
        let mut clusters: FxHashSet<u64> = FxHashSet::default();
        clusters.reserve(members.len());
        clusters.extend(members.iter().map(|m| m.cluster));
        Stories {
            stories: clusters.len(),
            members,
            sort_by_score: sort == Sort::Relevance,
        }
    }

    /// The stories of `total` matches from the best of them, best first,
    /// and every match in a cluster of `shared` (the clusters of the copies
    /// among the matches), as [`TopMembers`] collects them; None when `best`
    /// holds fewer stories than a page `depth` stories deep needs.
    ///
    /// A cluster has at most one member that is not a copy (the article
    /// whose id names it, see `index::clusters::is_copy`), so every cluster
    /// with two or more matching members is in `shared`, and each match
    /// outside those clusters is a story of its own.
    fn from_best(
        top: TopFruit,
        shared: usize,
        total: usize,
        sort: Sort,
        depth: usize,
    ) -> Option<Stories> {
        let TopFruit { best, in_shared } = top;
        let stories = (total + shared).saturating_sub(in_shared.len());
        first_stories(&best, depth.min(stories))?;
        let mut seen: FxHashSet<DocAddress> = best.iter().map(|m| m.address).collect();
        let mut members = best;
        members.extend(in_shared.into_iter().filter(|m| seen.insert(m.address)));
        Some(Stories {
            members,
            stories,
            sort_by_score: sort == Sort::Relevance,
        })
    }

    /// Distinct stories among the matches.
    pub fn len(&self) -> usize {
        self.stories
    }

    /// True when nothing matched.
    pub fn is_empty(&self) -> bool {
        self.stories == 0
    }

    /// One page of stories: the best member's score (when ranking by
    /// score) and address, with the addresses of the other members.
    pub fn page(&self, offset: usize, limit: usize) -> Vec<(PageEntry, Vec<DocAddress>)> {
        let end = offset.saturating_add(limit).min(self.stories);
        if offset >= end {
            return Vec::new();
        }
        // Twice the page's depth is nearly always enough (most stories
        // have one or two matching members); otherwise all are ranked.
        let firsts = first_stories(&self.best_members(end.saturating_mul(2)), end)
            .or_else(|| first_stories(&self.best_members(usize::MAX), end))
            .unwrap_or_default();
        let page: Vec<Member> = firsts.into_iter().skip(offset).collect();
        let slot_of: FxHashMap<u64, usize> = page
            .iter()
            .enumerate()
            .map(|(k, m)| (m.cluster, k))
            .collect();
        let mut others: Vec<Vec<Member>> = vec![Vec::new(); page.len()];
        for m in &self.members {
            if let Some(&k) = slot_of.get(&m.cluster) {
                if m.address != page[k].address {
                    others[k].push(*m);
                }
            }
        }
        page.iter()
            .zip(others)
            .map(|(best, mut rest)| {
                rest.sort_unstable_by(order);
                let score = self.sort_by_score.then_some(best.rank as f32);
                let others = rest.iter().map(|m| m.address).collect();
                ((score, best.address), others)
            })
            .collect()
    }

    /// The `k` best-ranked members, best first: a bounded heap, one
    /// comparison per member for most of them.
    fn best_members(&self, k: usize) -> Vec<Member> {
        if k >= self.members.len() {
            let mut all = self.members.clone();
            all.sort_unstable_by(order);
            return all;
        }
        let mut best = BestOf::new(k);
        for m in &self.members {
            best.offer(m.rank, m.address, || m.cluster);
        }
        best.into_sorted()
    }

    /// Facet counts over one member per story (`--dedupe`).
    pub fn count_facets(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        fields: Vec<FacetField>,
    ) -> Result<Facets> {
        let counter = OnlyDocs {
            inner: FacetCounter::new(fields, false),
            keep: self.representatives(searcher),
        };
        Ok(searcher.search(query, &counter)?)
    }

    /// The best-ranked member of every story, one bitset per segment.
    fn representatives(&self, searcher: &tantivy::Searcher) -> Vec<BitSet> {
        let mut best: FxHashMap<u64, Member> = FxHashMap::default();
        best.reserve(self.stories);
        for m in &self.members {
            match best.entry(m.cluster) {
                Entry::Occupied(mut e) => {
                    if before(m, e.get()) {
                        e.insert(*m);
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(*m);
                }
            }
        }
        let mut keep: Vec<BitSet> = searcher
            .segment_readers()
            .iter()
            .map(|r| BitSet::with_max_value(r.max_doc()))
            .collect();
        for m in best.values() {
            let a = m.address;
            if let Some(set) = keep.get_mut(a.segment_ord as usize) {
                set.insert(a.doc_id);
            }
        }
        keep
    }
}

/// The best member of each of the first `n` stories among `ranked` (best
/// first), or None when `ranked` holds fewer than `n` stories. The first
/// member seen of a story is its best, so when the `k` best members hold
/// `n` stories these are the first `n` stories of all the matches.
fn first_stories(ranked: &[Member], n: usize) -> Option<Vec<Member>> {
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let mut out = Vec::with_capacity(n);
    for m in ranked {
        if out.len() == n {
            break;
        }
        if seen.insert(m.cluster) {
            out.push(*m);
        }
    }
    (out.len() == n).then_some(out)
}

/// Runs `collector` over the matches of `query`, or, with `dedupe`, over
/// one member per story: what timelines and co-mentions count when asked
/// to count stories instead of copies.
pub(crate) fn search_stories<C: Collector>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    collector: C,
    dedupe: bool,
) -> Result<C::Fruit> {
    if !dedupe {
        return Ok(searcher.search(query, &collector)?);
    }
    let stories = Stories::group(searcher, query, Sort::Date)?;
    let only = OnlyDocs {
        inner: collector,
        keep: stories.representatives(searcher),
    };
    Ok(searcher.search(query, &only)?)
}

/// A page of hits with copies, the number of stories and the facets, as
/// `request` asks: unchanged unless collapsing or deduplicating.
pub(crate) type Collapsed = (
    Vec<(Option<f32>, DocAddress)>,
    std::vec::IntoIter<Vec<Copy>>,
    Option<usize>,
    Option<Facets>,
);

/// Applies `request.collapse` and `request.dedupe` to a search's page and
/// facets (both computed over every copy).
pub(crate) fn apply(
    store: &Store,
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    request: &super::SearchRequest,
    page: Vec<(Option<f32>, DocAddress)>,
    facets: Option<Facets>,
) -> Result<Collapsed> {
    if !request.collapse && !request.dedupe {
        return Ok((page, Vec::new().into_iter(), None, facets));
    }
    let stories = Stories::group(searcher, query, sort)?;
    let facets = if request.dedupe && request.facets {
        Some(stories.count_facets(searcher, query, request.facet_fields.clone())?)
    } else {
        facets
    };
    if !request.collapse {
        return Ok((page, Vec::new().into_iter(), Some(stories.len()), facets));
    }
    Ok(collapsed_page(store, searcher, &stories, request, facets))
}

/// The page `request` asks for, each hit with its copies.
fn collapsed_page(
    store: &Store,
    searcher: &tantivy::Searcher,
    stories: &Stories,
    request: &super::SearchRequest,
    facets: Option<Facets>,
) -> Collapsed {
    let mut hits = Vec::new();
    let mut all_copies = Vec::new();
    for (best, others) in stories.page(request.offset, request.limit) {
        hits.push(best);
        all_copies.push(copies(searcher, store, &others));
    }
    (hits, all_copies.into_iter(), Some(stories.len()), facets)
}

/// Deepest page (offset + limit) a collapsing search serves from the best
/// matches alone; a deeper one groups every match.
const QUICK_DEPTH: usize = 10_000;

/// A collapsing search. Returns what [`apply`] returns and the number of
/// matches.
///
/// Most matches stand alone, so grouping every one (a hash insert per match:
/// most of a search at a million articles) is avoided where it can be. A
/// small search finds the copies among the matches (they carry a marker);
/// then one pass ranks the best matches, counts matches and facets, and
/// keeps every match in a copy's cluster; the number of stories follows
/// (see [`Stories::from_best`]). Deduplicated facets need every story's
/// best member, and very deep pages many members, so both group everything
/// in one pass over the matches instead.
pub(crate) fn search_collapsed(
    store: &Store,
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    request: &super::SearchRequest,
    facet_counter: Option<FacetCounter>,
) -> Result<(Collapsed, usize)> {
    let depth = request.offset.saturating_add(request.limit);
    let (stories, facets, total) = if request.dedupe || depth > QUICK_DEPTH {
        group_every_match(searcher, query, sort, request, facet_counter)?
    } else {
        stories_from_copies(store, searcher, query, sort, depth, facet_counter)?
    };
    Ok((
        collapsed_page(store, searcher, &stories, request, facets),
        total,
    ))
}

/// The stories, facets and match count of a page `depth` stories deep,
/// from the copies among the matches and the best matches.
fn stories_from_copies(
    store: &Store,
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    depth: usize,
    facet_counter: Option<FacetCounter>,
) -> Result<(Stories, Option<Facets>, usize)> {
    let marker = Term::from_field_u64(store.fields().copy, 1);
    // Without a copy anywhere the search for them would still open every
    // segment's postings of the query's terms.
    let copies = if searcher.doc_freq(&marker)? == 0 {
        Vec::new()
    } else {
        searcher.search(&only_copies(query, marker), &GroupCollector { sort })?
    };
    let shared: Arc<FxHashSet<u64>> = Arc::new(copies.iter().map(|m| m.cluster).collect());
    let top = TopMembers {
        sort,
        k: depth.saturating_mul(2).max(1),
        shared: Arc::clone(&shared),
    };
    let (top, total, facets) = searcher.search(query, &(top, Count, facet_counter))?;
    let stories = match Stories::from_best(top, shared.len(), total, sort, depth) {
        Some(stories) => stories,
        // The best matches repeat a few stories too often to fill the page.
        None => Stories::group(searcher, query, sort)?,
    };
    Ok((stories, facets, total))
}

/// The stories, facets and match count by grouping every match: grouping,
/// the match count and (unless deduplicating) the facets share one pass,
/// where a plain top-k pass first and a grouping pass after would score
/// every match twice.
fn group_every_match(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    request: &super::SearchRequest,
    facet_counter: Option<FacetCounter>,
) -> Result<(Stories, Option<Facets>, usize)> {
    let (members, facets) = searcher.search(query, &(GroupCollector { sort }, facet_counter))?;
    let total = members.len();
    let stories = Stories::of_members(members, sort);
    let facets = if request.dedupe && request.facets {
        Some(stories.count_facets(searcher, query, request.facet_fields.clone())?)
    } else {
        facets
    };
    Ok((stories, facets, total))
}

/// The copies among the matches of `query`; `marker` is the copy marker.
fn only_copies(query: &dyn Query, marker: Term) -> BooleanQuery {
    let marker = TermQuery::new(marker, IndexRecordOption::Basic);
    BooleanQuery::new(vec![
        (Occur::Must, query.box_clone()),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(marker), 0.0)),
        ),
    ])
}

/// The copies (id, source, date, url) of the documents at `addresses`.
pub fn copies(searcher: &tantivy::Searcher, store: &Store, addresses: &[DocAddress]) -> Vec<Copy> {
    addresses
        .iter()
        .filter_map(|a| searcher.doc::<TantivyDocument>(*a).ok())
        .map(|stored| to_copy(store, &stored))
        .collect()
}

fn to_copy(store: &Store, stored: &TantivyDocument) -> Copy {
    let d = store.to_document(stored);
    Copy {
        id: d.id,
        source: d.source,
        date: d.date,
        url: d.url,
    }
}

/// The cluster id of the document at `address` (None for an index without clusters).
pub fn cluster_at(searcher: &tantivy::Searcher, address: DocAddress) -> Option<u64> {
    let reader = searcher
        .segment_readers()
        .get(address.segment_ord as usize)?;
    let column: Column<u64> = reader.fast_fields().u64(names::CLUSTER).ok()?;
    column.first(address.doc_id)
}

/// The address of the document with this id.
pub fn address_of(
    store: &Store,
    searcher: &tantivy::Searcher,
    id: &str,
) -> Result<Option<DocAddress>> {
    let query = TermQuery::new(
        Term::from_field_text(store.fields().id, id),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(
        &query,
        &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
    )?;
    Ok(top.first().map(|(_, a)| *a))
}

/// Every other document in the cluster of the document with this id,
/// oldest first; None when there is no such document.
pub fn copies_of(store: &Store, id: &str) -> Result<Option<Vec<Copy>>> {
    let searcher = store.reader()?.searcher();
    let Some(address) = address_of(store, &searcher, id)? else {
        return Ok(None);
    };
    let Some(cluster) = cluster_at(&searcher, address) else {
        return Ok(Some(Vec::new()));
    };
    let query = cluster_query(store, cluster);
    let members = searcher.search(
        &query,
        &tantivy::collector::TopDocs::with_limit(MAX_COPIES).order_by_score(),
    )?;
    let mut out: Vec<Copy> = Vec::new();
    for (_, a) in members {
        if a == address {
            continue;
        }
        let stored: TantivyDocument = searcher.doc(a)?;
        if stored
            .get_first(store.fields().id)
            .and_then(|v| v.as_str())
            .is_some_and(|s| s == id)
        {
            continue;
        }
        out.push(to_copy(store, &stored));
    }
    out.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    Ok(Some(out))
}

/// The documents of one cluster. The field is a column only (indexing it
/// too cost 8% more indexing CPU), so this is a range over the column.
pub fn cluster_query(store: &Store, cluster: u64) -> RangeQuery {
    let term = Term::from_field_u64(store.fields().cluster, cluster);
    RangeQuery::new(
        std::ops::Bound::Included(term.clone()),
        std::ops::Bound::Included(term),
    )
}

/// Most copies listed for one document by `show --copies`.
const MAX_COPIES: usize = 1000;
