//! The write loop: walk the paths, read what changed, replace documents by
//! id, delete what vanished, and commit in batches so an interrupted run
//! leaves the last committed state searchable.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, Term};

use super::clusters::Clusters;
use super::manifest::{
    is_under, manifest_key, read_header, read_meta, stamp, write_meta, FileEntry, IndexMeta,
    META_FILE, WRITER_PID_FILE, ZSTD_LEVEL,
};
use super::Store;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::ingest::{self, FileReport, IngestOptions, SourceFile};
use crate::normalize::Taxonomy;
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// Documents between commits unless told otherwise: a kill loses at most
/// this much work (about 20 s of indexing here). A commit in the middle of
/// a bulk load flushes both writer threads at once while the queue is full,
/// which raised peak memory from 370 MB to 460 MB at 100k articles.
pub const DEFAULT_COMMIT_EVERY: usize = 100_000;

/// How to build the index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Rebuild from scratch instead of updating.
    pub full: bool,
    /// Commit after this many added documents.
    pub commit_every: usize,
    /// tantivy indexing threads.
    pub writer_threads: usize,
    /// Memory budget per indexing thread, bytes.
    pub memory_per_thread: usize,
    /// How files are read.
    pub ingest: IngestOptions,
    /// Set from another thread (Ctrl-C) to stop reading; what was read so
    /// far is committed.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Merge all segments into one at the end: a slower run, but every
    /// later search opens one segment instead of several (cold, one-shot
    /// searches take about half as long at 100k articles).
    pub merge: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            full: false,
            commit_every: DEFAULT_COMMIT_EVERY,
            writer_threads: 2,
            // Four flushes per thread on 100k articles; more memory makes
            // fewer, larger segments but raises the peak with little speed
            // gain (BENCHMARKS.md).
            memory_per_thread: 64 << 20,
            ingest: IngestOptions::default(),
            stop: None,
            merge: false,
        }
    }
}

/// What an index run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexSummary {
    /// Files found.
    pub files: usize,
    /// Documents written (new or updated).
    pub indexed: usize,
    /// Documents from files that were new.
    pub added: usize,
    /// Documents from files that changed.
    pub updated: usize,
    /// Documents deleted because their file or item is gone.
    pub removed: usize,
    /// Files not read again because they did not change.
    pub unchanged_files: usize,
    /// Files skipped (with reasons reported).
    pub skipped_files: usize,
    /// Items skipped inside files.
    pub skipped_items: usize,
    /// Warnings reported.
    pub warnings: usize,
    /// Documents in the index after the run.
    pub total_documents: u64,
    /// Why the run re-read everything, if it did.
    pub rebuild_reason: Option<String>,
    /// The run was stopped early; the files read so far were committed.
    pub interrupted: bool,
}

