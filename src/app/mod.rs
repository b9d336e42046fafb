//! One function per subcommand, one file per group of them: command-line
//! arguments become library requests, the library does the work, `output`
//! renders it. Reading the clock ("2 weeks ago") and the terminal happens
//! here, not in the library. This file holds the dispatch and what several
//! subcommands share (problem reports, colour, the first-run index).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use cpsearch::index::build::{self, IndexOptions};
use cpsearch::index::manifest;
use cpsearch::ingest::{self, FileReport, IngestOptions};
use cpsearch::normalize::{dates, Taxonomy};

use crate::cli::{Cli, ColorArg, Command, ReadArgs};

mod extract;
mod index_cmd;
mod related;
mod search_cmd;
mod show;

/// The corpus searched on first run when no index exists.
const DEFAULT_CORPUS: &str = "corpus";
/// The default index directory.
const DEFAULT_INDEX: &str = "index";

/// Runs a command; returns the exit status.
pub fn run(cli: Cli) -> Result<u8> {
    let taxonomy = match &cli.taxonomy {
        Some(path) => Taxonomy::from_file(path)?,
        None => Taxonomy::builtin().context("built-in taxonomy")?,
    };
    match cli.command {
        Command::Extract(args) => extract::extract(args, &taxonomy),
        Command::Index(args) => index_cmd::index_cmd(args, &taxonomy),
        Command::Search(args) => search_cmd::search_cmd(args, &taxonomy),
        Command::Show(args) => show::show(args),
        Command::Related(args) => related::related(args, &taxonomy),
        Command::Stats(args) => show::stats(args),
    }
}

/// True when the error is a closed pipe (`cpsearch … | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn ingest_options(read: &ReadArgs) -> IngestOptions {
    IngestOptions {
        max_file_size: read.max_file_size,
        date_from_mtime: read.date_from_mtime,
    }
}

/// Counts of what happened to files, for the closing summary.
#[derive(Default)]
pub struct Tally {
    pub documents: usize,
    pub files: usize,
    pub skipped: usize,
    pub warnings: usize,
}

/// Writes a file's skips and warnings to stderr: `path[: where]: reason`.
pub fn report_problems(
    report: &FileReport,
    err: &mut impl Write,
) -> std::io::Result<(usize, usize)> {
    let mut warnings = 0;
    if let Some(reason) = &report.skipped {
        writeln!(err, "skipped {}: {reason}", report.rel)?;
    }
    for p in &report.item_problems {
        let at = p
            .location
            .as_deref()
            .map(|l| format!(": {l}"))
            .unwrap_or_default();
        writeln!(err, "skipped {}{at}: {}", report.rel, p.message)?;
    }
    for w in &report.warnings {
        writeln!(err, "warning {}: {w}", report.rel)?;
        warnings += 1;
    }
    for d in &report.documents {
        for w in &d.warnings {
            let at = if d.item > 0 {
                format!(": item {}", d.item)
            } else {
                String::new()
            };
            writeln!(err, "warning {}{at}: {w}", report.rel)?;
            warnings += 1;
        }
    }
    let skipped = usize::from(report.skipped.is_some()) + report.item_problems.len();
    Ok((skipped, warnings))
}

fn is_default_index(dir: &Path) -> bool {
    dir == Path::new(DEFAULT_INDEX) && Path::new(DEFAULT_CORPUS).is_dir()
}

/// On first run builds the default index from the default corpus; later
/// says when the corpus has changed since.
pub fn ensure_index(dir: &Path, taxonomy: &Taxonomy) -> Result<()> {
    if !is_default_index(dir) {
        return Ok(());
    }
    let corpus = [PathBuf::from(DEFAULT_CORPUS)];
    let missing = !dir.join("meta.json").exists();
    if missing || !manifest::is_current_version(dir) {
        // The default index is ours to rebuild; an index the user named
        // is refused with instructions instead (Store::open).
        if missing {
            eprintln!(
                "No index yet: building {DEFAULT_INDEX}/ from {DEFAULT_CORPUS}/ first (one time)…"
            );
        } else {
            eprintln!(
                "{DEFAULT_INDEX}/ was built by another version of cpsearch: rebuilding it from {DEFAULT_CORPUS}/ (one time)…"
            );
        }
        let read = ReadArgs {
            max_file_size: ingest::DEFAULT_MAX_FILE_SIZE,
            date_from_mtime: false,
            strict: false,
        };
        let started = Instant::now();
        let summary =
            index_cmd::run_index(dir, &corpus, &read, IndexOptions::default(), true, taxonomy)?;
        eprintln!(
            "indexed {} documents in {:.1}s",
            summary.total_documents,
            started.elapsed().as_secs_f64()
        );
    } else if build::is_stale(dir, &corpus).unwrap_or(false) {
        eprintln!("note: {DEFAULT_CORPUS}/ has changed since the index was built; run `cpsearch index` to refresh it");
    }
    Ok(())
}

pub fn parse_day(s: &str, flag: &str) -> Result<chrono::NaiveDate> {
    dates::parse_date(s).map_err(|e| anyhow::anyhow!("{flag}: {e}; use a date like 2021-05-14"))
}

pub fn use_color(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
