//! Segments left after a run: a run that changed documents merges its small
//! segments, an interrupted one leaves its commits as they are, and the
//! merged index answers every query as the unmerged one did.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cpsearch::index::build::{build_index, IndexOptions, IndexSummary};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::{self, SearchRequest};

fn corpus(dir: &Path, n: usize) -> PathBuf {
    let root = dir.join("corpus");
    std::fs::create_dir_all(&root).expect("corpus dir");
    for i in 0..n {
        // Lengths differ, so BM25 gives every article its own score.
        let filler = "budget ".repeat(i);
        let text = format!(
            "Article {i}\n\nPublished: 2023-03-{:02}\n\nCISA said ransomware hit hospital number {i}; \
             sanctions on the group followed. {filler}\n",
            i % 28 + 1
        );
        std::fs::write(root.join(format!("a{i:03}.txt")), text).expect("article");
    }
    root
}

/// Indexes `root` committing after every document; `stop_after` files
/// sets the stop flag (as Ctrl-C does) once that many were read.
fn run(idx: &Path, root: &Path, stop_after: Option<usize>) -> IndexSummary {
    let stop = Arc::new(AtomicBool::new(false));
    let options = IndexOptions {
        commit_every: 1,
        stop: Some(stop.clone()),
        ..IndexOptions::default()
    };
    let mut seen = 0;
    build_index(
        idx,
        &[root.to_path_buf()],
        &options,
        &Taxonomy::builtin().expect("built-in taxonomy"),
        |_, _| {
            seen += 1;
            if stop_after.is_some_and(|n| seen >= n) {
                stop.store(true, Ordering::Relaxed);
            }
        },
    )
    .expect("index builds")
}

fn segments(idx: &Path) -> usize {
    let store = Store::open(idx).expect("opens");
    search::stats::stats(&store).expect("stats").segments
}

/// The total and the ranked (id, score) list of a search.
fn hits(idx: &Path, query: &str) -> (usize, Vec<(String, Option<f32>)>) {
    let store = Store::open(idx).expect("opens");
    let request = SearchRequest {
        query: query.to_string(),
        limit: 100,
        ..SearchRequest::default()
    };
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let results = search::search(&store, &taxonomy, &request).expect("searches");
    let ranked = results
        .hits
        .iter()
        .map(|h| (h.id.clone(), h.score))
        .collect();
    (results.total_hits, ranked)
}

#[test]
fn a_run_of_many_commits_ends_in_one_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = corpus(dir.path(), 12);
    let idx = dir.path().join("idx");
    let summary = run(&idx, &root, None);
    assert_eq!(summary.added, 12);
    assert_eq!(segments(&idx), 1);
    assert_eq!(hits(&idx, "ransomware").0, 12);
}

#[test]
fn an_interrupted_run_keeps_its_commits_unmerged_and_the_next_run_merges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = corpus(dir.path(), 12);
    let idx = dir.path().join("idx");
    let stopped = run(&idx, &root, Some(5));
    assert!(stopped.interrupted);
    let kept = stopped.total_documents;
    assert!((4..12).contains(&kept), "{kept} documents kept");
    // One segment a commit: nothing was merged after Ctrl-C.
    assert!(segments(&idx) >= 4, "{} segments", segments(&idx));
    let (partial, _) = hits(&idx, "ransomware");
    assert_eq!(partial as u64, kept);

    let resumed = run(&idx, &root, None);
    assert!(!resumed.interrupted);
    assert_eq!(resumed.total_documents, 12);
    assert_eq!(segments(&idx), 1);
    let (total, ids) = hits(&idx, "ransomware");
    assert_eq!(total, 12);
    let mut unique: Vec<&String> = ids.iter().map(|(id, _)| id).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no article twice after merging");
}

#[test]
fn a_merged_index_ranks_like_a_fresh_one_once_an_article_is_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = corpus(dir.path(), 12);
    let idx = dir.path().join("idx");
    assert!(run(&idx, &root, Some(8)).interrupted);
    assert!(segments(&idx) > 1);
    std::fs::remove_file(root.join("a003.txt")).expect("remove");
    let resumed = run(&idx, &root, None);
    assert_eq!(resumed.total_documents, 11);
    assert_eq!(segments(&idx), 1);

    // Deleted documents count in BM25 statistics until a merge drops them:
    // the merged index scores as one built from the 11 files does.
    let fresh = dir.path().join("fresh");
    run(&fresh, &root, None);
    let (total, ranked) = hits(&idx, "sanctions hospital");
    assert_eq!(total, 11);
    assert!(ranked.iter().all(|(id, _)| !id.ends_with("a003.txt")));
    assert_eq!(ranked, hits(&fresh, "sanctions hospital").1);
}
