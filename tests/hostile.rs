//! Bad input never stops a run: each hostile file is skipped or read
//! best-effort with its path and reason on stderr, every other article is
//! still extracted, nothing outside the walked root is read, and no input
//! makes the process panic.

use std::path::Path;

mod common;

use assert_cmd::Command;
use common::extract;

const GOOD: &str =
    "Good Article Title\n\nPublished: 2021-03-04\n\nThe NSA published guidance on Tuesday.\n";
const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-CORPUS";

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write fixture");
}

/// A corpus with one good article and every kind of bad file; the secret
/// lives beside the corpus, not in it.
fn hostile_corpus() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tmp.path().join("secret.txt");
    std::fs::write(&outside, SECRET).expect("secret");
    let c = tmp.path().join("corpus");
    write(&c, "good.txt", GOOD);
    write(&c, "empty.txt", "");
    write(
        &c,
        "binary.txt",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00binary",
    );
    write(
        &c,
        "truncated.json",
        r#"{"title": "Cut off", "body": "The text stops"#,
    );
    write(&c, "malformed.xml", "<rss><channel><item><title>Unclosed");
    write(
        &c,
        "laughs.xml",
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>t</title><item><title>&lol3;</title><description>x</description></item></channel></rss>"#,
    );
    write(
        &c,
        "xxe.rss",
        format!(
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{}">]><rss version="2.0"><channel><title>t</title><item><title>&xxe;</title><description>x</description></item></channel></rss>"#,
            outside.display()
        ),
    );
    write(&c, "deep.json", "[".repeat(200_000));
    write(
        &c,
        "deep.html",
        format!(
            "<html><body>{}Deep nesting survives the parser.{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        ),
    );
    write(&c, "mixed.jsonl", "{\"title\":\"Line one\",\"text\":\"ok\"}\nnot json at all\n{\"title\":\"Line three\",\"text\":\"ok\"}\n");
    write(
        &c,
        "latin1.txt",
        b"Caf\xe9 Policy Title\n\nThe minist\xe8re said CISA helped.\n",
    );
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "UTF-16 Article Title\n\nBody from Windows Notepad.\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write(&c, "utf16.txt", utf16);
    write(
        &c,
        "bad-date.md",
        "---\ntitle: Impossible Date Story\ndate: 2020-02-30\n---\nThe body is still here.\n",
    );
    write(
        &c,
        "broken-front-matter.md",
        "---\ntitle: [unclosed\n---\n# Heading Title\n\nBody survives.\n",
    );
    write(&c, "name with spaces.txt", "Spaced Name Title\n\nBody.\n");
    write(&c, "new\nline.txt", "Newline Name Title\n\nBody.\n");
    std::fs::create_dir_all(c.join("loop")).expect("mkdir");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&c, c.join("loop/back-to-root")).expect("symlink");
        std::os::unix::fs::symlink(&outside, c.join("leak.txt")).expect("symlink");
        use std::os::unix::ffi::OsStrExt;
        let raw = std::ffi::OsStr::from_bytes(b"latin-\xe9-name.txt");
        std::fs::write(c.join(raw), "Raw Byte Name Title\n\nBody.\n").expect("write");
    }
    tmp
}

#[test]
fn every_hostile_file_is_reported_and_every_good_article_lands() {
    let tmp = hostile_corpus();
    let corpus = tmp.path().join("corpus");
    let (docs, stderr, code) = extract(&corpus, &[]);
    assert_eq!(code, Some(0), "a completed run exits 0: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let titles: Vec<&str> = docs.iter().filter_map(|d| d["title"].as_str()).collect();
    for title in [
        "Good Article Title",
        "Line one",
        "Line three",
        "Café Policy Title",
        "UTF-16 Article Title",
        "Impossible Date Story",
        "Heading Title",
        "Spaced Name Title",
        "Newline Name Title",
        "Raw Byte Name Title",
    ] {
        assert!(
            titles.contains(&title),
            "{title} missing from {titles:?}\n{stderr}"
        );
    }
    for (file, reason) in [
        ("empty.txt", "empty file"),
        ("binary.txt", "binary file"),
        ("truncated.json", "invalid JSON"),
        ("malformed.xml", "invalid feed"),
        ("laughs.xml", "declares entities"),
        ("xxe.rss", "declares entities"),
        ("deep.json", "recursion limit"),
        ("mixed.jsonl: line 2", "invalid JSON"),
        ("leak.txt", "outside the corpus"),
        ("loop/back-to-root", "not followed"),
    ] {
        let line = stderr.lines().find(|l| l.contains(file));
        assert!(
            line.is_some_and(|l| l.contains(reason)),
            "{file}: expected {reason:?} in {stderr}"
        );
    }
    assert!(
        stderr.contains("warning deep.html: HTML nested deeper"),
        "{stderr}"
    );
    assert!(
        docs.iter().any(|d| d["body"]
            .as_str()
            .is_some_and(|b| b.contains("Deep nesting survives"))),
        "deep HTML read best-effort"
    );
    assert!(
        stderr.contains("warning latin1.txt: not valid UTF-8; decoded as windows-1252"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning utf16.txt: decoded from UTF-16LE"),
        "{stderr}"
    );
    assert!(
        stderr.contains("impossible date \"2020-02-30\""),
        "{stderr}"
    );
    assert!(stderr.contains("front matter does not parse"), "{stderr}");
    let bad_date = docs
        .iter()
        .find(|d| d["title"] == "Impossible Date Story")
        .expect("kept");
    assert!(bad_date["date"].is_null());
    let everything = format!("{docs:?}{stderr}");
    assert!(
        !everything.contains(SECRET),
        "read a file outside the corpus"
    );
}

#[test]
fn strict_turns_skips_into_exit_status_2() {
    let tmp = hostile_corpus();
    let (_, _, code) = extract(&tmp.path().join("corpus"), &["--strict"]);
    assert_eq!(code, Some(2));
}

#[test]
fn files_over_the_size_limit_are_skipped_with_the_reason() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "good.txt", GOOD);
    // A 100 MB single line: over the default 20 MB limit, never read into memory.
    let big = std::fs::File::create(tmp.path().join("huge-line.txt")).expect("create");
    big.set_len(100 * 1024 * 1024).expect("sparse file");
    let (docs, stderr, code) = extract(tmp.path(), &[]);
    assert_eq!((docs.len(), code), (1, Some(0)), "{stderr}");
    assert!(
        stderr.contains(
            "skipped huge-line.txt: file is 104857600 bytes, over the 20971520-byte limit"
        ),
        "{stderr}"
    );
    let (docs, stderr, _) = extract(tmp.path(), &["--max-file-size", "10"]);
    assert!(docs.is_empty(), "{stderr}");
}

#[test]
fn index_survives_the_hostile_corpus_and_searches() {
    let tmp = hostile_corpus();
    let idx = tmp.path().join("idx");
    Command::cargo_bin("cpsearch")
        .expect("binary")
        .arg("index")
        .arg(tmp.path().join("corpus"))
        .arg("--index")
        .arg(&idx)
        .assert()
        .success();
    let out = Command::cargo_bin("cpsearch")
        .expect("binary")
        .args(["search", "guidance", "--json", "--index"])
        .arg(&idx)
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["hits"][0]["title"], "Good Article Title");
}
