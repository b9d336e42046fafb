//! The export proven on a real distributed engine: two Sphinx searchd
//! shards on loopback and a distributed index over them on the first. The
//! shipped corpus is exported with `--to sphinx --shards 2`, each shard
//! loads its own SphinxQL file, and the coordinator's counts must equal
//! cpsearch's exactly for agency, year and date-range filters, and within
//! 1% for term queries. Terms are matched in `title_stem`/`body_stem`, which
//! hold our Porter2 stems: Sphinx's own `stem_en` is a Porter stemmer and
//! disagrees on some words ("communication": "commun" there, "communic"
//! here), which is why the stems are exported. Needs `searchd`
//! (Debian's `sphinxsearch`) and a MySQL client; `.ci/run` installs both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cpsearch::export::{export_fields, sphinx};
use cpsearch::index::Store;
use serde_json::Value;

mod common;
use common::cpsearch;

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--help")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty())
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running searchd, stopped when dropped (also when the test fails).
struct Searchd {
    config: PathBuf,
    pid_file: PathBuf,
}

impl Searchd {
    fn start(config: PathBuf, pid_file: PathBuf) -> Searchd {
        // Guard first, so a half-started daemon is still stopped.
        let guard = Searchd { config, pid_file };
        let out = Command::new("searchd")
            .arg("--config")
            .arg(&guard.config)
            .output()
            .expect("searchd runs");
        assert!(
            out.status.success(),
            "searchd failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        guard
    }
}

impl Drop for Searchd {
    fn drop(&mut self) {
        let stopped = Command::new("searchd")
            .arg("--config")
            .arg(&self.config)
            .arg("--stopwait")
            .output()
            .is_ok_and(|o| o.status.success());
        if !stopped {
            if let Ok(pid) = std::fs::read_to_string(&self.pid_file) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
}

/// Runs SphinxQL on `port`; the rows, tab-separated.
fn sql(port: u16, statement: &str) -> Result<String, String> {
    let out = Command::new("mysql")
        .args(["-h127.0.0.1", "-N", "-B", "-P"])
        .arg(port.to_string())
        .arg("-e")
        .arg(statement)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn load(port: u16, file: &Path) {
    let out = Command::new("mysql")
        .args(["-h127.0.0.1", "-P"])
        .arg(port.to_string())
        .stdin(std::fs::File::open(file).expect("load file"))
        .output()
        .expect("mysql runs");
    assert!(
        out.status.success(),
        "loading {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match sql(port, "SHOW STATUS") {
            Ok(_) => return,
            Err(e) if Instant::now() > deadline => panic!("searchd on {port} never answered: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn count(port: u16, index: &str, condition: &str) -> u64 {
    let where_ = if condition.is_empty() {
        String::new()
    } else {
        format!(" WHERE {condition}")
    };
    let rows = sql(port, &format!("SELECT COUNT(*) FROM {index}{where_}"))
        .unwrap_or_else(|e| panic!("{condition}: {e}"));
    rows.trim()
        .parse()
        .unwrap_or_else(|_| panic!("count for {condition}: {rows:?}"))
}

fn cpsearch_count(idx: &Path, args: &[&str]) -> u64 {
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

fn timestamp(day: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .expect("day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
}

/// Two searchd shards on free loopback ports, the distributed index on the
/// first, each shard loaded with its part of the export in `out`. Our own
/// configs (the exported ones use fixed ports), made by the same function
/// from the same schema.
struct Cluster {
    nodes: Vec<sphinx::Node>,
    dist: String,
    // Last, so the servers stop after everything else is dropped.
    _daemons: Vec<Searchd>,
}

impl Cluster {
    fn start(dir: &Path, idx: &Path) -> Cluster {
        let store = Store::open(idx).expect("index");
        let fields = export_fields(&store.index().schema()).expect("fields");
        let name = cpsearch::export::DEFAULT_INDEX_NAME;
        let nodes: Vec<sphinx::Node> = (0..2)
            .map(|k| sphinx::Node {
                data_dir: dir.join(format!("node{k}")),
                sql_port: free_port(),
                api_port: free_port(),
            })
            .collect();
        let agents: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.api_port))
            .collect();
        let mut daemons = Vec::new();
        for (k, node) in nodes.iter().enumerate() {
            std::fs::create_dir_all(&node.data_dir).expect("mkdir");
            let config = node.data_dir.join("sphinx.conf");
            let text =
                sphinx::searchd_config(name, &fields, node, if k == 0 { &agents } else { &[] });
            std::fs::write(&config, text).expect("config");
            daemons.push(Searchd::start(config, node.data_dir.join("searchd.pid")));
        }
        for node in &nodes {
            wait_ready(node.sql_port);
        }
        Cluster {
            nodes,
            dist: sphinx::distributed_name(name),
            _daemons: daemons,
        }
    }

    fn load(&self, out: &Path) {
        for (k, node) in self.nodes.iter().enumerate() {
            load(node.sql_port, &out.join(format!("load-{k}.sql")));
        }
    }

    /// A count from the coordinator.
    fn count(&self, condition: &str) -> u64 {
        count(self.nodes[0].sql_port, &self.dist, condition)
    }
}

fn export_sphinx(idx: &Path, out: &Path, extra: &[&str]) {
    cpsearch()
        .args(["export", "--to", "sphinx", "--shards", "2", "--index"])
        .arg(idx)
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn reindex(corpus: &Path, idx: &Path) {
    cpsearch()
        .args(["index", "--quiet", "--index"])
        .arg(idx)
        .arg(corpus)
        .assert()
        .success();
}

fn stats(idx: &Path) -> Value {
    serde_json::from_slice(
        &cpsearch()
            .args(["stats", "--json", "--index"])
            .arg(idx)
            .output()
            .expect("stats")
            .stdout,
    )
    .expect("json")
}

/// Compares the coordinator's counts with cpsearch's: the whole split, the
/// top agencies, every year and the date ranges exactly, the terms within
/// 1%. Returns how many counts were compared.
fn compare(cluster: &Cluster, idx: &Path, ranges: &[(&str, &str)], terms: &[&str]) -> usize {
    let shard = sphinx::index_name(cpsearch::export::DEFAULT_INDEX_NAME);
    let total = cpsearch_count(idx, &[""]);
    let on_shards: Vec<u64> = cluster
        .nodes
        .iter()
        .map(|n| count(n.sql_port, &shard, ""))
        .collect();
    assert!(
        on_shards.iter().all(|&n| n > 0),
        "both shards hold documents: {on_shards:?}"
    );
    assert_eq!(
        on_shards.iter().sum::<u64>(),
        total,
        "split without loss or overlap"
    );
    assert_eq!(cluster.count(""), total);
    let stats = stats(idx);
    let mut checked = 1;
    let taxonomy = cpsearch::normalize::Taxonomy::builtin().expect("taxonomy");
    for agency in stats["facets"]["agency"]
        .as_object()
        .expect("agencies")
        .keys()
        .take(12)
    {
        let ours = cpsearch_count(idx, &["", "--agency", agency]);
        // `--agency CISA` also finds its predecessors (US-CERT, NCCIC…):
        // ask the cluster for the same set of values.
        let values: Vec<String> = taxonomy
            .expand_agency(agency)
            .unwrap_or_else(|| vec![agency.clone()])
            .iter()
            .map(|v| sphinx::value_id(v).to_string())
            .collect();
        let theirs = cluster.count(&format!("agency IN ({})", values.join(", ")));
        assert_eq!(theirs, ours, "agency {agency}");
        checked += 1;
    }
    let years = stats["facets"]["year"].as_object().expect("years");
    // The year facet also counts undated articles; that key is no year.
    for year in years.keys().filter(|y| y.as_str() != "undated") {
        let ours = cpsearch_count(idx, &["", "--year", year]);
        assert_eq!(
            cluster.count(&format!("year = {year}")),
            ours,
            "year {year}"
        );
        checked += 1;
    }
    for (from, to) in ranges {
        let ours = cpsearch_count(idx, &["", "--from", from, "--to", to]);
        let end = timestamp(to) + 86_400;
        let condition = format!("dated = 1 AND date >= {} AND date < {end}", timestamp(from));
        assert_eq!(cluster.count(&condition), ours, "{from}..{to}");
        checked += 1;
    }
    let mut analyzer = cpsearch::analyzer::english();
    for word in terms {
        let ours = cpsearch_count(idx, &[word]);
        let stem = cpsearch::export::stems(&mut analyzer, word);
        let theirs = cluster.count(&format!("MATCH('@(title_stem,body_stem) {stem}')"));
        eprintln!("term {word} (stem {stem}): cpsearch {ours}, sphinx {theirs}");
        assert!(ours > 0, "{word} is in the corpus");
        assert!(
            ours.abs_diff(theirs) * 100 <= ours,
            "{word}: cpsearch {ours}, sphinx {theirs}"
        );
        checked += 1;
    }
    eprintln!("{checked} counts compared on a 2-shard Sphinx cluster");
    checked
}

fn sphinx_missing() -> bool {
    let missing = !installed("searchd") || !installed("mysql");
    if missing {
        eprintln!(
            "SKIPPED: searchd not installed (apt-get install sphinxsearch default-mysql-client)"
        );
    }
    missing
}

#[test]
fn a_two_shard_sphinx_cluster_counts_like_cpsearch_and_stays_in_sync() {
    if sphinx_missing() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let idx = dir.path().join("idx");
    let out = dir.path().join("sphinx");
    // A copy of the corpus, so the second half can change it.
    let corpus = dir.path().join("corpus");
    copy_tree(Path::new("corpus"), &corpus);
    reindex(&corpus, &idx);
    export_sphinx(&idx, &out, &[]);
    let cluster = Cluster::start(dir.path(), &idx);
    cluster.load(&out);
    let ranges = [
        ("2015-01-01", "2019-12-31"),
        ("2021-05-01", "2021-05-31"),
        ("2010-01-01", "2026-12-31"),
    ];
    let terms = [
        "ransomware",
        "sanctions",
        "election",
        "pipeline",
        "attacked",
        "agencies",
        "critical",
    ];
    compare(&cluster, &idx, &ranges, &terms);
    let total = cpsearch_count(&idx, &[""]);

    // Keeping the cluster in sync: remove a folder of articles and edit
    // one, re-index, export what changed since the last export and load it.
    let gone = corpus.join("text");
    let removed = walk(&gone).len();
    std::fs::remove_dir_all(&gone).expect("rm");
    let edited = walk(&corpus.join("markdown"))[0].clone();
    let text = std::fs::read_to_string(&edited).expect("read");
    std::fs::write(
        &edited,
        format!("{text}\n\nUpdate: zyxwvut sanctions followed.\n"),
    )
    .expect("write");
    reindex(&corpus, &idx);
    export_sphinx(&idx, &out, &["--changed-since", "last"]);
    cluster.load(&out);
    let total_after = cpsearch_count(&idx, &[""]);
    assert!(
        removed > 0 && total_after < total,
        "{total_after} < {total}"
    );
    assert_eq!(
        cluster.count("MATCH('@(title_stem,body_stem) zyxwvut')"),
        1,
        "the edited article was replaced"
    );
    // Deletions reached the shards, and every count still agrees.
    compare(&cluster, &idx, &ranges, &terms);
}

#[test]
fn a_two_shard_sphinx_cluster_counts_like_cpsearch_on_cisa_advisories() {
    if sphinx_missing() {
        return;
    }
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cisa-csaf");
    if !data.is_dir() {
        eprintln!("SKIPPED: ../shared/data absent ({})", data.display());
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let idx = dir.path().join("idx");
    let out = dir.path().join("sphinx");
    reindex(&data, &idx);
    export_sphinx(&idx, &out, &[]);
    let cluster = Cluster::start(dir.path(), &idx);
    cluster.load(&out);
    let ranges = [("2018-01-01", "2020-06-30"), ("2023-03-01", "2023-03-31")];
    let terms = [
        "vulnerability",
        "exploited",
        "remote",
        "authentication",
        "siemens",
    ];
    let checked = compare(&cluster, &idx, &ranges, &terms);
    assert!(checked > 15);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry"))
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let target = to.join(file.strip_prefix(from).expect("inside"));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&file, &target).expect("copy");
    }
}
