//! `cpsearch search`: flags become a `SearchRequest`; results go to the
//! terminal or JSON.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::{csv, human::Human, json, markdown};
use cpsearch::search::state::{index_state, IndexState};
use cpsearch::search::{self, FacetField, SearchRequest, Sort};

use super::{ensure_index, filtered_request, terminal_width, use_color};
use crate::cli::{FacetArg, FormatArg, SearchArgs, SortArg};

fn search_request(args: &SearchArgs) -> Result<SearchRequest> {
    Ok(SearchRequest {
        query: args.query.join(" "),
        any: args.any,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
            SortArg::DateAsc => Sort::DateAsc,
        },
        limit: args.limit,
        offset: args.offset,
        facets: args.facets || !args.facet.is_empty() || args.roll_up,
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
        ..filtered_request(&args.filters)?
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
    let format = match (args.format, args.json) {
        (Some(f), _) => f,
        (None, true) => FormatArg::Json,
        (None, false) => FormatArg::Text,
    };
    if let (FormatArg::Json, Some(f), Some(n)) = (format, results.facets.as_mut(), args.facet_limit)
    {
        f.truncate(n);
    }
    match format {
        FormatArg::Json => json::write_results(&mut out, &results, took_ms)?,
        FormatArg::Text => {
            let human = Human {
                color: use_color(args.color),
                width: terminal_width(),
                facet_limit: args.facet_limit,
            };
            human.write_results(&mut out, &results, took_ms, args.offset)?;
            if args.roll_up {
                super::show::write_rolled_agencies(&mut out, &results, taxonomy)?;
            }
        }
        FormatArg::Csv => csv::write_hits(&mut out, &results, b',')?,
        FormatArg::Tsv => csv::write_hits(&mut out, &results, b'\t')?,
        FormatArg::Jsonl => csv::write_jsonl(&mut out, &results)?,
        FormatArg::Md => markdown::write_hits(&mut out, &results)?,
    }
    out.flush()?;
    Ok(if results.total_hits == 0 { 1 } else { 0 })
}
