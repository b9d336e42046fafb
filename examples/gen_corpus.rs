//! Writes a deterministic synthetic corpus for benchmarks and load tests.
//!
//! `cargo run --release --example gen_corpus -- --docs 100000 /tmp/c100k [--seed 42]`

use std::path::PathBuf;

use anyhow::{bail, Context};
use cpsearch::normalize::Taxonomy;

fn main() -> anyhow::Result<()> {
    let mut docs = 10_000u64;
    let mut seed = 42u64;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--docs" => docs = args.next().context("--docs N")?.parse()?,
            "--seed" => seed = args.next().context("--seed N")?.parse()?,
            other if !other.starts_with("--") => out = Some(PathBuf::from(other)),
            other => bail!("unknown option {other}; usage: gen_corpus [--docs N] [--seed N] OUT"),
        }
    }
    let out = out.context("usage: gen_corpus [--docs N] [--seed N] OUT")?;
    let started = std::time::Instant::now();
    let files = cpsearch::synth::write_corpus(&out, docs, seed, &Taxonomy::builtin()?)?;
    eprintln!(
        "wrote {docs} articles in {files} files to {} in {:.1}s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
