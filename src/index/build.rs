//! The write loop: walk the paths, read what changed, replace documents by
//! id, delete what vanished, and commit in batches so an interrupted run
//! leaves the last committed state searchable.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::clusters::{self, Clusters};
use super::health::{self, Found};
use super::manifest::{
    is_under, read_header, read_meta, root_key, stamp, write_meta, FileEntry, IndexMeta,
    NewEntries, META_FILE, WRITER_PID_FILE, ZSTD_LEVEL,
};
use super::owners::UrlOwners;
use super::Store;
use super::{memory, segments};
use crate::document::{DateSource, Document};
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
    /// Merge all segments into one at the end, however large. Without it,
    /// a run that changed documents merges small segments only
    /// ([`segments::merge_at_end`]).
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
    /// An interrupted rebuild was abandoned: the previous index is unchanged.
    pub kept_previous: bool,
    /// Skipped files counted in `skipped_files` that were skipped the same
    /// way by an earlier run and have not changed.
    pub skipped_before: usize,
    /// Files not indexed because another file holds the same article
    /// (same canonical URL).
    pub same_article_files: usize,
    /// Unchanged files read again because an option changed, by reason.
    pub reread: Vec<Reread>,
    /// Folders given that hold no files.
    pub empty_paths: Vec<String>,
}

/// Files read again for one reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reread {
    /// Why ("--max-file-size now admits them").
    pub reason: String,
    /// How many files.
    pub files: usize,
}

/// Indexes the files under `paths` into `dir`, reusing what an earlier run
/// indexed. `on_file` sees every file's report with the number of files
/// that will be read (for progress and messages); reports of files that are
/// not read in this run (walk skips) come with 0.
///
/// Nothing is written when `dir` holds other files and no index. A full
/// rebuild of an index that has documents commits once, at the end, so a
/// search during the run sees the previous index until the new one lands.
/// A write that fails (disk full, size limit, read-only folder) becomes
/// [`Error::CannotWrite`] and leaves the last commit as it was.
pub fn build_index(
    dir: &Path,
    paths: &[PathBuf],
    options: &IndexOptions,
    taxonomy: &Taxonomy,
    on_file: impl FnMut(&FileReport, usize),
) -> Result<IndexSummary> {
    let found = health::inspect(dir)?;
    memory::map_large_blocks();
    let walk = ingest::discover(paths)?;
    write_loop(dir, paths, walk, found, options, taxonomy, on_file)
        .map_err(|e| cannot_write(dir, e))
}

