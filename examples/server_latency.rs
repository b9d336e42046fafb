//! In-process cost of each question `bench/load.sh` asks the server: the
//! request is built from the same query string `/api/search` receives and
//! answered the way the handler answers it (search, snippets, copies,
//! facets, JSON body), without HTTP. Opens the index once, runs each
//! question 5 times untimed and 50 times timed, and prints
//! `name<TAB>median_ms<TAB>p95_ms<TAB>matches<TAB>query string`.
//!
//! `cargo run --release --example server_latency -- INDEX_DIR [NAME ...]`
//! (names: L1 … L8, in the order of `bench/load.sh`; an argument holding `=`
//! is a query string of its own, e.g. `q=sanctions&facets=1&collapse=0`).

use std::time::Instant;

use anyhow::Context;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::json;
use cpsearch::search::search_in;
use cpsearch::server::params::{search_request, Params};

/// The query strings of `bench/load.sh`, in its order.
const LOAD_QUERIES: &[&str] = &[
    "q=ransomware&facets=1",
    "q=sanctions&facets=1",
    "q=phishing&facets=1",
    "q=critical%20infrastructure&facets=1",
    "q=supply%20chain%20attack&facets=1",
    "q=ransomware%20russia&facets=1",
    "q=ransomware&agency=CISA&facets=1",
    "q=ransomware&from=2020-01-01&to=2021-12-31&facets=1",
];

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: server_latency INDEX_DIR [L1 ...]")?;
    let only: Vec<String> = std::env::args().skip(2).collect();
    let store = Store::open(std::path::Path::new(&dir))?;
    let taxonomy = Taxonomy::builtin()?;
    let searcher = store.reader()?.searcher();
    let today = chrono::Utc::now().date_naive();
    // An argument with `=` in it is a query string of its own.
    let extra: Vec<&str> = only
        .iter()
        .filter(|a| a.contains('='))
        .map(String::as_str)
        .collect();
    let named = LOAD_QUERIES
        .iter()
        .enumerate()
        .map(|(k, q)| (format!("L{}", k + 1), *q));
    let given = extra
        .iter()
        .enumerate()
        .map(|(k, q)| (format!("X{}", k + 1), *q));
    for (name, raw) in named.chain(given) {
        let picked = only.is_empty() || only.contains(&name) || name.starts_with('X');
        if !picked || (!extra.is_empty() && name.starts_with('L') && !only.contains(&name)) {
            continue;
        }
        let request = search_request(&Params::parse(Some(raw)), today, 10)
            .map_err(|e| anyhow::anyhow!("{raw}: {}", e.0))?;
        let answer = || -> anyhow::Result<(usize, f64)> {
            let started = Instant::now();
            let results = search_in(&store, &searcher, &taxonomy, &request)?;
            let mut body = Vec::new();
            json::write_results(&mut body, &results, 0.0)?;
            Ok((results.total_hits, started.elapsed().as_secs_f64() * 1000.0))
        };
        let mut matches = 0;
        for _ in 0..5 {
            matches = answer()?.0;
        }
        let mut samples: Vec<f64> = (0..50)
            .map(|_| answer().map(|(_, ms)| ms))
            .collect::<anyhow::Result<_>>()?;
        samples.sort_by(f64::total_cmp);
        let median = (samples[24] + samples[25]) / 2.0;
        let p95 = samples[(0.95 * 50.0_f64).ceil() as usize - 1];
        println!("{name}\t{median:.3}\t{p95:.3}\t{matches}\t{raw}");
    }
    Ok(())
}
