//! Writes `data/frequent_words.txt`: the stems found in at least a given
//! share of the articles under some paths, most widespread first, leaving
//! out the English function words of `data/function_words.txt`: pairs of these
//! words are indexed for fast phrases (`src/analyzer/pairs.rs`), and pairs
//! with "of" or "the" would cost a posting in nearly every article for
//! phrases that are cheap anyway, since their other word bounds the work.
//!
//! `cargo run --release --example frequent_words -- 0.25 corpus > data/frequent_words.txt`
//!
//! Changing the list changes the index: bump `SCHEMA_VERSION` and
//! `FREQUENT_WORDS_DIGEST` in `src/schema.rs` with it.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use cpsearch::ingest::{self, IngestOptions};
use cpsearch::normalize::Taxonomy;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, StopWordFilter, TextAnalyzer,
};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let share: f64 = args
        .next()
        .context("usage: frequent_words MIN_SHARE PATH...")?
        .parse()
        .context("MIN_SHARE is a fraction, such as 0.25")?;
    let paths: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let taxonomy = Taxonomy::builtin()?;
    let walk = ingest::discover(&paths)?;
    let mut analyzer = content_words();
    let mut articles = 0usize;
    let mut df: HashMap<String, usize> = HashMap::new();
    ingest::extract_files(walk.files, &IngestOptions::default(), &taxonomy, |report| {
        for doc in &report.documents {
            articles += 1;
            let mut seen = std::collections::HashSet::new();
            let mut stream = analyzer.token_stream(&doc.body);
            while let Some(t) = stream.next() {
                if seen.insert(t.text.clone()) {
                    *df.entry(t.text.clone()).or_default() += 1;
                }
            }
        }
        Ok(())
    })?;
    let min = (share * articles as f64).ceil() as usize;
    let mut words: Vec<(String, usize)> = df.into_iter().filter(|(_, n)| *n >= min).collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    println!(
        "# Stems in at least {share} of the {articles} articles of {}",
        names.join(" ")
    );
    println!(
        "# (`cargo run --release --example frequent_words -- {share} {}`),",
        names.join(" ")
    );
    println!("# most widespread first, with the number of articles holding each;");
    println!("# the function words of data/function_words.txt left out.");
    println!("# Adjacent pairs of these are indexed for phrases (src/analyzer/pairs.rs);");
    println!("# changing the list needs a SCHEMA_VERSION bump (src/schema.rs).");
    for (word, n) in words {
        println!("{word} # {n}");
    }
    Ok(())
}

/// The words of `data/function_words.txt`.
fn function_words() -> Vec<String> {
    include_str!("../data/function_words.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(str::to_string)
        .collect()
}

/// The stems of `cpsearch::analyzer::english`, without function words.
fn content_words() -> TextAnalyzer {
    TextAnalyzer::builder(cpsearch::analyzer::WordTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(function_words()))
        .filter(cpsearch::analyzer::CachedStemmer)
        .build()
}