/// Indexes the files under `paths` into `dir`, reusing what an earlier run
/// indexed. `on_file` sees every file's report with the number of files
/// that will be read (for progress and messages).
pub fn build_index(
    dir: &Path,
    paths: &[PathBuf],
    options: &IndexOptions,
    taxonomy: &Taxonomy,
    mut on_file: impl FnMut(&FileReport, usize),
) -> Result<IndexSummary> {
    let walk = ingest::discover(paths)?;
    let old_meta = read_meta(dir).ok().flatten();
    let mut summary = IndexSummary {
        files: walk.files.len(),
        skipped_files: walk.skipped.len(),
        ..IndexSummary::default()
    };
    summary.rebuild_reason = rebuild_reason(old_meta.as_ref(), taxonomy, options.full);
    let full = summary.rebuild_reason.is_some();
    let store = Store::open_for_writing(dir)?;
    let mut writer = store.writer(options)?;
    let mut meta = match (&old_meta, full) {
        (Some(m), false) => m.clone(),
        _ => IndexMeta::default(),
    };
    meta.schema_version = SCHEMA_VERSION;
    meta.taxonomy = taxonomy.digest().to_string();
    if full {
        writer.delete_all_documents()?;
    }
    let mut clusters = if full {
        Clusters::default()
    } else {
        Clusters::load(dir)?
    };
    // Deleting by id before each add is what makes re-runs and resumed
    // crashes duplicate-free, but it costs time on every commit. An index
    // that starts empty only needs it for ids seen twice in this run.
    let starts_empty = full || store.reader()?.searcher().num_docs() == 0;
    let mut added_ids: HashSet<String> = HashSet::new();
    if old_meta.is_none() || full {
        // Written before any document so a run killed before its first
        // commit still leaves an index that searches (empty) instead of one
        // that looks foreign.
        write_meta(dir, &meta)?;
    }
    for (rel, reason) in &walk.skipped {
        on_file(&FileReport::skipped(rel, reason.clone()), 0);
    }

    let keys: Vec<String> = walk.files.iter().map(|f| manifest_key(&f.path)).collect();
    summary.removed += remove_vanished(&mut writer, &store.fields, &mut meta, paths, &keys);
    // Moved, not copied: on a large first build these lists are tens of MB.
    let mut to_read = Vec::new();
    let mut to_read_keys = Vec::new();
    for (file, key) in walk.files.into_iter().zip(keys) {
        let (size, mtime) = stamp(&file.path);
        match meta.files.get(&key) {
            Some(entry) if entry.size == size && entry.mtime == mtime => {
                summary.unchanged_files += 1;
            }
            Some(entry) => {
                to_read.push(SourceFile {
                    known_hash: Some(entry.hash.clone()),
                    ..file
                });
                to_read_keys.push((key, size, mtime));
            }
            None => {
                to_read.push(file);
                to_read_keys.push((key, size, mtime));
            }
        }
    }

    let mut since_commit = 0usize;
    let mut next = 0usize;
    let stop_requested = || {
        options
            .stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    };
    let outcome = ingest::extract_files(&to_read, &options.ingest, taxonomy, |report| {
        if stop_requested() {
            return Err(Error::Interrupted);
        }
        let (key, size, mtime) = std::mem::take(&mut to_read_keys[next]);
        next += 1;
        on_file(&report, to_read_keys.len());
        summary.skipped_items += report.item_problems.len();
        summary.warnings += report.warnings.len()
            + report
                .documents
                .iter()
                .map(|d| d.warnings.len())
                .sum::<usize>();
        if report.unchanged {
            summary.unchanged_files += 1;
            if let Some(entry) = meta.files.get_mut(&key) {
                entry.size = size;
                entry.mtime = mtime;
            }
            return Ok(());
        }
        if report.skipped.is_some() {
            summary.skipped_files += 1;
        }
        let old_ids: Vec<String> = meta
            .files
            .get(&key)
            .map(|e| e.ids.clone())
            .unwrap_or_default();
        let existed = meta.files.contains_key(&key);
        let new_ids: Vec<String> = report.documents.iter().map(|d| d.id.clone()).collect();
        let new_set: HashSet<&String> = new_ids.iter().collect();
        for old in old_ids.iter().filter(|id| !new_set.contains(id)) {
            writer.delete_term(Term::from_field_text(store.fields.id, old));
            clusters.forget(old);
            summary.removed += 1;
        }
        for document in &report.documents {
            let first_time = starts_empty && added_ids.insert(document.id.clone());
            if !first_time {
                writer.delete_term(Term::from_field_text(store.fields.id, &document.id));
            }
            let mut doc = to_tantivy(&store.fields, document);
            doc.add_u64(
                store.fields.cluster,
                clusters.assign(&document.id, &document.body),
            );
            writer.add_document(doc)?;
        }
        let n = report.documents.len();
        summary.indexed += n;
        if existed {
            summary.updated += n;
        } else {
            summary.added += n;
        }
        // Skipped files are remembered too, so an unchanged one is not read
        // (and reported) again on every run.
        let hash = report.hash.clone().unwrap_or_default();
        meta.files.insert(
            key,
            FileEntry {
                size,
                mtime,
                hash,
                ids: new_ids,
            },
        );
        since_commit += n.max(1);
        if since_commit >= options.commit_every {
            writer.commit()?;
            write_meta(dir, &meta)?;
            clusters.save_for(dir, &meta)?;
            since_commit = 0;
        }
        Ok(())
    });
    match outcome {
        Ok(()) => {}
        Err(Error::Interrupted) => summary.interrupted = true,
        // Nothing from this run is committed: the last commit stays intact.
        Err(e) => return Err(e),
    }
    writer.commit()?;
    write_meta(dir, &meta)?;
    clusters.save_for(dir, &meta)?;
    if options.merge && !summary.interrupted {
        let segments = store.index().searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
    }
    writer.wait_merging_threads()?;
    summary.total_documents = store.reader()?.searcher().num_docs();
    Ok(summary)
}

