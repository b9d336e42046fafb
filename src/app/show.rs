//! `cpsearch show` and `cpsearch stats`: one stored document, or the
//! index as a whole.

use anyhow::{bail, Result};
use cpsearch::index::Store;
use cpsearch::output::{human::Human, json, vocab};
use cpsearch::search;

use super::use_color;
use crate::cli::{ColorArg, ShowArgs, StatsArgs};

pub fn show(args: ShowArgs) -> Result<u8> {
    let store = Store::open(&args.index)?;
    let Some(document) = store.get(&args.id)? else {
        bail!(
            "no document with id {:?}; search prints ids with --json",
            args.id
        );
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        json::write_value(&mut out, &document)?;
    } else {
        Human {
            color: use_color(ColorArg::Auto),
        }
        .write_document(&mut out, &document)?;
    }
    Ok(0)
}

pub fn stats(args: StatsArgs) -> Result<u8> {
    let store = Store::open(&args.index)?;
    let stats = search::stats::stats(&store)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        json::write_value(&mut out, &stats)?;
    } else if args.all {
        vocab::write_stats_all(&mut out, &stats)?;
    } else {
        Human {
            color: use_color(ColorArg::Auto),
        }
        .write_stats(&mut out, &stats)?;
    }
    Ok(0)
}

/// With `search --roll-up`: the agency facet as trees of parent and components.
pub fn write_rolled_agencies(
    out: &mut impl std::io::Write,
    results: &search::SearchResults,
    taxonomy: &cpsearch::normalize::Taxonomy,
) -> std::io::Result<()> {
    if let Some(counts) = results.facets.as_ref().and_then(|f| f.agency.as_ref()) {
        writeln!(out)?;
        vocab::write_rolled(out, &taxonomy.roll_up(&counts.0))?;
    }
    Ok(())
}
