//! Export: the documents of an index (or of one search over it) as files
//! that distributed engines ingest, so an archive that outgrows one machine
//! can move to Quickwit, OpenSearch/Elasticsearch or Sphinx/Manticore with
//! cpsearch's readers and normalizer still feeding it.
//!
//! This module owns what every engine shares: the flat [`Record`] one
//! document becomes (with stemmed copies of title and body made by our own
//! analyzer, for engines that cannot stem like us), how documents are read
//! back from the index (segment by segment for a full export, so memory
//! stays bounded), the field kinds derived from the live schema, size-bounded
//! output files, and the state file that lets the next export send only what
//! changed and delete what vanished. Each engine's files are written by its
//! own submodule; [`explain`] translates a search into that engine's request.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::schema::{FieldType, Schema};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, TantivyDocument};

use crate::document::Document;
use crate::error::{Error, Result};
use crate::index::{manifest, Store};
use crate::normalize::Taxonomy;
use crate::schema::names;
use crate::search::{self, SearchRequest};

pub mod explain;
pub mod opensearch;
pub mod quickwit;
pub mod sphinx;

/// The state file kept in the export directory between runs.
pub const STATE_FILE: &str = "cpsearch-export-state.json";
/// The default index name in the target engine.
pub const DEFAULT_INDEX_NAME: &str = "cyberpolicy-news";
/// Name of the stemmed copy of the title.
pub const TITLE_STEM: &str = "title_stem";
/// Name of the stemmed copy of the body.
pub const BODY_STEM: &str = "body_stem";
/// Name of the derived `YYYY-MM` field that feeds monthly timelines.
pub const MONTH: &str = "month";
/// Fields holding several values per document (arrays in JSON, MVA in Sphinx).
pub const MULTI_VALUED: &[&str] = &[names::AGENCY, names::TOPIC, names::COUNTRY, "categories"];

/// The engine to export for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Quickwit (index config + NDJSON).
    Quickwit,
    /// OpenSearch or Elasticsearch 8 (mapping + `_bulk`).
    OpenSearch,
    /// Sphinx 2.2 or Manticore (searchd config + SphinxQL).
    Sphinx,
}

/// Which documents to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Every matching document.
    All,
    /// Documents that are new or differ from what the last export to this
    /// directory sent (its state file).
    SinceLastExport,
    /// Documents read from files modified on or after this day (the index
    /// manifest's file times).
    Since(NaiveDate),
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Target engine.
    pub engine: Engine,
    /// Output directory (created when missing).
    pub dir: PathBuf,
    /// Query and filters choosing the documents (limit, sort and snippets are ignored).
    pub request: SearchRequest,
    /// Index name in the target engine.
    pub index_name: String,
    /// Which documents to send.
    pub changed: Changed,
    /// Upper bound on one data file, in bytes.
    pub max_file_bytes: usize,
    /// Sphinx shards to split the documents over.
    pub shards: usize,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportSummary {
    /// Documents written (new or changed).
    pub documents: usize,
    /// Documents left out because the target already has them as they are.
    pub unchanged: usize,
    /// Ids the target must delete (gone from the index or from the query's matches).
    pub deleted: usize,
    /// Documents written alone into a file larger than the bound (they do not fit in one).
    pub oversized: usize,
    /// Files written, in the order they should be sent.
    pub files: Vec<PathBuf>,
    /// Shell commands that create the index and load the files.
    pub commands: Vec<String>,
}

/// One document as exported: flat, no nulls (absent values are left out).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Our id.
    pub id: String,
    /// Relative path.
    pub path: String,
    /// Item inside the file.
    pub item: u64,
    /// Input format.
    pub format: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Title as our analyzer's tokens, space-separated.
    pub title_stem: String,
    /// Body as our analyzer's tokens, space-separated.
    pub body_stem: String,
    /// RFC 3339 UTC midnight of the publication day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where the date came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_source: Option<String>,
    /// Publication year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u64>,
    /// Publication month, `YYYY-MM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// Agencies.
    pub agency: Vec<String>,
    /// Topics.
    pub topic: Vec<String>,
    /// Countries.
    pub country: Vec<String>,
    /// Source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Canonical URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Categories from the source.
    pub categories: Vec<String>,
    /// Declared language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Record {
    /// Flattens a document; `analyzer` must be the index's text analyzer.
    pub fn from_document(doc: Document, analyzer: &mut TextAnalyzer) -> Record {
        let date = doc.date;
        Record {
            title_stem: stems(analyzer, &doc.title),
            body_stem: stems(analyzer, &doc.body),
            id: doc.id,
            path: doc.path,
            item: doc.item as u64,
            format: doc.format.as_str().to_string(),
            title: doc.title,
            body: doc.body,
            date: date.map(|d| format!("{}T00:00:00Z", d.format("%Y-%m-%d"))),
            date_source: doc.date_source.and_then(|s| {
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
            }),
            year: date.and_then(|d| u64::try_from(chrono::Datelike::year(&d)).ok()),
            month: date.map(|d| d.format("%Y-%m").to_string()),
            agency: doc.agencies,
            topic: doc.topics,
            country: doc.countries,
            source: doc.source,
            author: doc.author,
            url: doc.url,
            categories: doc.categories,
            lang: doc.lang,
        }
    }

    /// A short digest of everything exported, to notice changed documents.
    fn digest(&self) -> Result<String> {
        let json = serde_json::to_vec(self)?;
        Ok(blake3::hash(&json).to_hex()[..16].to_string())
    }
}

