//! `cpsearch index`: build or update an index, with progress, a summary and
//! `--watch`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use cpsearch::index::build::{self, IndexOptions, IndexSummary};
use cpsearch::normalize::Taxonomy;
use cpsearch::output::json;

use super::{ingest_options, report_problems};
use crate::cli::{IndexArgs, ReadArgs};

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
pub fn run_index(
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
    let summary = build::build_index(dir, paths, &options, taxonomy, |report, total| {
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

pub fn index_cmd(args: IndexArgs, taxonomy: &Taxonomy) -> Result<u8> {
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
        let stale = build::is_stale(&args.index, &args.paths).unwrap_or(true);
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
