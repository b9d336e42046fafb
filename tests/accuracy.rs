//! Normalization accuracy on the shipped corpus: the extractor's agencies,
//! countries, topics and dates against labels a human wrote from the text
//! (`tests/labels/*.jsonl`). Prints precision and recall per field and fails
//! below the agreed floors.

mod common;

use common::Score;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use cpsearch::ingest::{self, IngestOptions};
use cpsearch::normalize::Taxonomy;
use cpsearch::Document;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Label {
    id: String,
    date: Option<String>,
    agencies: Vec<String>,
    topics: Vec<String>,
    countries: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn labels() -> Vec<Label> {
    common::read_labels(&root().join("tests/labels"))
}

fn extract(corpus: &Path) -> Vec<Document> {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let walk = ingest::discover(&[corpus.to_path_buf()]).expect("corpus exists");
    let mut docs = Vec::new();
    ingest::extract_files(walk.files, &IngestOptions::default(), &taxonomy, |r| {
        assert!(r.skipped.is_none(), "{} skipped: {:?}", r.rel, r.skipped);
        docs.extend(r.documents);
        Ok(())
    })
    .expect("extract runs");
    docs
}

/// Labels name an article by URL, or by its path below `corpus/` and item
/// (a document's id holds the corpus folder's full path instead).
fn label_id(d: &Document) -> String {
    if d.id.starts_with("http://") || d.id.starts_with("https://") {
        d.id.clone()
    } else {
        format!("{}#{}", d.path, d.item)
    }
}

#[test]
fn shipped_corpus_matches_human_labels() {
    let docs = extract(&root().join("corpus"));
    let labels = labels();
    let by_id: HashMap<String, &Document> = docs.iter().map(|d| (label_id(d), d)).collect();
    let unlabelled: Vec<String> = docs
        .iter()
        .map(label_id)
        .filter(|id| !labels.iter().any(|l| l.id == *id))
        .collect();
    println!("documents without labels: {unlabelled:?}");

    let (mut agencies, mut countries, mut topics) =
        (Score::default(), Score::default(), Score::default());
    let (mut dated, mut dates_right, mut date_misses) = (0, 0, Vec::new());
    for label in &labels {
        let doc = by_id
            .get(label.id.as_str())
            .unwrap_or_else(|| panic!("label {} has no document", label.id));
        agencies.add(&label.id, &doc.agencies, &label.agencies);
        countries.add(&label.id, &doc.countries, &label.countries);
        topics.add(&label.id, &doc.topics, &label.topics);
        if let Some(want) = &label.date {
            dated += 1;
            let got = doc.date.map(|d| d.to_string());
            if got.as_deref() == Some(want.as_str()) {
                dates_right += 1;
            } else {
                date_misses.push(format!("{}: got {got:?} want {want}", label.id));
            }
        }
    }
    let date_accuracy = dates_right as f64 / dated.max(1) as f64;
    println!("documents: {}", labels.len());
    for (name, s) in [
        ("agencies", &agencies),
        ("countries", &countries),
        ("topics", &topics),
    ] {
        println!(
            "{name:<10} P {:.3}  R {:.3}  (tp {} fp {} fn {})",
            s.precision(),
            s.recall(),
            s.tp,
            s.fp,
            s.fn_
        );
        for m in &s.misses {
            println!("    {m}");
        }
    }
    println!("dates      exact {date_accuracy:.3} ({dates_right}/{dated})");
    for m in &date_misses {
        println!("    {m}");
    }
    let floors = [
        ("agency precision", agencies.precision(), 0.95),
        ("agency recall", agencies.recall(), 0.95),
        ("country precision", countries.precision(), 0.95),
        ("country recall", countries.recall(), 0.95),
        ("topic precision", topics.precision(), 0.85),
        ("topic recall", topics.recall(), 0.85),
        ("date accuracy", date_accuracy, 0.98),
    ];
    assert!(
        labels.len() >= 120,
        "only {} labelled documents",
        labels.len()
    );
    let failed: Vec<String> = floors
        .iter()
        .filter(|(_, got, floor)| got < floor)
        .map(|(name, got, floor)| format!("{name} {got:.3} < {floor}"))
        .collect();
    assert!(failed.is_empty(), "below the floor: {failed:?}");
    assert!(
        unlabelled.is_empty(),
        "documents without labels: {unlabelled:?}"
    );
}

#[test]
fn shipped_corpus_covers_the_vocabulary_and_the_years() {
    let labels = labels();
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let topics: BTreeSet<&String> = labels.iter().flat_map(|l| &l.topics).collect();
    let missing: Vec<&String> = taxonomy
        .topics()
        .iter()
        .map(|t| &t.name)
        .filter(|t| !topics.contains(t))
        .collect();
    assert!(missing.is_empty(), "topics without an article: {missing:?}");
    let agencies: BTreeSet<&String> = labels.iter().flat_map(|l| &l.agencies).collect();
    assert!(agencies.len() >= 40, "{} agencies", agencies.len());
    let countries: BTreeSet<&String> = labels.iter().flat_map(|l| &l.countries).collect();
    assert!(countries.len() >= 15, "{} countries", countries.len());
    let years: BTreeSet<&str> = labels
        .iter()
        .filter_map(|l| l.date.as_deref())
        .filter_map(|d| d.get(..4))
        .collect();
    for year in 2012..=2026 {
        assert!(
            years.contains(year.to_string().as_str()),
            "no article from {year}"
        );
    }
    let taxonomy_agencies = taxonomy.agencies().len();
    assert!(
        taxonomy_agencies >= 50,
        "vocabulary has {taxonomy_agencies} agencies"
    );
    assert!(taxonomy.topics().len() >= 15);
}