/// True when files under `paths` differ from what the index was built from
/// (added, removed, or changed in size or modification time).
pub fn is_stale(dir: &Path, paths: &[PathBuf]) -> Result<bool> {
    let Some(meta) = read_meta(dir)? else {
        return Ok(true);
    };
    let walk = ingest::discover(paths)?;
    let mut seen = 0usize;
    for file in &walk.files {
        let key = manifest_key(&file.path);
        match meta.files.get(&key) {
            Some(entry) if (entry.size, entry.mtime) == stamp(&file.path) => seen += 1,
            Some(_) => return Ok(true),
            None => return Ok(true),
        }
    }
    let roots: Vec<String> = paths.iter().map(|p| manifest_key(p)).collect();
    let indexed_here = meta
        .files
        .keys()
        .filter(|k| roots.iter().any(|r| is_under(k, r)))
        .count();
    Ok(indexed_here != seen)
}

/// Why every file must be read again, if it must.
fn rebuild_reason(old: Option<&IndexMeta>, taxonomy: &Taxonomy, full: bool) -> Option<String> {
    match old {
        _ if full => Some("--full".into()),
        None => None,
        Some(m) if m.schema_version != SCHEMA_VERSION => Some(format!(
            "the index schema changed (version {} → {SCHEMA_VERSION})",
            m.schema_version
        )),
        Some(m) if m.taxonomy != taxonomy.digest() => {
            Some("the taxonomy changed since the last run".into())
        }
        Some(_) => None,
    }
}

/// Deletes the documents of manifest files under `paths` that the walk no
/// longer finds. Files outside the walked paths are left alone.
fn remove_vanished(
    writer: &mut IndexWriter,
    fields: &Fields,
    meta: &mut IndexMeta,
    paths: &[PathBuf],
    found: &[String],
) -> usize {
    let found: HashSet<&String> = found.iter().collect();
    let roots: Vec<String> = paths.iter().map(|p| manifest_key(p)).collect();
    let vanished: Vec<String> = meta
        .files
        .keys()
        .filter(|k| !found.contains(k))
        .filter(|k| roots.iter().any(|r| is_under(k, r)))
        .cloned()
        .collect();
    let mut removed = 0;
    for key in vanished {
        if let Some(entry) = meta.files.remove(&key) {
            for id in entry.ids {
                writer.delete_term(Term::from_field_text(fields.id, &id));
                removed += 1;
            }
        }
    }
    removed
}

