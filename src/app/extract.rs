//! `cpsearch extract`: normalized documents as JSON Lines.

use std::io::Write;

use anyhow::Result;
use cpsearch::ingest;
use cpsearch::normalize::Taxonomy;

use super::{ingest_options, report_problems, Tally};
use crate::cli::ExtractArgs;

pub fn extract(args: ExtractArgs, taxonomy: &Taxonomy) -> Result<u8> {
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
    ingest::extract_files(walk.files, &options, taxonomy, |report| {
        for document in &report.documents {
            let written = serde_json::to_writer(&mut out, document)
                .map_err(std::io::Error::from)
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