/// The analyzer's tokens of `text`, joined by spaces: what our index holds.
pub fn stems(analyzer: &mut TextAnalyzer, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&token.text);
    }
    out
}

/// How a schema field is searched, which decides its type in every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Full text with our stemming analyzer and positions (title, body).
    Stemmed,
    /// Full text with plain words, lowercased, no stemming.
    Words,
    /// One exact value (raw tokenizer).
    Exact,
    /// Stored for display only, never searched.
    StoredOnly,
    /// An unsigned integer.
    Integer,
    /// A date.
    Date,
}

/// One field of the exported documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportField {
    /// Field name.
    pub name: String,
    /// How it is searched.
    pub kind: FieldKind,
    /// A column for sorting and aggregations.
    pub fast: bool,
    /// Several values per document.
    pub multi: bool,
}

/// The exported fields, derived from the live schema, plus the stemmed
/// copies and the month. A field type the exporters do not know is an error
/// rather than a silently missing field.
pub fn export_fields(schema: &Schema) -> Result<Vec<ExportField>> {
    let mut out = Vec::new();
    for (_, entry) in schema.fields() {
        let name = entry.name();
        // A field neither stored nor fast holds nothing to send: it is an
        // access path of this index (the word pairs for phrases, the copy
        // marker), which the other engine builds its own way.
        if !entry.is_stored() && !entry.is_fast() {
            continue;
        }
        let kind = match entry.field_type() {
            FieldType::Str(options) => match options.get_indexing_options() {
                None => FieldKind::StoredOnly,
                Some(ix) if ix.tokenizer() == crate::schema::TEXT_ANALYZER => FieldKind::Stemmed,
                Some(ix) if ix.tokenizer() == "raw" => FieldKind::Exact,
                Some(_) => FieldKind::Words,
            },
            FieldType::U64(_) if entry.is_indexed() || entry.is_fast() || entry.is_stored() => {
                FieldKind::Integer
            }
            FieldType::Date(_) => FieldKind::Date,
            other => {
                return Err(Error::Export(format!(
                "export does not know how to map field {name:?} of type {:?}; update src/export",
                other.value_type()
            )))
            }
        };
        out.push(ExportField {
            name: name.to_string(),
            kind,
            fast: entry.is_fast(),
            multi: MULTI_VALUED.contains(&name),
        });
    }
    for name in [TITLE_STEM, BODY_STEM] {
        out.push(ExportField {
            name: name.to_string(),
            kind: FieldKind::Words,
            fast: false,
            multi: false,
        });
    }
    out.push(ExportField {
        name: MONTH.to_string(),
        kind: FieldKind::Exact,
        fast: true,
        multi: false,
    });
    Ok(out)
}

/// What the last export to a directory sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExportState {
    /// Engine the files were for.
    pub engine: Option<Engine>,
    /// Index name in the target engine.
    pub index_name: String,
    /// Sphinx shard count (documents are placed by id, so it must not change).
    pub shards: usize,
    /// Digest of every exported document, by id.
    pub documents: BTreeMap<String, String>,
}

