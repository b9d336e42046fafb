//! `cpsearch vocab`: the vocabulary, filtered, for a terminal or as JSON.

use std::io::Write;

use anyhow::Result;
use cpsearch::normalize::{vocab, Kind, Taxonomy};
use cpsearch::output::{json, vocab as vocab_out};

use crate::cli::{VocabArgs, VocabKind};

pub fn vocab(args: VocabArgs, taxonomy: &Taxonomy) -> Result<u8> {
    let kind = args.kind.map(|k| match k {
        VocabKind::Agencies => Kind::Agency,
        VocabKind::Topics => Kind::Topic,
        VocabKind::Countries => Kind::Country,
    });
    let entries = vocab::entries(taxonomy, kind, &args.text);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        json::write_value(&mut out, &entries)?;
    } else {
        vocab_out::write_entries(&mut out, &entries)?;
    }
    out.flush()?;
    Ok(if entries.is_empty() { 1 } else { 0 })
}
