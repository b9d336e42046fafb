//! The index on disk: creating and opening it, and reading documents back.
//!
//! A [`Store`] is an opened tantivy index with cpsearch's field handles and
//! analyzer registered. What was indexed from which file lives in
//! [`manifest`]; the write loop that keeps the index in step with the files
//! lives in [`build`]. Nothing here knows about queries: searching, facets
//! and statistics are `search`'s.

use std::path::{Path, PathBuf};

use tantivy::schema::Value;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::document::{DateSource, Document, Format};
use crate::error::{Error, Result};
use crate::schema::{self, Fields, SCHEMA_VERSION};

pub mod build;
pub mod clusters;
mod health;
pub mod manifest;
mod memory;
mod owners;
pub mod segments;

use manifest::{read_header, META_FILE};

/// Documents looked at for a short id (`path#item`): a feed file holds
/// this many items at most in practice, and more only costs the lookup.
const SHORT_ID_CANDIDATES: usize = 10_000;

/// The error for an index whose files cannot be read.
fn damaged(dir: &Path, detail: String) -> Error {
    Error::DamagedIndex {
        path: dir.to_path_buf(),
        detail,
    }
}

/// Files that do not open make a damaged index; other tantivy errors (a
/// lock held, say) stay what they are.
fn damaged_by(dir: &Path, e: &tantivy::TantivyError) -> Error {
    use tantivy::TantivyError as T;
    if format!("{e:?}").contains("PermissionDenied") {
        // Unreadable is not damaged: rebuilding would not help.
        return Error::UnreadableIndex(dir.to_path_buf());
    }
    match e {
        T::DataCorruption(_)
        | T::OpenReadError(_)
        | T::OpenDirectoryError(_)
        | T::IoError(_)
        | T::SchemaError(_)
        | T::IndexBuilderMissingArgument(_)
        | T::DeserializeError(_)
        | T::InvalidArgument(_) => damaged(dir, health::short(&e.to_string())),
        other => Error::Tantivy(other.clone()),
    }
}

/// An opened index.
pub struct Store {
    index: Index,
    fields: Fields,
    dir: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Opens an existing index for searching.
    pub fn open(dir: &Path) -> Result<Store> {
        if !dir.join("meta.json").exists() {
            // A header alone is a first run that has not created tantivy's
            // files yet; a header beside segment files lost its meta.json.
            if dir.join(META_FILE).exists() && has_segment_files(dir) {
                return Err(damaged(dir, "meta.json is missing".into()));
            }
            return Err(Error::NoIndex(dir.to_path_buf()));
        }
        let version = read_header(dir)?.map(|h| h.schema_version);
        if version != Some(SCHEMA_VERSION) {
            return Err(Error::IncompatibleIndex {
                path: dir.to_path_buf(),
                found: version.map_or("no cpsearch metadata".into(), |v| format!("schema {v}")),
            });
        }
        let index = Index::open_in_dir(dir).map_err(|e| damaged_by(dir, &e))?;
        crate::analyzer::register(&index);
        let fields = schema::fields_of(&index.schema()).map_err(|_| Error::IncompatibleIndex {
            path: dir.to_path_buf(),
            found: "unexpected fields".into(),
        })?;
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// The field handles.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The directory holding the index.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A reader on the last committed state.
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| damaged_by(&self.dir, &e))
    }

    /// The document with this id, if any. An id of an article without a URL
    /// may also be given as `path#item` with the path relative to the folder
    /// that was indexed (the id's short form); when several folders hold
    /// that path, the first match is returned.
    pub fn get(&self, id: &str) -> Result<Option<Document>> {
        let searcher = self.reader()?.searcher();
        let exact = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let top = searcher.search(
            &exact,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        if let Some((_, addr)) = top.first() {
            let stored: TantivyDocument = searcher.doc(*addr)?;
            return Ok(Some(self.to_document(&stored)));
        }
        let Some((rel, _)) = id.rsplit_once('#') else {
            return Ok(None);
        };
        let by_path = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.path, rel),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let suffix = format!("/{id}");
        let candidates = searcher.search(
            &by_path,
            &tantivy::collector::TopDocs::with_limit(SHORT_ID_CANDIDATES).order_by_score(),
        )?;
        for (_, addr) in candidates {
            let stored: TantivyDocument = searcher.doc(addr)?;
            let document = self.to_document(&stored);
            if document.id.ends_with(&suffix) {
                return Ok(Some(document));
            }
        }
        Ok(None)
    }

    /// Rebuilds a [`Document`] from its stored fields.
    pub fn to_document(&self, stored: &TantivyDocument) -> Document {
        let f = &self.fields;
        let text = |field| {
            stored
                .get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let all = |field| -> Vec<String> {
            stored
                .get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let date = stored
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| d.date_naive());
        Document {
            id: text(f.id).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            item: stored
                .get_first(f.item)
                .and_then(|v| v.as_u64())
                .unwrap_or(0) as usize,
            format: text(f.format)
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok())
                .unwrap_or(Format::Text),
            title: text(f.title).unwrap_or_default(),
            body: text(f.body).unwrap_or_default(),
            date,
            date_source: text(f.date_source).and_then(|s| {
                serde_json::from_value::<DateSource>(serde_json::Value::String(s)).ok()
            }),
            source: text(f.source),
            author: text(f.author),
            url: text(f.url),
            categories: all(f.categories),
            agencies: all(f.agency),
            topics: all(f.topic),
            countries: all(f.country),
            lang: text(f.lang),
            warnings: Vec::new(),
        }
    }
}

/// Whether `dir` holds any of tantivy's segment files.
fn has_segment_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            [".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
    })
}
