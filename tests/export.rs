//! `cpsearch export` and `search --explain` on the shipped corpus and on
//! small temporary corpora: the Quickwit and OpenSearch files hold every
//! document exactly once, in well-formed lines, with RFC 3339 dates and no
//! nulls; a filtered export holds what the same search finds; an export
//! "since the last one" sends only changes and deletes what vanished. No
//! Quickwit or OpenSearch server runs here: these are file checks.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::cpsearch;
use serde_json::Value;

fn index(corpus: &Path, idx: &Path) {
    cpsearch()
        .args(["index", "--quiet"])
        .arg(corpus)
        .arg("--index")
        .arg(idx)
        .assert()
        .success();
}

/// The shipped corpus indexed into a temporary directory.
fn corpus_index() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let idx = dir.path().join("idx");
    index(Path::new("corpus"), &idx);
    (dir, idx)
}

fn export(idx: &Path, out: &Path, args: &[&str]) -> Value {
    let output = cpsearch()
        .arg("export")
        .arg(out)
        .args(args)
        .arg("--index")
        .arg(idx)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("summary is JSON")
}

fn total_hits(idx: &Path, args: &[&str]) -> u64 {
    let out = cpsearch()
        .arg("search")
        .args(args)
        .arg("--index")
        .arg(idx)
        .args(["--json", "-n", "0"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["total_hits"].as_u64().expect("total_hits")
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    out.sort();
    out
}

fn lines(paths: &[PathBuf]) -> Vec<Value> {
    paths
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .expect("read")
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("each line is one JSON object"))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(has_null),
        Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}

/// Every exported document: dated ones carry an RFC 3339 UTC date that
/// agrees with year and month; nothing is null.
fn check_document(doc: &Value) {
    assert!(!has_null(doc), "null in {doc}");
    let Some(date) = doc.get("date") else {
        assert!(doc.get("year").is_none() && doc.get("month").is_none());
        return;
    };
    let date = date.as_str().expect("date is a string");
    let parsed = chrono::DateTime::parse_from_rfc3339(date).expect("RFC 3339 date");
    assert!(date.ends_with('Z'), "{date} is UTC");
    assert_eq!(
        doc["year"].as_i64(),
        Some(i64::from(chrono::Datelike::year(&parsed)))
    );
    assert_eq!(doc["month"].as_str(), Some(&date[..7]));
}

#[test]
fn quickwit_export_holds_every_document_once_with_rfc3339_dates_and_no_nulls() {
    let (dir, idx) = corpus_index();
    let out = dir.path().join("qw");
    let summary = export(
        &idx,
        &out,
        &["--to", "quickwit", "--max-file-bytes", "100000"],
    );
    assert_eq!(summary["documents"], 129);
    let docs_files = files(&out, "docs-");
    assert!(docs_files.len() > 1, "a small bound splits the export");
    for f in &docs_files {
        let size = std::fs::metadata(f).expect("meta").len();
        let text = std::fs::read_to_string(f).expect("read");
        assert!(
            size <= 100_000 || text.lines().count() == 1,
            "{} is {size} bytes",
            f.display()
        );
    }
    let docs = lines(&docs_files);
    let ids: BTreeSet<&str> = docs.iter().map(|d| d["id"].as_str().expect("id")).collect();
    assert_eq!(ids.len(), docs.len(), "no document twice");
    assert_eq!(docs.len(), 129, "every document");
    for doc in &docs {
        check_document(doc);
        assert!(doc["agency"].is_array() && doc["country"].is_array());
    }
    // The stemmed copies hold our analyzer's tokens.
    let sanctions = docs
        .iter()
        .find(|d| d["title"].as_str().is_some_and(|t| t.contains("Sanctions")))
        .expect("a title with Sanctions");
    assert!(sanctions["title_stem"]
        .as_str()
        .expect("stem")
        .split(' ')
        .any(|w| w == "sanction"));

    let config = std::fs::read_to_string(out.join("index-config.yaml")).expect("config");
    for line in config
        .lines()
        .filter(|l| l.contains("name: title,") || l.contains("name: body,"))
    {
        assert!(
            line.contains("record: position") && line.contains("fieldnorms: true"),
            "{line}"
        );
    }
    assert!(!config.contains("en_stem"));
    assert!(!config
        .lines()
        .any(|l| l.trim_start().starts_with("timestamp_field")));
    assert!(config.contains("{name: agency, type: \"array<text>\", tokenizer: raw, fast: true}"));
    assert!(config.contains("{name: date, type: datetime, input_formats: [rfc3339]"));
    // The config is YAML Quickwit can read, and every key a document
    // carries is mapped exactly once.
    let yaml = &yaml_rust2::YamlLoader::load_from_str(&config).expect("valid YAML")[0];
    assert_eq!(yaml["version"].as_f64(), Some(0.9));
    assert!(yaml["doc_mapping"]["timestamp_field"].is_badvalue());
    let mappings = yaml["doc_mapping"]["field_mappings"]
        .as_vec()
        .expect("field_mappings");
    let mapped: Vec<&str> = mappings.iter().filter_map(|m| m["name"].as_str()).collect();
    let unique: BTreeSet<&str> = mapped.iter().copied().collect();
    assert_eq!(unique.len(), mapped.len(), "no field mapped twice");
    for doc in &docs {
        for key in doc.as_object().expect("object").keys() {
            assert!(unique.contains(key.as_str()), "{key} is not in the config");
        }
    }
    let title = mappings
        .iter()
        .find(|m| m["name"].as_str() == Some("title"))
        .expect("title");
    assert_eq!(title["record"].as_str(), Some("position"));
    assert_eq!(title["fieldnorms"].as_bool(), Some(true));
}

#[test]
fn opensearch_bulk_files_are_action_source_pairs_with_our_ids() {
    let (dir, idx) = corpus_index();
    let out = dir.path().join("os");
    export(
        &idx,
        &out,
        &["--to", "opensearch", "--max-file-bytes", "200000"],
    );
    let bulk = files(&out, "bulk-");
    assert!(bulk.len() > 1);
    let mut seen = HashMap::new();
    for f in &bulk {
        let text = std::fs::read_to_string(f).expect("read");
        assert!(text.len() <= 10 * 1024 * 1024);
        assert!(text.ends_with('\n'), "a _bulk body ends with a newline");
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(lines.len() % 2, 0, "{} holds whole pairs", f.display());
        for pair in lines.chunks(2) {
            let id = pair[0]["index"]["_id"]
                .as_str()
                .expect("index action with _id");
            assert_eq!(pair[1]["id"].as_str(), Some(id), "_id is our id");
            assert!(
                pair[1].get("title_stem").is_none(),
                "OpenSearch stems itself"
            );
            check_document(&pair[1]);
            *seen.entry(id.to_string()).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), 129);
    assert!(
        seen.values().all(|&n| n == 1),
        "every document exactly once"
    );

    let mapping: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("mapping.json")).expect("read"))
            .expect("mapping is JSON");
    let analysis = &mapping["settings"]["analysis"];
    assert_eq!(analysis["tokenizer"]["cpsearch_words"]["type"], "pattern");
    assert_eq!(
        analysis["filter"]["cpsearch_porter2"]["language"],
        "porter2"
    );
    assert_eq!(
        analysis["analyzer"]["cpsearch_en"]["filter"],
        serde_json::json!(["cpsearch_long", "lowercase", "cpsearch_porter2"])
    );
    let properties = &mapping["mappings"]["properties"];
    assert_eq!(properties["body"]["analyzer"], "cpsearch_en");
    assert_eq!(properties["agency"]["type"], "keyword");
    assert_eq!(properties["date"]["type"], "date");
    // Exporting again sends the same files: `_id`s make it idempotent.
    let first = std::fs::read(&bulk[0]).expect("read");
    export(
        &idx,
        &out,
        &["--to", "opensearch", "--max-file-bytes", "200000"],
    );
    assert_eq!(std::fs::read(&bulk[0]).expect("read"), first);
}

