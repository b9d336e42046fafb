//! Quickwit: `index-config.yaml` from the live schema, NDJSON files of
//! bounded size, and delete-task bodies.
//!
//! Quickwit's defaults differ from tantivy's `TEXT`: text fields record only
//! doc ids and no field norms unless told, so title and body get
//! `record: position` (phrases) and `fieldnorms: true` (BM25 length
//! normalization). Quickwit 0.9 registers no English stemmer, so our
//! analyzer's tokens go into `title_stem` and `body_stem`, searched with the
//! `default` tokenizer, which splits them exactly as we did. No
//! `timestamp_field`: Quickwit rejects every document without one, and many
//! articles are undated. Quickwit has no upsert: a changed document is
//! deleted by a delete task before its new version is ingested.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{
    shell_quote, sorted, Chunked, ExportField, ExportOptions, ExportSummary, FieldKind, Record,
    Sink,
};
use crate::error::Result;
use crate::schema::names;

/// Ids per delete task: one query string per task stays short.
const IDS_PER_DELETE_TASK: usize = 100;

/// The Quickwit index config for `fields`.
pub fn index_config(index_name: &str, fields: &[ExportField]) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Written by `cpsearch export --to quickwit` from the index schema."
    );
    let _ = writeln!(y, "version: 0.9");
    let _ = writeln!(y, "index_id: {index_name}");
    let _ = writeln!(y, "doc_mapping:");
    let _ = writeln!(y, "  mode: lenient");
    let _ = writeln!(y, "  store_source: false");
    let _ = writeln!(
        y,
        "  # No timestamp_field: Quickwit would reject every undated article."
    );
    let _ = writeln!(y, "  field_mappings:");
    for f in fields {
        let _ = writeln!(y, "    - {}", field_mapping(f));
    }
    let _ = writeln!(y, "search_settings:");
    let _ = writeln!(
        y,
        "  default_search_fields: [{}, {}]",
        names::TITLE,
        names::BODY
    );
    let _ = writeln!(y, "indexing_settings:");
    let _ = writeln!(y, "  commit_timeout_secs: 30");
    y
}

fn field_mapping(f: &ExportField) -> String {
    let text_type = if f.multi { "\"array<text>\"" } else { "text" };
    let fast = if f.fast { ", fast: true" } else { "" };
    let name = &f.name;
    match f.kind {
        FieldKind::Stemmed => format!(
            "{{name: {name}, type: {text_type}, tokenizer: default, record: position, fieldnorms: true, stored: true}}"
        ),
        FieldKind::Words => format!(
            "{{name: {name}, type: {text_type}, tokenizer: default, record: position, fieldnorms: true}}"
        ),
        FieldKind::Exact => {
            format!("{{name: {name}, type: {text_type}, tokenizer: raw{fast}}}")
        }
        FieldKind::StoredOnly => {
            format!("{{name: {name}, type: {text_type}, indexed: false, stored: true}}")
        }
        FieldKind::Integer => format!("{{name: {name}, type: u64{fast}}}"),
        FieldKind::Date => format!(
            "{{name: {name}, type: datetime, input_formats: [rfc3339], output_format: rfc3339, fast_precision: seconds{fast}}}"
        ),
    }
}

/// A delete-task body removing these ids.
pub fn delete_task(ids: &[&str]) -> String {
    let query = ids
        .iter()
        .map(|id| format!("{}:{}", names::ID, quote(id)))
        .collect::<Vec<_>>()
        .join(" OR ");
    serde_json::json!({ "query": query }).to_string()
}

/// A double-quoted Quickwit query value.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(crate) struct QuickwitSink {
    options: ExportOptions,
    docs: Chunked,
    replaced: Vec<String>,
    config: PathBuf,
}

impl QuickwitSink {
    pub(crate) fn new(options: &ExportOptions, fields: &[ExportField]) -> Result<QuickwitSink> {
        let config = options.dir.join("index-config.yaml");
        super::write_file(
            &config,
            index_config(&options.index_name, fields).as_bytes(),
        )?;
        Ok(QuickwitSink {
            docs: Chunked::new(&options.dir, "docs", "ndjson", options.max_file_bytes),
            options: options.clone(),
            replaced: Vec::new(),
            config,
        })
    }
}

impl Sink for QuickwitSink {
    fn add(&mut self, record: &Record, replaces: bool) -> Result<()> {
        if replaces {
            self.replaced.push(record.id.clone());
        }
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        self.docs.write(&line)
    }

    fn finish(self: Box<Self>, deleted: &[String], summary: &mut ExportSummary) -> Result<()> {
        let this = *self;
        let (docs, oversized) = this.docs.finish()?;
        summary.oversized = oversized;
        // Changed documents are deleted too, before their new version is
        // ingested: a delete task only touches documents published before it.
        let mut gone: Vec<String> = deleted.to_vec();
        gone.extend(this.replaced);
        let gone = sorted(&gone);
        let endpoint = "http://127.0.0.1:7280";
        let name = &this.options.index_name;
        summary.files.push(this.config.clone());
        summary.commands.push(format!(
            "curl -sS -XPOST {endpoint}/api/v1/indexes -H 'Content-Type: application/yaml' --data-binary @{}",
            shell_quote(&this.config.to_string_lossy())
        ));
        if !gone.is_empty() {
            let path = this.options.dir.join("delete-tasks.ndjson");
            let mut body = String::new();
            for chunk in gone.chunks(IDS_PER_DELETE_TASK) {
                body.push_str(&delete_task(chunk));
                body.push('\n');
            }
            super::write_file(&path, body.as_bytes())?;
            summary.commands.push(format!(
                "while read -r task; do curl -sS -XPOST {endpoint}/api/v1/{name}/delete-tasks -H 'Content-Type: application/json' -d \"$task\"; done < {}",
                shell_quote(&path.to_string_lossy())
            ));
            summary.files.push(path);
        }
        for file in &docs {
            summary.commands.push(format!(
                "curl -sS -XPOST '{endpoint}/api/v1/{name}/ingest?commit=wait_for' --data-binary @{}",
                shell_quote(&file.to_string_lossy())
            ));
        }
        summary.files.extend(docs);
        Ok(())
    }
}
