//! Timelines, co-mentions, the agency hierarchy, briefing exports, the
//! vocabulary and "did you mean", through the `cpsearch` command: timeline
//! counts are checked against the human labels of the shipped corpus
//! (`tests/labels/*.jsonl`), every bucket, by year and by month.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;

use common::cpsearch;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One index of the shipped corpus for the whole test binary.
fn corpus_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        cpsearch()
            .arg("index")
            .arg(root().join("corpus"))
            .arg("--index")
            .arg(dir.path())
            .arg("--quiet")
            .assert()
            .success();
        dir
    })
    .path()
}

/// Runs `cpsearch CMD ARGS --index DIR`; returns stdout, stderr and status.
fn run(cmd: &str, args: &[&str], index: &Path) -> (String, String, Option<i32>) {
    let out = cpsearch()
        .arg(cmd)
        .args(args)
        .arg("--index")
        .arg(index)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn json(cmd: &str, args: &[&str], index: &Path) -> Value {
    let (stdout, stderr, code) = run(cmd, args, index);
    assert!(
        matches!(code, Some(0) | Some(1)),
        "{cmd} {args:?}: {stderr}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{cmd} {args:?}: {e}: {stdout}"))
}

/// The labelled date of every document of the shipped corpus.
fn label_dates() -> Vec<Option<String>> {
    let labels: Vec<Value> = common::read_labels(&root().join("tests/labels"));
    labels
        .iter()
        .map(|v| v["date"].as_str().map(String::from))
        .collect()
}