#[test]
fn a_filtered_export_holds_what_the_same_search_finds() {
    let (dir, idx) = corpus_index();
    let out = dir.path().join("qw");
    let summary = export(
        &idx,
        &out,
        &[
            "--to",
            "quickwit",
            "ransomware",
            "--agency",
            "cisa",
            "--from",
            "2019-01-01",
        ],
    );
    let expected = total_hits(
        &idx,
        &["ransomware", "--agency", "cisa", "--from", "2019-01-01"],
    );
    assert!(expected > 0);
    assert_eq!(summary["documents"].as_u64(), Some(expected));
    let docs = lines(&files(&out, "docs-"));
    assert_eq!(docs.len() as u64, expected);
    assert!(docs.iter().all(|d| d["agency"]
        .as_array()
        .expect("array")
        .contains(&"CISA".into())));
}

const ARTICLE: &str = "Published: 2022-01-02\n\nThe FBI said ransomware hit a hospital.\n";

#[test]
fn an_export_since_the_last_one_sends_changes_and_deletes_what_vanished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let idx = dir.path().join("idx");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    for name in ["a", "b", "c"] {
        std::fs::write(
            corpus.join(format!("{name}.txt")),
            format!("Title {name}\n\n{ARTICLE}"),
        )
        .expect("write");
    }
    index(&corpus, &idx);
    let os = dir.path().join("os");
    let qw = dir.path().join("qw");
    assert_eq!(export(&idx, &os, &["--to", "opensearch"])["documents"], 3);
    assert_eq!(export(&idx, &qw, &["--to", "quickwit"])["documents"], 3);

    let again = export(
        &idx,
        &os,
        &["--to", "opensearch", "--changed-since", "last"],
    );
    assert_eq!(
        (again["documents"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(3))
    );

    std::fs::write(
        corpus.join("b.txt"),
        format!("Title b, revised\n\n{ARTICLE}"),
    )
    .expect("write");
    std::fs::remove_file(corpus.join("c.txt")).expect("rm");
    index(&corpus, &idx);

    let sync = export(
        &idx,
        &os,
        &["--to", "opensearch", "--changed-since", "last"],
    );
    assert_eq!(sync["documents"], 1);
    assert_eq!(sync["deleted"], 1);
    let actions: Vec<Value> = lines(&files(&os, "bulk-"));
    let indexed: Vec<&str> = actions
        .iter()
        .filter_map(|a| a["index"]["_id"].as_str())
        .collect();
    let deleted: Vec<&str> = actions
        .iter()
        .filter_map(|a| a["delete"]["_id"].as_str())
        .collect();
    // Ids of articles without a URL are the file's full path and item.
    assert!(
        indexed.len() == 1 && indexed[0].ends_with("/corpus/b.txt#0"),
        "{indexed:?}"
    );
    assert!(
        deleted.len() == 1 && deleted[0].ends_with("/corpus/c.txt#0"),
        "{deleted:?}"
    );

    // Quickwit has no upsert: the changed document is deleted too, before
    // its new version is ingested.
    let sync = export(&idx, &qw, &["--to", "quickwit", "--changed-since", "last"]);
    assert_eq!(sync["documents"], 1);
    let tasks = std::fs::read_to_string(qw.join("delete-tasks.ndjson")).expect("delete tasks");
    let task: Value = serde_json::from_str(tasks.trim()).expect("one task");
    let root = std::fs::canonicalize(&corpus).expect("corpus path");
    let id = |name: &str| format!("{}/{name}#0", root.display());
    assert_eq!(
        task["query"],
        format!("id:\"{}\" OR id:\"{}\"", id("b.txt"), id("c.txt"))
    );
    let commands: Vec<&str> = sync["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let delete_at = commands.iter().position(|c| c.contains("delete-tasks"));
    let ingest_at = commands.iter().position(|c| c.contains("/ingest"));
    assert!(delete_at < ingest_at && delete_at.is_some());
    assert_eq!(
        lines(&files(&qw, "docs-")).len(),
        1,
        "stale files of the first run are gone"
    );
}

#[test]
fn changed_since_last_without_an_earlier_export_says_what_to_do() {
    let (dir, idx) = corpus_index();
    cpsearch()
        .args(["export", "--to", "opensearch"])
        .arg(dir.path().join("new"))
        .arg("--index")
        .arg(&idx)
        .args(["--changed-since", "last"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "run the export once without --changed-since last",
        ));
}

#[test]
fn explain_translates_stemmed_words_filters_and_facets() {
    let (_dir, idx) = corpus_index();
    let run = |engine: &str| -> Value {
        let out = cpsearch()
            .args(["search", "sanctioning \"emergency directive\" date:2021"])
            .args([
                "--agency",
                "cisa",
                "--facets",
                "--explain",
                engine,
                "--json",
            ])
            .arg("--index")
            .arg(&idx)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let qw = run("quickwit");
    let query = qw["body"]["query"].as_str().expect("query string");
    assert!(
        query.contains("(title_stem:\"sanction\" OR body_stem:\"sanction\")"),
        "{query}"
    );
    assert!(query.contains("body_stem:\"emergenc direct\""), "{query}");
    assert!(
        query.contains("date:[2021-01-01T00:00:00Z TO 2022-01-01T00:00:00Z}"),
        "{query}"
    );
    assert!(query.contains("agency:\"CISA\""), "alias resolved: {query}");
    assert_eq!(qw["body"]["aggs"]["timeline"]["terms"]["field"], "month");
    assert_eq!(qw["body"]["aggs"]["agency"]["terms"]["field"], "agency");

    let os = run("opensearch");
    let bool_query = &os["body"]["query"]["bool"];
    let qs = bool_query["must"][0]["query_string"]["query"]
        .as_str()
        .expect("query");
    assert!(
        qs.contains("\"sanctioning\""),
        "OpenSearch stems itself: {qs}"
    );
    assert_eq!(
        bool_query["filter"][0]["terms"]["agency"],
        // CISA stands for its predecessors too, as in cpsearch.
        serde_json::json!(["CISA", "ICS-CERT", "NCCIC", "US-CERT"])
    );
    assert_eq!(
        os["body"]["aggs"]["timeline"]["date_histogram"]["calendar_interval"],
        "month"
    );
}

#[test]
fn exporting_into_a_file_says_to_give_a_directory() {
    let (dir, idx) = corpus_index();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    cpsearch()
        .args(["export", "--to", "quickwit"])
        .arg(&file)
        .arg("--index")
        .arg(&idx)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "give a directory for the export files",
        ));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "x",
        "the file is untouched"
    );
}

#[test]
fn changed_since_a_date_sends_only_documents_of_files_modified_since() {
    let (dir, idx) = corpus_index();
    let future = export(
        &idx,
        &dir.path().join("future"),
        &["--to", "opensearch", "--changed-since", "2999-01-01"],
    );
    assert_eq!(
        (future["documents"].as_u64(), future["unchanged"].as_u64()),
        (Some(0), Some(129))
    );
    // Every corpus file was written (checked out) after 2000.
    let past = export(
        &idx,
        &dir.path().join("past"),
        &["--to", "opensearch", "--changed-since", "2000-01-01"],
    );
    assert_eq!(past["documents"], 129);
}
