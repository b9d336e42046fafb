//! One function per subcommand: command-line arguments become library
//! requests, the library does the work, `output` renders it. Reading the
//! clock ("2 weeks ago") and the terminal happens here, not in the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cpsearch::index::{self, IndexOptions, IndexSummary, Store};
use cpsearch::ingest::{self, FileReport, IngestOptions};
use cpsearch::normalize::{dates, Taxonomy};
use cpsearch::output::{human::Human, json};
use cpsearch::search::{self, FacetField, SearchRequest, Sort};

use crate::cli::{
    Cli, ColorArg, Command, ExtractArgs, FacetArg, IndexArgs, ReadArgs, SearchArgs, ShowArgs,
    SortArg, StatsArgs,
};

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
        Command::Extract(args) => extract(args, &taxonomy),
        Command::Index(args) => index_cmd(args, &taxonomy),
        Command::Search(args) => search_cmd(args, &taxonomy),
        Command::Show(args) => show(args),
        Command::Stats(args) => stats(args),
    }
}

/// True when the error is a closed pipe (`cpsearch … | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn ingest_options(read: &ReadArgs) -> IngestOptions {
    IngestOptions {
        max_file_size: read.max_file_size,
        date_from_mtime: read.date_from_mtime,
    }
}

/// Counts of what happened to files, for the closing summary.
#[derive(Default)]
struct Tally {
    documents: usize,
    files: usize,
    skipped: usize,
    warnings: usize,
}

