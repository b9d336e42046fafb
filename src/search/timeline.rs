//! Timelines: how many matching articles fall in each calendar day, week,
//! month, quarter or year (UTC), optionally split into one series per top
//! value of a facet, optionally as a share of every article in the bucket.
//!
//! One collector pass over the match set reads each matching document's
//! date from the fast-field column (and, when splitting, the facet's term
//! ordinals) and counts by day; days become calendar buckets afterwards.
//! tantivy's own `date_histogram` takes fixed intervals only, so it cannot
//! give months or quarters. The library never reads the clock: the caller
//! passes "today", which marks the bucket that is still filling up.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::AllQuery;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use super::collapse::search_stories;
use super::{match_query, FacetField, SearchRequest};
use crate::error::{Error, Result};
use crate::index::Store;
use crate::normalize::Taxonomy;
use crate::schema::names;

/// The width of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// One calendar day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    #[default]
    Month,
    /// A calendar quarter (January, April, July, October).
    Quarter,
    /// A calendar year.
    Year,
}

impl Interval {
    /// The first day of the bucket holding `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        let first = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d);
        match self {
            Interval::Day => d,
            Interval::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Interval::Month => first(d.year(), d.month()),
            Interval::Quarter => first(d.year(), (d.month() - 1) / 3 * 3 + 1),
            Interval::Year => first(d.year(), 1),
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        let months = |n: u32| start.checked_add_months(chrono::Months::new(n));
        match self {
            Interval::Day => start.succ_opt(),
            Interval::Week => start.checked_add_signed(Duration::days(7)),
            Interval::Month => months(1),
            Interval::Quarter => months(3),
            Interval::Year => months(12),
        }
    }
}

/// One series per top value of a facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Agency, topic, country or source (not year).
    pub field: FacetField,
    /// How many values get a series of their own; the rest are "other".
    pub top: usize,
}

/// More buckets than this are refused (a day-by-day timeline over a few
/// centuries), so no range can exhaust memory.
pub const MAX_BUCKETS: usize = 100_000;

/// The name of the series of matches that name none of the top values.
pub const OTHER: &str = "other";

/// A validated timeline request.
#[derive(Debug, Clone)]
pub struct TimelineRequest {
    /// The matches to count (query and filters; paging and sort are ignored).
    pub search: SearchRequest,
    /// Bucket width.
    pub by: Interval,
    /// One series per top facet value.
    pub split: Option<Split>,
    /// Also divide each count by all articles in its bucket.
    pub share: bool,
    /// Today's date (UTC): its bucket is marked partial.
    pub today: NaiveDate,
}

/// One calendar bucket.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// First day (YYYY-MM-DD).
    pub start: NaiveDate,
    /// Matching articles.
    pub count: u64,
    /// True for the bucket holding today: more articles may still come.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Every article in the index in this bucket (with `share`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<u64>,
    /// `count / all` (with `share`; 0 when the bucket is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Count per series, in the order of [`Timeline::series`] (with a split).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub series: BTreeMap<String, u64>,
    /// Share per series (with a split and `share`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub series_share: BTreeMap<String, f64>,
}

/// Counts of matches over time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Timeline {
    /// The query as given.
    pub query: String,
    /// Bucket width.
    pub by: Interval,
    /// The split facet, when splitting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<&'static str>,
    /// Series names, largest first, "other" last (with a split).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<String>,
    /// Matches in total, dated or not.
    pub total: u64,
    /// Matches without a date (in no bucket).
    pub undated: u64,
    /// The buckets, oldest first.
    pub buckets: Vec<Bucket>,
}

impl Timeline {
    /// The largest bucket count (for scaling charts).
    pub fn max_count(&self) -> u64 {
        self.buckets.iter().map(|b| b.count).max().unwrap_or(0)
    }
}

