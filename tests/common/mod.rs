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
