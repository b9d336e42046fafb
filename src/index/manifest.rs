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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ingest::ContentHash;
use crate::schema::SCHEMA_VERSION;

/// The small metadata file every search reads (`cpsearch.json`).
pub const META_FILE: &str = "cpsearch.json";
/// The manifest of indexed files (large; read only by `index`).
/// zstd-compressed JSON: 100k files make 21 MB of JSON but 6 MB on disk.
const MANIFEST_FILE: &str = "cpsearch-manifest.json.zst";
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

fn read_compressed_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let reader = zstd::Decoder::new(file).map_err(|e| Error::io(path, e))?;
    Ok(Some(serde_json::from_reader(std::io::BufReader::new(
        reader,
    ))?))
}

/// Writes JSON atomically (temporary file, then rename).
fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    write_atomically(path, &serde_json::to_vec(value)?)
}

/// The JSON goes through the compressor straight to the file: at a
/// million files a JSON copy in memory would be about 300 MB.
fn write_compressed_json(path: &Path, value: &impl Serialize) -> Result<()> {
    write_compressed_atomically(path, |out| {
        serde_json::to_writer(out, value).map_err(std::io::Error::other)
    })
}

/// Writes what `fill` produces, zstd-compressed as it is produced, to a
/// temporary file that then replaces `path`: neither the plain nor the
/// compressed bytes are held in memory whole.
pub(crate) fn write_compressed_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = temporary_path(path);
    let write = || -> std::io::Result<()> {
        let file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let mut encoder = zstd::Encoder::new(file, ZSTD_LEVEL)?;
        fill(&mut encoder)?;
        let mut file = encoder.finish()?;
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

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary_path(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
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
    let files = read_compressed_json(&dir.join(MANIFEST_FILE))?.unwrap_or_default();
    Ok(Some(IndexMeta {
        schema_version: header.schema_version,
        taxonomy: header.taxonomy,
        files,
    }))
}

/// Writes the manifest, then the header.
pub(crate) fn write_meta(dir: &Path, meta: &IndexMeta) -> Result<()> {
    write_compressed_json(&dir.join(MANIFEST_FILE), &meta.files)?;
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
