//! Dates and main text on real web pages: htmldate's evaluation set
//! (`../shared/data/html-dates`) and trafilatura's (`html-main-text`),
//! decompressed into a temporary folder as their `score.py` does. The
//! floors sit a little below what the extractor achieves; run with
//! `--nocapture` to see the measured figures.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use cpsearch::ingest::{self, IngestOptions};
use cpsearch::normalize::Taxonomy;
use cpsearch::Document;
use serde_json::Value;

fn data_dir(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    if dir.join("gold.json").is_file() {
        Some(dir)
    } else {
        println!("SKIPPED: ../shared/data absent ({})", dir.display());
        None
    }
}

/// Gold entries, and every page extracted from a temporary copy.
fn extract_set(dir: &Path) -> (serde_json::Map<String, Value>, HashMap<String, Document>) {
    let gold: Value =
        serde_json::from_slice(&std::fs::read(dir.join("gold.json")).expect("read gold.json"))
            .expect("parse gold.json");
    let gold = gold.as_object().expect("gold is an object").clone();
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in gold.keys() {
        let gz = std::fs::File::open(dir.join("pages").join(format!("{name}.gz"))).expect("page");
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut bytes)
            .expect("gunzip");
        std::fs::write(tmp.path().join(name), bytes).expect("write page");
    }
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let walk = ingest::discover(&[tmp.path().to_path_buf()]).expect("walk");
    let options = IngestOptions {
        today: Some(chrono::Utc::now().date_naive()),
        ..IngestOptions::default()
    };
    let mut docs = HashMap::new();
    ingest::extract_files(walk.files, &options, &taxonomy, |r| {
        for d in r.documents {
            let name = d.path.rsplit('/').next().unwrap_or_default().to_string();
            docs.entry(name).or_insert(d);
        }
        Ok(())
    })
    .expect("extract");
    (gold, docs)
}

#[test]
fn real_page_dates_match_htmldate_gold() {
    let Some(dir) = data_dir("html-dates") else {
        return;
    };
    let (gold, docs) = extract_set(&dir);
    let (mut right, mut dated) = (0usize, 0usize);
    for (name, g) in &gold {
        let Some(date) = docs.get(name).and_then(|d| d.date) else {
            continue;
        };
        dated += 1;
        if Some(date.to_string().as_str()) == g["date"].as_str() {
            right += 1;
        }
    }
    let accuracy = right as f64 / gold.len() as f64;
    let precision = right as f64 / dated.max(1) as f64;
    println!("html-dates: accuracy {accuracy:.3}, precision {precision:.3} ({right} right of {}, {dated} dated)", gold.len());
    assert!(accuracy >= 0.93, "accuracy {accuracy:.3}");
    assert!(precision >= 0.95, "precision {precision:.3}");
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn real_page_main_text_keeps_article_and_drops_furniture() {
    let Some(dir) = data_dir("html-main-text") else {
        return;
    };
    let (gold, docs) = extract_set(&dir);
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (name, g) in &gold {
        let body = squeeze(docs.get(name).map_or("", |d| d.body.as_str()));
        let snippets = |key: &str| -> Vec<String> {
            g[key]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(squeeze).collect())
                .unwrap_or_default()
        };
        for w in snippets("with") {
            if body.contains(&w) {
                tp += 1;
            } else {
                fn_ += 1;
            }
        }
        fp += snippets("without")
            .iter()
            .filter(|w| body.contains(*w))
            .count();
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = 2.0 * p * r / (p + r).max(1e-9);
    println!("html-main-text: F1 {f1:.3}, precision {p:.3}, recall {r:.3}");
    assert!(f1 >= 0.93, "F1 {f1:.3}");
    assert!(p >= 0.91, "precision {p:.3}");
    assert!(r >= 0.94, "recall {r:.3}");
}
