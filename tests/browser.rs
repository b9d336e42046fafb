//! The page in a real browser: `cpsearch serve` on a loopback port,
//! headless Chromium driven by Selenium (tests/browser/page_test.py) to
//! search, pick a facet, check counts, highlights and the URL, and go back.
//! Needs Debian's chromium, chromium-driver and python3-selenium, which
//! `.ci/run` installs; says SKIPPED when they are missing.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const PYTHON: &str = "/usr/bin/python3";

/// Stops the server however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_missing() -> Option<String> {
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver", PYTHON] {
        if !Path::new(tool).exists() {
            return Some(format!("{tool} is not installed"));
        }
    }
    let selenium = Command::new(PYTHON)
        .args(["-c", "import selenium"])
        .status()
        .ok()?;
    (!selenium.success()).then(|| "python3-selenium is not installed".to_string())
}

/// Starts `cpsearch serve` on a free port and returns it with its base URL.
fn start_server(index: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cpsearch"))
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(index)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("server output");
        if let Some(at) = line.find("http://") {
            let url = line[at..].split_whitespace().next().unwrap_or("");
            return (server, url.trim_end_matches('/').to_string());
        }
    }
    panic!("the server never said where it listens");
}

#[test]
fn page_search_facet_click_and_back_in_a_real_browser() {
    if let Some(why) = browser_missing() {
        println!("SKIPPED: {why} (apt-get install chromium chromium-driver python3-selenium)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    common::cpsearch()
        .args(["index", "corpus", "--quiet", "--index"])
        .arg(&index)
        .assert()
        .success();
    let (_server, base) = start_server(&index);
    let screenshot = tmp.path().join("page.png");
    let out = Command::new(PYTHON)
        .arg("tests/browser/page_test.py")
        .arg(&base)
        .arg(&screenshot)
        .output()
        .expect("selenium runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("ok:"), "{stdout}");
    let png = std::fs::read(&screenshot).expect("screenshot saved");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    // Where a copy is wanted (the README's picture), keep one.
    if let Some(keep) = std::env::var_os("CPSEARCH_SCREENSHOT") {
        std::fs::copy(&screenshot, keep).expect("screenshot copied");
    }
}
