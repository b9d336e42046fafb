//! Prints the topic evidence scores of every document under a path, next to
//! the topics assigned: a tool for tuning `data/taxonomy.toml`.
//!
//! `cargo run --example topic_scores -- corpus`

use std::path::PathBuf;

use cpsearch::ingest::{self, IngestOptions};
use cpsearch::normalize::Taxonomy;

fn main() -> anyhow::Result<()> {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let taxonomy = Taxonomy::builtin()?;
    let walk = ingest::discover(&paths)?;
    ingest::extract_files(walk.files, &IngestOptions::default(), &taxonomy, |report| {
        for doc in &report.documents {
            let scores: Vec<String> = taxonomy
                .topic_scores(&doc.title, &doc.body)
                .into_iter()
                .filter(|(_, s)| *s > 0.0)
                .map(|(t, s)| format!("{t}={s}"))
                .collect();
            println!("{}\t{:?}\t{}", doc.id, doc.topics, scores.join(" "));
        }
        Ok(())
    })?;
    Ok(())
}
