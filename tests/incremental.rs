//! Incremental re-indexing: only added or changed files are read again,
//! vanished files and feed items are removed, a changed taxonomy or schema
//! triggers the rebuild it needs, and the summary says what happened.

use std::path::Path;

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;

/// Runs `cpsearch [GLOBAL…] index [FLAGS…] CORPUS --index IDX --json`.
fn index_with(corpus: &Path, idx: &Path, global: &[&str], flags: &[&str]) -> Value {
    let out = Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(global)
        .arg("index")
        .args(flags)
        .arg(corpus)
        .arg("--index")
        .arg(idx)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout).expect("json")["summary"].clone()
}

fn index(corpus: &Path, idx: &Path, flags: &[&str]) -> Value {
    index_with(corpus, idx, &[], flags)
}

fn article(title: &str) -> String {
    format!("{title}\n\nPublished: 2022-01-02\n\nThe FBI said ransomware hit a hospital.\n")
}

/// A temporary corpus holding one article, already indexed.
fn indexed_one_article() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let idx = dir.path().join("idx");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    std::fs::write(corpus.join("a.txt"), article("Alpha")).expect("write");
    index(&corpus, &idx, &[]);
    (dir, corpus, idx)
}

fn feed(items: &[&str]) -> String {
    let items: String = items
        .iter()
        .map(|t| format!("<item><title>{t}</title><link>https://x.example/{t}</link><description>About sanctions.</description></item>"))
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>F</title>{items}</channel></rss>")
}

#[test]
fn reindexing_reads_only_what_changed_and_removes_what_vanished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let idx = dir.path().join("idx");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    std::fs::write(corpus.join("a.txt"), article("Alpha")).expect("write");
    std::fs::write(corpus.join("b.txt"), article("Bravo")).expect("write");
    std::fs::write(corpus.join("f.rss"), feed(&["one", "two", "three"])).expect("write");

    let first = index(&corpus, &idx, &[]);
    assert_eq!(
        (first["added"].as_u64(), first["total_documents"].as_u64()),
        (Some(5), Some(5))
    );

    let again = index(&corpus, &idx, &[]);
    assert_eq!(
        (again["indexed"].as_u64(), again["unchanged_files"].as_u64()),
        (Some(0), Some(3))
    );

    std::fs::write(corpus.join("b.txt"), article("Bravo Revised")).expect("write");
    std::fs::write(corpus.join("c.txt"), article("Charlie")).expect("write");
    std::fs::remove_file(corpus.join("a.txt")).expect("rm");
    std::fs::write(corpus.join("f.rss"), feed(&["one", "three"])).expect("write");
    let changed = index(&corpus, &idx, &[]);
    assert_eq!(changed["added"], 1, "{changed}");
    assert_eq!(
        changed["updated"], 3,
        "b.txt and the two remaining feed items: {changed}"
    );
    assert_eq!(changed["removed"], 2, "a.txt and feed item two: {changed}");
    assert_eq!(changed["total_documents"], 4);

    // Same bytes, new mtime: confirmed unchanged by hash, nothing re-indexed.
    std::fs::write(corpus.join("c.txt"), article("Charlie")).expect("write");
    let touched = index(&corpus, &idx, &[]);
    assert_eq!(
        (
            touched["indexed"].as_u64(),
            touched["unchanged_files"].as_u64()
        ),
        (Some(0), Some(3))
    );

    let full = index(&corpus, &idx, &["--full"]);
    assert_eq!(
        (full["indexed"].as_u64(), full["total_documents"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(full["rebuild_reason"], "--full");
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
}

#[test]
fn an_unchanged_run_leaves_the_manifest_alone_and_a_touched_file_is_remembered() {
    let (_dir, corpus, idx) = indexed_one_article();
    let manifest = idx.join("cpsearch-manifest.jsonl.zst");
    let written = modified(&manifest);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = index(&corpus, &idx, &[]);
    assert_eq!(again["unchanged_files"], 1, "{again}");
    assert_eq!(
        modified(&manifest),
        written,
        "nothing changed, nothing written"
    );

    // Same bytes, new mtime: the new stamp is saved, so the run after that
    // needs no hash to know the file is unchanged.
    let before = std::fs::read(&manifest).expect("manifest");
    std::fs::write(corpus.join("a.txt"), article("Alpha")).expect("write");
    index(&corpus, &idx, &[]);
    assert_ne!(
        std::fs::read(&manifest).expect("manifest"),
        before,
        "the new mtime is recorded"
    );
    let stamped = modified(&manifest);
    std::thread::sleep(std::time::Duration::from_millis(20));
    index(&corpus, &idx, &[]);
    assert_eq!(modified(&manifest), stamped);
}

#[test]
fn a_changed_taxonomy_renormalizes_everything() {
    let (dir, corpus, idx) = indexed_one_article();
    let taxonomy = dir.path().join("tax.toml");
    std::fs::write(
        &taxonomy,
        "[topics]\nthreshold = 1\n[[agency]]\nname = \"Bureau\"\naliases = [\"FBI\"]\n[[country]]\nname = \"Nowhere\"\naliases = []\n[[topic]]\nname = \"health\"\nterms = { \"hospital\" = 2 }\n",
    )
    .expect("write");
    let tax_arg = taxonomy.to_string_lossy().into_owned();
    let rebuilt = index_with(&corpus, &idx, &["--taxonomy", &tax_arg], &[]);
    assert_eq!(
        rebuilt["rebuild_reason"],
        "the taxonomy changed since the last run"
    );
    assert_eq!(rebuilt["indexed"], 1);
    let out = Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["search", "", "--agency", "Bureau", "--json", "--index"])
        .arg(&idx)
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["hits"][0]["topics"], serde_json::json!(["health"]));
}

