//! Whether an index can answer yet: a search on an index that has no
//! documents, or one that `cpsearch index` is still writing, says so
//! instead of printing a bare "0 matches".

use std::path::Path;

use crate::index::manifest::WRITER_PID_FILE;

/// What a searcher sees of the index it searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// Documents committed and no writer running.
    Ready,
    /// No documents and no writer running.
    Empty,
    /// Another process is writing the index; searches see its last commit.
    Writing {
        /// The writing process.
        pid: u32,
        /// Documents in the last commit.
        documents: u64,
    },
}

/// The state of the index in `dir` holding `documents` committed documents.
pub fn index_state(dir: &Path, documents: u64) -> IndexState {
    match writer_pid(dir) {
        Some(pid) => IndexState::Writing { pid, documents },
        None if documents == 0 => IndexState::Empty,
        None => IndexState::Ready,
    }
}

/// The process named by the writer's pid file, when it is still running.
/// The file stays behind after a run, so a dead pid means nobody writes.
/// Where running processes cannot be seen (no /proc), nobody is assumed.
fn writer_pid(dir: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(dir.join(WRITER_PID_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let alive = pid != std::process::id() && Path::new("/proc").join(pid.to_string()).exists();
    alive.then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_or_missing_writer_is_not_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(index_state(dir.path(), 0), IndexState::Empty);
        assert_eq!(index_state(dir.path(), 3), IndexState::Ready);
        std::fs::write(dir.path().join(WRITER_PID_FILE), "4294967295").expect("write");
        assert_eq!(index_state(dir.path(), 3), IndexState::Ready);
    }
}
