//! Collapsing near-duplicates: one story once. Every match is grouped by
//! its cluster id (a fast field written at index time, see
//! `index::clusters`); each cluster is shown by its best-ranked member and
//! lists the other matching members as copies.
//!
//! Grouping looks at the whole match set, not at an over-fetched top-k, so
//! paging with `--offset`/`--limit` never shows a story twice or skips one,
//! and `total_stories` is the exact number of distinct clusters among the
//! matches. The same groups give `--dedupe` facet counts: facets counted
//! over one representative per story instead of every copy.

use std::collections::hash_map::Entry;
use std::collections::BinaryHeap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    BitSet, DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument,
    Term,
};

use super::facets::{match_capacity, FacetCounter, FacetField, Facets};
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

/// One matching document as the grouping sees it.
#[derive(Debug, Clone, Copy)]
struct Member {
    cluster: u64,
    /// Score, or the date in seconds when sorting by date.
    rank: f64,
    address: DocAddress,
}

/// True when `a` ranks before `b`: higher rank, then lower address (the
/// order tantivy's top-k uses for ties).
fn before(a: &Member, b: &Member) -> bool {
    match a.rank.partial_cmp(&b.rank) {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Less) => false,
        _ => a.address < b.address,
    }
}

fn order(a: &Member, b: &Member) -> std::cmp::Ordering {
    if before(a, b) {
        std::cmp::Ordering::Less
    } else if before(b, a) {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
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

/// A member ordered worst last: a max-heap of them has its worst on top.
struct Ranked(Member);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        order(&self.0, &other.0)
    }
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
        let mut worst_on_top: BinaryHeap<Ranked> = BinaryHeap::with_capacity(k + 1);
        for m in &self.members {
            if worst_on_top.len() < k {
                worst_on_top.push(Ranked(*m));
            } else if let Some(mut worst) = worst_on_top.peek_mut() {
                if before(m, &worst.0) {
                    *worst = Ranked(*m);
                }
            }
        }
        worst_on_top
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.0)
            .collect()
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
    let mut hits = Vec::new();
    let mut all_copies = Vec::new();
    for (best, others) in stories.page(request.offset, request.limit) {
        hits.push(best);
        all_copies.push(copies(searcher, store, &others));
    }
    Ok((hits, all_copies.into_iter(), Some(stories.len()), facets))
}

/// A collapsing search in one pass over the matches: grouping, the match
/// count and (unless deduplicating) the facets share it, where a plain
/// top-k pass first and a grouping pass after would score every match
/// twice. Returns what [`apply`] returns and the number of matches.
pub(crate) fn search_collapsed(
    store: &Store,
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    request: &super::SearchRequest,
    facet_counter: Option<FacetCounter>,
) -> Result<(Collapsed, usize)> {
    let (members, facets) = searcher.search(query, &(GroupCollector { sort }, facet_counter))?;
    let total = members.len();
    let stories = Stories::of_members(members, sort);
    let facets = if request.dedupe && request.facets {
        Some(stories.count_facets(searcher, query, request.facet_fields.clone())?)
    } else {
        facets
    };
    let mut hits = Vec::new();
    let mut all_copies = Vec::new();
    for (best, others) in stories.page(request.offset, request.limit) {
        hits.push(best);
        all_copies.push(copies(searcher, store, &others));
    }
    let collapsed = (hits, all_copies.into_iter(), Some(stories.len()), facets);
    Ok((collapsed, total))
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

/// Collects every match with its cluster and rank.
struct GroupCollector {
    sort: Sort,
}

struct SegmentGroups {
    ordinal: SegmentOrdinal,
    cluster: Column<u64>,
    date: Option<Column<DateTime>>,
    /// Oldest first (`--sort date-asc`): the earliest date ranks highest.
    ascending: bool,
    members: Vec<Member>,
}

impl Collector for GroupCollector {
    type Fruit = Vec<Member>;
    type Child = SegmentGroups;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentGroups> {
        let cluster = reader.fast_fields().u64(names::CLUSTER)?;
        let date = match self.sort {
            Sort::Date | Sort::DateAsc => Some(reader.fast_fields().date(names::DATE)?),
            Sort::Relevance => None,
        };
        Ok(SegmentGroups {
            ordinal,
            cluster,
            date,
            ascending: self.sort == Sort::DateAsc,
            members: Vec::with_capacity(match_capacity(reader)),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, mut fruits: Vec<Vec<Member>>) -> tantivy::Result<Vec<Member>> {
        // One segment (a merged index) hands its list over as it is:
        // copying tens of thousands of members cost 7% of a search.
        if fruits.len() == 1 {
            return Ok(fruits.pop().unwrap_or_default());
        }
        let mut all = Vec::with_capacity(fruits.iter().map(Vec::len).sum());
        for fruit in fruits {
            all.extend(fruit);
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentGroups {
    type Fruit = Vec<Member>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let address = DocAddress::new(self.ordinal, doc);
        // A document without a cluster id stands alone; its address is
        // unique across segments, far above any real cluster's low bit.
        let cluster = self
            .cluster
            .first(doc)
            .unwrap_or(((self.ordinal as u64) << 32 | doc as u64) << 1);
        let rank = match &self.date {
            // Undated documents rank last either way.
            Some(col) => col.first(doc).map_or(f64::MIN, |d| {
                let secs = d.into_timestamp_secs() as f64;
                if self.ascending {
                    -secs
                } else {
                    secs
                }
            }),
            None => score as f64,
        };
        self.members.push(Member {
            cluster,
            rank,
            address,
        });
    }

    fn harvest(self) -> Vec<Member> {
        self.members
    }
}

/// A collector that passes on only the documents in `keep` (one bitset per
/// segment, by ordinal) to `inner`.
pub(crate) struct OnlyDocs<C> {
    pub(crate) inner: C,
    pub(crate) keep: Vec<BitSet>,
}

/// The per-segment half of [`OnlyDocs`].
pub(crate) struct OnlyDocsSegment<S> {
    inner: S,
    keep: Option<BitSet>,
}

impl<C: Collector> Collector for OnlyDocs<C> {
    type Fruit = C::Fruit;
    type Child = OnlyDocsSegment<C::Child>;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(OnlyDocsSegment {
            inner: self.inner.for_segment(ordinal, reader)?,
            keep: self.keep.get(ordinal as usize).cloned(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for OnlyDocsSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.keep.as_ref().is_some_and(|k| k.contains(doc)) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}