#[test]
fn an_index_from_an_incompatible_version_asks_for_a_rebuild() {
    let (_dir, corpus, idx) = indexed_one_article();
    let meta_path = idx.join("cpsearch.json");
    let mut meta: Value =
        serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
    meta["schema_version"] = 999.into();
    std::fs::write(&meta_path, meta.to_string()).expect("write");
    Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["search", "alpha", "--index"])
        .arg(&idx)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "incompatible version (schema 999); rebuild it with `cpsearch index --full`",
        ));
    let rebuilt = index(&corpus, &idx, &[]);
    assert!(
        rebuilt["rebuild_reason"]
            .as_str()
            .is_some_and(|r| r.contains("schema changed")),
        "{rebuilt}"
    );
}

#[test]
fn the_default_index_from_another_version_is_rebuilt_on_search() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    std::fs::write(corpus.join("a.txt"), article("Alpha")).expect("write");
    let search = || {
        Command::cargo_bin("cpsearch")
            .expect("binary")
            .args(["search", "alpha"])
            .current_dir(dir.path())
            .assert()
            .success()
    };
    search().stderr(predicates::str::contains("No index yet"));
    let meta_path = dir.path().join("index").join("cpsearch.json");
    let mut meta: Value =
        serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
    meta["schema_version"] = 1.into();
    std::fs::write(&meta_path, meta.to_string()).expect("write");
    search()
        .stderr(predicates::str::contains("built by another version"))
        .stdout(predicates::str::contains("Alpha"));
    search().stderr(predicates::str::contains("another version").not());
}

fn hits(idx: &Path, query: &str) -> u64 {
    let out = Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["search", query, "--json", "--index"])
        .arg(idx)
        .output()
        .expect("runs");
    serde_json::from_slice::<Value>(&out.stdout)
        .map_or(0, |v| v["total_hits"].as_u64().unwrap_or(0))
}

#[cfg(unix)]
#[test]
fn watch_picks_up_new_files_and_ctrl_c_exits_cleanly() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let idx = dir.path().join("idx");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    std::fs::write(corpus.join("a.txt"), article("Alpha")).expect("write");
    let mut child = std::process::Command::cargo_bin("cpsearch")
        .expect("binary")
        .args([
            "index",
            "--quiet",
            "--watch",
            "--interval",
            "0.2",
            "--index",
        ])
        .arg(&idx)
        .arg(&corpus)
        .spawn()
        .expect("starts");
    let wait_for = |query: &str, want: u64| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if hits(&idx, query) == want {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    assert!(wait_for("alpha", 1), "first run indexed a.txt");
    std::fs::write(corpus.join("b.txt"), article("Zulu")).expect("write");
    assert!(wait_for("zulu", 1), "the watcher indexed the new file");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(s) = child.try_wait().expect("status") {
            break s.code();
        }
        assert!(
            Instant::now() < deadline,
            "watcher did not exit after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
}
