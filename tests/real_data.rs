//! Extraction on real public data from `../shared/data` (CISA CSAF
//! advisories and security-vendor blog posts). These tests say plainly that
//! they were skipped when the data is absent (a clone outside this
//! workspace); run with `--nocapture` to see the figures.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use cpsearch::ingest::{self, FileReport, IngestOptions};
use cpsearch::normalize::Taxonomy;

fn data_dir(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIPPED: {} is absent (../shared/data is only in the team workspace)",
            dir.display()
        );
        None
    }
}

fn extract_all(root: &Path) -> Vec<FileReport> {
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let walk = ingest::discover(&[root.to_path_buf()]).expect("walk");
    let mut reports = Vec::new();
    ingest::extract_files(walk.files, &IngestOptions::default(), &taxonomy, |r| {
        reports.push(r);
        Ok(())
    })
    .expect("extract");
    reports
}

/// The date encoded in a CISA advisory id: `icsa-21-005-01` → 2021, day 5.
fn date_from_advisory_id(file: &str) -> Option<NaiveDate> {
    let name = file.rsplit('/').next()?;
    let mut parts = name.split('-');
    parts.next()?;
    let year: i32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    NaiveDate::from_yo_opt(2000 + year, day)
}

/// The advisory's `document.tracking.initial_release_date`, read directly.
fn release_date(path: &Path) -> Option<NaiveDate> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let s = v["document"]["tracking"]["initial_release_date"].as_str()?;
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn top(counts: &HashMap<String, usize>, n: usize) -> String {
    let mut v: Vec<(&String, &usize)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .take(n)
        .map(|(k, c)| format!("{k} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn csaf_advisories_extract_with_dates_and_headquarters_countries() {
    let Some(root) = data_dir("cisa-csaf") else {
        return;
    };
    let reports = extract_all(&root);
    let advisories: Vec<&FileReport> = reports
        .iter()
        .filter(|r| date_from_advisory_id(&r.rel).is_some())
        .collect();
    let clean: Vec<&FileReport> = advisories
        .iter()
        .copied()
        .filter(|r| {
            r.skipped.is_none()
                && r.documents.len() == 1
                && r.documents[0].format == cpsearch::Format::Csaf
        })
        .collect();
    let (mut dated_right, mut near_id, mut hq_total, mut hq_found) = (0, 0, 0, 0);
    let mut agencies = HashMap::new();
    let mut topics = HashMap::new();
    let mut misdated = Vec::new();
    for r in &clean {
        let d = &r.documents[0];
        let gold = release_date(&root.join(&r.rel));
        if d.date.is_some() && d.date == gold {
            dated_right += 1;
        } else {
            misdated.push(format!("{} {:?} vs {:?}", r.rel, d.date, gold));
        }
        let id_date = date_from_advisory_id(&r.rel);
        if matches!((d.date, id_date), (Some(got), Some(want)) if (got - want).num_days().abs() <= 1)
        {
            near_id += 1;
        }
        let hq = d
            .body
            .lines()
            .find_map(|l| l.strip_prefix("Company headquarters location: "))
            .map(str::to_string);
        if let Some(hq) = hq.filter(|h| !h.contains(',') && h.len() < 30) {
            hq_total += 1;
            let taxonomy = Taxonomy::builtin().expect("taxonomy");
            let found = taxonomy
                .canonical(cpsearch::normalize::Kind::Country, &hq)
                .is_some_and(|c| d.countries.contains(&c));
            if found {
                hq_found += 1;
            }
        }
        for a in &d.agencies {
            *agencies.entry(a.clone()).or_insert(0) += 1;
        }
        for t in &d.topics {
            *topics.entry(t.clone()).or_insert(0) += 1;
        }
    }
    let n = advisories.len();
    println!(
        "CSAF advisories: {n}; extracted cleanly: {}; date equal to tracking.initial_release_date: {dated_right}; within a day of the date in the advisory id: {near_id}",
        clean.len()
    );
    println!("headquarters country found: {hq_found}/{hq_total}");
    println!("agencies: {}", top(&agencies, 10));
    println!("topics: {}", top(&topics, 10));
    for m in misdated.iter().take(10) {
        println!("  misdated: {m}");
    }
    assert!(n >= 2000, "expected the 2,390 advisories, found {n}");
    assert_eq!(
        clean.len(),
        n,
        "every advisory extracts as one CSAF document"
    );
    assert_eq!(dated_right, n, "dates: {dated_right}/{n}");
    assert!(
        near_id as f64 >= 0.85 * n as f64,
        "dates near the id: {near_id}/{n}"
    );
    assert!(
        hq_found as f64 >= 0.9 * hq_total as f64,
        "headquarters countries: {hq_found}/{hq_total}"
    );
}

#[test]
fn vendor_blog_posts_extract_and_report_what_the_taxonomy_finds() {
    let Some(root) = data_dir("cti-blogs") else {
        return;
    };
    let reports = extract_all(&root);
    let mut gold: HashMap<String, (String, String)> = HashMap::new();
    for vendor in std::fs::read_dir(&root).expect("vendors").flatten() {
        let Ok(csv) = std::fs::read_to_string(vendor.path().join("data_list.csv")) else {
            continue;
        };
        for line in csv.lines() {
            // "title, date, author, tags, url, filename": split from the right.
            // Some rows separate fields with two spaces: trim each one.
            let parts: Vec<&str> = line.rsplitn(6, ", ").map(str::trim).collect();
            let [file, _url, _tags, _author, date, title] = parts[..] else {
                continue;
            };
            let file = if file.ends_with(".txt") {
                file.to_string()
            } else {
                format!("{file}.txt")
            };
            let key = format!("{}/data/{file}", vendor.file_name().to_string_lossy());
            gold.insert(key, (title.to_string(), date.to_string()));
        }
    }
    let posts: Vec<&FileReport> = reports
        .iter()
        .filter(|r| r.rel.contains("/data/"))
        .collect();
    let extracted = posts.iter().filter(|r| r.documents.len() == 1).count();
    for r in posts.iter().filter(|r| r.documents.is_empty()).take(5) {
        println!("  not extracted: {} ({:?})", r.rel, r.skipped);
    }
    let (mut with_gold, mut dated, mut dated_right) = (0, 0, 0);
    let mut by_field: BTreeMap<&str, HashMap<String, usize>> = BTreeMap::new();
    let mut tagged = 0;
    for r in &posts {
        let Some(d) = r.documents.first() else {
            continue;
        };
        if let Some((_, date)) = gold.get(&r.rel) {
            with_gold += 1;
            if let Some(got) = d.date {
                dated += 1;
                if got.to_string() == *date {
                    dated_right += 1;
                }
            }
        }
        if !d.agencies.is_empty() {
            tagged += 1;
        }
        for (field, values) in [
            ("agency", &d.agencies),
            ("topic", &d.topics),
            ("country", &d.countries),
        ] {
            for v in values {
                *by_field
                    .entry(field)
                    .or_default()
                    .entry(v.clone())
                    .or_insert(0) += 1;
            }
        }
    }
    println!(
        "blog posts: {}; extracted: {extracted}; with a gold date: {with_gold}",
        posts.len()
    );
    println!("dated by cpsearch: {dated}; of those, equal to the CSV date: {dated_right}");
    println!("posts naming at least one agency: {tagged}");
    for (field, counts) in &by_field {
        println!("{field}: {}", top(counts, 12));
    }
    assert!(
        posts.len() >= 10_000,
        "expected the 10,354 posts, found {}",
        posts.len()
    );
    assert!(
        extracted as f64 >= 0.99 * posts.len() as f64,
        "extracted {extracted} of {}",
        posts.len()
    );
    assert_eq!(
        dated_right, dated,
        "a date cpsearch finds must match the CSV"
    );
}
