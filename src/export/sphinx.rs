//! Sphinx 2.2 (Debian's `sphinxsearch`) and Manticore: a searchd config
//! per shard with a real-time index, a distributed index over all shards on
//! the first, and the SphinxQL that loads each shard.
//!
//! Sphinx 2.2 distributes real-time indexes through `agent` lines that speak
//! its binary protocol, so every searchd listens twice: SphinxQL (MySQL
//! protocol) for clients, the API port for the coordinator. Documents go to
//! shard `numeric id % shards`, so a changed document always lands where
//! its old version is and `REPLACE` overwrites it. Sphinx ids are unsigned
//! integers, so ours become 63 bits of their blake3 digest (the string stays
//! in the `doc_id` attribute); exact values (agency, source, month…) become
//! 63-bit digests too, as MVA or bigint attributes, listed in `values.tsv`.
//! Sphinx's own English stemmer (`morphology = stem_en`) is a Porter
//! stemmer, not the Porter2 (Snowball English) we use: asked with
//! `CALL KEYWORDS` on searchd 2.2.11 it stems "communication" to "commun"
//! where we give "communic". So the full-text fields are indexed without
//! morphology and queries go to `title_stem`/`body_stem`, which hold our
//! analyzer's tokens.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ExportField, ExportOptions, ExportSummary, FieldKind, Record, Sink};
use crate::error::{Error, Result};
use crate::schema::names;

/// Bytes per `REPLACE` statement: well under searchd's `max_packet_size`.
const MAX_STATEMENT_BYTES: usize = 1024 * 1024;
/// First SphinxQL port; shard k listens on `SQL_PORT + k`.
pub const SQL_PORT: u16 = 9306;
/// First API port (what agents use); shard k listens on `API_PORT + k`.
pub const API_PORT: u16 = 9406;

/// Word characters: ASCII letters and digits, and the letter blocks of the
/// scripts news is written in. Sphinx 2.2 has no `non_cjk` alias, and
/// anything not listed separates words. The stemmed fields hold only our
/// tokens (letters and digits, lowercased), so listing whole blocks never
/// joins two of our words; a letter outside these blocks splits a word.
const CHARSET_TABLE: &str = "0..9, A..Z->a..z, a..z, U+00AA, U+00B2..U+00B3, U+00B5, \
    U+00B9..U+00BA, U+00BC..U+00BE, U+00C0..U+00D6, U+00D8..U+00F6, U+00F8..U+024F, \
    U+0370..U+03FF, U+0400..U+052F, U+0590..U+05FF, U+0600..U+06FF, U+3040..U+30FF, \
    U+4E00..U+9FFF, U+AC00..U+D7AF";

/// A Sphinx index name for an engine index name (letters, digits, `_`).
pub fn index_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The name of the distributed index over all shards.
pub fn distributed_name(name: &str) -> String {
    format!("{}_all", index_name(name))
}

/// The Sphinx document id of one of our ids: nonzero, below 2^63.
pub fn numeric_id(id: &str) -> u64 {
    value_id(id) as u64
}

/// The attribute value standing for an exact value (agency, source, …).
pub fn value_id(value: &str) -> i64 {
    let hash = blake3::hash(value.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    let n = (u64::from_le_bytes(bytes) & (u64::MAX >> 1)) as i64;
    n.max(1)
}

/// How one exported field is held by Sphinx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// A full-text field (`rt_field`).
    Text,
    /// Our id as a string attribute (`doc_id`; `id` is Sphinx's own).
    DocId,
    /// Digests of each value (`rt_attr_multi_64`).
    ValueSet,
    /// Digest of the value, 0 when absent (`rt_attr_bigint`).
    Value,
    /// An integer, 0 when absent (`rt_attr_bigint`).
    Integer,
    /// Unix seconds, 0 when absent, with a `dated` flag (`rt_attr_bigint`).
    Date,
}

fn column(f: &ExportField) -> Option<Column> {
    match (f.kind, f.multi) {
        (FieldKind::Stemmed | FieldKind::Words, _) => Some(Column::Text),
        (FieldKind::Exact, _) if f.name == names::ID => Some(Column::DocId),
        (FieldKind::Exact, true) => Some(Column::ValueSet),
        (FieldKind::Exact, false) => Some(Column::Value),
        (FieldKind::Integer, _) => Some(Column::Integer),
        (FieldKind::Date, _) => Some(Column::Date),
        // Sphinx 2.2 cannot store text it does not search.
        (FieldKind::StoredOnly, _) => None,
    }
}

/// Where one searchd listens and keeps its data.
#[derive(Debug, Clone)]
pub struct Node {
    /// Directory for the index files, logs and pid file (absolute).
    pub data_dir: PathBuf,
    /// SphinxQL (MySQL protocol) port.
    pub sql_port: u16,
    /// Binary API port (for agents).
    pub api_port: u16,
}

