//! Precision and recall of near-duplicate clustering (`index::clusters`).
//!
//! Part 1 builds pairs from synthetic articles: positives are an article
//! and a copy with different page chrome (a header and a footer), with a
//! paragraph dropped, or with one sentence in five reworded; negatives are
//! two different articles, and two articles that share their opening
//! paragraph (a quoted press release). Each pair goes through a fresh
//! `Clusters` as it would at index time.
//!
//! Part 2 clusters every post of `../shared/data/cti-blogs` in walk order
//! and compares with the same-title pairs of each vendor, judged by the
//! exact Jaccard similarity of their five-word shingles (a repost at 0.5 or
//! more). It lists every merged pair so the ones with different titles can
//! be checked by eye.
//!
//! `cargo run --release --example cluster_quality [-- ../shared/data/cti-blogs]`

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use cpsearch::index::clusters::{Clusters, SHINGLE_WORDS, THRESHOLD};
use cpsearch::normalize::Taxonomy;
use cpsearch::synth::{Generator, Rng};

fn same_cluster(a: &str, b: &str) -> bool {
    let mut c = Clusters::default();
    c.assign("a", a) == c.assign("b", b)
}

fn report(name: &str, tp: usize, fp: usize, fn_: usize) {
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    println!("{name}: precision {p:.3} recall {r:.3} (tp {tp}, fp {fp}, fn {fn_})");
}

fn built_pairs() -> anyhow::Result<()> {
    let generator = Generator::new(7, &Taxonomy::builtin()?);
    let n = 2000u64;
    let mut rng = Rng::for_item(99, 0);
    let (mut tp, mut fn_) = (0, 0);
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut fp = 0;
    let mut negatives = 0;
    for i in 0..n {
        let a = generator.article(i);
        let body = a.paragraphs.join("\n\n");
        let chrome = format!(
            "Home | World | Policy | Subscribe\n\n{body}\n\nShare this article. Sign up for our newsletter. Copyright {} {}.",
            a.source, 2020 + i % 6
        );
        let mut dropped = a.paragraphs.clone();
        if dropped.len() > 3 {
            dropped.remove(rng.below(dropped.len()));
        }
        let reworded: Vec<String> = a
            .paragraphs
            .iter()
            .map(|p| {
                p.split(". ")
                    .map(|s| {
                        if rng.below(5) == 0 {
                            format!("Officials also noted that {}", s.to_lowercase())
                        } else {
                            s.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(". ")
            })
            .collect();
        for (kind, copy) in [
            ("chrome", chrome),
            ("paragraph dropped", dropped.join("\n\n")),
            ("one sentence in five reworded", reworded.join("\n\n")),
        ] {
            let hit = same_cluster(&body, &copy);
            let e = by_kind.entry(kind).or_default();
            if hit {
                tp += 1;
                e.0 += 1;
            } else {
                fn_ += 1;
                e.1 += 1;
            }
        }
        let other = generator.article(i + n);
        let other_body = other.paragraphs.join("\n\n");
        let shared_lead = format!(
            "{}\n\n{}",
            a.paragraphs[0],
            other.paragraphs[1..].join("\n\n")
        );
        for negative in [other_body, shared_lead] {
            negatives += 1;
            if same_cluster(&body, &negative) {
                fp += 1;
            }
        }
    }
    println!("built pairs ({n} articles, threshold {THRESHOLD}):");
    for (kind, (hit, miss)) in by_kind {
        println!("  {kind}: {hit} of {} merged", hit + miss);
    }
    println!("  negatives: {fp} of {negatives} merged");
    report("  built pairs", tp, fp, fn_);
    Ok(())
}

fn shingles(text: &str) -> HashSet<Vec<String>> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .windows(SHINGLE_WORDS)
        .map(<[String]>::to_vec)
        .collect()
}

fn jaccard(a: &str, b: &str) -> f64 {
    let (x, y) = (shingles(a), shingles(b));
    let inter = x.intersection(&y).count();
    inter as f64 / (x.len() + y.len() - inter).max(1) as f64
}

fn cti_blogs(root: &Path) -> anyhow::Result<()> {
    // (vendor, file) → title, from each vendor's data_list.csv.
    let mut posts: Vec<(String, String, String)> = Vec::new();
    let mut vendors: Vec<PathBuf> = std::fs::read_dir(root)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    vendors.sort();
    for vendor in vendors {
        let Ok(csv) = std::fs::read_to_string(vendor.join("data_list.csv")) else {
            continue;
        };
        for line in csv.lines() {
            let parts: Vec<&str> = line.rsplitn(6, ", ").collect();
            let [file, _url, _tags, _author, _date, title] = parts[..] else {
                continue;
            };
            let mut path = vendor.join("data").join(file);
            if !path.exists() {
                path = vendor.join("data").join(format!("{file}.txt"));
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                posts.push((path.display().to_string(), title.to_string(), text));
            }
        }
    }
    let started = std::time::Instant::now();
    let mut clusters = Clusters::default();
    let ids: Vec<u64> = posts
        .iter()
        .map(|(id, _, text)| clusters.assign(id, text))
        .collect();
    let took = started.elapsed();
    let mut members: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, c) in ids.iter().enumerate() {
        members.entry(*c).or_default().push(i);
    }
    let mut found: HashSet<(usize, usize)> = HashSet::new();
    for m in members.values().filter(|m| m.len() > 1) {
        for (k, &a) in m.iter().enumerate() {
            for &b in &m[k + 1..] {
                found.insert((a, b));
            }
        }
    }
    // Gold: same vendor folder and title, exact shingle Jaccard >= 0.5.
    let mut by_title: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, (path, title, _)) in posts.iter().enumerate() {
        let vendor = path.split("/data/").next().unwrap_or_default().to_string();
        by_title.entry((vendor, title.clone())).or_default().push(i);
    }
    let (mut gold, mut same_title_distinct) = (HashSet::new(), 0);
    for m in by_title.values().filter(|m| m.len() > 1) {
        for (k, &a) in m.iter().enumerate() {
            for &b in &m[k + 1..] {
                if jaccard(&posts[a].2, &posts[b].2) >= 0.5 {
                    gold.insert((a, b));
                } else {
                    same_title_distinct += 1;
                }
            }
        }
    }
    println!(
        "cti-blogs: {} posts clustered in {:.2}s; {} same-title reposts (exact Jaccard >= 0.5), {} same-title pairs below it",
        posts.len(),
        took.as_secs_f64(),
        gold.len(),
        same_title_distinct
    );
    let mut true_found = 0;
    let mut sorted: Vec<&(usize, usize)> = found.iter().collect();
    sorted.sort();
    for &&(a, b) in &sorted {
        let j = jaccard(&posts[a].2, &posts[b].2);
        let same_title = posts[a].1 == posts[b].1;
        if j >= 0.5 {
            true_found += 1;
        }
        println!(
            "  merged (exact J {j:.2}, {}): {} | {}",
            if same_title {
                "same title"
            } else {
                "different titles"
            },
            posts[a].0.rsplit('/').next().unwrap_or_default(),
            posts[b].0.rsplit('/').next().unwrap_or_default()
        );
    }
    let recalled = gold.iter().filter(|p| found.contains(p)).count();
    for p in gold.iter().filter(|p| !found.contains(p)) {
        println!("  missed: {} | {}", posts[p.0].0, posts[p.1].0);
    }
    report(
        "  cti-blogs (precision: merged pairs at exact J >= 0.5; recall: same-title reposts merged)",
        true_found,
        found.len() - true_found,
        gold.len() - recalled,
    );
    Ok(())
}

