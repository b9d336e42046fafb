//! Crash safety: a real indexing process is killed with SIGKILL at several
//! points; after each kill the index holds its last commit (searchable, no
//! duplicate ids), and the next run finishes the job without duplicates.

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use cpsearch::normalize::Taxonomy;

const DOCS: u64 = 3_000;

fn all_ids(index: &Path) -> Option<(u64, Vec<String>)> {
    if !index.join("meta.json").exists() {
        return None;
    }
    let out = std::process::Command::cargo_bin("cpsearch")
        .expect("binary")
        .args([
            "search",
            "*",
            "--no-collapse",
            "--limit",
            "100000",
            "--json",
            "--index",
        ])
        .arg(index)
        .output()
        .expect("search runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "search failed after a kill: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_string())
        .collect();
    Some((v["total_hits"].as_u64().expect("total"), ids))
}

fn assert_no_duplicates(index: &Path) -> u64 {
    match all_ids(index) {
        None => 0,
        Some((total, ids)) => {
            let unique: HashSet<&String> = ids.iter().collect();
            assert_eq!(unique.len() as u64, total, "duplicate ids in the index");
            total
        }
    }
}

/// Runs `cpsearch index` to completion and asserts it succeeded.
fn index_to_the_end(index: &Path, corpus: &Path) {
    let status = std::process::Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["index", "--quiet", "--index"])
        .arg(index)
        .arg(corpus)
        .status()
        .expect("index runs");
    assert!(status.success());
}

#[test]
fn killed_index_runs_leave_a_searchable_index_and_resume_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    cpsearch::synth::write_corpus(&corpus, DOCS, 7, &Taxonomy::builtin().expect("taxonomy"))
        .expect("corpus");
    let mut seen_partial = false;
    for delay_ms in [150u64, 400, 900, 1600] {
        let mut child = std::process::Command::cargo_bin("cpsearch")
            .expect("binary")
            .args(["index", "--quiet", "--commit-every", "300", "--index"])
            .arg(&index)
            .arg(&corpus)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("index starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().expect("status").is_some();
        child.kill().ok(); // SIGKILL
        child.wait().expect("reaped");
        let docs = assert_no_duplicates(&index);
        if !finished && docs > 0 && docs < DOCS {
            seen_partial = true;
        }
    }
    index_to_the_end(&index, &corpus);
    assert_eq!(assert_no_duplicates(&index), DOCS);
    println!("a kill landed between commits: {seen_partial}");
}

#[test]
fn a_second_writer_is_told_which_process_holds_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    cpsearch::synth::write_corpus(&corpus, DOCS, 9, &Taxonomy::builtin().expect("taxonomy"))
        .expect("corpus");
    let mut first = std::process::Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["index", "--quiet", "--index"])
        .arg(&index)
        .arg(&corpus)
        .spawn()
        .expect("first writer starts");
    let pid_file = index.join("cpsearch.writer.pid");
    for _ in 0..200 {
        if std::fs::read_to_string(&pid_file).is_ok_and(|s| s.trim() == first.id().to_string()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = std::process::Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["index", "--quiet", "--index"])
        .arg(&index)
        .arg(&corpus)
        .output()
        .expect("second writer runs");
    let still_running = first.try_wait().expect("status").is_none();
    first.wait().expect("first finishes");
    if still_running {
        assert_eq!(second.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert!(
            stderr.contains(&format!("is being written by process {}", first.id())),
            "{stderr}"
        );
    }
    assert_eq!(assert_no_duplicates(&index), DOCS);
}

#[test]
fn a_run_killed_before_tantivy_created_its_files_leaves_a_folder_the_next_run_completes() {
    // The header is written first; a kill right after it leaves the header
    // alone. That is neither foreign nor damaged: searches say there is no
    // index yet, and the next run builds it (it used to be the other way
    // round, tantivy's files without a header, which looked foreign).
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    cpsearch::synth::write_corpus(&corpus, 20, 3, &Taxonomy::builtin().expect("taxonomy"))
        .expect("corpus");
    let built = dir.path().join("built");
    index_to_the_end(&built, &corpus);
    let index = dir.path().join("index");
    std::fs::create_dir_all(&index).expect("mkdir");
    std::fs::copy(built.join("cpsearch.json"), index.join("cpsearch.json")).expect("copy");
    let out = std::process::Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["search", "sanctions", "--index"])
        .arg(&index)
        .output()
        .expect("search runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("damaged"), "{err}");
    assert!(!err.contains("incompatible"), "{err}");
    index_to_the_end(&index, &corpus);
    assert_eq!(all_ids(&index).expect("an index").0, 20);
}
