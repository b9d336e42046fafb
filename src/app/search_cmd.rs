//! `cpsearch search`: flags become a `SearchRequest`; results go to the
//! terminal or JSON.

use std::io::Write;
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::{human::Human, json};
use cpsearch::search::dates::{parse_when, Period};
use cpsearch::search::state::{index_state, IndexState};
use cpsearch::search::{self, FacetField, SearchRequest, Sort};

use super::{ensure_index, terminal_width, use_color};
use crate::cli::{FacetArg, SearchArgs, SortArg};

/// A date flag's value as a period, in the query's date vocabulary.
fn period(flag: &str, value: &str, today: NaiveDate) -> Result<Period> {
    parse_when(value, Some(today)).map_err(|e| anyhow!("{flag} {e}"))
}

fn search_request(args: &SearchArgs) -> Result<SearchRequest> {
    // The only clock read of a search: relative dates count from today (UTC).
    let today = chrono::Utc::now().date_naive();
    let from = match (&args.from, &args.since) {
        (Some(v), _) => Some(period("--from", v, today)?.start),
        (None, Some(v)) => Some(period("--since", v, today)?.start),
        (None, None) => None,
    };
    let to = match &args.to {
        Some(v) => Some(period("--to", v, today)?.last_day()),
        None => None,
    };
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            bail!("--from {a} is after --to {b}; swap them");
        }
    }
    let year = match &args.year {
        Some(v) => Some(period("--year", v, today)?.whole_year().ok_or_else(|| {
            anyhow!("--year {v:?} is not one calendar year; use e.g. --year 2021 or --year \"last year\"")
        })?),
        None => None,
    };
    Ok(SearchRequest {
        query: args.query.join(" "),
        any: args.any,
        agencies: args.agency.clone(),
        topics: args.topic.clone(),
        countries: args.country.clone(),
        sources: args.source.clone(),
        year,
        from,
        to,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        limit: args.limit,
        offset: args.offset,
        facets: args.facets || !args.facet.is_empty(),
        facet_fields: args
            .facet
            .iter()
            .map(|f| match f {
                FacetArg::Agency => FacetField::Agency,
                FacetArg::Topic => FacetField::Topic,
                FacetArg::Country => FacetField::Country,
                FacetArg::Year => FacetField::Year,
                FacetArg::Source => FacetField::Source,
            })
            .collect(),
        snippets: true,
        today: Some(today),
    })
}

/// Says on stderr why a search may find little: the index is empty or
/// another process is still writing it.
fn explain_state(args: &SearchArgs, documents: u64) -> Result<()> {
    let dir = args.index.display();
    let note = match index_state(&args.index, documents) {
        IndexState::Ready => return Ok(()),
        IndexState::Empty => format!(
            "note: the index at {dir} has no documents; add some with `cpsearch index PATH --index {dir}`"
        ),
        IndexState::Writing { pid, documents: 0 } => format!(
            "note: the index at {dir} is still being built by process {pid}; search again when it finishes"
        ),
        IndexState::Writing { pid, documents } => format!(
            "note: process {pid} is updating the index at {dir}; these results come from its last commit ({documents} documents)"
        ),
    };
    writeln!(std::io::stderr(), "{note}")?;
    Ok(())
}

pub fn search_cmd(args: SearchArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let request = search_request(&args)?;
    ensure_index(&args.index, taxonomy)?;
    if let Some(engine) = args.explain {
        return super::export::explain(&args.index, engine, &request, args.json, taxonomy);
    }
    let started = Instant::now();
    let store = Store::open(&args.index)?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let mut results = search::search_in(&store, &searcher, taxonomy, &request)?;
    explain_state(&args, searcher.num_docs())?;
    let took_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        if let (Some(f), Some(n)) = (results.facets.as_mut(), args.facet_limit) {
            f.truncate(n);
        }
        json::write_results(&mut out, &results, took_ms)?;
    } else {
        Human {
            color: use_color(args.color),
            width: terminal_width(),
            facet_limit: args.facet_limit,
        }
        .write_results(&mut out, &results, took_ms, args.offset)?;
    }
    out.flush()?;
    Ok(if results.total_hits == 0 { 1 } else { 0 })
}