/// Bucket start → count from a timeline.
fn buckets(t: &Value) -> BTreeMap<String, u64> {
    t["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            (
                b["start"].as_str().expect("start").to_string(),
                b["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

/// Every bucket start from the first labelled date's bucket to the last's.
fn expected(key: impl Fn(&str) -> String, next: impl Fn(&str) -> String) -> BTreeMap<String, u64> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for d in label_dates().into_iter().flatten() {
        *counts.entry(key(&d)).or_default() += 1;
    }
    let first = counts.keys().next().cloned().expect("dated labels");
    let last = counts.keys().next_back().cloned().expect("dated labels");
    let mut at = first;
    while at <= last {
        counts.entry(at.clone()).or_default();
        at = next(&at);
    }
    counts
}

#[test]
fn timeline_by_year_matches_the_labels_in_every_bucket() {
    let t = json("timeline", &["--by", "year", "--json"], corpus_index());
    let want = expected(
        |d| format!("{}-01-01", &d[..4]),
        |s| format!("{}-01-01", s[..4].parse::<i32>().expect("year") + 1),
    );
    assert_eq!(buckets(&t), want);
    let undated = label_dates().iter().filter(|d| d.is_none()).count() as u64;
    assert_eq!(t["undated"], undated);
    assert_eq!(t["total"], label_dates().len() as u64);
}

#[test]
fn timeline_by_month_matches_the_labels_in_every_bucket() {
    let t = json("timeline", &["--by", "month", "--json"], corpus_index());
    let want = expected(
        |d| format!("{}-01", &d[..7]),
        |s| {
            let (y, m): (i32, u32) = (s[..4].parse().expect("y"), s[5..7].parse().expect("m"));
            if m == 12 {
                format!("{}-01-01", y + 1)
            } else {
                format!("{y}-{:02}-01", m + 1)
            }
        },
    );
    let got = buckets(&t);
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
}

#[test]
fn timeline_range_is_zero_filled_from_from_to_to() {
    let t = json(
        "timeline",
        &[
            "ransomware",
            "--by",
            "quarter",
            "--from",
            "2015-02-03",
            "--to",
            "2016-12-31",
            "--json",
        ],
        corpus_index(),
    );
    let starts: Vec<String> = buckets(&t).into_keys().collect();
    assert_eq!(
        starts,
        [
            "2015-01-01",
            "2015-04-01",
            "2015-07-01",
            "2015-10-01",
            "2016-01-01",
            "2016-04-01",
            "2016-07-01",
            "2016-10-01"
        ]
    );
}

#[test]
fn single_valued_split_series_sum_to_the_total() {
    let t = json(
        "timeline",
        &["--by", "year", "--split", "source:4", "--json"],
        corpus_index(),
    );
    let series = t["series"].as_array().expect("series");
    assert_eq!(series.len(), 5, "four sources and other: {series:?}");
    assert_eq!(series.last().expect("other"), "other");
    for b in t["buckets"].as_array().expect("buckets") {
        let sum: u64 = b["series"]
            .as_object()
            .expect("series")
            .values()
            .map(|v| v.as_u64().expect("n"))
            .sum();
        assert_eq!(sum, b["count"].as_u64().expect("count"), "{b}");
    }
}

#[test]
fn multi_valued_split_counts_mentions_and_other_is_the_rest() {
    let t = json(
        "timeline",
        &["--by", "year", "--split", "country:3", "--json"],
        corpus_index(),
    );
    let names: Vec<String> = t["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|s| s.as_str().expect("name").to_string())
        .collect();
    // Each series holds the articles naming that country: the facet count.
    let search = json(
        "search",
        &["", "--facet", "country", "--json", "-n", "0"],
        corpus_index(),
    );
    for name in &names[..3] {
        let total: u64 = t["buckets"]
            .as_array()
            .expect("b")
            .iter()
            .map(|b| b["series"][name].as_u64().expect("n"))
            .sum();
        assert_eq!(
            Some(total),
            search["facets"]["country"][name].as_u64(),
            "{name}"
        );
    }
    // "other" is every dated article naming none of the three.
    let none: String = std::iter::once("*".to_string())
        .chain(names[..3].iter().map(|n| format!(" -country:\"{n}\"")))
        .collect();
    let rest = json(
        "timeline",
        &[
            &none,
            "--by",
            "year",
            "--json",
            "--from",
            "2010-01-01",
            "--to",
            "2026-12-31",
        ],
        corpus_index(),
    );
    let rest = buckets(&rest);
    for b in t["buckets"].as_array().expect("b") {
        let start = b["start"].as_str().expect("start");
        assert_eq!(
            b["series"]["other"].as_u64(),
            rest.get(start).copied(),
            "{start}"
        );
    }
}

#[test]
fn share_is_count_over_all_articles_in_the_bucket() {
    let t = json(
        "timeline",
        &["ransomware", "--by", "year", "--share", "--json"],
        corpus_index(),
    );
    let all = buckets(&json(
        "timeline",
        &["--by", "year", "--json"],
        corpus_index(),
    ));
    let list = t["buckets"].as_array().expect("buckets");
    assert!(list.iter().any(|b| b["count"].as_u64() > Some(0)));
    for b in list {
        let start = b["start"].as_str().expect("start");
        let count = b["count"].as_f64().expect("count");
        let of = all[start];
        assert_eq!(b["all"].as_u64(), Some(of), "{start}");
        let share = b["share"].as_f64().expect("share");
        let want = if of == 0 { 0.0 } else { count / of as f64 };
        assert!((share - want).abs() < 1e-12, "{start}: {share} vs {want}");
    }
}

#[test]
fn timeline_csv_parses_with_a_csv_reader() {
    let (stdout, stderr, code) = run(
        "timeline",
        &["--by", "year", "--split", "agency:2", "--share", "--csv"],
        corpus_index(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    let t = json(
        "timeline",
        &["--by", "year", "--split", "agency:2", "--share", "--json"],
        corpus_index(),
    );
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[0], "start");
    assert_eq!(&header[1], "count");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let list = t["buckets"].as_array().expect("buckets");
    assert_eq!(rows.len(), list.len());
    for (row, b) in rows.iter().zip(list) {
        assert_eq!(row.len(), header.len());
        assert_eq!(&row[0], b["start"].as_str().expect("start"));
        assert_eq!(row[1].parse::<u64>().ok(), b["count"].as_u64());
        let first_series = t["series"][0].as_str().expect("series");
        let col = header
            .iter()
            .position(|h| h == first_series)
            .expect("series column");
        assert_eq!(
            row[col].parse::<u64>().ok(),
            b["series"][first_series].as_u64()
        );
    }
}

#[test]
fn timeline_terminal_output_is_plain_when_piped_and_marks_the_current_bucket() {
    let (stdout, _, code) = run("timeline", &["ransomware", "--by", "year"], corpus_index());
    assert_eq!(code, Some(0));
    assert!(!stdout.contains('\u{1b}'), "no colour when piped: {stdout}");
    assert!(stdout.starts_with("ransomware: "), "{stdout}");
    assert!(stdout.contains('█'), "{stdout}");
    let (all, _, _) = run("timeline", &["--by", "year"], corpus_index());
    let year = chrono::Utc::now().format("%Y").to_string();
    let current = all.lines().find(|l| l.starts_with(&year));
    if let Some(line) = current {
        assert!(line.ends_with(" *"), "{line}");
    }
    let (_, stderr, code) = run(
        "timeline",
        &["--by", "day", "--from", "1700-01-01", "--to", "2200-12-31"],
        corpus_index(),
    );
    assert_eq!(code, Some(2), "a range too long for days is refused");
    assert!(stderr.contains("wider --by"), "{stderr}");
    let (_, stderr, code) = run("timeline", &["--split", "year"], corpus_index());
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("agency, topic, country or source"),
        "{stderr}"
    );
}

#[test]
fn cooccur_counts_pairs_with_lift() {
    let c = json(
        "cooccur",
        &["agency", "--top", "500", "--min-count", "1", "--json"],
        corpus_index(),
    );
    let total = c["total"].as_f64().expect("total");
    let pair = c["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .find(|p| p["a"] == "EC3" && p["b"] == "Europol")
        .cloned()
        .expect("EC3 and Europol are named together");
    let both = json(
        "search",
        &["agency:EC3 agency:Europol", "--json", "-n", "0"],
        corpus_index(),
    );
    assert_eq!(pair["count"], both["total_hits"]);
    let (n, a, b) = (
        pair["count"].as_f64().expect("n"),
        pair["count_a"].as_f64().expect("a"),
        pair["count_b"].as_f64().expect("b"),
    );
    let lift = pair["lift"].as_f64().expect("lift");
    assert!((lift - n * total / (a * b)).abs() < 1e-9);
    assert!((pair["pmi"].as_f64().expect("pmi") - lift.log2()).abs() < 1e-9);
    // Agency × country, ranked by count.
    let c = json(
        "cooccur",
        &["agency", "--with", "country", "--order", "count", "--json"],
        corpus_index(),
    );
    let counts: Vec<u64> = c["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| p["count"].as_u64().expect("n"))
        .collect();
    assert!(
        !counts.is_empty() && counts.windows(2).all(|w| w[0] >= w[1]),
        "{counts:?}"
    );
    assert_eq!(c["with"], "country");
}

/// Four one-agency articles: DHS, a DHS component, CISA and CISA's predecessor.
fn hierarchy_index() -> tempfile::TempDir {
    let corpus = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "dhs.txt",
            "DHS budget",
            "The Department of Homeland Security asked for more money.",
        ),
        (
            "tsa.txt",
            "TSA rules",
            "The Transportation Security Administration issued pipeline rules.",
        ),
        (
            "cisa.txt",
            "CISA advisory",
            "The Cybersecurity and Infrastructure Security Agency warned utilities.",
        ),
        (
            "uscert.txt",
            "US-CERT alert",
            "The US-CERT published an alert about a worm.",
        ),
    ];
    for (name, title, body) in files {
        std::fs::write(corpus.path().join(name), format!("{title}\n\n{body}\n")).expect("write");
    }
    let index = tempfile::tempdir().expect("tempdir");
    cpsearch()
        .arg("index")
        .arg(corpus.path())
        .arg("--index")
        .arg(index.path())
        .arg("--quiet")
        .assert()
        .success();
    index
}

fn found(index: &Path, args: &[&str]) -> Vec<String> {
    let v = json("search", &[args, &["--json", "-n", "50"]].concat(), index);
    let mut t: Vec<String> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["title"].as_str().expect("title").to_string())
        .collect();
    t.sort();
    t
}

#[test]
fn agency_hierarchy_children_with_plus_and_predecessors_by_default() {
    let index = hierarchy_index();
    let dir = index.path();
    assert_eq!(found(dir, &["", "--agency", "DHS"]), ["DHS budget"]);
    assert_eq!(
        found(dir, &["", "--agency", "DHS+"]),
        ["CISA advisory", "DHS budget", "TSA rules", "US-CERT alert"]
    );
    assert_eq!(
        found(dir, &["", "--agency", "cisa"]),
        ["CISA advisory", "US-CERT alert"]
    );
    assert_eq!(
        found(dir, &["agency:CISA"]),
        ["CISA advisory", "US-CERT alert"]
    );
    assert_eq!(found(dir, &["agency:DHS+"]).len(), 4);
    // Roll-up shows components under the parent.
    let (stdout, _, _) = run("search", &["", "--roll-up"], dir);
    let tree = stdout
        .split("agency (components under their parent)")
        .nth(1)
        .expect("tree printed");
    let dhs = tree
        .lines()
        .position(|l| l.trim_end().ends_with(" DHS"))
        .expect("DHS root");
    let cisa = tree
        .lines()
        .position(|l| l.trim_end().ends_with("  CISA"))
        .expect("CISA under DHS");
    assert!(cisa > dhs, "{tree}");
}

#[test]
fn vocab_lists_names_aliases_parents_and_lineage() {
    let (stdout, _, code) = run_plain(&["vocab", "agencies", "emergency readiness"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.starts_with("US-CERT (agency): United States Computer Emergency Readiness Team"),
        "{stdout}"
    );
    assert!(stdout.contains("now part of: CISA"), "{stdout}");
    let (stdout, _, _) = run_plain(&["vocab", "agencies", "CISA", "--json"]);
    let v: Value = serde_json::from_str(&stdout).expect("json");
    let cisa = v
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["name"] == "CISA")
        .expect("CISA");
    assert_eq!(cisa["parent"], "DHS");
    assert!(cisa["predecessors"]
        .as_array()
        .expect("preds")
        .iter()
        .any(|p| p == "ICS-CERT"));
    let (_, _, code) = run_plain(&["vocab", "topics", "no such thing at all"]);
    assert_eq!(code, Some(1));
}

fn run_plain(args: &[&str]) -> (String, String, Option<i32>) {
    let out = cpsearch().args(args).output().expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn unknown_facet_values_get_did_you_mean() {
    for (args, want) in [
        (vec!["", "--agency", "Europool"], "did you mean \"Europol\""),
        (vec!["", "--agency", "CSA"], "\"CSA Singapore\""),
        (vec!["agency:europool"], "did you mean \"Europol\""),
        (
            vec!["", "--topic", "ransomwear"],
            "did you mean \"ransomware\"",
        ),
        (vec!["", "--country", "Rusia"], "did you mean \"Russia\""),
    ] {
        let (_, stderr, code) = run("search", &args, corpus_index());
        assert_eq!(code, Some(2), "{args:?}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    let (_, stderr, code) = run("timeline", &["--agency", "Europool"], corpus_index());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("did you mean \"Europol\""), "{stderr}");
}

#[test]
fn search_exports_csv_tsv_jsonl_and_markdown() {
    let index = corpus_index();
    let expected = json("search", &["ransomware", "--json", "-n", "5"], index);
    let hits = expected["hits"].as_array().expect("hits");
    let (csv_text, _, code) = run(
        "search",
        &["ransomware", "-n", "5", "--format", "csv"],
        index,
    );
    assert_eq!(code, Some(0));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        [
            "id",
            "title",
            "date",
            "source",
            "author",
            "agencies",
            "topics",
            "countries",
            "url",
            "snippet"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), hits.len());
    for (row, hit) in rows.iter().zip(hits) {
        assert_eq!(&row[0], hit["id"].as_str().expect("id"));
        let agencies: Vec<&str> = hit["agencies"]
            .as_array()
            .expect("a")
            .iter()
            .map(|a| a.as_str().expect("s"))
            .collect();
        assert_eq!(&row[5], agencies.join("; "));
        assert!(
            !row[9].contains('<') && !row[9].contains('['),
            "plain snippet: {}",
            &row[9]
        );
    }
    let (tsv, _, _) = run(
        "search",
        &["ransomware", "-n", "5", "--format", "tsv"],
        index,
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_reader(tsv.as_bytes());
    assert_eq!(reader.records().count(), hits.len());
    let (jsonl, _, _) = run(
        "search",
        &["ransomware", "-n", "5", "--format", "jsonl"],
        index,
    );
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), hits.len());
    assert_eq!(lines[0]["title"], hits[0]["title"]);
    let (md, _, _) = run(
        "search",
        &["ransomware", "-n", "5", "--format", "md"],
        index,
    );
    let items: Vec<&str> = md.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(items.len(), hits.len(), "{md}");
    let linked = hits
        .iter()
        .position(|h| h["url"].is_string())
        .expect("a hit with a URL");
    let url = hits[linked]["url"].as_str().expect("url");
    assert!(
        items[linked].contains(&format!("](<{url}>)")),
        "{}",
        items[linked]
    );
}

#[test]
fn sort_date_asc_lists_oldest_first_and_undated_last() {
    let v = json(
        "search",
        &["", "--sort", "date-asc", "--json", "-n", "200"],
        corpus_index(),
    );
    let dates: Vec<Option<String>> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["date"].as_str().map(String::from))
        .collect();
    assert_eq!(dates.len(), label_dates().len());
    let dated: Vec<&String> = dates.iter().flatten().collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "{dated:?}");
    let first_undated = dates
        .iter()
        .position(Option::is_none)
        .unwrap_or(dates.len());
    assert!(
        dates[first_undated..].iter().all(Option::is_none),
        "undated last: {dates:?}"
    );
}

