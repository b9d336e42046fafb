//! Is a folder an index we may write, a damaged one, or someone else's?
//! Checked before anything is written, so `--index corpus/` never gets
//! tantivy files sprinkled into an article folder, and a damaged index is
//! rebuilt (by `index`) or named as damaged (by `search`) instead of looking
//! empty.

use std::path::Path;

use tantivy::Index;

use super::manifest::META_FILE;
use crate::error::{Error, Result};

/// What `index` found in the folder it was told to write.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing there yet (or only lock files): a new index.
    Nothing,
    /// An index whose files open.
    Index,
    /// An index that cannot be read; why, in a few words.
    Damaged(String),
}

/// Inspects `dir` before writing. A folder holding other files and no
/// index is refused with [`Error::NotAnIndex`].
pub(crate) fn inspect(dir: &Path) -> Result<Found> {
    let has = |name: &str| dir.join(name).exists();
    let (tantivy_meta, ours) = (has("meta.json"), has(META_FILE));
    if !tantivy_meta && !ours {
        return if holds_visible_files(dir)? {
            Err(Error::NotAnIndex(dir.to_path_buf()))
        } else {
            Ok(Found::Nothing)
        };
    }
    if !tantivy_meta {
        return Ok(Found::Damaged("meta.json is missing".into()));
    }
    if !ours {
        // tantivy's files without ours: a first run killed between the two
        // writes, or an index from another tool. Either way nothing of ours
        // is lost by rebuilding it.
        return Ok(Found::Damaged("cpsearch.json is missing".into()));
    }
    Ok(match opens(dir) {
        Ok(()) => Found::Index,
        Err(detail) => Found::Damaged(detail),
    })
}

/// Opens the index and every segment, as a search would; the error in a
/// few words when that fails.
pub(crate) fn opens(dir: &Path) -> std::result::Result<(), String> {
    let index = Index::open_in_dir(dir).map_err(|e| short(&e.to_string()))?;
    let reader = index.reader().map_err(|e| short(&e.to_string()))?;
    let searcher = reader.searcher();
    // Opening a segment reader reads each file's footer; reading one stored
    // document per segment also touches the doc store, where truncation
    // otherwise only shows when a hit is fetched.
    for segment in searcher.segment_readers() {
        if segment.max_doc() == 0 {
            continue;
        }
        let store = segment
            .get_store_reader(1)
            .map_err(|e| short(&e.to_string()))?;
        store
            .get::<tantivy::TantivyDocument>(0)
            .map_err(|e| short(&e.to_string()))?;
    }
    Ok(())
}

/// tantivy's messages for an unreadable file run to a line of debug
/// output; what the user needs is what happened, in plain words.
pub(crate) fn short(_tantivy_message: &str) -> String {
    "an index file is missing, truncated or corrupted".to_string()
}

/// True when `dir` holds anything but dot-files (tantivy's lock files and
/// editors' droppings do not make a folder someone's).
fn holds_visible_files(dir: &Path) -> Result<bool> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(dir, e)),
    };
    Ok(entries
        .flatten()
        .any(|e| !e.file_name().to_string_lossy().starts_with('.')))
}