fn write_loop(
    dir: &Path,
    paths: &[PathBuf],
    walk: ingest::Walk,
    found: Found,
    options: &IndexOptions,
    taxonomy: &Taxonomy,
    mut on_file: impl FnMut(&FileReport, usize),
) -> Result<IndexSummary> {
    let damage = match found {
        Found::Damaged(why) => Some(why),
        Found::Nothing | Found::Index => None,
    };
    let old_meta = match damage {
        Some(_) => None,
        None => read_meta(dir).ok().flatten(),
    };
    let mut summary = IndexSummary {
        files: walk.files.len(),
        skipped_files: walk.skipped.len(),
        empty_paths: empty_folders(paths, &walk),
        ..IndexSummary::default()
    };
    summary.rebuild_reason = match &damage {
        Some(why) => Some(format!("the index was damaged ({why}); rebuilt it")),
        None => rebuild_reason(old_meta.as_ref(), taxonomy, options.full),
    };
    let full = summary.rebuild_reason.is_some();
    if damage.is_some() {
        // It cannot be searched as it is, so nothing searchable is lost.
        clear_index_files(dir)?;
    }
    let had_meta = old_meta.is_some();
    // Moved, not copied: at a million files the manifest is hundreds of MB.
    let mut meta = match old_meta {
        Some(m) if !full => m,
        _ => IndexMeta::default(),
    };
    meta.schema_version = SCHEMA_VERSION;
    meta.taxonomy = taxonomy.digest().to_string();
    // The entries of the files this run reads wait on disk, not in `meta`.
    let mut new_entries = NewEntries::new(dir);
    if !had_meta {
        // The header goes first, before tantivy creates its files, so a run
        // killed at any point leaves either no index or an index that
        // searches (empty), never tantivy files without cpsearch's header,
        // which look like a foreign index. Tantivy files without a header
        // are such a leftover (or unreadable): they hold nothing to keep.
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if dir.join("meta.json").exists() {
            clear_index_files(dir)?;
        }
        write_meta(dir, &meta, &mut new_entries)?;
    }
    let store = Store::open_for_writing(dir)?;
    let mut writer = store.writer(options)?;
    let committed_docs = store.reader()?.searcher().num_docs();
    // tantivy swaps in a commit atomically (a new meta.json), so a rebuild
    // held in one commit replaces the old index in one step; commits in
    // between would show searches a half-built index.
    let hold_commits = full && committed_docs > 0;
    if full {
        writer.delete_all_documents()?;
    }
    // Deleting by id before each add is what makes re-runs and resumed
    // crashes duplicate-free, but it costs time on every commit. An index
    // that starts empty only needs it for ids seen twice in this run.
    let starts_empty = full || committed_docs == 0;
    // Hashes, not the ids (80 MB at a million articles): two ids sharing a
    // hash only cost one needless delete.
    let mut added_ids: rustc_hash::FxHashSet<u64> = Default::default();
    if full && !hold_commits && had_meta {
        // Written before any document so a run killed before its first
        // commit still leaves an index that searches (empty) instead of one
        // that looks foreign.
        write_meta(dir, &meta, &mut new_entries)?;
    }
    for (rel, reason) in &walk.skipped {
        on_file(&FileReport::skipped(rel, reason.clone()), 0);
    }

    let mut owners = UrlOwners::from_manifest(&meta.files);
    let files_before = meta.files.len();
    summary.removed += remove_vanished(
        &mut writer,
        &store.fields,
        &mut meta,
        &mut owners,
        paths,
        &walk.files,
    );
    let (to_read, stamps) = plan_reads(walk.files, &meta, &options.ingest, &mut summary);
    // A run with nothing to read or delete leaves the clusters as they are:
    // at a million articles their state takes seconds to load and save.
    let touches_clusters = full || !to_read.is_empty() || summary.removed > 0;
    // Nor is an unchanged manifest written again (seconds at a million).
    let manifest_changes =
        full || !had_meta || !to_read.is_empty() || meta.files.len() != files_before;
    let mut clusters = if touches_clusters && !full {
        let mut clusters = Clusters::load(dir)?;
        clusters.keep_listed(
            meta.files
                .values()
                .flat_map(|f| f.ids.iter().map(String::as_str)),
        );
        clusters
    } else {
        Clusters::default()
    };

    let mut since_commit = 0usize;
    let mut next = 0usize;
    let stop_requested = || {
        options
            .stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    };
    let reading = to_read.len();
    let outcome = ingest::extract_files_with(
        to_read,
        &options.ingest,
        taxonomy,
        signatures,
        |file, report, signatures| {
            if stop_requested() {
                return Err(Error::Interrupted);
            }
            // Only the key is needed; the file's paths are freed with it.
            let SourceFile { key, .. } = file;
            let (size, mtime) = stamps[next];
            next += 1;
            on_file(&report, reading);
            summary.skipped_items += report.item_problems.len();
            summary.warnings += report.warnings.len()
                + report
                    .documents
                    .iter()
                    .map(|d| d.warnings.len())
                    .sum::<usize>();
            if report.unchanged {
                if let Some(entry) = meta.files.get_mut(&key) {
                    entry.size = size;
                    entry.mtime = mtime;
                    count_unchanged(entry, &mut summary);
                }
                return Ok(());
            }
            if report.skipped.is_some() {
                summary.skipped_files += 1;
            }
            // Taken out of `meta`: the file's new entry goes to `new_entries`,
            // which every manifest write adds after `meta`'s.
            let old_ids: Vec<String> = meta.files.remove(&key).map(|e| e.ids).unwrap_or_default();
            // A file skipped before had no documents: its first ones are added.
            let existed = !old_ids.is_empty();
            let new_ids: Vec<String> = report.documents.iter().map(|d| d.id.clone()).collect();
            let new_set: HashSet<&String> = new_ids.iter().collect();
            for old in old_ids.iter().filter(|id| !new_set.contains(id)) {
                if owners.release(old, &key) {
                    writer.delete_term(Term::from_field_text(store.fields.id, old));
                    clusters.forget(old);
                    summary.removed += 1;
                }
            }
            let mut n = 0usize;
            let mut same_article = false;
            for (document, signature) in report.documents.iter().zip(signatures) {
                // Another file already holds this URL: one article, one
                // document (the first file's).
                if owners.held_elsewhere(&document.id, &key) && !old_ids.contains(&document.id) {
                    same_article = true;
                    continue;
                }
                let first_time = starts_empty && added_ids.insert(id_hash(&document.id));
                if !first_time {
                    writer.delete_term(Term::from_field_text(store.fields.id, &document.id));
                }
                let mut doc = to_tantivy(&store.fields, document);
                let cluster = clusters.assign_signature(&document.id, signature);
                doc.add_u64(store.fields.cluster, cluster);
                if clusters::is_copy(&document.id, cluster) {
                    doc.add_u64(store.fields.copy, 1);
                }
                writer.add_document(doc)?;
                n += 1;
            }
            owners.claim(&key, &new_ids);
            summary.same_article_files += usize::from(same_article);
            summary.indexed += n;
            if existed {
                summary.updated += n;
            } else {
                summary.added += n;
            }
            // Skipped files are remembered too, so an unchanged one is not read
            // again on every run, yet still counted, and read once the option
            // that skipped it changes.
            let entry = FileEntry {
                size,
                mtime,
                hash: report.hash.unwrap_or_default(),
                ids: new_ids,
                skipped: report.skipped.clone(),
                max_file_size: options.ingest.max_file_size,
                date_from_mtime: options.ingest.date_from_mtime,
                mtime_sensitive: report
                    .documents
                    .iter()
                    .any(|d| d.date.is_none() || d.date_source == Some(DateSource::Mtime)),
            };
            new_entries.push(&key, &entry)?;
            since_commit += n.max(1);
            if !hold_commits && since_commit >= options.commit_every {
                writer.commit()?;
                write_meta(dir, &meta, &mut new_entries)?;
                clusters.save(dir)?;
                since_commit = 0;
            }
            Ok(())
        },
    );
    match outcome {
        Ok(()) => {}
        Err(Error::Interrupted) => summary.interrupted = true,
        // Nothing from this run is committed: the last commit stays intact.
        Err(e) => return Err(e),
    }
    if summary.interrupted && hold_commits {
        // Half a rebuild would replace a whole index: keep the old one.
        writer.rollback()?;
        summary.kept_previous = true;
        summary.total_documents = committed_docs;
        return Ok(summary);
    }
    writer.commit()?;
    if manifest_changes {
        write_meta(dir, &meta, &mut new_entries)?;
    }
    if touches_clusters {
        clusters.save(dir)?;
    }
    // Saved: at a million articles this state is most of the heap, and the
    // merges below map segment files on top of whatever is still held.
    drop((meta, new_entries, clusters, owners, added_ids, stamps));
    memory::return_freed_memory();
    let changed = summary.indexed > 0 || summary.removed > 0 || full;
    if (changed || options.merge) && !summary.interrupted {
        segments::merge_at_end(
            dir,
            store.index(),
            &mut writer,
            options.merge,
            stop_requested,
        )?;
    }
    writer.wait_merging_threads()?;
    summary.total_documents = store.reader()?.searcher().num_docs();
    Ok(summary)
}