#[test]
fn stats_all_lists_every_value() {
    let stats = json("stats", &["--json"], corpus_index());
    let (stdout, _, code) = run("stats", &["--all"], corpus_index());
    assert_eq!(code, Some(0));
    let agencies = stats["facets"]["agency"].as_object().expect("agencies");
    assert!(agencies.len() > 15, "more than the short listing shows");
    assert!(
        stdout.contains(&format!("agency ({} values)", agencies.len())),
        "{stdout}"
    );
    for name in agencies.keys() {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_end().ends_with(&format!("  {name}"))),
            "{name} listed"
        );
    }
}

#[test]
fn csv_export_cells_that_look_like_formulas_stay_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    std::fs::write(
        corpus.join("a.md"),
        "---\ntitle: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"click\\\")\"\nsource: \"@evil\"\n\
         date: 2021-05-01\n---\n\nTreasury announced sanctions on a ransomware group.\n",
    )
    .expect("write");
    let index = dir.path().join("idx");
    cpsearch()
        .args(["index", "--quiet", "--index"])
        .arg(&index)
        .arg(&corpus)
        .assert()
        .success();
    let hit = &json("search", &["sanctions", "--json"], &index)["hits"][0];
    assert!(
        hit["title"]
            .as_str()
            .expect("title")
            .starts_with("=HYPERLINK"),
        "JSON keeps the title as written: {hit}"
    );
    for (format, delimiter) in [("csv", b','), ("tsv", b'\t')] {
        let (text, err, code) = run("search", &["sanctions", "--format", format], &index);
        assert_eq!(code, Some(0), "{err}");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let row = reader.records().next().expect("a row").expect("parses");
        assert!(row[1].starts_with("'=HYPERLINK"), "{format}: {:?}", &row[1]);
        assert_eq!(&row[3], "'@evil", "{format}");
        assert_eq!(&row[2], "2021-05-01", "dates are left alone");
    }
    let (jsonl, _, _) = run("search", &["sanctions", "--format", "jsonl"], &index);
    assert!(jsonl.contains("\"title\":\"=HYPERLINK"), "{jsonl}");
}
