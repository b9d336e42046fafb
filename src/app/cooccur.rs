//! `cpsearch cooccur`: flags become a `CooccurRequest`; pairs go to the
//! terminal as a table or out as JSON.

use std::io::Write;

use anyhow::Result;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::{chart::Chart, json};
use cpsearch::search::cooccur::{self, CooccurRequest, PairOrder};
use cpsearch::search::FacetField;

use super::timeline::match_request;
use super::{ensure_index, use_color};
use crate::cli::{CooccurArgs, FacetArg, PairOrderArg};

fn facet(arg: FacetArg) -> FacetField {
    match arg {
        FacetArg::Agency => FacetField::Agency,
        FacetArg::Topic => FacetField::Topic,
        FacetArg::Country => FacetField::Country,
        FacetArg::Year => FacetField::Year,
        FacetArg::Source => FacetField::Source,
    }
}

pub fn cooccur(args: CooccurArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let request = CooccurRequest {
        search: match_request(&args.matches)?,
        facet: facet(args.facet),
        with: args.with.map(facet),
        top: args.top,
        min_count: args.min_count,
        order: match args.order {
            PairOrderArg::Lift => PairOrder::Lift,
            PairOrderArg::Count => PairOrder::Count,
        },
    };
    ensure_index(&args.matches.index, taxonomy)?;
    let store = Store::open(&args.matches.index)?;
    let result = cooccur::cooccur(&store, taxonomy, &request)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        json::write_value(&mut out, &result)?;
    } else {
        Chart {
            color: use_color(args.matches.color),
        }
        .write_pairs(&mut out, &result)?;
    }
    out.flush()?;
    Ok(if result.pairs.is_empty() { 1 } else { 0 })
}
