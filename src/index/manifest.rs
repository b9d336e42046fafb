//! What cpsearch keeps beside tantivy's files: `cpsearch.json` (the schema
//! version and taxonomy digest the index was built with, read by every
//! search) and the manifest of indexed files (size, mtime, content hash,
//! document ids; read only by `index`).
//!
//! The manifest makes re-indexing incremental: unchanged files are not read
//! again, changed files have their old documents replaced, and documents of
//! vanished files are deleted. It is written after each commit that changes
//! it (a run that finds nothing new leaves it as it was), so after a
//! crash it can only lag the index; documents are always deleted by id
//! before they are added, so a lagging manifest costs some re-reading but
//! never a duplicate.
//!
//! The entries of files read in a run are not held in memory (at a million
//! files they were 450 MB of the build's heap): [`NewEntries`] compresses
//! them into an unnamed temporary file beside the index, and each manifest
//! write copies those compressed bytes after the entries kept from before.
//! That is why the manifest is one JSON value per line: zstd frames
//! concatenated decompress to the lines concatenated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ingest::ContentHash;
use crate::schema::SCHEMA_VERSION;

/// The small metadata file every search reads (`cpsearch.json`).
pub const META_FILE: &str = "cpsearch.json";
/// The manifest of indexed files (large; read only by `index`): one
/// `[key, entry]` JSON array per line, zstd-compressed (100k files make
/// 21 MB of JSON but 6 MB on disk).
const MANIFEST_FILE: &str = "cpsearch-manifest.jsonl.zst";
/// The manifest as earlier builds wrote it: one JSON object. Still
/// read; replaced by [`MANIFEST_FILE`] at the next write.
const OBJECT_MANIFEST_FILE: &str = "cpsearch-manifest.json.zst";
/// Names the process holding the writer lock, for the "busy" message.
pub(crate) const WRITER_PID_FILE: &str = "cpsearch.writer.pid";
/// Fast to compress; higher levels cost indexing time for little space.
pub(crate) const ZSTD_LEVEL: i32 = 3;

/// What cpsearch keeps beside the tantivy files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexMeta {
    /// Schema version the index was built with.
    pub schema_version: u32,
    /// Digest of the taxonomy used to normalize the documents.
    pub taxonomy: String,
    /// Indexed files by key (`ingest::SourceFile::key`: the walked root's
    /// canonical path joined with the file's path below it).
    pub files: BTreeMap<String, FileEntry>,
}

/// What the manifest remembers of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: i128,
    /// blake3 of the content.
    pub hash: ContentHash,
    /// Ids of the documents read from it.
    pub ids: Vec<String>,
    /// Why the whole file was skipped, if it was: a skipped file is
    /// remembered so it is counted again (not silently dropped) while it
    /// stays unchanged, and read once an option change admits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// `--max-file-size` when the file was read.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// `--date-from-mtime` when the file was read.
    #[serde(default)]
    pub date_from_mtime: bool,
    /// Some document of the file has no date of its own (undated, or dated
    /// from the file's mtime), so `--date-from-mtime` changes it.
    #[serde(default)]
    pub mtime_sensitive: bool,
}

fn default_max_file_size() -> u64 {
    crate::ingest::DEFAULT_MAX_FILE_SIZE
}

impl FileEntry {
    /// Why an option change means this unchanged file must be read again
    /// (None when the options it was read with still give the same result).
    pub(crate) fn option_change(
        &self,
        options: &crate::ingest::IngestOptions,
    ) -> Option<&'static str> {
        let was_over = self.size > self.max_file_size;
        let now_over = self.size > options.max_file_size;
        if was_over && !now_over {
            Some("--max-file-size now admits them")
        } else if !was_over && now_over {
            Some("--max-file-size now excludes them")
        } else if !was_over
            && self.mtime_sensitive
            && self.date_from_mtime != options.date_from_mtime
        {
            Some("--date-from-mtime changed how undated documents are dated")
        } else {
            None
        }
    }
}

/// The small part of the metadata every search reads.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    pub(crate) schema_version: u32,
    pub(crate) taxonomy: String,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// A zstd-compressed file, decompressed as it is read; None when it does
/// not exist.
fn open_compressed(path: &Path) -> Result<Option<impl std::io::Read>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let reader = zstd::Decoder::new(file).map_err(|e| Error::io(path, e))?;
    Ok(Some(std::io::BufReader::new(reader)))
}