/// Computes a timeline on the last committed state of the index.
pub fn timeline(store: &Store, taxonomy: &Taxonomy, request: &TimelineRequest) -> Result<Timeline> {
    if let Some(split) = request.split {
        if split.field == FacetField::Year {
            return Err(Error::Query(
                "a timeline cannot be split by year; split by agency, topic, country or source"
                    .into(),
            ));
        }
    }
    let searcher = store.reader()?.searcher();
    let query = match_query(store, &searcher, taxonomy, &request.search)?;
    let counted = search_stories(
        &searcher,
        &*query,
        DayCounter {
            split: request.split.map(|s| s.field),
        },
        request.search.dedupe,
    )?;
    let all = if request.share {
        Some(searcher.search(&AllQuery, &DayCounter { split: None })?)
    } else {
        None
    };
    assemble(request, counted, all.as_ref())
}

/// The index field of a facet.
pub(crate) fn facet_field_name(field: FacetField) -> &'static str {
    match field {
        FacetField::Agency => names::AGENCY,
        FacetField::Topic => names::TOPIC,
        FacetField::Country => names::COUNTRY,
        FacetField::Source => names::SOURCE,
        FacetField::Year => names::YEAR,
    }
}

/// Day number (days since 1970-01-01) of a stored date.
fn day_of(d: DateTime) -> i64 {
    d.into_timestamp_secs().div_euclid(86_400)
}

fn date_of_day(day: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(day.checked_mul(86_400)?, 0).map(|t| t.date_naive())
}

/// What one pass over a match set gives: counts per day, undated matches,
/// and, when splitting, each document's values.
#[derive(Debug, Default)]
struct DayCounts {
    by_day: FxHashMap<i64, u64>,
    undated: u64,
    /// Per matching document (when splitting): its day, `UNDATED` when it
    /// has none. Flat arrays, so a document costs no allocation.
    doc_days: Vec<i64>,
    /// Per matching document: the end of its value ids in `doc_values`.
    doc_ends: Vec<u32>,
    /// Value ids of every matching document, one after the other.
    doc_values: Vec<u32>,
    /// Value id → name.
    values: Vec<String>,
}

/// The day of an undated document in `DayCounts::doc_days`.
const UNDATED: i64 = i64::MIN;

impl DayCounts {
    /// Each matching document's day (None when undated) and value ids.
    fn docs(&self) -> impl Iterator<Item = (Option<i64>, &[u32])> + '_ {
        self.doc_days.iter().enumerate().map(|(i, &day)| {
            let start = if i == 0 {
                0
            } else {
                self.doc_ends[i - 1] as usize
            };
            let end = self.doc_ends[i] as usize;
            let vals = self.doc_values.get(start..end).unwrap_or_default();
            ((day != UNDATED).then_some(day), vals)
        })
    }
}

/// Counts matching documents by day, remembering split values per document.
struct DayCounter {
    split: Option<FacetField>,
}

struct SegmentDays {
    dates: Column<DateTime>,
    split: Option<StrColumn>,
    counts: DayCounts,
    /// Term ordinal of this segment → value id in `counts.values`
    /// (`u32::MAX` until seen).
    ord_ids: Vec<u32>,
    next_id: u32,
}

