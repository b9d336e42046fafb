//! How many segments an index is left with, and when they are merged.
//!
//! Every segment costs a one-shot search its own files to open and map,
//! its own term and facet lookups and its own first-touch page faults
//! (about half a millisecond each at 100k articles), so a run that changed
//! documents ends by merging small segments into few. Merging maps its
//! input, so one merge reads at most [`MERGE_BYTES`] of segments, and a
//! segment is not rewritten to absorb one much smaller than itself:
//! incremental runs merge their small segments among themselves until
//! together they are worth rewriting a large one for.
//!
//! Nothing is merged while a run adds documents: a merge then would map
//! files while the writer's buffers and the run's state fill the heap, and
//! the plan at the end needs the segments to stay as it found them.

use std::path::Path;

use tantivy::index::{SegmentComponent, SegmentId};
use tantivy::{Index, IndexWriter};

use crate::error::Result;

/// The most segment bytes one end-of-run merge reads: by its end a merge
/// has touched, and so holds mapped, about all of them. At a million
/// articles (3.7 GB of index) this leaves about six segments, and keeps
/// the merges' peak (about 900 MB with the heap that is left) under the
/// peak of adding the documents; 1 GiB groups made the merges the run's
/// peak (1,165 MB, BENCHMARKS.md).
const MERGE_BYTES: u64 = 768 << 20;

/// A segment joins a merge only while it is at most this many times the
/// bytes already gathered for it: a 400 MB segment is not rewritten to take
/// in one article's segment.
const SIZE_RATIO: u64 = 10;

/// Merges the index's segments as [`merge_groups`] plans, one group at a
/// time so only one group's files are mapped at once; `into_one` merges
/// everything regardless of size (`index --merge`). Stops between groups
/// once `stop` says so: each finished merge is already committed.
pub fn merge_at_end(
    dir: &Path,
    index: &Index,
    writer: &mut IndexWriter,
    into_one: bool,
    stop: impl Fn() -> bool,
) -> Result<()> {
    let segments = segment_sizes(dir, index)?;
    let groups = if into_one {
        match segments.len() {
            0 | 1 => Vec::new(),
            _ => vec![segments.into_iter().map(|(id, _)| id).collect()],
        }
    } else {
        merge_groups(segments, MERGE_BYTES)
    };
    for group in groups {
        if stop() {
            break;
        }
        writer.merge(&group).wait()?;
    }
    Ok(())
}

/// Each searchable segment with the bytes of its files.
fn segment_sizes(dir: &Path, index: &Index) -> Result<Vec<(SegmentId, u64)>> {
    use SegmentComponent::*;
    let metas = index.searchable_segment_metas()?;
    Ok(metas
        .iter()
        .map(|meta| {
            let bytes = [Postings, Positions, Terms, Store, FastFields, FieldNorms]
                .into_iter()
                .filter_map(|part| std::fs::metadata(dir.join(meta.relative_path(part))).ok())
                .map(|file| file.len())
                .sum();
            (meta.id(), bytes)
        })
        .collect())
}

/// Plans merges: the segments from smallest to largest, gathered into
/// groups of at most `budget` bytes; a segment more than [`SIZE_RATIO`]
/// times what its group holds so far starts a new group instead. Groups of
/// one segment are left out (nothing to merge).
fn merge_groups<Id>(mut segments: Vec<(Id, u64)>, budget: u64) -> Vec<Vec<Id>> {
    segments.sort_by_key(|(_, bytes)| *bytes);
    let mut groups: Vec<Vec<Id>> = Vec::new();
    let mut group: Vec<Id> = Vec::new();
    let mut gathered = 0u64;
    for (id, bytes) in segments {
        let too_big =
            gathered.saturating_add(bytes) > budget || bytes > gathered.saturating_mul(SIZE_RATIO);
        if !group.is_empty() && too_big {
            groups.push(std::mem::take(&mut group));
            gathered = 0;
        }
        group.push(id);
        gathered += bytes;
    }
    groups.push(group);
    groups.retain(|g| g.len() > 1);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    #[test]
    fn a_first_build_is_merged_into_one_group_under_the_budget() {
        let segments = vec![
            ("a", 60 * MB),
            ("b", 60 * MB),
            ("c", 8 * MB),
            ("d", 60 * MB),
        ];
        assert_eq!(
            merge_groups(segments, MERGE_BYTES),
            vec![vec!["c", "a", "b", "d"]]
        );
    }

    #[test]
    fn a_large_build_is_merged_in_groups_of_at_most_the_budget() {
        let segments: Vec<(usize, u64)> = (0..64).map(|i| (i, 60 * MB)).collect();
        let groups = merge_groups(segments, MERGE_BYTES);
        // 12 segments of 60 MiB fit in 768 MiB.
        assert_eq!(groups.len(), 6);
        assert!(groups
            .iter()
            .all(|g| g.len() as u64 * 60 * MB <= MERGE_BYTES));
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 64);
    }

    #[test]
    fn a_large_segment_is_not_rewritten_for_a_small_one() {
        let segments = vec![("big", 400 * MB), ("new", MB)];
        assert!(merge_groups(segments, MERGE_BYTES).is_empty());
        let segments = vec![("big", 400 * MB), ("new", MB), ("newer", 2 * MB)];
        assert_eq!(
            merge_groups(segments, MERGE_BYTES),
            vec![vec!["new", "newer"]]
        );
        let segments = vec![("big", 400 * MB), ("small", 45 * MB)];
        assert_eq!(
            merge_groups(segments, MERGE_BYTES),
            vec![vec!["small", "big"]]
        );
    }
}