/// The manifest's entries; empty when there is none.
fn read_files(dir: &Path) -> Result<BTreeMap<String, FileEntry>> {
    let path = dir.join(MANIFEST_FILE);
    if let Some(reader) = open_compressed(&path)? {
        let mut files = BTreeMap::new();
        for line in serde_json::Deserializer::from_reader(reader).into_iter::<(String, FileEntry)>()
        {
            let (key, entry) = line.map_err(|e| manifest_error(&path, e))?;
            // A key written again later (a file read again) replaces the
            // earlier entry.
            files.insert(key, entry);
        }
        return Ok(files);
    }
    let path = dir.join(OBJECT_MANIFEST_FILE);
    match open_compressed(&path)? {
        Some(reader) => serde_json::from_reader(reader).map_err(|e| manifest_error(&path, e)),
        None => Ok(BTreeMap::new()),
    }
}

fn manifest_error(path: &Path, e: serde_json::Error) -> Error {
    Error::io(
        path,
        std::io::Error::other(format!(
            "damaged manifest ({e}); rebuild with `cpsearch index --full`"
        )),
    )
}

/// Writes JSON atomically (temporary file, then rename).
fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let bytes = serde_json::to_vec(value)?;
    write_file_atomically(path, |file| std::io::Write::write_all(file, &bytes))
}

/// One manifest line.
fn write_line(out: &mut dyn std::io::Write, key: &str, entry: &FileEntry) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &(key, entry)).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Entries of the files read in this run, compressed into an unnamed
/// temporary file in the index folder (the system removes it however the
/// run ends). Each manifest write ends the current zstd frame and copies
/// the finished frames.
#[derive(Default)]
pub(crate) struct NewEntries {
    /// Created with the first entry; None while there is none.
    open: Option<zstd::Encoder<'static, std::io::BufWriter<std::fs::File>>>,
    /// The file between manifest writes, every frame in it finished.
    finished: Option<std::fs::File>,
    /// Where the temporary file is made.
    dir: PathBuf,
}

impl NewEntries {
    /// No entries yet; the temporary file will be made in `dir`.
    pub(crate) fn new(dir: &Path) -> Self {
        NewEntries {
            dir: dir.to_path_buf(),
            ..NewEntries::default()
        }
    }

    /// Adds the entry of a file read in this run.
    pub(crate) fn push(&mut self, key: &str, entry: &FileEntry) -> Result<()> {
        let dir = &self.dir;
        let open = match self.open.take() {
            Some(open) => open,
            None => {
                let file = match self.finished.take() {
                    Some(file) => file,
                    None => tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?,
                };
                zstd::Encoder::new(std::io::BufWriter::new(file), ZSTD_LEVEL)
                    .map_err(|e| Error::io(dir, e))?
            }
        };
        let open = self.open.insert(open);
        write_line(open, key, entry).map_err(|e| Error::io(dir, e))
    }

    /// Copies every entry so far (as finished zstd frames) to `out`.
    fn copy_into(&mut self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        if let Some(open) = self.open.take() {
            let file = open.finish()?.into_inner().map_err(|e| e.into_error())?;
            self.finished = Some(file);
        }
        let Some(file) = self.finished.as_mut() else {
            return Ok(());
        };
        file.seek(SeekFrom::Start(0))?;
        std::io::copy(file, out)?;
        // The next entry starts a frame at the end.
        file.seek(SeekFrom::End(0))?;
        Ok(())
    }
}

/// Writes what `fill` produces, zstd-compressed as it is produced, to a
/// temporary file that then replaces `path`: neither the plain nor the
/// compressed bytes are held in memory whole.
pub(crate) fn write_compressed_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    write_file_atomically(path, |file| {
        let mut encoder = zstd::Encoder::new(file, ZSTD_LEVEL)?;
        fill(&mut encoder)?;
        encoder.finish()?;
        Ok(())
    })
}

/// Writes what `fill` writes to a temporary file that then replaces `path`.
fn write_file_atomically(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = temporary_path(path);
    let write = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut file)?;
        std::io::Write::flush(&mut file)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// The schema version and taxonomy digest (`cpsearch.json`), without the
/// manifest: cheap enough to read on every search.
pub(crate) fn read_header(dir: &Path) -> Result<Option<Header>> {
    read_json(&dir.join(META_FILE))
}

/// True when the index in `dir` was written with this version's schema
/// (false when there is none).
pub fn is_current_version(dir: &Path) -> bool {
    read_header(dir)
        .ok()
        .flatten()
        .is_some_and(|h| h.schema_version == SCHEMA_VERSION)
}

/// Reads the metadata and the file manifest; None when there is none.
pub fn read_meta(dir: &Path) -> Result<Option<IndexMeta>> {
    let Some(header) = read_header(dir)? else {
        return Ok(None);
    };
    Ok(Some(IndexMeta {
        schema_version: header.schema_version,
        taxonomy: header.taxonomy,
        files: read_files(dir)?,
    }))
}