/// Writes a file's skips and warnings to stderr: `path[: where]: reason`.
fn report_problems(report: &FileReport, err: &mut impl Write) -> std::io::Result<(usize, usize)> {
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

fn extract(args: ExtractArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let walk = ingest::discover(&args.paths)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // Not locked for the whole run: parser threads may write to stderr too.
    let mut err = std::io::stderr();
    let mut tally = Tally {
        files: walk.files.len(),
        skipped: walk.skipped.len(),
        ..Tally::default()
    };
    for (path, reason) in &walk.skipped {
        writeln!(err, "skipped {path}: {reason}")?;
    }
    let options = ingest_options(&args.read);
    ingest::extract_files(&walk.files, &options, taxonomy, |report| {
        for document in &report.documents {
            let written = serde_json::to_writer(&mut out, document)
                .map_err(std::io::Error::other)
                .and_then(|_| out.write_all(b"\n"));
            written.map_err(|e| cpsearch::Error::io("stdout", e))?;
        }
        tally.documents += report.documents.len();
        let (skipped, warnings) =
            report_problems(&report, &mut err).map_err(|e| cpsearch::Error::io("stderr", e))?;
        tally.skipped += skipped;
        tally.warnings += warnings;
        Ok(())
    })?;
    out.flush()?;
    writeln!(
        err,
        "extracted {} documents from {} files; {} skipped, {} warnings",
        tally.documents, tally.files, tally.skipped, tally.warnings
    )?;
    Ok(if args.read.strict && tally.skipped > 0 {
        2
    } else {
        0
    })
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} indexing [{bar:30}] {pos}/{len} files {per_sec} eta {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Builds or updates an index, reporting problems; returns the summary.
fn run_index(
    dir: &Path,
    paths: &[PathBuf],
    read: &ReadArgs,
    options: IndexOptions,
    quiet: bool,
    taxonomy: &Taxonomy,
) -> Result<IndexSummary> {
    let options = IndexOptions {
        ingest: ingest_options(read),
        ..options
    };
    let bar = progress_bar(quiet);
    let mut err_out = std::io::stderr();
    let summary = index::build_index(dir, paths, &options, taxonomy, |report, total| {
        if bar.length() != Some(total as u64) {
            bar.set_length(total as u64);
        }
        bar.suspend(|| {
            let _ = report_problems(report, &mut err_out);
        });
        if !report.rel.is_empty() {
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    summary.with_context(|| format!("indexing into {}", dir.display()))
}

fn index_cmd(args: IndexArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let stop = stop_on_ctrl_c()?;
    let options = IndexOptions {
        full: args.full,
        commit_every: args.commit_every.max(1),
        stop: Some(stop.clone()),
        merge: args.merge,
        ..IndexOptions::default()
    };
    let mut summary = index_once(&args, options.clone(), taxonomy)?;
    if args.watch {
        let quiet_options = IndexOptions {
            full: false,
            merge: false,
            ..options
        };
        while let Some(()) = wait_for_change(&args, &stop)? {
            summary = index_once(&args, quiet_options.clone(), taxonomy)?;
        }
    }
    let skipped = summary.skipped_files + summary.skipped_items;
    Ok(if args.read.strict && skipped > 0 {
        2
    } else {
        0
    })
}

/// A flag set by Ctrl-C: indexing stops reading, commits and exits cleanly.
fn stop_on_ctrl_c() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
        .context("installing the Ctrl-C handler")?;
    Ok(stop)
}

fn index_once(
    args: &IndexArgs,
    options: IndexOptions,
    taxonomy: &Taxonomy,
) -> Result<IndexSummary> {
    let started = Instant::now();
    let summary = run_index(
        &args.index,
        &args.paths,
        &args.read,
        options,
        args.quiet,
        taxonomy,
    )?;
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let mut out = std::io::stdout().lock();
        json::write_value(
            &mut out,
            &serde_json::json!({ "summary": summary, "seconds": secs }),
        )?;
    } else if !args.quiet {
        print_index_summary(&summary, secs)?;
    }
    Ok(summary)
}

/// Sleeps until the files under the indexed paths change (then waits one
/// more interval for writes to settle), or until Ctrl-C (None).
fn wait_for_change(args: &IndexArgs, stop: &AtomicBool) -> Result<Option<()>> {
    if !args.quiet {
        eprintln!(
            "watching {} for changes (Ctrl-C to stop)…",
            display_paths(&args.paths)
        );
    }
    let interval = Duration::from_secs_f64(args.interval.max(0.1));
    let mut changed = false;
    loop {
        let deadline = Instant::now() + interval;
        while Instant::now() < deadline {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let stale = index::is_stale(&args.index, &args.paths).unwrap_or(true);
        if changed && stale {
            return Ok(Some(()));
        }
        changed = stale;
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_index_summary(s: &IndexSummary, secs: f64) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    if s.interrupted {
        writeln!(
            err,
            "interrupted: the files read so far are committed; run again to finish"
        )?;
    }
    if let Some(reason) = &s.rebuild_reason {
        writeln!(err, "re-read every file: {reason}")?;
    }
    writeln!(
        err,
        "indexed {} documents ({} added, {} updated, {} removed; {} files unchanged) in {secs:.1}s; {} skipped, {} warnings; {} documents in the index",
        s.indexed, s.added, s.updated, s.removed, s.unchanged_files, s.skipped_files + s.skipped_items, s.warnings, s.total_documents
    )
}

fn is_default_index(dir: &Path) -> bool {
    dir == Path::new(DEFAULT_INDEX) && Path::new(DEFAULT_CORPUS).is_dir()
}

/// On first run builds the default index from the default corpus; later
/// says when the corpus has changed since.
fn ensure_index(dir: &Path, taxonomy: &Taxonomy) -> Result<()> {
    if !is_default_index(dir) {
        return Ok(());
    }
    let corpus = [PathBuf::from(DEFAULT_CORPUS)];
    let missing = !dir.join("meta.json").exists();
    if missing || !index::is_current_version(dir) {
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
        let summary = run_index(dir, &corpus, &read, IndexOptions::default(), true, taxonomy)?;
        eprintln!(
            "indexed {} documents in {:.1}s",
            summary.total_documents,
            started.elapsed().as_secs_f64()
        );
    } else if index::is_stale(dir, &corpus).unwrap_or(false) {
        eprintln!("note: {DEFAULT_CORPUS}/ has changed since the index was built; run `cpsearch index` to refresh it");
    }
    Ok(())
}

fn parse_day(s: &str, flag: &str) -> Result<chrono::NaiveDate> {
    dates::parse_date(s).map_err(|e| anyhow::anyhow!("{flag}: {e}; use a date like 2021-05-14"))
}

fn use_color(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn search_request(args: &SearchArgs) -> Result<SearchRequest> {
    let from = match (&args.from, &args.since) {
        (Some(from), _) => Some(parse_day(from, "--from")?),
        (None, Some(since)) => {
            let now = chrono::Utc::now();
            let when =
                interim::parse_date_string(since, now, interim::Dialect::Us).map_err(|e| {
                    anyhow::anyhow!("--since {since:?}: {e}; try \"2 weeks ago\" or a date")
                })?;
            Some(when.date_naive())
        }
        (None, None) => None,
    };
    let to = args
        .to
        .as_deref()
        .map(|t| parse_day(t, "--to"))
        .transpose()?;
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            bail!("--from {a} is after --to {b}");
        }
    }
    Ok(SearchRequest {
        query: args.query.clone(),
        any: args.any,
        agencies: args.agency.clone(),
        topics: args.topic.clone(),
        countries: args.country.clone(),
        sources: args.source.clone(),
        year: args.year,
        from,
        to,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        limit: args.limit,
        offset: args.offset,
        facets: args.facets || !args.facet.is_empty(),
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
    })
}

fn search_cmd(args: SearchArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let request = search_request(&args)?;
    ensure_index(&args.index, taxonomy)?;
    let started = Instant::now();
    let store = Store::open(&args.index)?;
    let results = search::search(&store, taxonomy, &request)?;
    let took_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        json::write_results(&mut out, &results, took_ms)?;
    } else {
        Human {
            color: use_color(args.color),
        }
        .write_results(&mut out, &results, took_ms, args.offset)?;
    }
    out.flush()?;
    Ok(if results.total_hits == 0 { 1 } else { 0 })
}

fn show(args: ShowArgs) -> Result<u8> {
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

fn stats(args: StatsArgs) -> Result<u8> {
    let store = Store::open(&args.index)?;
    let stats = index::stats(&store)?;
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
