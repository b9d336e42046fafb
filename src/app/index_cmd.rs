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

use super::{ingest_options, report_problems, report_skips};
use crate::cli::{IndexArgs, ReadArgs};

/// Redraws a second at most: a bar redrawn per file wrote close to a
/// megabyte of terminal output in three seconds.
const REDRAWS_PER_SECOND: u8 = 10;
/// No time estimate before this much of the run: the first files (read in
/// parallel batches, while the writer warms up) say little about the rest.
const ETA_AFTER: Duration = Duration::from_secs(2);

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(0),
        indicatif::ProgressDrawTarget::stderr_with_hz(REDRAWS_PER_SECOND),
    );
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} indexing [{bar:30}] {pos}/{len} files {rate} {eta_text}",
    )
    .map(|s| {
        s.progress_chars("=> ")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&format_rate(state.pos(), state.elapsed()));
                },
            )
            .with_key(
                "eta_text",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let left = state.len().unwrap_or(0).saturating_sub(state.pos());
                    let _ = w.write_str(&format_eta(state.pos(), left, state.elapsed()));
                },
            )
    })
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Files a second as a whole number, from the whole run so far (steadier
/// than a moving window over parallel batches).
fn format_rate(done: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs < 0.5 || done == 0 {
        return String::new();
    }
    format!("{:.0} files/s", done as f64 / secs)
}

/// Time left, once enough of the run has been seen to estimate it.
fn format_eta(done: u64, left: u64, elapsed: Duration) -> String {
    if elapsed < ETA_AFTER || done == 0 {
        return String::new();
    }
    let secs = (elapsed.as_secs_f64() * left as f64 / done as f64).round() as u64;
    match secs {
        0..=59 => format!("about {secs}s left"),
        60..=3599 => format!("about {}m{:02}s left", secs / 60, secs % 60),
        _ => format!("about {}h{:02}m left", secs / 3600, (secs % 3600) / 60),
    }
}

/// Builds or updates an index, reporting problems; returns the summary.
/// With `quiet`, only skips (errors) are printed, no warnings or progress.
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
        if total > 0 && bar.length() != Some(total as u64) {
            bar.set_length(total as u64);
        }
        if has_problems(report, quiet) {
            // Only when there is something to say: suspending redraws.
            bar.suspend(|| {
                let _ = if quiet {
                    report_skips(report, &mut err_out).map(|_| ())
                } else {
                    report_problems(report, &mut err_out).map(|_| ())
                };
            });
        }
        if total > 0 {
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    summary.map_err(|e| match e {
        // These name the index folder and say what to do already.
        cpsearch::Error::Tantivy(_) | cpsearch::Error::Json(_) => {
            anyhow::Error::new(e).context(format!("indexing into {}", dir.display()))
        }
        other => anyhow::Error::new(other),
    })
}

fn has_problems(report: &cpsearch::ingest::FileReport, quiet: bool) -> bool {
    let skips = report.skipped.is_some() || !report.item_problems.is_empty();
    let warnings =
        !report.warnings.is_empty() || report.documents.iter().any(|d| !d.warnings.is_empty());
    skips || (!quiet && warnings)
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
    } else {
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
    for path in &s.empty_paths {
        writeln!(err, "warning: {path} holds no files to index")?;
    }
    if s.kept_previous {
        writeln!(
            err,
            "interrupted: the rebuild was abandoned and the previous index is unchanged"
        )?;
    } else if s.interrupted {
        writeln!(
            err,
            "interrupted: the files read so far are committed; run again to finish"
        )?;
    }
    if let Some(reason) = &s.rebuild_reason {
        writeln!(err, "re-read every file: {reason}")?;
    }
    for r in &s.reread {
        writeln!(err, "re-read {} files: {}", r.files, r.reason)?;
    }
    if s.same_article_files > 0 {
        writeln!(
            err,
            "{} files were the same article as another (same URL); each is indexed once",
            s.same_article_files
        )?;
    }
    let before = if s.skipped_before > 0 {
        format!(" ({} as in the last run)", s.skipped_before)
    } else {
        String::new()
    };
    writeln!(
        err,
        "indexed {} documents ({} added, {} updated, {} removed; {} files unchanged) in {secs:.1}s; {} skipped{before}, {} warnings; {} documents in the index",
        s.indexed, s.added, s.updated, s.removed, s.unchanged_files, s.skipped_files + s.skipped_items, s.warnings, s.total_documents
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_rate_is_a_whole_number_and_eta_waits_for_evidence() {
        assert_eq!(
            format_rate(1000, Duration::from_millis(3000)),
            "333 files/s"
        );
        assert_eq!(format_rate(5, Duration::from_millis(100)), "");
        assert_eq!(format_eta(1, 99_999, Duration::from_millis(50)), "");
        assert_eq!(
            format_eta(100, 300, Duration::from_secs(10)),
            "about 30s left"
        );
        assert_eq!(
            format_eta(10, 1000, Duration::from_secs(3)),
            "about 5m00s left"
        );
    }
}