/// Splits the walked files into those to read and those the manifest
/// already covers, counting the latter. A file is read when it is new,
/// changed, or an option it was read with has changed in a way that
/// changes its result (the reason is counted in `summary.reread`).
fn plan_reads(
    files: Vec<SourceFile>,
    meta: &IndexMeta,
    ingest: &IngestOptions,
    summary: &mut IndexSummary,
) -> (Vec<SourceFile>, Vec<(u64, i128)>) {
    // Moved, not copied: on a large first build these lists are tens of MB.
    let mut to_read = Vec::new();
    let mut stamps = Vec::new();
    // One stat a file: a fifth of an unchanged run at a million, and
    // each waits on the filesystem, so they run on every core.
    let walked_stamps: Vec<(u64, i128)> = files.par_iter().map(|f| stamp(&f.path)).collect();
    for (file, (size, mtime)) in files.into_iter().zip(walked_stamps) {
        let Some(entry) = meta.files.get(&file.key) else {
            to_read.push(file);
            stamps.push((size, mtime));
            continue;
        };
        let same_stamp = entry.size == size && entry.mtime == mtime;
        let option_change = entry.option_change(ingest);
        if let Some(reason) = option_change.filter(|_| same_stamp) {
            note_reread(summary, reason);
        }
        match (same_stamp, option_change) {
            (true, None) => count_unchanged(entry, summary),
            (true, Some(_)) => {
                to_read.push(file);
                stamps.push((size, mtime));
            }
            (false, change) => {
                // Unchanged bytes need not be parsed again, unless an
                // option would now give a different result.
                let known_hash = change.is_none().then_some(entry.hash);
                to_read.push(SourceFile { known_hash, ..file });
                stamps.push((size, mtime));
            }
        }
    }
    (to_read, stamps)
}

