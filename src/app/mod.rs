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
use cpsearch::normalize::Taxonomy;

use crate::cli::{Cli, ColorArg, Command, FilterArgs, ReadArgs};

mod cooccur;
mod export;
mod extract;
mod index_cmd;
mod related;
mod search_cmd;
mod serve;
mod show;
mod timeline;
mod vocab;

/// The corpus searched on first run when no index exists.
const DEFAULT_CORPUS: &str = "corpus";
/// The default index directory.
const DEFAULT_INDEX: &str = "index";

/// Runs a command; returns the exit status.
pub fn run(cli: Cli) -> Result<u8> {
    ignore_file_size_signal();
    let taxonomy = match &cli.taxonomy {
        Some(path) => Taxonomy::from_file(path)?,
        None => Taxonomy::builtin().context("built-in taxonomy")?,
    };
    match cli.command {
        Command::Serve(args) => serve::serve(args, taxonomy),
        Command::Extract(args) => extract::extract(args, &taxonomy),
        Command::Index(args) => index_cmd::index_cmd(args, &taxonomy),
        Command::Search(args) => search_cmd::search_cmd(args, &taxonomy),
        Command::Show(args) => show::show(args),
        Command::Related(args) => related::related(args, &taxonomy),
        Command::Stats(args) => show::stats(args),
        Command::Export(args) => export::export(args, &taxonomy),
        Command::Timeline(args) => timeline::timeline(args, &taxonomy),
        Command::Cooccur(args) => cooccur::cooccur(args, &taxonomy),
        Command::Vocab(args) => vocab::vocab(args, &taxonomy),
    }
}

/// A write past the file-size limit (`ulimit -f`) sends SIGXFSZ, which
/// kills the process by default, in the middle of a write, with no message.
/// Ignored, the write fails with EFBIG instead, and that error is reported
/// like a full disk while the last commit stays intact.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler
    // code, and runs before any thread that could write is started.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// True when the error is a closed pipe (`cpsearch … | head`), also when
/// it reached us wrapped in a JSON writer's error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        let io = e.downcast_ref::<std::io::Error>();
        let json = e
            .downcast_ref::<serde_json::Error>()
            .or_else(|| io.and_then(|io| io.get_ref()?.downcast_ref::<serde_json::Error>()));
        io.is_some_and(|io| io.kind() == BrokenPipe)
            || json.is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}

/// The error and its causes as one line, each cause once: our errors
/// already include their cause in their message, and `{:#}` would repeat
/// it ("No such file or directory (os error 2): No such file or …").
pub fn one_sentence(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

pub fn ingest_options(read: &ReadArgs) -> IngestOptions {
    IngestOptions {
        max_file_size: read.max_file_size,
        date_from_mtime: read.date_from_mtime,
        meta: read.meta.clone(),
        source_from_folder: read.source_from_folder,
        today: Some(chrono::Utc::now().date_naive()),
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
    let skipped = report_skips(report, err)?;
    let mut warnings = 0;
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
    Ok((skipped, warnings))
}

/// Writes only a file's skips (what `--quiet` keeps); returns their count.
pub fn report_skips(report: &FileReport, err: &mut impl Write) -> std::io::Result<usize> {
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
    Ok(usize::from(report.skipped.is_some()) + report.item_problems.len())
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
        if missing && dir.join(manifest::META_FILE).exists() {
            eprintln!("{DEFAULT_INDEX}/ is damaged: rebuilding it from {DEFAULT_CORPUS}/…");
        } else if missing {
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
            meta: None,
            source_from_folder: false,
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

/// Columns to wrap terminal output at: `COLUMNS` when set, else the width
/// of the terminal stdout is; None when stdout is not a terminal.
pub fn terminal_width() -> Option<usize> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    columns.filter(|&c: &usize| c > 0).or_else(|| {
        std::io::stdout()
            .is_terminal()
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(w, _)| usize::from(w.0))
    })
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

/// The date flags of a search, timeline or co-mention count, as typed.
pub struct DateFlags<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub since: Option<&'a str>,
    pub year: Option<&'a str>,
}

/// The date flags resolved to days, with the day they were resolved on.
pub struct Dates {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub year: Option<i32>,
    pub today: chrono::NaiveDate,
}

impl DateFlags<'_> {
    /// Reads the clock once (relative dates count from today, UTC) and
    /// resolves every flag with the one date vocabulary of `search::dates`.
    pub fn resolve(&self) -> Result<Dates> {
        use cpsearch::search::dates::parse_when;
        let today = chrono::Utc::now().date_naive();
        let period = |flag: &str, value: &str| {
            parse_when(value, Some(today)).map_err(|e| anyhow::anyhow!("{flag} {e}"))
        };
        let from = match (self.from, self.since) {
            (Some(v), _) => Some(period("--from", v)?.start),
            (None, Some(v)) => Some(period("--since", v)?.start),
            (None, None) => None,
        };
        let to = match self.to {
            Some(v) => Some(period("--to", v)?.last_day()),
            None => None,
        };
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                anyhow::bail!("--from {a} is after --to {b}; swap them");
            }
        }
        let year = match self.year {
            Some(v) => Some(period("--year", v)?.whole_year().ok_or_else(|| {
                anyhow::anyhow!(
                    "--year {v:?} is not one calendar year; use e.g. --year 2021 or --year \"last year\""
                )
            })?),
            None => None,
        };
        Ok(Dates {
            from,
            to,
            year,
            today,
        })
    }
}

/// The request the filter flags describe (facet values and dates; the
/// caller adds the query and the rest). Reads the clock once.
pub fn filtered_request(filters: &FilterArgs) -> Result<cpsearch::search::SearchRequest> {
    let dates = DateFlags {
        from: filters.from.as_deref(),
        to: filters.to.as_deref(),
        since: filters.since.as_deref(),
        year: filters.year.as_deref(),
    }
    .resolve()?;
    Ok(cpsearch::search::SearchRequest {
        agencies: filters.values.agency.clone(),
        topics: filters.values.topic.clone(),
        countries: filters.values.country.clone(),
        sources: filters.values.source.clone(),
        year: dates.year,
        from: dates.from,
        to: dates.to,
        today: Some(dates.today),
        ..Default::default()
    })
}
