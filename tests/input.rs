//! Regression tests for what users type and what the terminal gets back
//! (issue 10, "limits and input" and "terminal"): huge limits, several
//! words, exclusion-only queries, one date vocabulary, pasted typography,
//! plain error sentences, closed pipes, ids that `show` opens, wrapped
//! snippets, facet listings and empty indexes. Each test is named after the
//! bug it pins.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

mod common;

use common::cpsearch;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// An index of `corpus` in a fresh temporary directory.
fn index_of(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    cpsearch()
        .arg("index")
        .arg(corpus)
        .arg("--index")
        .arg(dir.path())
        .arg("--quiet")
        .assert()
        .success();
    dir
}

/// A corpus of plain-text files written into a temporary directory.
fn corpus(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write fixture");
    }
    dir
}

/// Runs `cpsearch search ARGS --index INDEX`: stdout, stderr, status.
fn search(index: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let out = cpsearch()
        .arg("search")
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// `search ARGS --json` parsed.
fn search_json(index: &Path, args: &[&str]) -> Value {
    // Before the arguments: a `--` among them ends the options.
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (stdout, stderr, code) = search(index, &all);
    assert!(code == Some(0) || code == Some(1), "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

fn total(v: &Value) -> u64 {
    v["total_hits"].as_u64().expect("total_hits")
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
fn huge_limit_or_offset_aborted_on_allocation_or_overflow() {
    let index = index_of(&fixtures());
    for args in [
        ["-n", "1000000000", "--sort", "date"],
        ["-n", "18446744073709551615", "--sort", "relevance"],
        ["--offset", "18446744073709551615", "--sort", "date"],
    ] {
        let mut all = vec!["ransomware"];
        all.extend(args);
        let v = search_json(index.path(), &all);
        assert_eq!(total(&v), 3, "{args:?}");
        let shown = v["hits"].as_array().expect("hits").len();
        assert!(shown <= 3, "{args:?}");
    }
    let both = search_json(
        index.path(),
        &[
            "",
            "-n",
            "18446744073709551615",
            "--offset",
            "18446744073709551615",
        ],
    );
    assert_eq!(both["hits"].as_array().map(Vec::len), Some(0));
    assert_eq!(total(&both), 9);
}

#[test]
fn several_positional_words_were_an_argument_error() {
    let index = index_of(&fixtures());
    let split = search_json(index.path(), &["ransomware", "pipeline"]);
    let quoted = search_json(index.path(), &["ransomware pipeline"]);
    assert_eq!(total(&split), 1);
    assert_eq!(titles(&split), titles(&quoted));
}

#[test]
fn exclusion_only_query_said_only_excluding_terms_given_twice() {
    let index = index_of(&fixtures());
    let v = search_json(index.path(), &["--", "-ransomware"]);
    assert_eq!(total(&v), 6, "9 documents, 3 mention ransomware");
    assert!(titles(&v).iter().all(|t| !t.contains("Ransomware")));
    let two = search_json(index.path(), &["--", "-ransomware -phishing"]);
    assert_eq!(total(&two), 4);
}

/// Runs cpsearch with ARGS and closes its stdout at once, as `| head -c 0`
/// would: status and stderr.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("cpsearch");
    let mut child = StdCommand::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn closed_pipe_printed_broken_pipe_and_exited_2() {
    // The shipped corpus: output larger than any buffer, so the failing
    // write happens inside the JSON writer, where the error was wrapped.
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let index = index_of(&shipped);
    let index = index.path().to_str().expect("utf-8 temp path");
    let shipped = shipped.to_str().expect("utf-8 path");
    for args in [
        vec!["extract", shipped],
        vec!["search", "", "--json", "-n", "200", "--index", index],
        vec!["search", "", "-n", "200", "--index", index],
        vec!["search", "", "--facets", "--index", index],
        vec!["stats", "--json", "--index", index],
    ] {
        let (code, stderr) = with_closed_stdout(&args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn errors_repeated_their_cause_or_printed_rust_debug_output() {
    let out = cpsearch()
        .args(["--taxonomy", "/no/such/taxonomy.toml", "extract"])
        .arg(fixtures())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");

    let index = index_of(&fixtures());
    for query in ["year:abc", "year:20x1"] {
        let (_, stderr, code) = search(index.path(), &[query]);
        assert_eq!(code, Some(2), "{query}");
        assert_eq!(stderr.lines().count(), 1, "{query}: {stderr}");
        assert!(
            !stderr.contains("ParseIntError") && !stderr.contains("{ kind"),
            "{query}: {stderr}"
        );
    }
}

/// Articles dated relative to today (the CLI reads the real clock), plus
/// fixed dates around an ambiguous day/month pair.
fn dated_corpus() -> (tempfile::TempDir, Vec<chrono::NaiveDate>) {
    let today = chrono::Utc::now().date_naive();
    let ago = |days| today - chrono::Days::new(days);
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let dates = vec![
        ago(3),
        ago(10),
        ago(200),
        ago(500),
        ago(800),
        day(2024, 2, 10),
        day(2024, 1, 2),
        day(2021, 6, 1),
    ];
    let files: Vec<(String, String)> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                format!("article-{i}.txt"),
                format!("Article number {i}\n\nPublished: {d}\n\nA note on sanctions policy.\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    (corpus(&refs), dates)
}

#[test]
fn relative_dates_were_read_as_future_or_refused() {
    let (dir, dates) = dated_corpus();
    let index = index_of(dir.path());
    let today = chrono::Utc::now().date_naive();
    let since = |from: chrono::NaiveDate| dates.iter().filter(|d| **d >= from).count() as u64;
    let months_back = |n| today - chrono::Months::new(n);
    for (when, want) in [
        ("2 weeks", since(today - chrono::Days::new(14))),
        ("2 weeks ago", since(today - chrono::Days::new(14))),
        ("1y", since(months_back(12))),
        ("a year ago", since(months_back(12))),
        ("2 years", since(months_back(24))),
        (
            "this year",
            since(
                chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1)
                    .expect("jan 1"),
            ),
        ),
    ] {
        let v = search_json(index.path(), &["", "--since", when]);
        assert_eq!(total(&v), want, "--since {when:?}");
    }
    // Sanity: the relative forms above are not all the same answer.
    assert_eq!(since(today - chrono::Days::new(14)), 2);
    assert!(since(months_back(24)) >= 4);
}

#[test]
fn year_and_month_dates_were_refused_by_from_and_to() {
    let (dir, dates) = dated_corpus();
    let index = index_of(dir.path());
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let between = |a, b| dates.iter().filter(|d| **d >= a && **d <= b).count() as u64;
    let v = search_json(index.path(), &["", "--from", "2024", "--to", "2024"]);
    assert_eq!(total(&v), between(day(2024, 1, 1), day(2024, 12, 31)));
    let v = search_json(index.path(), &["", "--from", "2024-02", "--to", "2024-02"]);
    assert_eq!(total(&v), 1);
    let year = search_json(index.path(), &["", "--year", "2024"]);
    let shorthand = search_json(index.path(), &["date:2024"]);
    assert_eq!(total(&year), total(&shorthand));
    let range = search_json(index.path(), &["date:[2021 TO 2024-01]"]);
    assert_eq!(total(&range), 2, "2021-06-01 and 2024-01-02");
}

#[test]
fn ambiguous_or_two_digit_dates_were_silently_guessed() {
    let (dir, _) = dated_corpus();
    let index = index_of(dir.path());
    for args in [
        vec!["", "--since", "01/02/2024"],
        vec!["", "--from", "01/02/2024"],
        vec!["date:01/02/2024"],
    ] {
        let (_, stderr, code) = search(index.path(), &args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(
            stderr.contains("2024-02-01") && stderr.contains("2024-01-02"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    for args in [
        vec!["", "--year", "21"],
        vec!["year:21"],
        vec!["", "--since", "soon"],
    ] {
        let (_, stderr, code) = search(index.path(), &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("e.g. ") || stderr.contains("use "),
            "{stderr}"
        );
    }
    // Either order is fine when only one reading is a day of the calendar.
    let v = search_json(
        index.path(),
        &["", "--from", "31/01/2024", "--to", "02/29/2024"],
    );
    assert_eq!(total(&v), 1, "2024-02-10");
}

#[test]
fn pasted_quotes_apostrophes_hyphens_spaces_and_accents_did_not_match_like_typed_text() {
    let dir = corpus(&[
        (
            "zurich.txt",
            "Talks in Zürich\n\nPublished: 2022-03-01\n\nDelegates met in Zürich to discuss Russia’s \
             hackers and critical\u{00A0}infrastructure. The supply\u{2011}chain attack was \
             described as généralement grave.\n",
        ),
        (
            "plain.txt",
            "Plain note\n\nPublished: 2022-03-02\n\nDelegates met in Zurich to discuss Russia's \
             hackers and critical infrastructure. The supply-chain attack continues.\n",
        ),
        (
            "other.txt",
            "Unrelated\n\nPublished: 2022-03-03\n\nCritical systems and infrastructure funding; \
             Russia said hackers were supplying chains.\n",
        ),
    ]);
    let index = index_of(dir.path());
    for (pasted, typed) in [
        ("“critical infrastructure”", "\"critical infrastructure\""),
        ("Russia’s hackers", "\"russia s\" hackers"),
        ("Russia's", "\"russia s\""),
        ("supply\u{2011}chain", "\"supply chain\""),
        (
            "critical\u{00A0}infrastructure Zurich",
            "critical infrastructure zurich",
        ),
        ("Zürich", "zurich"),
        ("generalement", "généralement"),
        ("delegates \u{2212}Zurich", "delegates -zurich"),
    ] {
        let a = search_json(index.path(), &[pasted]);
        let b = search_json(index.path(), &[typed]);
        assert_eq!(titles(&a), titles(&b), "{pasted:?} vs {typed:?}");
        assert!(total(&a) > 0 || pasted.contains('\u{2212}'), "{pasted:?}");
    }
    // The phrase matched as a phrase, not as two words anywhere.
    let phrase = search_json(index.path(), &["“critical infrastructure”"]);
    assert_eq!(total(&phrase), 2, "{:?}", titles(&phrase));
    let accents = search_json(index.path(), &["zurich"]);
    assert_eq!(total(&accents), 2, "{:?}", titles(&accents));
    let excluded = search_json(index.path(), &["delegates \u{2212}Zurich"]);
    assert_eq!(total(&excluded), 0);
}

fn show(index: &Path, handle: &str) -> (String, String, Option<i32>) {
    let out = cpsearch()
        .args(["show", handle, "--index"])
        .arg(index)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn show_could_not_open_what_search_printed() {
    let index = index_of(&fixtures());
    let (stdout, stderr, code) = search(index.path(), &["", "-n", "20"]);
    assert_eq!(code, Some(0), "{stderr}");
    // Each hit: "  N. title", meta, snippet, then the handle line.
    let blocks: Vec<&str> = stdout.split("\n\n").skip(1).collect();
    assert_eq!(blocks.len(), 9, "{stdout}");
    for block in blocks {
        let lines: Vec<&str> = block.lines().collect();
        let title = lines[0].split_once(". ").map(|(_, t)| t).expect("rank");
        let handle = lines.last().expect("handle line").trim();
        let handle = handle.split(" · ").next().expect("id");
        let (shown, stderr, code) = show(index.path(), handle);
        assert_eq!(code, Some(0), "show {handle}: {stderr}");
        assert_eq!(shown.lines().next(), Some(title), "show {handle}");
    }
}

#[test]
fn show_refused_a_path_or_path_item() {
    let index = index_of(&fixtures());
    let title = |handle: &str| {
        let (stdout, stderr, code) = show(index.path(), handle);
        assert_eq!(code, Some(0), "show {handle}: {stderr}");
        stdout.lines().next().unwrap_or_default().to_string()
    };
    let orion = "Hackers Trojanized an IT Monitoring Update";
    assert_eq!(title("markdown/2020-12-14-orion.md"), orion);
    assert_eq!(title("./markdown/2020-12-14-orion.md"), orion);
    let full = fixtures().join("markdown/2020-12-14-orion.md");
    assert_eq!(title(full.to_str().expect("utf-8")), orion);
    assert_eq!(title("json/dump.json#2"), "ENISA Publishes Phishing Report");
    assert_eq!(
        title("feeds/wire.rss#2"),
        "Lawmakers Fund Critical Infrastructure Grants"
    );
    // A file with several articles names them instead of guessing.
    let (_, stderr, code) = show(index.path(), "feeds/wire.rss");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("holds 2 documents"), "{stderr}");
    let (_, stderr, code) = show(index.path(), "feeds/wire.rss#9");
    assert_eq!(code, Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn snippets_ran_past_the_terminal_width_or_split_words() {
    let index = index_of(&fixtures());
    let run = |columns: Option<&str>| {
        let mut cmd = cpsearch();
        cmd.args([
            "search",
            "ransomware OR phishing OR sanctions",
            "-n",
            "9",
            "--index",
        ])
        .arg(index.path());
        match columns {
            Some(c) => cmd.env("COLUMNS", c),
            None => cmd.env_remove("COLUMNS"),
        };
        let out = cmd.output().expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let narrow = run(Some("50"));
    let wide = run(None);
    // Snippet lines are the indented lines between the meta and handle lines.
    let snippet_words = |text: &str| -> Vec<String> {
        text.split("\n\n")
            .skip(1)
            .flat_map(|block| {
                let lines: Vec<&str> = block.lines().collect();
                let inner = &lines[2..lines.len().saturating_sub(1)];
                inner
                    .iter()
                    .flat_map(|l| l.split_whitespace().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert!(
        narrow.lines().count() > wide.lines().count() + 5,
        "{narrow}"
    );
    for block in narrow.split("\n\n").skip(1) {
        let lines: Vec<&str> = block.lines().collect();
        for line in &lines[2..lines.len() - 1] {
            assert!(line.chars().count() <= 50, "too wide: {line:?}");
            assert!(line.starts_with("     "), "not indented: {line:?}");
        }
    }
    assert_eq!(
        snippet_words(&narrow),
        snippet_words(&wide),
        "words were split or lost"
    );
}

#[test]
fn year_facet_hid_undated_documents() {
    let dir = corpus(&[
        (
            "dated.txt",
            "Dated note\n\nPublished: 2022-03-01\n\nSanctions policy.\n",
        ),
        (
            "undated.txt",
            "Undated note\n\nSanctions policy without a date.\n",
        ),
    ]);
    let index = index_of(dir.path());
    let v = search_json(index.path(), &["sanctions", "--facet", "year"]);
    assert_eq!(
        v["facets"]["year"],
        serde_json::json!({"2022": 1, "undated": 1})
    );
    let (stdout, _, _) = search(index.path(), &["sanctions", "--facet", "year"]);
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().eq(["1", "undated"])),
        "{stdout}"
    );
}

#[test]
fn facets_listed_only_fifteen_values_with_no_way_to_see_all() {
    let dir = corpus(
        &(0..20)
            .map(|i| {
                (
                    format!("s{i:02}.txt"),
                    format!("Note {i}\n\nPublished: {}-01-01\n\nText.\n", 2000 + i),
                )
            })
            .collect::<Vec<_>>()
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect::<Vec<_>>(),
    );
    let index = index_of(dir.path());
    let year_lines = |args: &[&str]| {
        let mut all = vec!["", "--facet", "year"];
        all.extend_from_slice(args);
        let (stdout, _, _) = search(index.path(), &all);
        let facets = stdout
            .split("\nyear\n")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        facets.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let default = year_lines(&[]);
    assert_eq!(
        default.len(),
        16,
        "15 values and a 'more' line: {default:?}"
    );
    assert!(default[15].contains("5 more"), "{default:?}");
    assert_eq!(year_lines(&["--facet-limit", "0"]).len(), 20);
    assert_eq!(year_lines(&["--facet-limit", "3"]).len(), 4);
    let v = search_json(index.path(), &["", "--facet", "year", "--facet-limit", "3"]);
    assert_eq!(v["facets"]["year"].as_object().map(|o| o.len()), Some(3));
    let all = search_json(index.path(), &["", "--facet", "year"]);
    assert_eq!(all["facets"]["year"].as_object().map(|o| o.len()), Some(20));
    let stats = cpsearch()
        .args(["stats", "--facet-limit", "0", "--index"])
        .arg(index.path())
        .output()
        .expect("runs");
    let stats = String::from_utf8_lossy(&stats.stdout);
    assert!(stats.contains("2000") && stats.contains("2019"), "{stats}");
}

#[test]
fn search_on_an_empty_or_building_index_said_only_0_matches() {
    let empty = tempfile::tempdir().expect("tempdir");
    let index = index_of(empty.path());
    let (stdout, stderr, code) = search(index.path(), &["sanctions"]);
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with("0 matches"), "{stdout}");
    assert!(stderr.contains("has no documents"), "{stderr}");
    assert!(stderr.contains("cpsearch index"), "{stderr}");

    // A live process named in the writer's pid file is an index run in
    // progress (the first one here: nothing committed yet). Processes are
    // seen through /proc.
    if !cfg!(target_os = "linux") {
        return;
    }
    let mut writer = StdCommand::new("sleep")
        .arg("30")
        .spawn()
        .expect("sleep runs");
    std::fs::write(
        index.path().join("cpsearch.writer.pid"),
        writer.id().to_string(),
    )
    .expect("pid file");
    let (_, stderr, code) = search(index.path(), &["sanctions", "--json"]);
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(code, Some(1));
    assert!(stderr.contains("still being built"), "{stderr}");
    // Once the writer is gone, it is just empty again.
    let (_, stderr, _) = search(index.path(), &["sanctions"]);
    assert!(stderr.contains("has no documents"), "{stderr}");
}

#[test]
fn soft_hyphens_and_decomposed_accents_in_documents_split_words() {
    let dir = corpus(&[
        (
            "pasted.txt",
            "Pasted page\n\nPublished: 2022-03-01\n\nThe cyber\u{00AD}security agency in Zu\u{0308}rich \
             met on zero\u{200B}day flaws.\n",
        ),
        ("other.txt", "Other page\n\nPublished: 2022-03-02\n\nNothing to see.\n"),
    ]);
    let index = index_of(dir.path());
    for query in ["cybersecurity", "Zurich", "Zürich", "zeroday"] {
        let v = search_json(index.path(), &[query]);
        assert_eq!(titles(&v), ["Pasted page"], "{query}");
    }
    let v = search_json(index.path(), &["cybersecurity"]);
    let snippet = v["hits"][0]["snippet"].as_str().unwrap_or_default();
    assert!(
        snippet.contains("<b>cyber\u{00AD}security</b>"),
        "{snippet}"
    );
    // Highlights find the accented word a plain query matched.
    let v = search_json(index.path(), &["Zurich"]);
    let snippet = v["hits"][0]["snippet"].as_str().unwrap_or_default();
    assert!(snippet.contains("<b>Zu\u{0308}rich</b>"), "{snippet}");
}

#[test]
fn date_bounds_beyond_the_years_the_index_holds_do_not_overflow() {
    // tantivy keeps dates as i64 nanoseconds; `--from 1000-01-01` used to
    // overflow that (a panic in debug builds, a wrapped bound in release).
    let dir = corpus(&[
        (
            "a.txt",
            "Sanctions on a hacking group\n\nPublished: 2021-03-04\n\nTreasury announced sanctions today.",
        ),
        (
            "b.txt",
            "More sanctions\n\nPublished: 1999-12-31\n\nThe sanctions were widened.",
        ),
    ]);
    let idx = index_of(dir.path());
    for bounds in [
        &["--from", "1000-01-01"][..],
        &["--to", "9999-12-31"],
        &["--from", "1000-01-01", "--to", "9999-12-31"],
    ] {
        let mut args = vec!["sanctions", "--json"];
        args.extend_from_slice(bounds);
        let (out, err, code) = search(idx.path(), &args);
        assert_eq!(code, Some(0), "{bounds:?}: {err}");
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["total_hits"], 2, "{bounds:?}: {out}");
    }
    let (out, err, code) = search(idx.path(), &["sanctions", "--json", "--to", "1000-01-01"]);
    assert_eq!(code, Some(1), "no hits: {err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["total_hits"], 0, "{out}");
}

#[test]
fn an_article_dated_before_the_years_the_index_holds_is_kept_undated_with_a_warning() {
    let dir = corpus(&[(
        "old.json",
        r#"{"title": "Old sanctions note", "date": "0001-01-01", "body": "Treasury sanctions were announced."}"#,
    )]);
    let idx = tempfile::tempdir().expect("tempdir");
    let out = cpsearch()
        .arg("index")
        .arg(dir.path())
        .arg("--index")
        .arg(idx.path())
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("outside the years"), "{err}");
    let (out, _, _) = search(idx.path(), &["sanctions", "--json"]);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["total_hits"], 1, "{out}");
    assert_eq!(v["hits"][0]["date"], Value::Null, "{out}");
}