/// The in-process cost of clustering: signatures and LSH lookups for
/// `n` synthetic articles, without reading or indexing them.
fn cost(n: u64) -> anyhow::Result<()> {
    let generator = Generator::new(42, &Taxonomy::builtin()?);
    let bodies: Vec<String> = (0..n)
        .map(|i| generator.article(i).paragraphs.join("\n\n"))
        .collect();
    let started = std::time::Instant::now();
    let signed = bodies
        .iter()
        .filter(|b| cpsearch::index::clusters::signature(b).is_some())
        .count();
    let sign = started.elapsed();
    let started = std::time::Instant::now();
    let mut clusters = Clusters::default();
    for (i, b) in bodies.iter().enumerate() {
        clusters.assign(&format!("doc{i}"), b);
    }
    let assign = started.elapsed();
    println!(
        "cost at {n} synthetic articles: signatures {:.2}s ({signed} signed), signatures + assignment {:.2}s",
        sign.as_secs_f64(),
        assign.as_secs_f64()
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    if let Some(n) = std::env::args()
        .nth(1)
        .and_then(|a| a.strip_prefix("--cost=").map(str::to_string))
    {
        return cost(n.parse()?);
    }
    built_pairs()?;
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/cti-blogs"));
    if root.is_dir() {
        cti_blogs(&root)?;
    } else {
        println!("SKIPPED: {} is absent", root.display());
    }
    Ok(())
}