/// A searchd config holding the shard index, and, when `agents` is not
/// empty, the distributed index over those API addresses (`host:port`).
pub fn searchd_config(
    name: &str,
    fields: &[ExportField],
    node: &Node,
    agents: &[String],
) -> String {
    let shard = index_name(name);
    let data = node.data_dir.to_string_lossy();
    let mut c = String::new();
    c.push_str("# Written by `cpsearch export --to sphinx` from the index schema.\n");
    c.push_str(&format!(
        "index {shard}\n{{\n  type = rt\n  path = {data}/{shard}\n"
    ));
    c.push_str("  rt_mem_limit = 128M\n");
    c.push_str(&format!(
        "  charset_table = {CHARSET_TABLE}\n  morphology = none\n  min_word_len = 1\n"
    ));
    for f in fields {
        let line = match column(f) {
            Some(Column::Text) => format!("rt_field = {}", f.name),
            Some(Column::DocId) => "rt_attr_string = doc_id".to_string(),
            Some(Column::ValueSet) => format!("rt_attr_multi_64 = {}", f.name),
            Some(Column::Value | Column::Integer) => format!("rt_attr_bigint = {}", f.name),
            Some(Column::Date) => format!("rt_attr_bigint = {}\n  rt_attr_uint = dated", f.name),
            None => continue,
        };
        c.push_str(&format!("  {line}\n"));
    }
    c.push_str("}\n\n");
    if !agents.is_empty() {
        c.push_str(&format!(
            "index {}\n{{\n  type = distributed\n",
            distributed_name(name)
        ));
        for agent in agents {
            c.push_str(&format!("  agent = {agent}:{shard}\n"));
        }
        c.push_str("}\n\n");
    }
    c.push_str(&format!(
        "searchd\n{{\n  listen = 127.0.0.1:{}:mysql41\n  listen = 127.0.0.1:{}\n",
        node.sql_port, node.api_port
    ));
    c.push_str(&format!(
        "  log = {data}/searchd.log\n  query_log = {data}/query.log\n  pid_file = {data}/searchd.pid\n"
    ));
    c.push_str("  binlog_path =\n  workers = threads\n  max_packet_size = 32M\n}\n");
    c
}

/// A SphinxQL string literal.
fn sql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            // Whitespace to the tokenizer, and safe for the SQL lexer.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The SphinxQL value of one field of `record` (`record` as JSON).
fn sql_value(column: Column, value: Option<&Value>) -> String {
    match (column, value) {
        (Column::Text | Column::DocId, Some(Value::String(s))) => sql_string(s),
        (Column::Text | Column::DocId, _) => "''".to_string(),
        (Column::ValueSet, Some(Value::Array(values))) => {
            let ids: Vec<String> = values
                .iter()
                .filter_map(Value::as_str)
                .map(|v| value_id(v).to_string())
                .collect();
            format!("({})", ids.join(","))
        }
        (Column::ValueSet, _) => "()".to_string(),
        (Column::Value, Some(Value::String(s))) => value_id(s).to_string(),
        (Column::Integer, Some(Value::Number(n))) => n.to_string(),
        (Column::Date, Some(Value::String(s))) => chrono::DateTime::parse_from_rfc3339(s)
            .map_or_else(|_| "0, 0".to_string(), |d| format!("{}, 1", d.timestamp())),
        (Column::Date, _) => "0, 0".to_string(),
        (Column::Value | Column::Integer, _) => "0".to_string(),
    }
}

/// One shard's load file.
struct ShardFile {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    /// Bytes in the open `REPLACE` statement (0: none open).
    open: usize,
}

pub(crate) struct SphinxSink {
    options: ExportOptions,
    columns: Vec<(String, Column)>,
    header: String,
    shards: Vec<ShardFile>,
    values: std::collections::BTreeMap<(String, String), i64>,
    /// Sphinx ids written so far: a clash would make one document silently
    /// replace another, so it is an error instead.
    ids: std::collections::HashSet<u64>,
    configs: Vec<PathBuf>,
}

impl SphinxSink {
    pub(crate) fn new(options: &ExportOptions, fields: &[ExportField]) -> Result<SphinxSink> {
        let shards = options.shards.max(1);
        let columns: Vec<(String, Column)> = fields
            .iter()
            .filter_map(|f| column(f).map(|c| (f.name.clone(), c)))
            .collect();
        let mut names = vec!["id".to_string()];
        for (name, c) in &columns {
            names.push(match c {
                Column::DocId => "doc_id".to_string(),
                Column::Date => format!("{name}, dated"),
                _ => name.clone(),
            });
        }
        let header = format!(
            "REPLACE INTO {} ({}) VALUES\n",
            index_name(&options.index_name),
            names.join(", ")
        );
        let dir = std::path::absolute(&options.dir).map_err(|e| Error::io(&options.dir, e))?;
        let agents: Vec<String> = (0..shards)
            .map(|k| format!("127.0.0.1:{}", API_PORT + k as u16))
            .collect();
        let mut configs = Vec::new();
        let mut files = Vec::new();
        for k in 0..shards {
            let node = Node {
                data_dir: dir.join(format!("sphinx-data-{k}")),
                sql_port: SQL_PORT + k as u16,
                api_port: API_PORT + k as u16,
            };
            let config = dir.join(format!("sphinx-{k}.conf"));
            let text = searchd_config(
                &options.index_name,
                fields,
                &node,
                if k == 0 { &agents } else { &[] },
            );
            super::write_file(&config, text.as_bytes())?;
            configs.push(config);
            let path = dir.join(format!("load-{k}.sql"));
            let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
            files.push(ShardFile {
                path,
                out: std::io::BufWriter::new(file),
                open: 0,
            });
        }
        Ok(SphinxSink {
            options: options.clone(),
            columns,
            header,
            shards: files,
            values: Default::default(),
            ids: Default::default(),
            configs,
        })
    }

