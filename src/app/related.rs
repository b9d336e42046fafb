//! `cpsearch related`: articles about the same subject as one article,
//! printed like search results.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::output::{human::Human, json};
use cpsearch::search::related::{self, RelatedRequest};

use super::{ensure_index, use_color};
use crate::cli::RelatedArgs;

pub fn related(args: RelatedArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let window_days = args
        .window
        .as_deref()
        .map(related::parse_window)
        .transpose()?;
    ensure_index(&args.index, taxonomy)?;
    let started = Instant::now();
    let store = Store::open(&args.index)?;
    let request = RelatedRequest {
        id: args.id.clone(),
        limit: args.limit,
        window_days,
    };
    let results = related::related(&store, &request)?;
    let took_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        json::write_results(&mut out, &results, took_ms)?;
    } else {
        Human {
            color: use_color(args.color),
            width: super::terminal_width(),
            ..Human::default()
        }
        .write_results(&mut out, &results, took_ms, 0)?;
    }
    out.flush()?;
    Ok(if results.hits.is_empty() { 1 } else { 0 })
}
