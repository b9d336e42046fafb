//! `cpsearch timeline`: flags become a `TimelineRequest`; today's date is
//! read here (the library takes it as a parameter); the timeline goes to
//! the terminal as bars or sparklines, or out as JSON or CSV.

use std::io::Write;

use anyhow::{bail, Context, Result};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::{chart::Chart, csv as csv_out, json};
use cpsearch::search::timeline::{self, Interval, Split, TimelineRequest};
use cpsearch::search::{FacetField, SearchRequest};

use super::{ensure_index, filtered_request, use_color};
use crate::cli::{IntervalArg, MatchArgs, TimelineArgs};

/// Values with a series of their own when `--split FACET` gives no N.
const DEFAULT_SPLIT_TOP: usize = 5;

/// The search a timeline or co-mention count runs over: query and filters.
pub fn match_request(args: &MatchArgs) -> Result<SearchRequest> {
    Ok(SearchRequest {
        query: args.query.join(" "),
        any: args.any,
        limit: 0,
        dedupe: args.dedupe,
        ..filtered_request(&args.filters)?
    })
}

/// `agency`, `topic:5`, … → a split.
fn parse_split(spec: &str) -> Result<Split> {
    let (name, top) = match spec.split_once(':') {
        Some((name, n)) => {
            let top: usize = n.trim().parse().ok().filter(|&n| n > 0).with_context(|| {
                format!("--split {spec:?}: N must be a whole number above 0, as in agency:5")
            })?;
            (name, top)
        }
        None => (spec, DEFAULT_SPLIT_TOP),
    };
    let field = match name.trim().to_ascii_lowercase().as_str() {
        "agency" | "agencies" => FacetField::Agency,
        "topic" | "topics" => FacetField::Topic,
        "country" | "countries" => FacetField::Country,
        "source" | "sources" => FacetField::Source,
        _ => {
            bail!("--split {spec:?}: split by agency, topic, country or source, optionally with :N")
        }
    };
    Ok(Split { field, top })
}

pub fn timeline(args: TimelineArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let request = TimelineRequest {
        search: match_request(&args.matches)?,
        by: match args.by {
            IntervalArg::Day => Interval::Day,
            IntervalArg::Week => Interval::Week,
            IntervalArg::Month => Interval::Month,
            IntervalArg::Quarter => Interval::Quarter,
            IntervalArg::Year => Interval::Year,
        },
        split: args.split.as_deref().map(parse_split).transpose()?,
        share: args.share,
        today: chrono::Utc::now().date_naive(),
    };
    ensure_index(&args.matches.index, taxonomy)?;
    let store = Store::open(&args.matches.index)?;
    let result = timeline::timeline(&store, taxonomy, &request)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        json::write_value(&mut out, &result)?;
    } else if args.csv {
        csv_out::write_timeline(&mut out, &result)?;
    } else {
        Chart {
            color: use_color(args.matches.color),
        }
        .write_timeline(&mut out, &result)?;
    }
    out.flush()?;
    Ok(if result.total == 0 { 1 } else { 0 })
}