/// Writes the manifest (the entries in `meta`, then the run's `new`
/// ones), then the header.
pub(crate) fn write_meta(dir: &Path, meta: &IndexMeta, new: &mut NewEntries) -> Result<()> {
    write_file_atomically(&dir.join(MANIFEST_FILE), |file| {
        let mut kept = zstd::Encoder::new(&mut *file, ZSTD_LEVEL)?;
        for (key, entry) in &meta.files {
            write_line(&mut kept, key, entry)?;
        }
        // The kept entries end their frame, so the copied ones follow it.
        kept.finish()?;
        new.copy_into(file)
    })?;
    remove_if_present(&dir.join(OBJECT_MANIFEST_FILE))?;
    let header = Header {
        schema_version: meta.schema_version,
        taxonomy: meta.taxonomy.clone(),
    };
    write_json(&dir.join(META_FILE), &header)
}

/// The key of a walked root, to match manifest keys below it; a root that
/// cannot be resolved (it vanished) matches nothing.
pub(crate) fn root_key(path: &Path) -> Option<String> {
    crate::ingest::root_key(path).ok()
}

pub(crate) fn stamp(path: &Path) -> (u64, i128) {
    let Ok(meta) = std::fs::metadata(path) else {
        return (0, 0);
    };
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    (meta.len(), mtime)
}

/// True when manifest key `key` is the walked path `root` or lies below it.
pub(crate) fn is_under(key: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    key == root
        || key
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(size: u64, id: &str) -> FileEntry {
        FileEntry {
            size,
            ids: vec![id.to_string()],
            ..FileEntry::default()
        }
    }

    fn meta_with(files: &[(&str, FileEntry)]) -> IndexMeta {
        IndexMeta {
            schema_version: SCHEMA_VERSION,
            taxonomy: "t".into(),
            files: files
                .iter()
                .map(|(k, e)| (k.to_string(), e.clone()))
                .collect(),
        }
    }

    #[test]
    fn each_write_holds_the_kept_entries_and_every_new_one_so_far() {
        let dir = tempfile::tempdir().expect("tempdir");
        let meta = meta_with(&[("/c/kept.txt", entry(1, "/c/kept.txt#0"))]);
        let mut new = NewEntries::new(dir.path());
        write_meta(dir.path(), &meta, &mut new).expect("first write");
        new.push("/c/a.txt", &entry(2, "/c/a.txt#0")).expect("push");
        write_meta(dir.path(), &meta, &mut new).expect("second write");
        new.push("/c/b.txt", &entry(3, "/c/b.txt#0")).expect("push");
        new.push("/c/kept.txt", &entry(4, "/c/kept.txt#0"))
            .expect("push");
        write_meta(dir.path(), &meta, &mut new).expect("third write");

        let read = read_meta(dir.path()).expect("reads").expect("exists");
        let sizes: Vec<(&str, u64)> = read
            .files
            .iter()
            .map(|(k, e)| (k.as_str(), e.size))
            .collect();
        // The new entry of a kept file replaces the old one.
        assert_eq!(
            sizes,
            [("/c/a.txt", 2), ("/c/b.txt", 3), ("/c/kept.txt", 4)]
        );
        assert_eq!(read.taxonomy, "t");
    }

    #[test]
    fn a_manifest_written_as_one_object_is_read_then_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = meta_with(&[("/c/a.txt", entry(5, "/c/a.txt#0"))]);
        let object = dir.path().join(OBJECT_MANIFEST_FILE);
        write_compressed_atomically(&object, |out| {
            serde_json::to_writer(out, &old.files).map_err(std::io::Error::other)
        })
        .expect("old manifest");
        write_json(
            &dir.path().join(META_FILE),
            &Header {
                schema_version: SCHEMA_VERSION,
                taxonomy: "t".into(),
            },
        )
        .expect("header");

        let read = read_meta(dir.path()).expect("reads").expect("exists");
        assert_eq!(read.files, old.files);
        write_meta(dir.path(), &read, &mut NewEntries::new(dir.path())).expect("writes");
        assert!(!object.exists(), "the old file is replaced");
        let again = read_meta(dir.path()).expect("reads").expect("exists");
        assert_eq!(again.files, old.files);
    }

    #[test]
    fn a_damaged_manifest_names_its_file_and_the_way_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let meta = meta_with(&[]);
        write_meta(dir.path(), &meta, &mut NewEntries::new(dir.path())).expect("writes");
        write_compressed_atomically(&dir.path().join(MANIFEST_FILE), |out| {
            out.write_all(b"[\"/c/a.txt\", {\"size\": \"big\"}]\n")
        })
        .expect("damaged manifest");
        let message = read_meta(dir.path()).expect_err("damaged").to_string();
        assert!(message.contains(MANIFEST_FILE), "{message}");
        assert!(message.contains("--full"), "{message}");
    }
}
