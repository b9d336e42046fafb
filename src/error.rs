//! The library's error type. Every variant that comes from a file names it, so
//! a message read on a terminal says where to look.

use std::path::PathBuf;

/// Errors returned by the cpsearch library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The taxonomy file could not be read or is malformed.
    #[error("taxonomy {path}: {message}")]
    Taxonomy {
        /// Where the taxonomy came from (a file path or "built-in").
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A path given on the command line does not exist.
    #[error("{0}: no such file or directory")]
    MissingPath(PathBuf),
    /// The search query could not be understood.
    #[error("query: {0}")]
    Query(String),
    /// There is no index at the given location.
    #[error("no index at {0}: run `cpsearch index` first")]
    NoIndex(PathBuf),
    /// Another process is writing the index.
    #[error("index {path} is busy: {detail}")]
    IndexBusy {
        /// The index directory.
        path: PathBuf,
        /// Who holds the lock, when known.
        detail: String,
    },
    /// The index was written by an incompatible version of cpsearch.
    #[error("index {path} was built by an incompatible version ({found}); rebuild it with `cpsearch index --full`")]
    IncompatibleIndex {
        /// The index directory.
        path: PathBuf,
        /// The schema version found on disk.
        found: String,
    },
    /// `--index` names a folder that holds other files and no index.
    #[error(
        "{0} is not a cpsearch index but holds other files; give --index an empty or new folder"
    )]
    NotAnIndex(PathBuf),
    /// The index files are damaged (missing or truncated).
    #[error("index {path} is damaged ({detail}); rebuild it by running `cpsearch index` with the folders it was built from and --index {path}")]
    DamagedIndex {
        /// The index directory.
        path: PathBuf,
        /// What is wrong, in a few words.
        detail: String,
    },
    /// The index files exist but this user may not read them.
    #[error(
        "cannot read the index at {0}: permission denied; run as a user who can read its files"
    )]
    UnreadableIndex(PathBuf),
    /// The index could not be written (disk full, size limit, read-only).
    #[error("cannot write the index at {path}: {detail}; the previous index is unchanged")]
    CannotWrite {
        /// The index directory.
        path: PathBuf,
        /// Why, and what to do.
        detail: String,
    },
    /// The run was asked to stop (Ctrl-C); what was done is committed.
    #[error("interrupted")]
    Interrupted,
    /// No document has the requested id.
    #[error("no document with id {0}")]
    NoSuchDocument(String),
    /// An export cannot be written as asked.
    #[error("export: {0}")]
    Export(String),
    /// An error from the tantivy engine.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A query parse error from tantivy.
    #[error("query: {0}")]
    QueryParser(#[from] tantivy::query::QueryParserError),
    /// JSON (de)serialization failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
