//! What an index build asks of the allocator so that its peak stays near
//! what it really holds. Only glibc's allocator is tuned; elsewhere these
//! do nothing.

/// Blocks at least this large are mapped on their own: tantivy's indexing
/// arenas grow by 1 MiB pages. 4 MiB left those pages in the heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;

/// Free memory at the top of the heap kept for reuse rather than returned.
/// A fixed mmap threshold would otherwise leave this at 128 KiB, and the
/// heap would be shrunk and faulted in again all run long (20% more CPU
/// at 100k); 64 MiB is where glibc's own adjustment would have taken it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 64 << 20;

/// Has large blocks (tantivy's indexing arenas, the growing per-article
/// tables) mapped on their own and unmapped when freed. By default glibc
/// raises its threshold each time such a block is freed, up to 32 MB, and
/// later ones come from the heap, where the run's small long-lived
/// allocations pin them: at the last commit of a 100k build the heap then
/// held 315 MB free of 427 MB, against 132 of 207 MB with a fixed threshold
/// (BENCHMARKS.md, "The allocator's share").
pub(crate) fn map_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes tuning parameters of the allocator.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

/// Gives the heap's free pages back to the system. glibc keeps what the
/// reading threads freed in their arenas, so dropping a run's per-article
/// state alone does not lower the process's resident memory before the
/// merges.
pub(crate) fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it touches no
    // memory still allocated.
    unsafe {
        libc::malloc_trim(0);
    }
}
