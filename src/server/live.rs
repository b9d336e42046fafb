//! The index as the server sees it: one shared reader that follows commits
//! (tantivy reloads it shortly after each commit), reopened from scratch when
//! the index is rebuilt (a new schema, or a new directory swapped in), so a
//! long-running server never needs a restart to show what `cpsearch index`
//! wrote.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use tantivy::{IndexReader, ReloadPolicy, Searcher};

use crate::error::Result;
use crate::index::Store;

/// How often a request may trigger the cheap check for a rebuilt index.
const CHECK_EVERY: Duration = Duration::from_millis(200);

/// What identifies one build of the index on disk: the directory itself
/// (a swapped-in rebuild is a new inode) and cpsearch's header file (a new
/// schema rewrites it).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Generation {
    dir_inode: u64,
    header_modified: Option<SystemTime>,
}

impl Generation {
    fn read(dir: &Path) -> Generation {
        use std::os::unix::fs::MetadataExt;
        let dir_inode = std::fs::metadata(dir).map_or(0, |m| m.ino());
        let header_modified = std::fs::metadata(dir.join("cpsearch.json"))
            .and_then(|m| m.modified())
            .ok();
        Generation {
            dir_inode,
            header_modified,
        }
    }
}

/// An opened index with its reader.
pub struct Opened {
    /// The store (fields, tokenizers, stored documents).
    pub store: Store,
    reader: IndexReader,
}

impl Opened {
    fn open(dir: &Path) -> Result<Opened> {
        let store = Store::open(dir)?;
        let reader = store
            .index()
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Opened { store, reader })
    }

    /// A searcher on the last commit this reader has seen.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }
}

/// The live index shared by every request.
pub struct LiveIndex {
    dir: PathBuf,
    current: RwLock<(Arc<Opened>, Generation)>,
    last_check: Mutex<Instant>,
}

impl LiveIndex {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<LiveIndex> {
        let generation = Generation::read(dir);
        let opened = Arc::new(Opened::open(dir)?);
        Ok(LiveIndex {
            dir: dir.to_path_buf(),
            current: RwLock::new((opened, generation)),
            last_check: Mutex::new(Instant::now()),
        })
    }

    /// The index as of now. Reopens it when it was rebuilt since the last
    /// look; a rebuild that cannot be opened yet (half-written) keeps the
    /// previous one serving.
    pub fn get(&self) -> Arc<Opened> {
        if self.check_due() {
            let now = Generation::read(&self.dir);
            let stale = self.current.read().map(|c| c.1 != now).unwrap_or(false);
            if stale {
                if let Ok(opened) = Opened::open(&self.dir) {
                    if let Ok(mut current) = self.current.write() {
                        *current = (Arc::new(opened), now);
                    }
                }
            }
        }
        match self.current.read() {
            Ok(current) => current.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    fn check_due(&self) -> bool {
        let Ok(mut last) = self.last_check.lock() else {
            return false;
        };
        if last.elapsed() < CHECK_EVERY {
            return false;
        }
        *last = Instant::now();
        true
    }
}
