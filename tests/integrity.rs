//! Never lose or garble an article (issue 10, items 1–5, 13 and the empty
//! folder of 15): ids unique per file, options remembered per file, rebuilds
//! that keep the old index searchable, folders that are not an index,
//! damaged indexes, full disks and read-only folders, and a terminal that
//! is not flooded. Each test is named after the bug it pins.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn bin() -> StdCommand {
    StdCommand::cargo_bin("cpsearch").expect("binary")
}

fn run(args: &[&str], paths: &[&Path]) -> Output {
    bin().args(args).args(paths).output().expect("runs")
}

/// `cpsearch index PATHS… --index IDX [FLAGS…] --json`: the summary.
fn index(paths: &[&Path], idx: &Path, flags: &[&str]) -> Value {
    let out = bin()
        .arg("index")
        .args(paths)
        .arg("--index")
        .arg(idx)
        .args(flags)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "index failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout).expect("json")["summary"].clone()
}

/// The stderr of a human (non-JSON) index run, asserting success.
fn index_human(paths: &[&Path], idx: &Path, flags: &[&str]) -> String {
    let out = bin()
        .arg("index")
        .args(paths)
        .arg("--index")
        .arg(idx)
        .args(flags)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "index failed: {err}");
    err
}

fn search(idx: &Path, query: &str) -> Value {
    let out = bin()
        .args(["search", query, "--limit", "1000", "--json", "--index"])
        .arg(idx)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "search failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn total(idx: &Path) -> u64 {
    search(idx, "*")["total_hits"].as_u64().expect("total")
}

fn article(title: &str, said: &str) -> String {
    format!("{title}\n\nPublished: 2022-01-02\n\nThe FBI said {said}.\n")
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn saved_page(title: &str, url: Option<&str>) -> String {
    let canonical = url
        .map(|u| {
            format!(
                "<link rel=\"canonical\" href=\"{u}\"><meta property=\"og:url\" content=\"{u}\">"
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html><html><head><title>{title}</title>{canonical}</head><body><article><h1>{title}</h1>\
         <p>The agency said the ransomware attack on the hospital network disrupted care for days, and \
         officials urged others to patch their remote access servers without delay.</p>\
         <p>Investigators were still working to establish how the intruders got in.</p></article></body></html>"
    )
}

#[test]
fn same_file_name_under_two_roots_was_one_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("colA"), dir.path().join("colB"));
    write(&a.join("note.txt"), &article("Alpha note", "ransomware"));
    write(&b.join("note.txt"), &article("Bravo note", "phishing"));

    let both = dir.path().join("both");
    let s = index(&[&a, &b], &both, &[]);
    assert_eq!(
        (s["added"].as_u64(), s["total_documents"].as_u64()),
        (Some(2), Some(2))
    );

    // The same in separate runs into one index.
    let apart = dir.path().join("apart");
    index(&[&a], &apart, &[]);
    let s = index(&[&b], &apart, &[]);
    assert_eq!(s["total_documents"].as_u64(), Some(2));
    assert_eq!(search(&apart, "alpha")["total_hits"], 1);
    assert_eq!(search(&apart, "bravo")["total_hits"], 1);

    // Re-running one root leaves the other's document alone.
    let s = index(&[&a], &apart, &[]);
    assert_eq!(
        (s["removed"].as_u64(), s["total_documents"].as_u64()),
        (Some(0), Some(2))
    );
}

#[test]
fn saved_pages_all_named_index_html_collided_and_same_url_files_were_not_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("pages");
    write(
        &corpus.join("one/index.html"),
        &saved_page("Hospital hit", None),
    );
    write(
        &corpus.join("two/index.html"),
        &saved_page("Water utility hit", None),
    );
    write(
        &corpus.join("three/index.html"),
        &saved_page("Grid operator hit", Some("https://news.example/grid")),
    );
    // A second copy of the same article, saved twice.
    write(
        &corpus.join("three-again/index.html"),
        &saved_page("Grid operator hit", Some("https://news.example/grid")),
    );
    let idx = dir.path().join("idx");
    let s = index(&[&corpus], &idx, &[]);
    assert_eq!(s["total_documents"].as_u64(), Some(3), "{s}");
    assert_eq!(s["same_article_files"].as_u64(), Some(1), "{s}");

    let err = index_human(&[&corpus], &dir.path().join("idx2"), &[]);
    assert!(
        err.contains("1 files were the same article as another (same URL)"),
        "{err}"
    );

    // Deleting one copy keeps the article: the other still holds it.
    std::fs::remove_dir_all(corpus.join("three")).expect("rm");
    let s = index(&[&corpus], &idx, &[]);
    assert_eq!(s["total_documents"].as_u64(), Some(3), "{s}");
    std::fs::remove_dir_all(corpus.join("three-again")).expect("rm");
    let s = index(&[&corpus], &idx, &[]);
    assert_eq!(s["total_documents"].as_u64(), Some(2), "{s}");
}

