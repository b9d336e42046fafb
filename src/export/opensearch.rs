//! OpenSearch and Elasticsearch 8: `mapping.json` (settings with an
//! analyzer that reproduces our tokens, and the field mappings from the live
//! schema) and `_bulk` files of at most 10 MB.
//!
//! Our analyzer is tantivy's SimpleTokenizer (splits on every character
//! that is not alphanumeric), RemoveLong (drops tokens of 40 bytes or
//! more), LowerCaser and the Snowball English (Porter2) stemmer. The
//! OpenSearch equivalent is a `pattern` tokenizer on runs of
//! non-letters/non-digits, a `length` filter, `lowercase` and the `porter2`
//! stemmer. Two small differences remain: `length` counts characters where
//! we count bytes (only non-ASCII words of 14 or more letters differ), and
//! Java's `\p{L}\p{N}` misses the few combining marks Rust counts as
//! alphabetic. Documents carry `_id` = our id (or, above the 512-byte limit
//! on `_id`, a digest of it), so sending an export twice changes nothing.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::{
    shell_quote, sorted, Chunked, ExportField, ExportOptions, ExportSummary, FieldKind, Record,
    Sink, BODY_STEM, TITLE_STEM,
};
use crate::error::Result;

/// The analyzer name inside the target index.
pub const ANALYZER: &str = "cpsearch_en";
/// The unstemmed analyzer (tantivy's `default`), for author.
pub const WORDS_ANALYZER: &str = "cpsearch_words";
/// The largest `_bulk` request OpenSearch and Quickwit accept by default.
pub const MAX_BULK_BYTES: usize = 10 * 1024 * 1024;
/// Elasticsearch and OpenSearch refuse longer `_id`s.
const MAX_ID_BYTES: usize = 512;

/// The index settings and mappings for `fields`.
pub fn mapping(fields: &[ExportField]) -> Value {
    let mut properties = Map::new();
    for f in fields {
        // The stemmed copies are for engines that cannot stem; here the
        // analyzer stems title and body itself.
        if f.name == TITLE_STEM || f.name == BODY_STEM {
            continue;
        }
        properties.insert(f.name.clone(), field_mapping(f));
    }
    json!({
        "settings": {
            "analysis": {
                "tokenizer": {
                    "cpsearch_words": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}
                },
                "filter": {
                    "cpsearch_long": {"type": "length", "max": 39},
                    "cpsearch_porter2": {"type": "stemmer", "language": "porter2"}
                },
                "analyzer": {
                    ANALYZER: {
                        "type": "custom",
                        "tokenizer": "cpsearch_words",
                        "filter": ["cpsearch_long", "lowercase", "cpsearch_porter2"]
                    },
                    WORDS_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "cpsearch_words",
                        "filter": ["cpsearch_long", "lowercase"]
                    }
                }
            }
        },
        "mappings": {
            "dynamic": false,
            "properties": properties
        }
    })
}

fn field_mapping(f: &ExportField) -> Value {
    match f.kind {
        FieldKind::Stemmed => json!({"type": "text", "analyzer": ANALYZER}),
        FieldKind::Words => json!({"type": "text", "analyzer": WORDS_ANALYZER}),
        FieldKind::Exact => json!({"type": "keyword"}),
        FieldKind::StoredOnly => json!({"type": "keyword", "index": false, "doc_values": false}),
        FieldKind::Integer => json!({"type": "long"}),
        FieldKind::Date => json!({"type": "date", "format": "strict_date_time_no_millis"}),
    }
}

/// The `_id` for one of our ids.
pub fn bulk_id(id: &str) -> String {
    if id.len() <= MAX_ID_BYTES {
        id.to_string()
    } else {
        format!("blake3:{}", blake3::hash(id.as_bytes()).to_hex())
    }
}

/// The source document: the record without the stemmed copies.
fn source(record: &Record) -> Result<Value> {
    let mut value = serde_json::to_value(record)?;
    if let Value::Object(map) = &mut value {
        map.remove(TITLE_STEM);
        map.remove(BODY_STEM);
    }
    Ok(value)
}

pub(crate) struct OpenSearchSink {
    options: ExportOptions,
    bulk: Chunked,
    mapping: PathBuf,
}

impl OpenSearchSink {
    pub(crate) fn new(options: &ExportOptions, fields: &[ExportField]) -> Result<OpenSearchSink> {
        let path = options.dir.join("mapping.json");
        super::write_file(
            &path,
            serde_json::to_string_pretty(&mapping(fields))?.as_bytes(),
        )?;
        Ok(OpenSearchSink {
            bulk: Chunked::new(
                &options.dir,
                "bulk",
                "ndjson",
                options.max_file_bytes.min(MAX_BULK_BYTES),
            ),
            options: options.clone(),
            mapping: path,
        })
    }
}

impl Sink for OpenSearchSink {
    fn add(&mut self, record: &Record, _replaces: bool) -> Result<()> {
        let mut pair = serde_json::to_vec(&json!({"index": {"_id": bulk_id(&record.id)}}))?;
        pair.push(b'\n');
        serde_json::to_writer(&mut pair, &source(record)?)?;
        pair.push(b'\n');
        self.bulk.write(&pair)
    }

    fn finish(self: Box<Self>, deleted: &[String], summary: &mut ExportSummary) -> Result<()> {
        let mut this = *self;
        for id in sorted(deleted) {
            let mut line = serde_json::to_vec(&json!({"delete": {"_id": bulk_id(id)}}))?;
            line.push(b'\n');
            this.bulk.write(&line)?;
        }
        let (files, oversized) = this.bulk.finish()?;
        summary.oversized = oversized;
        let endpoint = "http://127.0.0.1:9200";
        let name = &this.options.index_name;
        summary.commands.push(format!(
            "curl -sS -XPUT {endpoint}/{name} -H 'Content-Type: application/json' --data-binary @{}",
            shell_quote(&this.mapping.to_string_lossy())
        ));
        summary.files.push(this.mapping);
        for file in &files {
            summary.commands.push(format!(
                "curl -sS -XPOST '{endpoint}/{name}/_bulk?refresh=wait_for' -H 'Content-Type: application/x-ndjson' --data-binary @{}",
                shell_quote(&file.to_string_lossy())
            ));
        }
        summary.files.extend(files);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_over_the_512_byte_limit_become_a_stable_digest() {
        assert_eq!(bulk_id("https://example.org/a"), "https://example.org/a");
        let long = format!("https://example.org/{}", "x".repeat(600));
        let id = bulk_id(&long);
        assert!(id.starts_with("blake3:") && id.len() <= MAX_ID_BYTES);
        assert_eq!(bulk_id(&long), id);
    }
}