fn to_tantivy(f: &Fields, d: &Document) -> TantivyDocument {
    // Sized up front: a document waits in tantivy's queue (up to 10,000 of
    // them), and growing by doubling would leave up to half of each unused.
    let mut doc = TantivyDocument::with_capacity(d.title.len() + d.body.len() + 1024);
    doc.add_text(f.id, &d.id);
    doc.add_text(f.path, &d.path);
    doc.add_u64(f.item, d.item as u64);
    doc.add_text(f.format, d.format.as_str());
    doc.add_text(f.title, &d.title);
    doc.add_text(f.body, &d.body);
    if let Some(date) = d.date {
        let secs = date
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
        doc.add_date(f.date, DateTime::from_timestamp_secs(secs));
        doc.add_u64(
            f.year,
            u64::try_from(chrono::Datelike::year(&date)).unwrap_or(0),
        );
    }
    if let Some(source) = d.date_source {
        let name = serde_json::to_value(source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        if let Some(name) = name {
            doc.add_text(f.date_source, name);
        }
    }
    for (field, values) in [
        (f.agency, &d.agencies),
        (f.topic, &d.topics),
        (f.country, &d.countries),
        (f.categories, &d.categories),
    ] {
        for v in values {
            doc.add_text(field, v);
        }
    }
    for (field, value) in [
        (f.source, &d.source),
        (f.author, &d.author),
        (f.url, &d.url),
        (f.lang, &d.lang),
    ] {
        if let Some(v) = value {
            doc.add_text(field, v);
        }
    }
    doc
}

impl Store {
    /// Opens the index for writing, creating it when absent.
    fn open_for_writing(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let compatible = read_header(dir)
            .ok()
            .flatten()
            .is_some_and(|h| h.schema_version == SCHEMA_VERSION);
        if dir.join("meta.json").exists() && !compatible {
            // Built by another version: its files cannot be reused.
            clear_index_files(dir)?;
        }
        let (schema, fields) = schema::build();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| Error::io(dir, std::io::Error::other(e.to_string())))?;
        let index = Index::builder()
            .schema(schema)
            .settings(index_settings())
            .open_or_create(directory)?;
        crate::analyzer::register(&index);
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    fn writer(&self, options: &IndexOptions) -> Result<IndexWriter> {
        let writer_options = IndexWriterOptions::builder()
            .num_worker_threads(options.writer_threads)
            .memory_budget_per_thread(options.memory_per_thread)
            .num_merge_threads(1)
            .build();
        let writer: IndexWriter = self
            .index
            .writer_with_options(writer_options)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => {
                    let holder = std::fs::read_to_string(self.dir.join(WRITER_PID_FILE))
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok())
                        .map_or("another process".to_string(), |pid| {
                            format!("process {pid}")
                        });
                    Error::IndexBusy {
                        path: self.dir.clone(),
                        detail: format!("it is being written by {holder}; wait for it to finish"),
                    }
                }
                other => Error::Tantivy(other),
            })?;
        writer.set_merge_policy(Box::new(merge_policy()));
        // tantivy's lock is an OS file lock, released when a process dies, so
        // a crash leaves no stale lock; the pid file only names the holder.
        let pid_file = self.dir.join(WRITER_PID_FILE);
        std::fs::write(&pid_file, std::process::id().to_string())
            .map_err(|e| Error::io(pid_file, e))?;
        Ok(writer)
    }
}

/// The doc store is zstd-compressed: article text is most of the index,
/// and zstd stores it in a third less space than lz4 for a few hundredths
/// of a millisecond more per fetched hit (BENCHMARKS.md).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(ZSTD_LEVEL),
        }),
        ..tantivy::IndexSettings::default()
    }
}

/// tantivy's log merge policy, but waiting for more segments of a size
/// before merging them. A first build of 100k articles ends with about ten
/// segments; merging them right away would add a long single-threaded tail
/// to the run and map every merged file into memory. In-process queries
/// barely notice the segment count; one-shot searches pay a few
/// milliseconds to open them, which `--merge` trades for indexing time.
/// Small segments from later incremental runs still get merged once enough
/// pile up.
fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_min_num_segments(MIN_SEGMENTS_PER_MERGE);
    policy
}

/// See [`merge_policy`].
const MIN_SEGMENTS_PER_MERGE: usize = 12;

/// Removes tantivy's files and our metadata from an index directory
/// (nothing else in it is touched).
fn clear_index_files(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(META_FILE)
            || name.starts_with("cpsearch-manifest")
            || name.starts_with("cpsearch-clusters")
            || [
                ".idx",
                ".pos",
                ".term",
                ".store",
                ".fast",
                ".fieldnorm",
                ".del",
            ]
            .iter()
            .any(|ext| name.ends_with(ext));
        if ours {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}
