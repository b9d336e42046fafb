//! Matches as members of stories: what grouping reads of each match
//! (cluster, rank, address), the one order every page uses, and the
//! collectors that gather members (every match, the best few, or only
//! chosen documents). `collapse` builds stories from what these collect.

use std::collections::BinaryHeap;
use std::sync::Arc;

use rustc_hash::FxHashSet;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{BitSet, DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::facets::match_capacity;
use super::Sort;
use crate::schema::names;

/// Most members a bounded heap reserves room for before it sees any.
const MAX_RESERVED: usize = 1 << 15;

/// One matching document as the grouping sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    pub(crate) cluster: u64,
    /// Score, or the date in seconds when sorting by date.
    pub(crate) rank: f64,
    pub(crate) address: DocAddress,
}

/// True when `a` ranks before `b`: higher rank, then lower address (the
/// order tantivy's top-k uses for ties).
pub(crate) fn before(a: &Member, b: &Member) -> bool {
    match a.rank.partial_cmp(&b.rank) {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Less) => false,
        _ => a.address < b.address,
    }
}

pub(crate) fn order(a: &Member, b: &Member) -> std::cmp::Ordering {
    if before(a, b) {
        std::cmp::Ordering::Less
    } else if before(b, a) {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
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

/// Reads what grouping needs of one segment's documents: cluster and rank.
pub(crate) struct Ranker {
    ordinal: SegmentOrdinal,
    cluster: Column<u64>,
    date: Option<Column<DateTime>>,
    /// Oldest first (`--sort date-asc`): the earliest date ranks highest.
    ascending: bool,
}

impl Ranker {
    fn new(sort: Sort, ordinal: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Ranker> {
        let date = match sort {
            Sort::Date | Sort::DateAsc => Some(reader.fast_fields().date(names::DATE)?),
            Sort::Relevance => None,
        };
        Ok(Ranker {
            ordinal,
            cluster: reader.fast_fields().u64(names::CLUSTER)?,
            date,
            ascending: sort == Sort::DateAsc,
        })
    }

    fn cluster(&self, doc: DocId) -> u64 {
        // A document without a cluster id stands alone; its address is
        // unique across segments, far above any real cluster's low bit.
        self.cluster
            .first(doc)
            .unwrap_or(((self.ordinal as u64) << 32 | doc as u64) << 1)
    }

    /// The score, or the date in seconds when sorting by date.
    fn rank(&self, doc: DocId, score: Score) -> f64 {
        match &self.date {
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
        }
    }
}

/// The `k` best of the members offered, in a bounded heap.
pub(crate) struct BestOf {
    k: usize,
    worst_on_top: BinaryHeap<Ranked>,
}

impl BestOf {
    pub(crate) fn new(k: usize) -> BestOf {
        BestOf {
            k,
            worst_on_top: BinaryHeap::with_capacity(k.saturating_add(1).min(MAX_RESERVED)),
        }
    }

    /// Keeps the member at `address` if it is among the best so far; its
    /// cluster is only read then.
    pub(crate) fn offer(&mut self, rank: f64, address: DocAddress, cluster: impl FnOnce() -> u64) {
        let candidate = Member {
            cluster: 0,
            rank,
            address,
        };
        if self.worst_on_top.len() < self.k {
            self.worst_on_top.push(Ranked(Member {
                cluster: cluster(),
                ..candidate
            }));
        } else if let Some(mut worst) = self.worst_on_top.peek_mut() {
            if before(&candidate, &worst.0) {
                *worst = Ranked(Member {
                    cluster: cluster(),
                    ..candidate
                });
            }
        }
    }

    /// The members kept, best first.
    pub(crate) fn into_sorted(self) -> Vec<Member> {
        self.worst_on_top
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.0)
            .collect()
    }
}

/// Collects the `k` best-ranked matches, best first, and every match in
/// one of the `shared` clusters.
pub(crate) struct TopMembers {
    pub(crate) sort: Sort,
    pub(crate) k: usize,
    pub(crate) shared: Arc<FxHashSet<u64>>,
}

/// What [`TopMembers`] collects.
#[derive(Default)]
pub(crate) struct TopFruit {
    pub(crate) best: Vec<Member>,
    pub(crate) in_shared: Vec<Member>,
}

pub(crate) struct SegmentTop {
    ranker: Ranker,
    best: BestOf,
    shared: Arc<FxHashSet<u64>>,
    in_shared: Vec<Member>,
}

impl Collector for TopMembers {
    type Fruit = TopFruit;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            ranker: Ranker::new(self.sort, ordinal, reader)?,
            best: BestOf::new(self.k),
            shared: Arc::clone(&self.shared),
            in_shared: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<TopFruit>) -> tantivy::Result<TopFruit> {
        let mut all = TopFruit::default();
        for fruit in fruits {
            all.best.extend(fruit.best);
            all.in_shared.extend(fruit.in_shared);
        }
        all.best.sort_unstable_by(order);
        all.best.truncate(self.k);
        Ok(all)
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = TopFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let address = DocAddress::new(self.ranker.ordinal, doc);
        let rank = self.ranker.rank(doc, score);
        if self.shared.is_empty() {
            // Nothing matching is shared: the cluster is read only for the
            // members kept.
            let ranker = &self.ranker;
            self.best.offer(rank, address, || ranker.cluster(doc));
            return;
        }
        let cluster = self.ranker.cluster(doc);
        self.best.offer(rank, address, || cluster);
        if self.shared.contains(&cluster) {
            self.in_shared.push(Member {
                cluster,
                rank,
                address,
            });
        }
    }

    fn harvest(self) -> TopFruit {
        TopFruit {
            best: self.best.into_sorted(),
            in_shared: self.in_shared,
        }
    }
}

/// Collects every match with its cluster and rank.
pub(crate) struct GroupCollector {
    pub(crate) sort: Sort,
}

pub(crate) struct SegmentGroups {
    ranker: Ranker,
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
        Ok(SegmentGroups {
            ranker: Ranker::new(self.sort, ordinal, reader)?,
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
        self.members.push(Member {
            cluster: self.ranker.cluster(doc),
            rank: self.ranker.rank(doc, score),
            address: DocAddress::new(self.ranker.ordinal, doc),
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