fn read_state(dir: &Path) -> Result<Option<ExportState>> {
    let path = dir.join(STATE_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::Export(format!(
                "{}: unreadable export state ({e}); delete it to export everything again",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn write_state(dir: &Path, state: &ExportState) -> Result<()> {
    let path = dir.join(STATE_FILE);
    let tmp = dir.join(format!("{STATE_FILE}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec(state)?).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(path, e))
}

/// Receives the records of one export and writes one engine's files.
pub(crate) trait Sink {
    /// Writes one new or changed document; `replaces` is true when the
    /// target already holds an older version of it.
    fn add(&mut self, record: &Record, replaces: bool) -> Result<()>;
    /// Writes the deletions and any remaining files; returns the commands.
    fn finish(self: Box<Self>, deleted: &[String], summary: &mut ExportSummary) -> Result<()>;
}

/// Exports the documents matching `options.request` to `options.dir`.
pub fn export(
    store: &Store,
    taxonomy: &Taxonomy,
    options: &ExportOptions,
) -> Result<ExportSummary> {
    let dir = &options.dir;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Export(format!(
            "{} is a file; give a directory for the export files",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let previous = read_state(dir)?;
    if let Some(prev) = &previous {
        if prev.engine.is_some_and(|e| e != options.engine)
            || (options.engine == Engine::Sphinx && prev.shards != options.shards)
        {
            return Err(Error::Export(format!(
                "{} holds an export for another engine or shard count; export to a new directory",
                dir.display()
            )));
        }
    }
    if options.changed == Changed::SinceLastExport && previous.is_none() {
        return Err(Error::Export(format!(
            "no earlier export in {}; run the export once without --changed-since last",
            dir.display()
        )));
    }
    let previous = previous.unwrap_or_default();
    let recent = match options.changed {
        Changed::Since(day) => Some(ids_changed_since(store.dir(), day)?),
        _ => None,
    };
    remove_old_outputs(dir)?;
    let schema = store.index().schema();
    let fields = export_fields(&schema)?;
    let mut sink: Box<dyn Sink> = match options.engine {
        Engine::Quickwit => Box::new(quickwit::QuickwitSink::new(options, &fields)?),
        Engine::OpenSearch => Box::new(opensearch::OpenSearchSink::new(options, &fields)?),
        Engine::Sphinx => Box::new(sphinx::SphinxSink::new(options, &fields)?),
    };
    let mut summary = ExportSummary::default();
    let mut state = ExportState {
        engine: Some(options.engine),
        index_name: options.index_name.clone(),
        shards: options.shards,
        documents: BTreeMap::new(),
    };
    let mut analyzer = store.index().tokenizer_for_field(store.fields().body)?;
    for_each_document(store, taxonomy, &options.request, |doc| {
        let record = Record::from_document(doc, &mut analyzer);
        let digest = record.digest()?;
        let before = previous.documents.get(&record.id);
        let send = match (&options.changed, &recent) {
            (Changed::SinceLastExport, _) => before != Some(&digest),
            (Changed::Since(_), Some(recent)) => recent.contains(&record.id),
            _ => true,
        };
        if send {
            sink.add(&record, before.is_some())?;
            summary.documents += 1;
        } else {
            summary.unchanged += 1;
        }
        state.documents.insert(record.id, digest);
        Ok(())
    })?;
    let deleted: Vec<String> = previous
        .documents
        .keys()
        .filter(|id| !state.documents.contains_key(*id))
        .cloned()
        .collect();
    summary.deleted = deleted.len();
    sink.finish(&deleted, &mut summary)?;
    write_state(dir, &state)?;
    Ok(summary)
}

/// Ids of documents whose files were modified on or after `day`.
fn ids_changed_since(index_dir: &Path, day: NaiveDate) -> Result<HashSet<String>> {
    let meta = manifest::read_meta(index_dir)?.ok_or_else(|| Error::NoIndex(index_dir.into()))?;
    let since = day
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp()) as i128
        * 1_000_000_000;
    Ok(meta
        .files
        .into_values()
        .filter(|f| f.mtime >= since)
        .flat_map(|f| f.ids)
        .collect())
}

/// Our output files from an earlier run: removed so no stale chunk is
/// loaded again. Only names we write are touched.
fn remove_old_outputs(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = ["docs-", "bulk-", "load-", "delete-"]
            .iter()
            .any(|p| name.starts_with(p))
            && (name.ends_with(".ndjson") || name.ends_with(".sql") || name.ends_with(".json"));
        if ours {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| Error::io(path, e))?;
        }
    }
    Ok(())
}

/// Calls `f` with every document matching `request`, in index order. A
/// request with no query and no filters walks the doc store segment by
/// segment; otherwise the matching addresses are collected (eight bytes
/// each) and their documents fetched one at a time.
pub fn for_each_document(
    store: &Store,
    taxonomy: &Taxonomy,
    request: &SearchRequest,
    mut f: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    let searcher = store.reader()?.searcher();
    let everything = is_everything(request);
    if everything {
        for segment in searcher.segment_readers() {
            let docs = segment
                .get_store_reader(1)
                .map_err(|e| Error::io(store.dir(), e))?;
            for stored in docs.iter::<TantivyDocument>(segment.alive_bitset()) {
                f(store.to_document(&stored?))?;
            }
        }
        return Ok(());
    }
    let prepared = search::prepare(store, &searcher, taxonomy, request)?;
    let mut addresses: Vec<DocAddress> = searcher
        .search(&*prepared.query, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    for address in addresses {
        let stored: TantivyDocument = searcher.doc(address)?;
        f(store.to_document(&stored))?;
    }
    Ok(())
}

fn is_everything(r: &SearchRequest) -> bool {
    let q = r.query.trim();
    (q.is_empty() || q == "*")
        && r.agencies.is_empty()
        && r.topics.is_empty()
        && r.countries.is_empty()
        && r.sources.is_empty()
        && r.year.is_none()
        && r.from.is_none()
        && r.to.is_none()
}

/// Writes entries into numbered files of at most `max` bytes each
/// (`prefix-0001.ext`, …). An entry larger than `max` gets a file of its own.
pub(crate) struct Chunked {
    dir: PathBuf,
    prefix: String,
    ext: String,
    max: usize,
    current: Option<(PathBuf, std::io::BufWriter<std::fs::File>, usize)>,
    files: Vec<PathBuf>,
    oversized: usize,
}

impl Chunked {
    pub(crate) fn new(dir: &Path, prefix: &str, ext: &str, max: usize) -> Chunked {
        Chunked {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            ext: ext.to_string(),
            max: max.max(1),
            current: None,
            files: Vec::new(),
            oversized: 0,
        }
    }

    /// Appends one entry, which must not be split across files.
    pub(crate) fn write(&mut self, entry: &[u8]) -> Result<()> {
        if entry.len() > self.max {
            self.oversized += 1;
        }
        let full = self
            .current
            .as_ref()
            .is_some_and(|(_, _, len)| len + entry.len() > self.max);
        if full {
            self.close()?;
        }
        if self.current.is_none() {
            let path = self.dir.join(format!(
                "{}-{:04}.{}",
                self.prefix,
                self.files.len() + 1,
                self.ext
            ));
            let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
            self.files.push(path.clone());
            self.current = Some((path, std::io::BufWriter::new(file), 0));
        }
        if let Some((path, out, len)) = self.current.as_mut() {
            out.write_all(entry).map_err(|e| Error::io(&*path, e))?;
            *len += entry.len();
        }
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        if let Some((path, mut out, _)) = self.current.take() {
            out.flush().map_err(|e| Error::io(path, e))?;
        }
        Ok(())
    }

    /// Flushes and returns the files written and how many entries were
    /// larger than the bound.
    pub(crate) fn finish(mut self) -> Result<(Vec<PathBuf>, usize)> {
        self.close()?;
        Ok((self.files, self.oversized))
    }
}

/// Writes a whole small file.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Quotes a word for a POSIX shell.
pub(crate) fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The distinct values of a set of ids, sorted (for stable output).
pub(crate) fn sorted(ids: &[String]) -> Vec<&str> {
    let set: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stay_under_the_bound_and_a_huge_entry_gets_its_own_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut chunks = Chunked::new(dir.path(), "docs", "ndjson", 10);
        for entry in ["aaaa\n", "bbbb\n", "cccc\n", "a-very-long-entry\n", "dd\n"] {
            chunks.write(entry.as_bytes()).expect("write");
        }
        let (files, oversized) = chunks.finish().expect("finish");
        let contents: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("read"))
            .collect();
        assert_eq!(
            contents,
            ["aaaa\nbbbb\n", "cccc\n", "a-very-long-entry\n", "dd\n"]
        );
        assert_eq!(oversized, 1);
        assert!(files[0].ends_with("docs-0001.ndjson"));
    }

    #[test]
    fn shell_quoting_survives_spaces_and_quotes() {
        assert_eq!(
            shell_quote("/tmp/out/docs-0001.ndjson"),
            "/tmp/out/docs-0001.ndjson"
        );
        assert_eq!(shell_quote("my dir/it's"), "'my dir/it'\\''s'");
    }

    #[test]
    fn every_schema_field_is_exported_with_a_kind() {
        let (schema, _) = crate::schema::build();
        let fields = export_fields(&schema).expect("fields");
        let kind = |name: &str| fields.iter().find(|f| f.name == name).map(|f| f.kind);
        assert_eq!(kind(names::TITLE), Some(FieldKind::Stemmed));
        assert_eq!(kind(names::AGENCY), Some(FieldKind::Exact));
        assert_eq!(kind(names::DATE), Some(FieldKind::Date));
        assert_eq!(kind("url"), Some(FieldKind::StoredOnly));
        assert_eq!(kind(BODY_STEM), Some(FieldKind::Words));
        assert_eq!(kind(names::PAIRS), None);
        assert_eq!(kind(names::COPY), None);
        assert_eq!(kind(names::CLUSTER), Some(FieldKind::Integer));
        assert_eq!(fields.len(), schema.fields().count() - 2 + 3);
    }
}
