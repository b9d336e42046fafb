//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::Path;

use assert_cmd::Command;

/// The `cpsearch` binary with colour forced off.
pub fn cpsearch() -> Command {
    let mut cmd = Command::cargo_bin("cpsearch").expect("binary built");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs `cpsearch index CORPUS --index INDEX --quiet`, which must succeed.
pub fn index_quietly(corpus: &Path, index: &Path) {
    cpsearch()
        .arg("index")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .arg("--quiet")
        .assert()
        .success();
}

/// Runs `cpsearch extract PATH EXTRA…`: the documents, stderr and exit code.
pub fn extract(path: &Path, extra: &[&str]) -> (Vec<serde_json::Value>, String, Option<i32>) {
    let out = cpsearch()
        .arg("extract")
        .arg(path)
        .args(extra)
        .output()
        .expect("runs");
    let docs = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    (
        docs,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// Every record of the `.jsonl` label files directly in `dir` (sorted by
/// file name), blank lines skipped; a bad line panics with its file:line.
pub fn read_labels<T: serde::de::DeserializeOwned>(dir: &Path) -> Vec<T> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("labels readable");
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let label: T = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), i + 1));
            out.push(label);
        }
    }
    out
}

/// Micro-averaged precision and recall of one tag field over labelled
/// documents, with each document's extra and missing tags listed.
#[derive(Default)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub misses: Vec<String>,
}

impl Score {
    /// Counts one document: `got` from the extractor, `want` from its label.
    pub fn add<'a>(
        &mut self,
        id: &str,
        got: impl IntoIterator<Item = &'a String>,
        want: impl IntoIterator<Item = &'a String>,
    ) {
        let got: std::collections::BTreeSet<&String> = got.into_iter().collect();
        let want: std::collections::BTreeSet<&String> = want.into_iter().collect();
        self.tp += got.intersection(&want).count();
        let extra: Vec<&&String> = got.difference(&want).collect();
        let missing: Vec<&&String> = want.difference(&got).collect();
        self.fp += extra.len();
        self.fn_ += missing.len();
        if !extra.is_empty() || !missing.is_empty() {
            self.misses
                .push(format!("{id}: extra {extra:?} missing {missing:?}"));
        }
    }

    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }

    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}
