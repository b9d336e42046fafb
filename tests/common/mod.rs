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
