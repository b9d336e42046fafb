//! End-to-end tests of the `cpsearch` command on the fixture corpus in
//! `tests/fixtures/mini`: extract, index, search (every flag), show, stats,
//! exit statuses and messages.

use std::path::{Path, PathBuf};

mod common;

use common::{cpsearch, extract};
use predicates::prelude::*;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// An index of the fixture corpus in a fresh temporary directory.
fn indexed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    cpsearch()
        .arg("index")
        .arg(fixtures())
        .arg("--index")
        .arg(dir.path())
        .assert()
        .success();
    dir
}

fn search_json(index: &Path, args: &[&str]) -> Value {
    let out = cpsearch()
        .arg("search")
        .args(args)
        .arg("--index")
        .arg(index)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{out:?}"
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn stats_json(index: &Path) -> Value {
    let out = cpsearch()
        .args(["stats", "--json", "--index"])
        .arg(index)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn titles(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn extract_reads_every_format_into_the_documented_fields() {
    let (docs, stderr, code) = extract(&fixtures(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(docs.len(), 9, "{stderr}");
    let by_title = |t: &str| {
        docs.iter()
            .find(|d| d["title"] == t)
            .unwrap_or_else(|| panic!("no {t}"))
    };

    let text = by_title("Pipeline Operator Hit by Ransomware, Fuel Supply Disrupted");
    assert_eq!(text["format"], "text");
    assert_eq!(text["date"], "2021-05-12");
    assert_eq!(text["date_source"], "text");
    assert_eq!(text["author"], "Alex Moreno");
    assert_eq!(
        text["categories"],
        serde_json::json!(["Americas", "Security"])
    );
    // Ids without a URL are the file's key: the folder's canonical path
    // joined with the path below it, so two folders never share one.
    let id = text["id"].as_str().expect("id");
    assert!(
        id.starts_with('/') && id.ends_with("/mini/text/2021/05/pipeline-ransomware.txt#0"),
        "{id}"
    );
    assert_eq!(text["agencies"], serde_json::json!(["CISA", "FBI"]));
    assert!(text["topics"]
        .as_array()
        .expect("topics")
        .contains(&"ransomware".into()));
    assert!(
        !text["body"]
            .as_str()
            .expect("body")
            .contains("covers infrastructure security"),
        "bio left out"
    );

    let md = by_title("Hackers Trojanized an IT Monitoring Update");
    assert_eq!(
        (
            md["format"].as_str(),
            md["date"].as_str(),
            md["date_source"].as_str()
        ),
        (Some("markdown"), Some("2020-12-14"), Some("metadata"))
    );
    assert_eq!(md["source"], "Fixture Weekly");
    assert!(md["body"]
        .as_str()
        .expect("body")
        .contains("The NSA and CISA said"));
    assert!(md["countries"]
        .as_array()
        .expect("countries")
        .contains(&"Russia".into()));

    let html = by_title("Ransomware Guidance Refreshed for Schools");
    assert_eq!(
        html["id"],
        "https://gazette.example/2022/03/01/ransomware-schools"
    );
    assert_eq!(
        (
            html["date"].as_str(),
            html["source"].as_str(),
            html["author"].as_str()
        ),
        (
            Some("2022-03-01"),
            Some("Fixture Gazette"),
            Some("Sam Carter")
        )
    );
    let body = html["body"].as_str().expect("body");
    assert!(body.contains("offline backups"));
    for chrome in [
        "cookies",
        "Subscribe",
        "Related coverage",
        "Copyright",
        "analytics",
    ] {
        assert!(
            !body.contains(chrome),
            "site chrome {chrome:?} in body: {body}"
        );
    }
    assert_eq!(html["agencies"], serde_json::json!(["NCSC"]));
    assert_eq!(html["lang"], "en-GB");

    let json = by_title("Treasury Sanctions Russian Firms Over Hacking");
    assert_eq!(
        (
            json["item"].as_u64(),
            json["author"].as_str(),
            json["source"].as_str()
        ),
        (Some(1), Some("Dana Lee"), Some("Fixture Wire"))
    );
    assert!(!json["body"].as_str().expect("body").contains("<p>"));
    assert!(json["agencies"]
        .as_array()
        .expect("agencies")
        .contains(&"OFAC".into()));
    let undated_url = by_title("ENISA Publishes Phishing Report");
    assert!(undated_url["id"]
        .as_str()
        .expect("id")
        .ends_with("/json/dump.json#2"));

    let feed = by_title("Phishing Campaign Targets Election Officials");
    assert_eq!(
        (
            feed["format"].as_str(),
            feed["item"].as_u64(),
            feed["date"].as_str()
        ),
        (Some("feed"), Some(1), Some("2020-10-01"))
    );
    assert_eq!(feed["source"], "Fixture Policy Feed");
    assert_eq!(feed["author"], "Chris Young");

    let line = by_title("Line Three Story");
    assert_eq!(
        (line["format"].as_str(), line["item"].as_u64()),
        (Some("jsonl"), Some(3))
    );
    assert!(
        stderr.contains("lines.jsonl: line 2"),
        "bad JSONL line reported by number: {stderr}"
    );
    assert!(
        stderr.contains("extracted 9 documents from 6 files"),
        "{stderr}"
    );
}

#[test]
fn extract_output_is_deterministic() {
    let (a, _, _) = extract(&fixtures(), &[]);
    let (b, _, _) = extract(&fixtures(), &[]);
    assert_eq!(a, b);
}

#[test]
fn extract_of_a_missing_path_exits_2() {
    cpsearch()
        .args(["extract", "/no/such/place"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/no/such/place: no such file or directory",
        ));
}

#[test]
fn search_ranks_by_bm25_and_title_matches_first() {
    let idx = indexed();
    let v = search_json(idx.path(), &["ransomware"]);
    assert_eq!(v["total_hits"], 3);
    let t = titles(&v);
    assert_eq!(
        t[0],
        "Pipeline Operator Hit by Ransomware, Fuel Supply Disrupted"
    );
    assert_eq!(t[1], "Ransomware Guidance Refreshed for Schools");
    assert_eq!(t[2], "Phishing Campaign Targets Election Officials");
    let s0 = v["hits"][0]["score"].as_f64().expect("score");
    let s1 = v["hits"][1]["score"].as_f64().expect("score");
    assert!(s0 >= s1);
}

#[test]
fn words_are_all_required_unless_any() {
    let idx = indexed();
    assert_eq!(
        search_json(idx.path(), &["phishing election"])["total_hits"],
        1
    );
    assert_eq!(
        search_json(idx.path(), &["--any", "phishing election"])["total_hits"],
        3
    );
    assert_eq!(
        search_json(idx.path(), &["phishing OR sanctions"])["total_hits"],
        4
    );
}

#[test]
fn exclusion_removes_hits_and_is_never_highlighted() {
    let idx = indexed();
    let v = search_json(idx.path(), &["phishing -election"]);
    assert_eq!(
        titles(&v),
        ["ENISA Publishes Phishing Report", "Line One Story"]
    );
    let v = search_json(idx.path(), &["ransomware -ransom"]);
    for hit in v["hits"].as_array().expect("hits") {
        let snippet = hit["snippet"].as_str().expect("snippet");
        assert!(!snippet.contains("<b>ransom</b>"), "{snippet}");
    }
}

#[test]
fn phrase_is_highlighted_only_where_the_phrase_occurs() {
    let idx = indexed();
    let v = search_json(idx.path(), &["\"critical infrastructure\""]);
    assert_eq!(v["total_hits"], 2);
    for hit in v["hits"].as_array().expect("hits") {
        let snippet = hit["snippet"].as_str().expect("snippet");
        assert!(
            snippet.contains("<b>critical infrastructure</b>"),
            "{snippet}"
        );
        assert!(
            !snippet.contains("<b>critical</b>") && !snippet.contains("<b>infrastructure</b>"),
            "{snippet}"
        );
    }
}

#[test]
fn snippets_are_html_escaped_with_bold_highlights_and_ellipses() {
    let idx = indexed();
    let v = search_json(idx.path(), &["decryptor"]);
    let snippet = v["hits"][0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<b>decryptor</b>"), "{snippet}");
    assert!(
        snippet.starts_with('…') || snippet.ends_with('…'),
        "{snippet}"
    );
    let v = search_json(idx.path(), &["title:sanctions"]);
    assert_eq!(
        v["hits"][0]["title_html"],
        "Treasury <b>Sanctions</b> Russian Firms Over Hacking"
    );
}

#[test]
fn title_only_match_shows_the_opening_sentences() {
    let idx = indexed();
    let v = search_json(idx.path(), &["title:trojanized"]);
    let snippet = v["hits"][0]["snippet"].as_str().expect("snippet");
    assert!(
        snippet.starts_with("The NSA and CISA said a supply chain attack"),
        "{snippet}"
    );
}

#[test]
fn filters_combine_or_within_and_across_and_keep_order() {
    let idx = indexed();
    let all = titles(&search_json(idx.path(), &["ransomware"]));
    let cisa = titles(&search_json(
        idx.path(),
        &["ransomware", "--agency", "cisa"],
    ));
    assert_eq!(
        cisa,
        [
            "Pipeline Operator Hit by Ransomware, Fuel Supply Disrupted",
            "Phishing Campaign Targets Election Officials"
        ]
    );
    let kept_in_order: Vec<&String> = all.iter().filter(|t| cisa.contains(t)).collect();
    assert_eq!(kept_in_order, cisa.iter().collect::<Vec<_>>());
    let either = search_json(
        idx.path(),
        &[
            "",
            "--agency",
            "NCSC",
            "--agency",
            "Federal Bureau of Investigation",
        ],
    );
    assert_eq!(either["total_hits"], 3);
    let both = search_json(idx.path(), &["", "--agency", "FBI", "--year", "2021"]);
    assert_eq!(
        titles(&both),
        ["Pipeline Operator Hit by Ransomware, Fuel Supply Disrupted"]
    );
    assert_eq!(
        search_json(idx.path(), &["", "--country", "russia"])["total_hits"],
        2
    );
    assert_eq!(
        search_json(idx.path(), &["", "--topic", "Sanctions"])["total_hits"],
        1
    );
    assert_eq!(
        search_json(idx.path(), &["", "--source", "fixture wire"])["total_hits"],
        2
    );
}

#[test]
fn date_filters_and_shorthands() {
    let idx = indexed();
    let range = search_json(
        idx.path(),
        &["", "--from", "2020-12-01", "--to", "2021-04-15"],
    );
    assert_eq!(
        titles(&range),
        [
            "Treasury Sanctions Russian Firms Over Hacking",
            "Hackers Trojanized an IT Monitoring Update"
        ]
    );
    assert_eq!(search_json(idx.path(), &["date:2021"])["total_hits"], 2);
    assert_eq!(search_json(idx.path(), &["date:2021-05"])["total_hits"], 1);
    assert_eq!(
        search_json(idx.path(), &["date:[2020-01-01 TO 2020-12-31]"])["total_hits"],
        2
    );
    assert_eq!(
        search_json(idx.path(), &["ransomware -date:2021"])["total_hits"],
        2
    );
    assert_eq!(
        search_json(idx.path(), &["", "--since", "2 weeks ago"])["total_hits"],
        0
    );
}

#[test]
fn field_queries_match_facets_by_alias_and_case() {
    let idx = indexed();
    assert_eq!(search_json(idx.path(), &["agency:cisa"])["total_hits"], 3);
    assert_eq!(
        search_json(
            idx.path(),
            &["agency:\"Cybersecurity and Infrastructure Security Agency\" ransomware"]
        )["total_hits"],
        2
    );
    assert_eq!(
        search_json(idx.path(), &["country:\"united kingdom\""])["total_hits"],
        1
    );
}

#[test]
fn empty_query_lists_everything_newest_first_and_sort_date() {
    let idx = indexed();
    let v = search_json(idx.path(), &["*", "--limit", "3"]);
    assert_eq!(v["total_hits"], 9);
    assert_eq!(
        titles(&v),
        [
            "Line One Story",
            "Lawmakers Fund Critical Infrastructure Grants",
            "Line Three Story"
        ]
    );
    let v = search_json(idx.path(), &["ransomware", "--sort", "date"]);
    assert_eq!(titles(&v)[0], "Ransomware Guidance Refreshed for Schools");
    let page = search_json(idx.path(), &["*", "--limit", "2", "--offset", "1"]);
    assert_eq!(
        titles(&page),
        [
            "Lawmakers Fund Critical Infrastructure Grants",
            "Line Three Story"
        ]
    );
}

#[test]
fn facets_count_the_whole_match_set() {
    let idx = indexed();
    let v = search_json(idx.path(), &["ransomware", "--facets", "--limit", "1"]);
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(1));
    let f = &v["facets"];
    assert_eq!(f["agency"]["CISA"], 2);
    assert_eq!(f["agency"]["FBI"], 2);
    assert_eq!(f["agency"]["NCSC"], 1);
    assert_eq!(f["year"]["2021"], 1);
    assert_eq!(f["year"]["2020"], 1);
    assert_eq!(f["country"]["United Kingdom"], 1);
    // The FBI and CISA alone name no country (tests/labels/real/README.md).
    assert!(f["country"].get("United States").is_none(), "{f}");
}

#[test]
fn facet_option_counts_only_the_named_facets() {
    let idx = indexed();
    let all = search_json(idx.path(), &["ransomware", "--facets"]);
    let some = search_json(idx.path(), &["ransomware", "--facet", "agency,year"]);
    let f = &some["facets"];
    assert_eq!(f["agency"], all["facets"]["agency"]);
    assert_eq!(f["year"], all["facets"]["year"]);
    assert!(
        f.get("topic").is_none() && f.get("country").is_none(),
        "{f}"
    );
    assert_eq!(some["hits"], all["hits"]);
}

#[test]
fn an_index_of_many_commits_answers_like_one_of_a_single_commit() {
    let plain = indexed();
    let merged = tempfile::tempdir().expect("tempdir");
    cpsearch()
        .arg("index")
        .arg(fixtures())
        .args(["--commit-every", "2", "--merge", "--index"])
        .arg(merged.path())
        .assert()
        .success();
    let stores = std::fs::read_dir(merged.path())
        .expect("index dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".store"))
        .count();
    assert_eq!(stores, 1, "one segment after --merge");
    assert_eq!(stats_json(merged.path())["segments"], 1);
    for query in ["ransomware", "sanctions OR phishing", "*"] {
        let a = search_json(plain.path(), &[query, "--facets"]);
        let b = search_json(merged.path(), &[query, "--facets"]);
        assert_eq!(a["total_hits"], b["total_hits"], "{query}");
        assert_eq!(a["facets"], b["facets"], "{query}");
    }
}

#[test]
fn or_query_scores_equal_the_sum_of_its_terms() {
    // Nested boolean queries are flattened for speed; scores must not move.
    let idx = indexed();
    let both = search_json(idx.path(), &["ransomware OR phishing"]);
    let grouped = search_json(idx.path(), &["(ransomware) OR (phishing)"]);
    assert_eq!(both["hits"], grouped["hits"]);
    let scores: Vec<f64> = both["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["score"].as_f64())
        .collect();
    assert!(scores.len() >= 2, "{both}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn human_output_shows_rank_title_meta_snippet_and_path() {
    let idx = indexed();
    cpsearch()
        .args([
            "search",
            "ransomware",
            "--agency",
            "NCSC",
            "--facets",
            "--index",
        ])
        .arg(idx.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("1 match"))
        .stdout(predicate::str::contains(
            "  1. [Ransomware] Guidance Refreshed for Schools",
        ))
        .stdout(predicate::str::contains(
            "2022-03-01 · Fixture Gazette · NCSC",
        ))
        .stdout(predicate::str::contains("html/advisory.html"))
        .stdout(predicate::str::contains("agency\n       1  NCSC"))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn color_always_emits_ansi_highlights() {
    let idx = indexed();
    cpsearch()
        .args(["search", "ransomware", "--color", "always", "--index"])
        .arg(idx.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}[1m\u{1b}[33mRansomware"));
}

#[test]
fn exit_status_is_1_without_hits_and_2_on_errors() {
    let idx = indexed();
    let run = |args: &[&str]| {
        cpsearch()
            .arg("search")
            .args(args)
            .arg("--index")
            .arg(idx.path())
            .assert()
    };
    run(&["zyzzyva"])
        .code(1)
        .stdout(predicate::str::contains("0 matches"));
    run(&["\"unclosed"])
        .code(2)
        .stderr(predicate::str::contains("cannot parse"));
    run(&["colour:red"])
        .code(2)
        .stderr(predicate::str::contains("unknown field \"colour\""));
    run(&["date:2021-13"])
        .code(2)
        .stderr(predicate::str::contains("impossible date"));
    run(&["x", "--from", "2020-02-30"])
        .code(2)
        .stderr(predicate::str::contains("impossible date"));
    run(&["x", "--agency", "NASA"])
        .code(2)
        .stderr(predicate::str::contains("unknown agency \"NASA\""));
    cpsearch()
        .args(["search", "x", "--index", "/no/such/index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index at /no/such/index"));
}

#[test]
fn reindexing_replaces_documents_and_never_duplicates() {
    let idx = indexed();
    for _ in 0..2 {
        cpsearch()
            .arg("index")
            .arg(fixtures())
            .arg("--index")
            .arg(idx.path())
            .arg("--full")
            .assert()
            .success();
    }
    cpsearch()
        .arg("index")
        .arg(fixtures())
        .arg("--index")
        .arg(idx.path())
        .assert()
        .success();
    assert_eq!(search_json(idx.path(), &["*"])["total_hits"], 9);
}

#[test]
fn show_and_stats_read_the_index() {
    let idx = indexed();
    let out = cpsearch()
        .args(["show", "json/dump.json#2", "--json", "--index"])
        .arg(idx.path())
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["title"], "ENISA Publishes Phishing Report");
    assert_eq!(doc["agencies"], serde_json::json!(["ENISA"]));
    cpsearch()
        .args(["show", "nope", "--index"])
        .arg(idx.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no document with id"));
    let stats = stats_json(idx.path());
    assert_eq!(stats["documents"], 9);
    assert_eq!(stats["first_date"], "2019-06-04");
    assert_eq!(stats["last_date"], "2023-02-01");
    assert!(stats["size_bytes"].as_u64().unwrap_or(0) > 0);
    assert_eq!(stats["facets"]["source"]["Fixture Wire"], 2);
}

#[test]
fn help_documents_the_query_syntax() {
    cpsearch()
        .args(["search", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("date:[2020-01-01 TO 2021-06-30]"))
        .stdout(predicate::str::contains("--agency <AGENCY>"));
}
