//! Converts the built-in taxonomy to JSON at build time. Every search
//! process loads the vocabulary as it starts, and JSON parses several times
//! faster than TOML; `data/taxonomy.toml` stays the file people edit, and
//! its text stays what the taxonomy digest is taken of.

use std::path::PathBuf;

fn main() {
    const SOURCE: &str = "data/taxonomy.toml";
    println!("cargo::rerun-if-changed={SOURCE}");
    let text = std::fs::read_to_string(SOURCE).unwrap_or_else(|e| panic!("{SOURCE}: {e}"));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{SOURCE}: {e}"));
    let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{SOURCE} as JSON: {e}"));
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let out = PathBuf::from(out_dir).join("taxonomy.json");
    std::fs::write(&out, json).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
