//! `cpsearch show` and `cpsearch stats`: one stored document, or the
//! index as a whole.

use anyhow::{bail, Result};
use cpsearch::index::Store;
use cpsearch::output::{human::Human, json};
use cpsearch::search;
use cpsearch::search::collapse::copies_of;

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
    let copies = if args.copies {
        Some(copies_of(&store, &args.id)?.unwrap_or_default())
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    let human = Human {
        color: use_color(ColorArg::Auto),
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
    Ok(0)
}

pub fn stats(args: StatsArgs) -> Result<u8> {
    let store = Store::open(&args.index)?;
    let stats = search::stats::stats(&store)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        json::write_value(&mut out, &stats)?;
    } else {
        Human {
            color: use_color(ColorArg::Auto),
        }
        .write_stats(&mut out, &stats)?;
    }
    Ok(0)
}
