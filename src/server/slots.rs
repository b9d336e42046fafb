//! How many searches run at once: one per core. The blocking pool would
//! start every request's search at once, and on two cores eight searches
//! then share the CPU in slices, so each of them takes about four times as
//! long and the slowest queries set the tail. Admitted in arrival order,
//! they finish in that order at the same throughput, with a shorter tail
//! (see the load section of BENCHMARKS.md).

use std::sync::OnceLock;

use tokio::sync::{Semaphore, SemaphorePermit};

static SLOTS: OnceLock<Semaphore> = OnceLock::new();

/// The number of searches allowed to run at once: the cores this process
/// may use (1 when that cannot be read).
pub fn capacity() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Waits for a free slot, first come first served (tokio's semaphore is
/// fair). The slot is free again when the permit is dropped.
pub async fn acquire() -> Option<SemaphorePermit<'static>> {
    let slots = SLOTS.get_or_init(|| Semaphore::new(capacity()));
    slots.acquire().await.ok()
}
