//! What a timeline and a co-mention count cost next to the same search with
//! facets: opens the index once, runs each case 3 times untimed and 20
//! times timed, and prints `query<TAB>case<TAB>median_ms<TAB>matches`.
//!
//! `cargo run --release --example timeline_cost -- INDEX_DIR`

use std::time::Instant;

use anyhow::Context;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::cooccur::{cooccur, CooccurRequest, PairOrder};
use cpsearch::search::timeline::{timeline, Interval, Split, TimelineRequest};
use cpsearch::search::{search, FacetField, SearchRequest};

/// One measured call; returns the number of matches it counted.
type Case<'a> = Box<dyn Fn() -> anyhow::Result<u64> + 'a>;

fn median_ms(mut run: impl FnMut() -> anyhow::Result<u64>) -> anyhow::Result<(f64, u64)> {
    let mut n = 0;
    for _ in 0..3 {
        n = run()?;
    }
    let mut times: Vec<f64> = (0..20)
        .map(|_| {
            let started = Instant::now();
            run().map(|_| started.elapsed().as_secs_f64() * 1000.0)
        })
        .collect::<anyhow::Result<_>>()?;
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], n))
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: timeline_cost INDEX_DIR")?;
    let store = Store::open(std::path::Path::new(&dir))?;
    let taxonomy = Taxonomy::builtin()?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).context("date")?;
    for query in ["ransomware", "sanctions", ""] {
        let base = SearchRequest {
            query: query.to_string(),
            limit: 10,
            ..SearchRequest::default()
        };
        let faceted = SearchRequest {
            facets: true,
            ..base.clone()
        };
        let tl = |split, share| TimelineRequest {
            search: base.clone(),
            by: Interval::Month,
            split,
            share,
            today,
        };
        let agency5 = Some(Split {
            field: FacetField::Agency,
            top: 5,
        });
        let pairs = |with| CooccurRequest {
            search: base.clone(),
            facet: FacetField::Agency,
            with,
            top: 20,
            min_count: 2,
            order: PairOrder::Lift,
        };
        let cases: Vec<(&str, Case)> = vec![
            (
                "search --facets",
                Box::new(|| Ok(search(&store, &taxonomy, &faceted)?.total_hits as u64)),
            ),
            (
                "timeline --by month",
                Box::new(|| Ok(timeline(&store, &taxonomy, &tl(None, false))?.total)),
            ),
            (
                "timeline --split agency:5",
                Box::new(|| Ok(timeline(&store, &taxonomy, &tl(agency5, false))?.total)),
            ),
            (
                "timeline --share",
                Box::new(|| Ok(timeline(&store, &taxonomy, &tl(None, true))?.total)),
            ),
            (
                "cooccur agency",
                Box::new(|| Ok(cooccur(&store, &taxonomy, &pairs(None))?.total)),
            ),
            (
                "cooccur agency --with country",
                Box::new(|| {
                    Ok(cooccur(&store, &taxonomy, &pairs(Some(FacetField::Country)))?.total)
                }),
            ),
        ];
        for (name, run) in cases {
            let (ms, n) = median_ms(run)?;
            println!("{:?}\t{name}\t{ms:.2}\t{n}", query);
        }
    }
    Ok(())
}
