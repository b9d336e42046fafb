//! `cpsearch show` and `cpsearch stats`: one stored document, or the
//! index as a whole.

use std::io::Write;

use anyhow::{bail, Result};
use cpsearch::index::Store;
use cpsearch::output::{human::Human, json, vocab};
use cpsearch::search::collapse::copies_of;
use cpsearch::search::{self, lookup, lookup::Found};

use super::use_color;
use crate::cli::{ColorArg, ShowArgs, StatsArgs};

pub fn show(args: ShowArgs) -> Result<u8> {
    let store = Store::open(&args.index)?;
    let document = match lookup::find(&store, &args.id)? {
        Found::One(document) => document,
        Found::Several { path, ids } => bail!(
            "{path} holds {} documents; show one of them by id: {}",
            ids.len(),
            ids.join(", ")
        ),
        Found::Nothing => bail!(
            "no document with id or path {:?}; use an id or path as `cpsearch search` prints it",
            args.id
        ),
    };
    let copies = if args.copies {
        Some(copies_of(&store, &document.id)?.unwrap_or_default())
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    let human = Human {
        color: use_color(ColorArg::Auto),
        ..Human::default()
    };
    match (args.json, copies) {
        (true, Some(copies)) => json::write_value(
            &mut out,
            &json::WithCopies {
                document: &document,
                copies: &copies,
            },
        )?,
        (true, None) => json::write_value(&mut out, &document)?,
        (false, copies) => {
            human.write_document(&mut out, &document)?;
            if let Some(copies) = copies {
                human.write_copies(&mut out, &copies)?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}

pub fn stats(args: StatsArgs) -> Result<u8> {
    let store = Store::open(&args.index)?;
    let mut stats = search::stats::stats(&store)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        if let Some(n) = args.facet_limit {
            stats.facets.truncate(n);
        }
        json::write_value(&mut out, &stats)?;
    } else if args.all {
        vocab::write_stats_all(&mut out, &stats)?;
    } else {
        Human {
            color: use_color(ColorArg::Auto),
            facet_limit: args.facet_limit,
            ..Human::default()
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