#[test]
fn file_skipped_for_max_file_size_stayed_skipped_after_the_limit_was_raised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    write(&corpus.join("small.txt"), &article("Small", "ransomware"));
    let long = format!(
        "{}{}",
        article("Long", "sanctions"),
        "More words here. ".repeat(200)
    );
    write(&corpus.join("long.txt"), &long);
    let idx = dir.path().join("idx");

    let s = index(&[&corpus], &idx, &["--max-file-size", "1000"]);
    assert_eq!(
        (s["total_documents"].as_u64(), s["skipped_files"].as_u64()),
        (Some(1), Some(1))
    );
    // Unchanged and still over the limit: still counted as skipped.
    let s = index(&[&corpus], &idx, &["--max-file-size", "1000"]);
    assert_eq!(
        (s["skipped_files"].as_u64(), s["skipped_before"].as_u64()),
        (Some(1), Some(1))
    );

    let err = index_human(&[&corpus], &idx, &[]);
    assert!(
        err.contains("re-read 1 files: --max-file-size now admits them"),
        "{err}"
    );
    assert!(err.contains("; 0 skipped"), "the old skip is gone: {err}");
    assert_eq!(search(&idx, "long")["total_hits"], 1);

    // Lowering it again takes the document out, and says why.
    let s = index(&[&corpus], &idx, &["--max-file-size", "1000"]);
    assert_eq!(
        (s["removed"].as_u64(), s["total_documents"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn date_from_mtime_on_an_existing_index_changed_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    write(
        &corpus.join("undated.txt"),
        "Undated note\n\nThe FBI said phishing.\n",
    );
    write(&corpus.join("dated.txt"), &article("Dated", "ransomware"));
    let idx = dir.path().join("idx");
    index(&[&corpus], &idx, &[]);
    let undated = |idx: &Path| search(idx, "undated")["hits"][0]["date"].clone();
    assert_eq!(undated(&idx), Value::Null);

    let s = index(&[&corpus], &idx, &["--date-from-mtime"]);
    assert_eq!(
        s["reread"][0]["files"].as_u64(),
        Some(1),
        "only the undated file: {s}"
    );
    assert!(undated(&idx).is_string(), "dated from mtime now");

    // Same options again: nothing to do.
    let s = index(&[&corpus], &idx, &["--date-from-mtime"]);
    assert_eq!(
        (s["indexed"].as_u64(), s["unchanged_files"].as_u64()),
        (Some(0), Some(2))
    );
}

#[test]
fn full_rebuild_showed_searches_an_empty_then_partial_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    const FILES: u64 = 300;
    for i in 0..FILES {
        write(
            &corpus.join(format!("a{i:03}.txt")),
            &article(&format!("Article {i}"), "ransomware"),
        );
    }
    let idx = dir.path().join("idx");
    index(&[&corpus], &idx, &[]);
    assert_eq!(total(&idx), FILES);

    // A commit per document would expose every step of the old rebuild.
    let mut child = bin()
        .args([
            "index",
            "--full",
            "--commit-every",
            "1",
            "--quiet",
            "--index",
        ])
        .arg(&idx)
        .arg(&corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut seen = Vec::new();
    let mut during = 0;
    loop {
        let running = child.try_wait().expect("wait").is_none();
        seen.push(total(&idx));
        if !running {
            break;
        }
        during += 1;
    }
    let out = child.wait_with_output().expect("waits");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        seen.iter().all(|&n| n == FILES),
        "searches during --full saw {seen:?} ({during} while running)"
    );
    eprintln!("{during} searches ran during the rebuild");
}

#[test]
fn index_into_a_folder_that_is_not_an_index_wrote_tantivy_files_into_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    write(&corpus.join("a.txt"), &article("Alpha", "ransomware"));
    let before: Vec<_> = list(&corpus);
    let out = run(&["index", "--index"], &[&corpus, &corpus]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a cpsearch index"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(list(&corpus), before, "nothing written");
}

fn list(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    names
}

#[test]
fn damaged_index_looked_empty_or_gave_tantivy_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    write(&corpus.join("a.txt"), &article("Alpha", "ransomware"));
    write(&corpus.join("b.txt"), &article("Bravo", "phishing"));
    let good = dir.path().join("good");
    index(&[&corpus], &good, &[]);

    let no_meta = dir.path().join("no-meta");
    copy_dir(&good, &no_meta);
    std::fs::remove_file(no_meta.join("meta.json")).expect("rm");

    let truncated = dir.path().join("truncated");
    copy_dir(&good, &truncated);
    let store = list(&truncated)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .expect("a segment store");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&store)
        .expect("open");
    file.set_len(10).expect("truncate");

    for damaged in [&no_meta, &truncated] {
        let out = run(&["search", "alpha", "--index"], &[damaged]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is damaged"), "{err}");
        assert!(err.contains("cpsearch index"), "says how to fix it: {err}");
        assert_eq!(err.lines().count(), 1, "said once: {err}");
        assert!(
            !err.contains("IoError") && !err.contains("{"),
            "no debug output: {err}"
        );

        let err = index_human(&[&corpus], damaged, &[]);
        assert!(err.contains("the index was damaged"), "{err}");
        assert_eq!(total(damaged), 2);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// An index of two small articles plus a corpus with one large new file.
fn indexed_then_grown(dir: &Path) -> (PathBuf, PathBuf) {
    let corpus = dir.join("c");
    write(&corpus.join("a.txt"), &article("Alpha", "ransomware"));
    write(&corpus.join("b.txt"), &article("Bravo", "phishing"));
    let idx = dir.join("idx");
    index(&[&corpus], &idx, &[]);
    let words: String = (0..150_000).map(|i| format!("word{i} ")).collect();
    write(&corpus.join("large.txt"), &format!("Large\n\n{words}\n"));
    (corpus, idx)
}

#[test]
fn write_limit_killed_the_process_or_lost_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, idx) = indexed_then_grown(dir.path());
    // 200 blocks (100 KB in sh's 512-byte blocks): room for the small files
    // already written, not for the new segment.
    let bin = assert_cmd::cargo::cargo_bin("cpsearch");
    let out = StdCommand::new("sh")
        .arg("-c")
        .arg("ulimit -f 200 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .arg("index")
        .arg(&corpus)
        .arg("--index")
        .arg(&idx)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit 2, not killed by SIGXFSZ: {err}"
    );
    assert!(err.contains("cannot write the index"), "{err}");
    assert!(
        err.contains("the disk is full or a file-size limit"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(total(&idx), 2, "the previous index is intact");
    // Once there is room the next run finishes the job.
    let s = index(&[&corpus], &idx, &[]);
    assert_eq!(s["total_documents"].as_u64(), Some(3));
}

#[test]
fn read_only_index_folder_gave_a_busy_or_unclear_error() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;

    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, idx) = indexed_then_grown(dir.path());
    let as_root = unsafe { libc::geteuid() } == 0;
    let mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    // Root writes through any mode bits, so as root the run drops to the
    // unprivileged user "nobody", who owns the index files (so it can read
    // them) but not the right to add files to the folder.
    const NOBODY: u32 = 65534;
    if as_root {
        mode(dir.path(), 0o755);
        for p in std::iter::once(idx.clone()).chain(list(&idx)) {
            std::os::unix::fs::chown(&p, Some(NOBODY), Some(NOBODY)).expect("chown");
        }
    }
    mode(&idx, 0o555);
    let mut cmd = bin();
    cmd.arg("index").arg(&corpus).arg("--index").arg(&idx);
    if as_root {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(NOBODY) != 0
                    || libc::setuid(NOBODY) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let out = cmd.output().expect("runs");
    mode(&idx, 0o755);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write the index"), "{err}");
    assert!(err.contains("read-only or not writable"), "{err}");
    assert!(!err.contains("busy"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(total(&idx), 2, "the previous index is intact");
}

#[test]
fn quiet_printed_nothing_not_even_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    write(&corpus.join("a.txt"), &article("Alpha", "ransomware"));
    // Latin-1 bytes: read with a warning.
    let mut latin = article("Cafe", "sanctions").into_bytes();
    latin.extend_from_slice(b"Caf\xe9 cr\xe8me.\n");
    std::fs::write(corpus.join("latin.txt"), latin).expect("write");
    write(&corpus.join("empty.txt"), "  \n");
    let out = run(
        &["index", "--quiet", "--index"],
        &[&dir.path().join("idx"), &corpus],
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("skipped empty.txt"), "{err}");
    assert!(lines[1].starts_with("indexed 2 documents"), "{err}");
    assert!(!err.lines().any(|l| l.starts_with("warning")), "{err}");
}

#[test]
fn indexing_an_empty_folder_said_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let err = index_human(&[&empty], &dir.path().join("idx"), &[]);
    assert!(
        err.contains("warning:") && err.contains("holds no files to index"),
        "{err}"
    );
}

/// Under a pseudo-terminal (util-linux `script`), the progress bar redraws
/// at most about ten times a second and shows whole-number rates.
#[test]
fn progress_redrew_per_file_with_fractional_rates() {
    if StdCommand::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `script` (util-linux) is not installed, so no terminal to draw on");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    // Clean files: the old code still suspended (and redrew) per file.
    for i in 0..1500 {
        let text = article(&format!("Note {i}"), "ransomware");
        std::fs::write(corpus_file(&corpus, i), text).expect("write");
    }
    let bin = assert_cmd::cargo::cargo_bin("cpsearch");
    let command = format!(
        "{} index {} --index {} >/dev/null",
        bin.display(),
        corpus.display(),
        dir.path().join("idx").display()
    );
    let started = std::time::Instant::now();
    let out = StdCommand::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("COLUMNS", "120")
        .output()
        .expect("script runs");
    let secs = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    let draws = text.matches("indexing [").count();
    // indicatif allows a burst of 20 draws before its rate limit applies.
    assert!(
        (draws as f64) <= 10.0 * secs + 25.0,
        "{draws} redraws in {secs:.1}s"
    );
    let fractional = regex::Regex::new(r"\d\.\d+/s").expect("regex");
    assert!(!fractional.is_match(&text), "fractional rate: {text}");
}

fn corpus_file(corpus: &Path, i: usize) -> PathBuf {
    let path = corpus.join(format!("n{i:04}.txt"));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    path
}

#[test]
fn interrupted_full_rebuild_left_a_partial_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("c");
    const FILES: u64 = 5000;
    for i in 0..FILES {
        write(
            &corpus.join(format!("d{}/a{i:04}.txt", i % 10)),
            &article(&format!("Article {i}"), "sanctions"),
        );
    }
    let idx = dir.path().join("idx");
    index(&[&corpus], &idx, &[]);
    let child = bin()
        .args(["index", "--full", "--commit-every", "100", "--index"])
        .arg(&idx)
        .arg(&corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    std::thread::sleep(std::time::Duration::from_millis(700));
    // SAFETY: a plain kill(2) on the child we spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("waits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    if err.contains("interrupted") {
        assert!(err.contains("the previous index is unchanged"), "{err}");
    } else {
        eprintln!("the rebuild finished before Ctrl-C arrived: {err}");
    }
    assert_eq!(total(&idx), FILES, "{err}");
}
