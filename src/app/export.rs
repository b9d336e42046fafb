//! `cpsearch export` and `cpsearch search --explain`: flags become export
//! options or a prepared search; the files and requests come from
//! `cpsearch::export`.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Result};
use cpsearch::export::{self, explain, Changed, Engine, ExportOptions};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::dates::{parse_when, Period};
use cpsearch::search::{self, SearchRequest};

use super::ensure_index;
use crate::cli::{EngineArg, ExplainArg, ExportArgs};

/// A date flag in the search vocabulary (`2021`, `2021-05`, `2 weeks ago`).
fn period(value: &str, flag: &str) -> Result<Period> {
    let today = chrono::Utc::now().date_naive();
    parse_when(value, Some(today)).map_err(|e| anyhow::anyhow!("{flag} {e}"))
}

fn changed(arg: Option<&str>) -> Result<Changed> {
    Ok(match arg {
        None => Changed::All,
        Some("last") => Changed::SinceLastExport,
        Some(day) => Changed::Since(period(day, "--changed-since")?.start),
    })
}

fn export_options(args: &ExportArgs) -> Result<ExportOptions> {
    let from = args
        .from
        .as_deref()
        .map(|d| period(d, "--from").map(|p| p.start))
        .transpose()?;
    let to = args
        .to_date
        .as_deref()
        .map(|d| period(d, "--to-date").map(|p| p.last_day()))
        .transpose()?;
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            bail!("--from {a} is after --to-date {b}");
        }
    }
    if args.shards == 0 || args.shards > 64 {
        bail!("--shards must be between 1 and 64");
    }
    if args.name.is_empty()
        || args
            .name
            .chars()
            .any(|c| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
    {
        bail!("--name may hold only letters, digits, '-' and '_'");
    }
    Ok(ExportOptions {
        engine: match args.to {
            EngineArg::Quickwit => Engine::Quickwit,
            EngineArg::Opensearch => Engine::OpenSearch,
            EngineArg::Sphinx => Engine::Sphinx,
        },
        dir: args.dir.clone(),
        request: SearchRequest {
            query: args.query.clone(),
            any: args.any,
            agencies: args.values.agency.clone(),
            topics: args.values.topic.clone(),
            countries: args.values.country.clone(),
            sources: args.values.source.clone(),
            year: args.year,
            from,
            to,
            ..SearchRequest::default()
        },
        index_name: args.name.clone(),
        changed: changed(args.changed_since.as_deref())?,
        max_file_bytes: args.max_file_bytes.max(1024),
        shards: args.shards,
    })
}

pub fn export(args: ExportArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let options = export_options(&args)?;
    ensure_index(&args.index, taxonomy)?;
    let store = Store::open(&args.index)?;
    let summary = export::export(&store, taxonomy, &options)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        writeln!(
            out,
            "exported {} documents to {} ({} unchanged, {} to delete)",
            summary.documents,
            options.dir.display(),
            summary.unchanged,
            summary.deleted
        )?;
        if summary.oversized > 0 {
            writeln!(
                out,
                "note: {} documents are larger than --max-file-bytes and have a file of their own",
                summary.oversized
            )?;
        }
        writeln!(out, "\nfiles:")?;
        for f in &summary.files {
            writeln!(out, "  {}", f.display())?;
        }
        writeln!(out, "\nto create the index and load it, run:")?;
        for c in &summary.commands {
            writeln!(out, "  {c}")?;
        }
    }
    out.flush()?;
    Ok(0)
}

pub fn explain(
    index: &Path,
    engine: ExplainArg,
    request: &SearchRequest,
    json: bool,
    taxonomy: &Taxonomy,
) -> Result<u8> {
    let store = Store::open(index)?;
    let searcher = store.reader()?.searcher();
    let prepared = search::prepare(&store, &searcher, taxonomy, request)?;
    let mut analyzer = store.index().tokenizer_for_field(store.fields().body)?;
    let engine = match engine {
        ExplainArg::Quickwit => Engine::Quickwit,
        ExplainArg::Opensearch => Engine::OpenSearch,
    };
    let explained = explain::explain(engine, &prepared, &mut analyzer)?;
    let mut out = std::io::stdout().lock();
    if json {
        // Through a String, so a closed pipe stays an io::Error (exit 0).
        writeln!(out, "{}", serde_json::to_string_pretty(&explained)?)?;
    } else {
        writeln!(out, "{}", explained.curl())?;
    }
    Ok(0)
}