impl Collector for DayCounter {
    type Fruit = DayCounts;
    type Child = SegmentDays;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentDays> {
        let split = match self.split {
            Some(field) => segment.fast_fields().str(facet_field_name(field))?,
            None => None,
        };
        let terms = split.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentDays {
            dates: segment.fast_fields().date(names::DATE)?,
            split,
            counts: DayCounts::default(),
            ord_ids: vec![u32::MAX; terms],
            next_id: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<DayCounts>) -> tantivy::Result<DayCounts> {
        let mut merged = DayCounts::default();
        let mut ids: HashMap<String, u32> = HashMap::new();
        for fruit in fruits {
            for (day, n) in fruit.by_day {
                *merged.by_day.entry(day).or_default() += n;
            }
            merged.undated += fruit.undated;
            let remap: Vec<u32> = fruit
                .values
                .into_iter()
                .map(|name| {
                    let next = merged.values.len() as u32;
                    *ids.entry(name.clone()).or_insert_with(|| {
                        merged.values.push(name);
                        next
                    })
                })
                .collect();
            let shift = merged.doc_values.len() as u32;
            merged.doc_days.extend(fruit.doc_days);
            merged
                .doc_ends
                .extend(fruit.doc_ends.iter().map(|e| e + shift));
            merged.doc_values.extend(
                fruit
                    .doc_values
                    .iter()
                    .map(|&v| remap.get(v as usize).copied().unwrap_or(u32::MAX)),
            );
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentDays {
    type Fruit = DayCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let day = self.dates.first(doc).map(day_of);
        match day {
            Some(d) => *self.counts.by_day.entry(d).or_default() += 1,
            None => self.counts.undated += 1,
        }
        if let Some(column) = &self.split {
            let first = self.counts.doc_values.len();
            for ord in column.term_ords(doc) {
                let Some(slot) = self.ord_ids.get_mut(ord as usize) else {
                    continue;
                };
                if *slot == u32::MAX {
                    *slot = self.next_id;
                    self.next_id += 1;
                }
                let id = *slot;
                // Ordinals of one document are distinct; the check guards
                // against a column that repeats a value.
                if !self.counts.doc_values[first..].contains(&id) {
                    self.counts.doc_values.push(id);
                }
            }
            self.counts.doc_days.push(day.unwrap_or(UNDATED));
            self.counts
                .doc_ends
                .push(self.counts.doc_values.len() as u32);
        }
    }

    fn harvest(mut self) -> DayCounts {
        if let Some(column) = &self.split {
            let mut names = vec![String::new(); self.next_id as usize];
            let mut name = String::new();
            for (ord, &id) in self.ord_ids.iter().enumerate() {
                if id != u32::MAX && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    names[id as usize] = name.clone();
                }
            }
            self.counts.values = names;
        }
        self.counts
    }
}

/// Turns day counts into zero-filled calendar buckets with series and shares.
fn assemble(
    request: &TimelineRequest,
    counted: DayCounts,
    all: Option<&DayCounts>,
) -> Result<Timeline> {
    let by = request.by;
    let total = counted.undated + counted.by_day.values().sum::<u64>();
    let to_bucket = |day: i64| date_of_day(day).map(|d| by.start_of(d));
    let mut counts: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (&day, &n) in &counted.by_day {
        if let Some(start) = to_bucket(day) {
            *counts.entry(start).or_default() += n;
        }
    }
    // The range: --from/--to when given, else the first to the last bucket
    // with a match.
    let first = request
        .search
        .from
        .map(|d| by.start_of(d))
        .or_else(|| counts.keys().next().copied());
    let last = request
        .search
        .to
        .map(|d| by.start_of(d))
        .or_else(|| counts.keys().next_back().copied());
    let mut starts = Vec::new();
    if let (Some(mut at), Some(last)) = (first, last) {
        while at <= last {
            if starts.len() == MAX_BUCKETS {
                return Err(Error::Query(format!(
                    "the timeline would have more than {MAX_BUCKETS} buckets; use a wider --by or a shorter --from/--to range"
                )));
            }
            starts.push(at);
            match by.next(at) {
                Some(next) => at = next,
                None => break,
            }
        }
    }
    // Series: top values by number of matching documents, then "other"
    // for matches naming none of them.
    let mut series: Vec<String> = Vec::new();
    let mut per_series: BTreeMap<String, BTreeMap<NaiveDate, u64>> = BTreeMap::new();
    if let Some(split) = request.split {
        let mut totals = vec![0u64; counted.values.len()];
        for &v in &counted.doc_values {
            if let Some(t) = totals.get_mut(v as usize) {
                *t += 1;
            }
        }
        let mut ranked: Vec<u32> = (0..totals.len() as u32)
            .filter(|&v| totals[v as usize] > 0)
            .collect();
        ranked.sort_by(|&a, &b| {
            totals[b as usize]
                .cmp(&totals[a as usize])
                .then_with(|| counted.values[a as usize].cmp(&counted.values[b as usize]))
        });
        ranked.truncate(split.top);
        // Value id → series index (usize::MAX: not a top value).
        let mut top = vec![usize::MAX; counted.values.len()];
        for (i, &v) in ranked.iter().enumerate() {
            top[v as usize] = i;
        }
        series = ranked
            .iter()
            .map(|&v| counted.values[v as usize].clone())
            .collect();
        series.push(OTHER.to_string());
        // Count per (series, day) first: far fewer days than documents,
        // so calendar arithmetic runs once per day.
        let other = series.len() - 1;
        let mut by_day: FxHashMap<(usize, i64), u64> = FxHashMap::default();
        for (day, vals) in counted.docs() {
            let Some(day) = day else { continue };
            let mut named_top = false;
            for &v in vals {
                if let Some(&i) = top.get(v as usize).filter(|&&i| i != usize::MAX) {
                    named_top = true;
                    *by_day.entry((i, day)).or_default() += 1;
                }
            }
            if !named_top {
                *by_day.entry((other, day)).or_default() += 1;
            }
        }
        for name in &series {
            per_series.insert(name.clone(), BTreeMap::new());
        }
        for ((i, day), n) in by_day {
            if let (Some(start), Some(m)) = (to_bucket(day), per_series.get_mut(&series[i])) {
                *m.entry(start).or_default() += n;
            }
        }
    }
    let mut all_counts: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    if let Some(all) = all {
        for (&day, &n) in &all.by_day {
            if let Some(start) = to_bucket(day) {
                *all_counts.entry(start).or_default() += n;
            }
        }
    }
    let today = by.start_of(request.today);
    let ratio = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let buckets = starts
        .into_iter()
        .map(|start| {
            let count = counts.get(&start).copied().unwrap_or(0);
            let all = all.map(|_| all_counts.get(&start).copied().unwrap_or(0));
            let series_counts: BTreeMap<String, u64> = per_series
                .iter()
                .map(|(name, m)| (name.clone(), m.get(&start).copied().unwrap_or(0)))
                .collect();
            let series_share = match all {
                Some(of) => series_counts
                    .iter()
                    .map(|(name, &n)| (name.clone(), ratio(n, of)))
                    .collect(),
                None => BTreeMap::new(),
            };
            Bucket {
                start,
                count,
                partial: start == today,
                all,
                share: all.map(|of| ratio(count, of)),
                series: series_counts,
                series_share,
            }
        })
        .collect();
    Ok(Timeline {
        query: request.search.query.clone(),
        by,
        split: request.split.map(|s| facet_field_name(s.field)),
        series,
        total,
        undated: counted.undated,
        buckets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn buckets_start_on_calendar_boundaries() {
        let x = d(2021, 8, 19); // a Thursday
        assert_eq!(Interval::Day.start_of(x), x);
        assert_eq!(Interval::Week.start_of(x), d(2021, 8, 16));
        assert_eq!(Interval::Month.start_of(x), d(2021, 8, 1));
        assert_eq!(Interval::Quarter.start_of(x), d(2021, 7, 1));
        assert_eq!(Interval::Year.start_of(x), d(2021, 1, 1));
        assert_eq!(Interval::Quarter.next(d(2021, 10, 1)), Some(d(2022, 1, 1)));
        assert_eq!(Interval::Month.next(d(2020, 1, 1)), Some(d(2020, 2, 1)));
        assert_eq!(Interval::Week.next(d(2021, 12, 27)), Some(d(2022, 1, 3)));
    }

    #[test]
    fn days_become_zero_filled_buckets_and_today_is_partial() {
        let day = |x: NaiveDate| (x - d(1970, 1, 1)).num_days();
        let mut counted = DayCounts::default();
        counted.by_day.insert(day(d(2021, 1, 5)), 2);
        counted.by_day.insert(day(d(2021, 3, 30)), 1);
        counted.undated = 4;
        let request = TimelineRequest {
            search: SearchRequest::default(),
            by: Interval::Month,
            split: None,
            share: false,
            today: d(2021, 3, 31),
        };
        let t = assemble(&request, counted, None).expect("a short range");
        let got: Vec<(NaiveDate, u64, bool)> = t
            .buckets
            .iter()
            .map(|b| (b.start, b.count, b.partial))
            .collect();
        assert_eq!(
            got,
            [
                (d(2021, 1, 1), 2, false),
                (d(2021, 2, 1), 0, false),
                (d(2021, 3, 1), 1, true)
            ]
        );
        assert_eq!((t.total, t.undated), (7, 4));
    }
}