/// Counts a file not read again: unchanged, or skipped as before.
fn count_unchanged(entry: &FileEntry, summary: &mut IndexSummary) {
    if entry.skipped.is_some() {
        summary.skipped_files += 1;
        summary.skipped_before += 1;
    } else {
        summary.unchanged_files += 1;
    }
}

fn note_reread(summary: &mut IndexSummary, reason: &str) {
    match summary.reread.iter_mut().find(|r| r.reason == reason) {
        Some(r) => r.files += 1,
        None => summary.reread.push(Reread {
            reason: reason.to_string(),
            files: 1,
        }),
    }
}

/// The walked folders that hold no file at all.
fn empty_folders(paths: &[PathBuf], walk: &ingest::Walk) -> Vec<String> {
    paths
        .iter()
        .filter(|p| p.is_dir())
        .filter(|p| {
            root_key(p).is_some_and(|root| !walk.files.iter().any(|f| is_under(&f.key, &root)))
        })
        .map(|p| p.display().to_string())
        .collect()
}

/// A write refused by the disk or the folder becomes one plain error.
fn cannot_write(dir: &Path, e: Error) -> Error {
    const FULL: &str =
        "the disk is full or a file-size limit was reached; free some space and run again";
    const READ_ONLY: &str =
        "the folder is read-only or not writable by this user; make it writable or choose another --index";
    let detail = match os_error_code(&e) {
        Some(27 | 28 | 122) => FULL,
        Some(1 | 13 | 30) => READ_ONLY,
        _ => return e,
    };
    Error::CannotWrite {
        path: dir.to_path_buf(),
        detail: detail.to_string(),
    }
}

/// The OS error code behind an error: from the source chain, or from the
/// text where tantivy has flattened the I/O error into a message.
fn os_error_code(e: &Error) -> Option<i32> {
    let mut current: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = current {
        if let Some(code) = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
        {
            return Some(code);
        }
        current = err.source();
    }
    let text = format!("{e} {e:?}");
    [27, 28, 122, 1, 13, 30].into_iter().find(|code| {
        text.contains(&format!("os error {code})")) || text.contains(&format!("code: {code},"))
    })
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
        match meta.files.get(&file.key) {
            Some(entry) if (entry.size, entry.mtime) == stamp(&file.path) => seen += 1,
            Some(_) => return Ok(true),
            None => return Ok(true),
        }
    }
    let roots: Vec<String> = paths.iter().filter_map(|p| root_key(p)).collect();
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
    owners: &mut UrlOwners,
    paths: &[PathBuf],
    found: &[SourceFile],
) -> usize {
    // A first build has nothing to remove; at a million files the set of
    // their keys alone is tens of MB.
    if meta.files.is_empty() {
        return 0;
    }
    let found: HashSet<&str> = found.iter().map(|f| f.key.as_str()).collect();
    let roots: Vec<String> = paths.iter().filter_map(|p| root_key(p)).collect();
    let vanished: Vec<String> = meta
        .files
        .keys()
        .filter(|k| !found.contains(k.as_str()))
        .filter(|k| roots.iter().any(|r| is_under(k, r)))
        .cloned()
        .collect();
    let mut removed = 0;
    for key in vanished {
        if let Some(entry) = meta.files.remove(&key) {
            for id in entry.ids {
                if owners.release(&id, &key) {
                    writer.delete_term(Term::from_field_text(fields.id, &id));
                    removed += 1;
                }
            }
        }
    }
    removed
}

fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    id.hash(&mut h);
    h.finish()
}

/// Each document's near-duplicate signature: computed on the parser
/// threads, since the loop that assigns clusters is serial.
fn signatures(report: &FileReport) -> Vec<Option<clusters::Signature>> {
    report
        .documents
        .iter()
        .map(|d| clusters::signature(&d.body))
        .collect()
}

fn to_tantivy(f: &Fields, d: &Document) -> TantivyDocument {
    // Sized up front: a document waits in tantivy's queue (up to 10,000 of
    // them), and growing by doubling would leave up to half of each unused.
    // The body goes in twice: stored and indexed, and as the pairs field.
    let mut doc = TantivyDocument::with_capacity(d.title.len() + 2 * d.body.len() + 1024);
    doc.add_text(f.id, &d.id);
    doc.add_text(f.path, &d.path);
    doc.add_u64(f.item, d.item as u64);
    doc.add_text(f.format, d.format.as_str());
    doc.add_text(f.title, &d.title);
    doc.add_text(f.body, &d.body);
    doc.add_text(f.pairs, &d.body);
    if let Some(date) = d.date {
        doc.add_date(f.date, crate::schema::day_value(date));
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
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => {
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
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
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
