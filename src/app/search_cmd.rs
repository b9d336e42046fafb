//! `cpsearch search`: flags become a `SearchRequest`; results go to the
//! terminal or JSON.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Result};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::{human::Human, json};
use cpsearch::search::{self, FacetField, SearchRequest, Sort};

use super::{ensure_index, parse_day, use_color};
use crate::cli::{FacetArg, SearchArgs, SortArg};

fn search_request(args: &SearchArgs) -> Result<SearchRequest> {
    let from = match (&args.from, &args.since) {
        (Some(from), _) => Some(parse_day(from, "--from")?),
        (None, Some(since)) => {
            let now = chrono::Utc::now();
            let when =
                interim::parse_date_string(since, now, interim::Dialect::Us).map_err(|e| {
                    anyhow::anyhow!("--since {since:?}: {e}; try \"2 weeks ago\" or a date")
                })?;
            Some(when.date_naive())
        }
        (None, None) => None,
    };
    let to = args
        .to
        .as_deref()
        .map(|t| parse_day(t, "--to"))
        .transpose()?;
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            bail!("--from {a} is after --to {b}");
        }
    }
    Ok(SearchRequest {
        query: args.query.clone(),
        any: args.any,
        agencies: args.agency.clone(),
        topics: args.topic.clone(),
        countries: args.country.clone(),
        sources: args.source.clone(),
        year: args.year,
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
        collapse: !args.no_collapse,
        dedupe: args.dedupe,
    })
}

pub fn search_cmd(args: SearchArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let request = search_request(&args)?;
    ensure_index(&args.index, taxonomy)?;
    let started = Instant::now();
    let store = Store::open(&args.index)?;
    let results = search::search(&store, taxonomy, &request)?;
    let took_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        json::write_results(&mut out, &results, took_ms)?;
    } else {
        Human {
            color: use_color(args.color),
        }
        .write_results(&mut out, &results, took_ms, args.offset)?;
    }
    out.flush()?;
    Ok(if results.total_hits == 0 { 1 } else { 0 })
}
