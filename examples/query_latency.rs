//! In-process query latency for the peer benchmark harness
//! (`../shared/bench-peers`): opens the index once, runs each query 5 times
//! untimed and 50 times timed, and prints `Qn<TAB>median_ms<TAB>p95_ms<TAB>note`
//! and `COUNT<TAB>Qn<TAB>hits`. Timed work includes fetching the 10 hits'
//! stored fields (and snippets for Q8), as a user would get them.
//!
//! `cargo run --release --example query_latency -- INDEX_DIR [--collapse] [Qn ...]`
//! (`--collapse` groups near-duplicates as the CLI does by default).

use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::{search_in, FacetField, SearchRequest};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: query_latency INDEX_DIR [Qn ...]")?;
    let store = Store::open(std::path::Path::new(&dir))?;
    let taxonomy = Taxonomy::builtin()?;
    let searcher = store.reader()?.searcher();
    let collapse = std::env::args().any(|a| a == "--collapse");
    let base = |q: &str| SearchRequest {
        query: q.to_string(),
        limit: 10,
        collapse,
        ..SearchRequest::default()
    };
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let queries: Vec<(&str, &str, SearchRequest)> = vec![
        ("Q1", "term ransomware", base("ransomware")),
        (
            "Q2",
            "ransomware OR phishing",
            base("ransomware OR phishing"),
        ),
        ("Q3", "ransomware AND russia", base("ransomware AND russia")),
        (
            "Q4",
            "phrase critical infrastructure",
            base("\"critical infrastructure\""),
        ),
        (
            "Q5",
            "ransomware, agency CISA filter",
            SearchRequest {
                agencies: vec!["CISA".into()],
                ..base("ransomware")
            },
        ),
        (
            "Q6",
            "ransomware, 2020-2021 filter",
            SearchRequest {
                from: day(2020, 1, 1),
                to: day(2021, 12, 31),
                ..base("ransomware")
            },
        ),
        (
            "Q7",
            "agency facets over sanctions",
            SearchRequest {
                facets: true,
                facet_fields: vec![FacetField::Agency],
                ..base("sanctions")
            },
        ),
        (
            "Q8",
            "supply chain attack (any), 3-fragment snippets",
            SearchRequest {
                any: true,
                snippets: true,
                ..base("supply chain attack")
            },
        ),
    ];
    // Further arguments pick queries by name (Q1 … Q8), for profiling one.
    let only: Vec<String> = std::env::args()
        .skip(2)
        .filter(|a| a != "--collapse")
        .collect();
    for (name, note, request) in &queries {
        if !only.is_empty() && !only.iter().any(|q| q == name) {
            continue;
        }
        let mut hits = 0;
        for _ in 0..5 {
            hits = search_in(&store, &searcher, &taxonomy, request)?.total_hits;
        }
        let mut samples: Vec<f64> = (0..50)
            .map(|_| {
                let started = Instant::now();
                let results = search_in(&store, &searcher, &taxonomy, request);
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                results.map(|_| ms)
            })
            .collect::<Result<_, _>>()?;
        samples.sort_by(f64::total_cmp);
        let median = (samples[24] + samples[25]) / 2.0;
        let p95 = samples[(0.95 * 50.0_f64).ceil() as usize - 1];
        println!("{name}\t{median:.3}\t{p95:.3}\t{note}");
        println!("COUNT\t{name}\t{hits}");
    }
    Ok(())
}