    fn remember_values(&mut self, record: &Value) {
        for (name, c) in &self.columns {
            let values: Vec<&str> = match (c, record.get(name)) {
                (Column::ValueSet, Some(Value::Array(a))) => {
                    a.iter().filter_map(Value::as_str).collect()
                }
                (Column::Value, Some(Value::String(s))) => vec![s],
                _ => continue,
            };
            for v in values {
                self.values
                    .entry((name.clone(), v.to_string()))
                    .or_insert_with(|| value_id(v));
            }
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

impl Sink for SphinxSink {
    fn add(&mut self, record: &Record, _replaces: bool) -> Result<()> {
        if !self.ids.insert(numeric_id(&record.id)) {
            return Err(Error::Export(format!(
                "{:?} has the same Sphinx id as an earlier document, and Sphinx cannot hold both; please report it",
                record.id
            )));
        }
        let json = serde_json::to_value(record)?;
        self.remember_values(&json);
        let mut row = vec![numeric_id(&record.id).to_string()];
        for (name, c) in &self.columns {
            row.push(sql_value(*c, json.get(name)));
        }
        let row = format!("({})", row.join(", "));
        let shard = (numeric_id(&record.id) % self.shards.len() as u64) as usize;
        let file = &mut self.shards[shard];
        if file.open > 0 && file.open + row.len() > MAX_STATEMENT_BYTES {
            file.out.write_all(b";\n").map_err(io(&file.path))?;
            file.open = 0;
        }
        if file.open == 0 {
            file.out
                .write_all(self.header.as_bytes())
                .map_err(io(&file.path))?;
        } else {
            file.out.write_all(b",\n").map_err(io(&file.path))?;
        }
        file.out.write_all(row.as_bytes()).map_err(io(&file.path))?;
        file.open += row.len() + 2;
        Ok(())
    }

    fn finish(self: Box<Self>, deleted: &[String], summary: &mut ExportSummary) -> Result<()> {
        let this = *self;
        let shard_name = index_name(&this.options.index_name);
        let count = this.shards.len() as u64;
        for (k, mut file) in this.shards.into_iter().enumerate() {
            if file.open > 0 {
                file.out.write_all(b";\n").map_err(io(&file.path))?;
            }
            let mine: Vec<String> = super::sorted(deleted)
                .into_iter()
                .map(numeric_id)
                .filter(|n| n % count == k as u64)
                .map(|n| n.to_string())
                .collect();
            for chunk in mine.chunks(1000) {
                let sql = format!(
                    "DELETE FROM {shard_name} WHERE id IN ({});\n",
                    chunk.join(",")
                );
                file.out.write_all(sql.as_bytes()).map_err(io(&file.path))?;
            }
            file.out.flush().map_err(io(&file.path))?;
            summary.files.push(file.path.clone());
            summary.commands.push(format!(
                "searchd --config {}",
                super::shell_quote(&this.configs[k].to_string_lossy())
            ));
            summary.commands.push(format!(
                "mysql -h127.0.0.1 -P{} < {}",
                SQL_PORT + k as u16,
                super::shell_quote(&file.path.to_string_lossy())
            ));
        }
        summary.commands.push(format!(
            "mysql -h127.0.0.1 -P{SQL_PORT} -e \"SELECT COUNT(*) FROM {} WHERE year = 2021\"",
            distributed_name(&this.options.index_name)
        ));
        summary.files.extend(this.configs);
        let values = this.options.dir.join("values.tsv");
        let mut tsv = String::from("field\tvalue\tid\n");
        for ((field, value), id) in &this.values {
            tsv.push_str(&format!("{field}\t{value}\t{id}\n"));
        }
        super::write_file(&values, tsv.as_bytes())?;
        summary.files.push(values);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(
            sql_string("it's a \\ test\n\0end"),
            "'it\\'s a \\\\ test  end'"
        );
    }

    #[test]
    fn ids_are_positive_and_below_two_to_the_63() {
        for id in ["", "a", "https://example.org/x", "path/file.txt#3"] {
            let n = value_id(id);
            assert!(n >= 1, "{id}");
            assert_eq!(numeric_id(id), n as u64);
        }
        assert_ne!(value_id("CISA"), value_id("FBI"));
    }

    #[test]
    fn index_names_are_identifiers() {
        assert_eq!(index_name("cyberpolicy-news"), "cyberpolicy_news");
        assert_eq!(distributed_name("a.b"), "a_b_all");
    }
}
