//! Near-duplicate clusters: which articles tell the same story (a wire
//! story syndicated to several sites, a repost with different page chrome,
//! the same item in two feeds).
//!
//! Each article of at least [`MIN_WORDS`] body words gets a MinHash
//! signature over its five-word shingles. Signatures are banded (LSH), so
//! only articles sharing a band are compared, and a candidate is accepted
//! when the signatures agree on at least [`THRESHOLD`] of their slots (the
//! estimated Jaccard similarity of the shingle sets). An article joins the
//! cluster of its most similar accepted candidate; otherwise it starts a
//! cluster named after its own id. Short articles (notices, one-line feed
//! items) always stand alone: at that length boilerplate alone would merge
//! unrelated ones.
//!
//! Cluster ids are stable across incremental runs: the state (id key,
//! cluster, signature of every signed article) is kept beside the index in
//! `cpsearch-clusters.bin.zst` like the manifest, and an article that is
//! added later joins the existing cluster id. Clusters are never merged
//! after the fact (that would rewrite documents already in the index), so
//! an article that bridges two clusters joins the closer one.
//!
//! The signature is one-permutation MinHash (one hash per shingle, the
//! minimum kept per slot, empty slots filled from the next slot), so it
//! costs one pass over the words instead of one hash per slot per shingle.
//! The state keeps only the low 16 bits of each slot's minimum (128 bytes
//! an article instead of 256: 128 MB at a million articles): two different
//! minima then agree by chance once in 65,536 slots, which moves an
//! estimate of 32 agreeing slots out of 64 by far less than one slot.

use std::hash::Hasher;
use std::io::Write;
use std::path::Path;

use rustc_hash::{FxHashMap, FxHasher};

use super::manifest::write_compressed_atomically;
use crate::error::{Error, Result};

/// The state file beside the index.
pub const CLUSTERS_FILE: &str = "cpsearch-clusters.bin.zst";
/// Articles with fewer body words than this are never merged.
pub const MIN_WORDS: usize = 50;
/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;
/// Slots in a signature.
pub const SLOTS: usize = 64;
/// Estimated Jaccard similarity at or above which two articles are copies.
/// On same-title pairs in cti-blogs, reposts measure 0.78–1.0 and distinct
/// posts sharing a generic title at most 0.28 (BENCHMARKS.md).
pub const THRESHOLD: f64 = 0.5;
/// LSH: 21 bands of 3 slots. A pair at similarity 0.5 shares a band with
/// probability 0.94, a pair at 0.8 with 0.99999, a pair at 0.1 with 0.02.
const BANDS: usize = 21;
const ROWS: usize = 3;
/// Candidates compared per band bucket at most: a bucket only grows large
/// when many articles share boilerplate, and then the newest are enough.
const MAX_BUCKET_SCAN: usize = 64;
/// The state file's format: 03 keeps each article's [`id_key`] and 16-bit
/// slots. 02 and 01 held the id strings (01 with 32-bit slots); both are
/// still read, their ids hashed and slots cut to the same 16 bits.
const MAGIC: &[u8; 8] = b"CPSCLU03";
const MAGIC_ID_STRINGS: &[u8; 8] = b"CPSCLU02";
const MAGIC_32_BIT_SLOTS: &[u8; 8] = b"CPSCLU01";

/// A MinHash signature.
pub type Signature = [u32; SLOTS];

/// A signature as the state keeps it: the low 16 bits of each slot.
type Kept = [u16; SLOTS];

fn kept(signature: &Signature) -> Kept {
    signature.map(|v| v as u16)
}

/// The cluster id of an article that stands alone: derived from its id, so
/// it is the same in every run.
pub fn own_cluster(id: &str) -> u64 {
    let hash = blake3::hash(id.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    // Never zero, so zero can mean "no cluster" in a column.
    u64::from_le_bytes(bytes) | 1
}

/// An article's key in the state: 63 bits of its id's blake3, the hash
/// that names its own cluster. Keyed by it, the state holds no id strings
/// (about 90 bytes an article, 90 MB at a million); two ids of a million
/// share a key about once in twenty million indexes, and then share one entry,
/// which only costs the first of them its near-duplicate match.
fn id_key(id: &str) -> u64 {
    own_cluster(id)
}

/// True when an article in `cluster` is a copy: the cluster was started by
/// another article. Each cluster has at most one article that is not a copy
/// (the one whose id names it), which lets a search count the stories among
/// its matches from the copies alone.
pub fn is_copy(id: &str, cluster: u64) -> bool {
    cluster != own_cluster(id)
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finalizer: spreads FxHash's weak low bits.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// True for bytes that belong to words: ASCII letters and digits, and every
/// byte of a non-ASCII character (letters of other scripts, but also
/// curly quotes: "team’s" is one word, the same one in every copy).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// The signature of a body, or None when it has fewer than [`MIN_WORDS`]
/// words. Words are compared ignoring ASCII case.
pub fn signature(body: &str) -> Option<Signature> {
    let mut slots = [u32::MAX; SLOTS];
    let mut filled = 0u64;
    let mut window = [0u64; SHINGLE_WORDS];
    let mut words = 0usize;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        // One multiply per byte: words are short, and this loop is most
        // of what clustering costs at index time.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            h = (h ^ u64::from(bytes[i].to_ascii_lowercase())).wrapping_mul(0x0000_0100_0000_01b3);
            i += 1;
        }
        window[words % SHINGLE_WORDS] = h;
        words += 1;
        if words < SHINGLE_WORDS {
            continue;
        }
        // The shingle's words in order, each rotated by its place.
        let mut s = 0u64;
        for k in 0..SHINGLE_WORDS {
            s ^= window[(words + k) % SHINGLE_WORDS].rotate_left(13 * k as u32);
        }
        let s = mix(s);
        let slot = (s >> 58) as usize;
        let value = s as u32;
        if value < slots[slot] {
            slots[slot] = value;
        }
        filled |= 1 << slot;
    }
    if words < MIN_WORDS {
        return None;
    }
    densify(&mut slots, filled);
    Some(slots)
}

/// Fills each empty slot from the next filled one to its right (wrapping),
/// offset by the distance so that two borrowed slots agree only when the
/// sets agree there (rotation densification, Shrivastava and Li 2014).
fn densify(slots: &mut Signature, filled: u64) {
    if filled == 0 || filled == u64::MAX {
        return;
    }
    let original = *slots;
    for i in 0..SLOTS {
        if filled & (1 << i) != 0 {
            continue;
        }
        let mut d = 1;
        while filled & (1 << ((i + d) % SLOTS)) == 0 {
            d += 1;
        }
        slots[i] = original[(i + d) % SLOTS].wrapping_add((d as u32).wrapping_mul(0x9e37_79b1));
    }
}

/// The share of slots on which two signatures agree: an estimate of the
/// Jaccard similarity of their shingle sets.
pub fn similarity<T: PartialEq>(a: &[T; SLOTS], b: &[T; SLOTS]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / SLOTS as f64
}

fn band_key(sig: &Kept, band: usize) -> u32 {
    let mut h = FxHasher::default();
    h.write_usize(band);
    for v in &sig[band * ROWS..(band + 1) * ROWS] {
        h.write_u16(*v);
    }
    mix(h.finish()) as u32
}

/// One signed article, found by its id's key in `by_id`.
struct Entry {
    /// [`id_key`] of the article, or [`FORGOTTEN`].
    key: u64,
    cluster: u64,
    signature: Kept,
}

/// The key of an entry whose article was deleted or replaced: [`id_key`]
/// is never zero.
const FORGOTTEN: u64 = 0;

impl Entry {
    fn is_live(&self) -> bool {
        self.key != FORGOTTEN
    }
}

/// Every signed article's id, cluster and signature, with the LSH buckets
/// to find candidates.
#[derive(Default)]
pub struct Clusters {
    entries: Vec<Entry>,
    /// [`id_key`] → slot in `entries`.
    by_id: FxHashMap<u64, u32>,
    /// Bucket (a band key's low bits) → the newest entry in it, or
    /// u32::MAX; `chain` links to older ones. A flat table rather than a
    /// map of band keys: a map held 21 keys per article (about 300 bytes
    /// each at 100k, more at a million); here keys that share their low
    /// bits share a bucket, which only adds candidates, each confirmed by
    /// its similarity. Kept at two or fewer band entries per bucket.
    heads: Vec<u32>,
    /// `chain[slot * BANDS + band]`: the previous entry in that bucket, or u32::MAX.
    chain: Vec<u32>,
    /// `visited[slot]`: the last lookup that compared that entry, so an
    /// entry found in several bands is compared once without a search.
    visited: Vec<u32>,
    /// Lookups so far (never zero once one has run).
    lookups: u32,
}

impl std::fmt::Debug for Clusters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clusters")
            .field("articles", &self.by_id.len())
            .finish()
    }
}

impl Clusters {
    /// The cluster for an article about to be (re)indexed, remembering it
    /// for the articles that come after. An id seen before replaces its
    /// earlier entry.
    pub fn assign(&mut self, id: &str, body: &str) -> u64 {
        self.assign_signature(id, signature(body))
    }

    /// [`Clusters::assign`] given the body's [`signature`], computed
    /// beforehand (the index build computes it on the parser threads).
    pub fn assign_signature(&mut self, id: &str, signature: Option<Signature>) -> u64 {
        // One hash serves as the article's key and its own cluster's id.
        let key = id_key(id);
        self.forget_key(key);
        let Some(signature) = signature else {
            return key;
        };
        let signature = kept(&signature);
        let cluster = self
            .best_match(&signature)
            .map_or(key, |slot| self.entries[slot].cluster);
        self.insert(key, cluster, signature);
        cluster
    }

    /// Forgets an article (deleted, or about to be replaced).
    pub fn forget(&mut self, id: &str) {
        self.forget_key(id_key(id));
    }

    fn forget_key(&mut self, key: u64) {
        if let Some(slot) = self.by_id.remove(&key) {
            if let Some(e) = self.entries.get_mut(slot as usize) {
                e.key = FORGOTTEN;
            }
        }
    }

    /// Forgets every article whose id is not among `ids`: after a load, the
    /// ids the manifest still lists, so the articles of files that vanished
    /// since the state was saved find no copies.
    pub(crate) fn keep_listed<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let mut keep = vec![false; self.entries.len()];
        for id in ids {
            if let Some(&slot) = self.by_id.get(&id_key(id)) {
                keep[slot as usize] = true;
            }
        }
        self.by_id.retain(|_, slot| keep[*slot as usize]);
        for (entry, keep) in self.entries.iter_mut().zip(keep) {
            if !keep {
                entry.key = FORGOTTEN;
            }
        }
    }

    /// Articles remembered.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no article is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn best_match(&mut self, signature: &Kept) -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        self.lookups = self.lookups.wrapping_add(1);
        if self.lookups == 0 {
            // Wrapped: old marks could collide with the new numbers.
            self.visited.fill(0);
            self.lookups = 1;
        }
        let lookup = self.lookups;
        if self.heads.is_empty() {
            return None;
        }
        for band in 0..BANDS {
            let mut slot = self.heads[self.bucket(band_key(signature, band))];
            let mut scanned = 0;
            while slot != u32::MAX && scanned < MAX_BUCKET_SCAN {
                scanned += 1;
                let entry = &self.entries[slot as usize];
                let mark = &mut self.visited[slot as usize];
                if entry.is_live() && *mark != lookup {
                    *mark = lookup;
                    let s = similarity(signature, &entry.signature);
                    if s >= THRESHOLD && best.is_none_or(|(b, _)| s > b) {
                        if s == 1.0 {
                            // Nothing later can be closer.
                            return Some(slot as usize);
                        }
                        best = Some((s, slot as usize));
                    }
                }
                slot = self.chain[slot as usize * BANDS + band];
            }
        }
        best.map(|(_, slot)| slot)
    }

    fn insert(&mut self, key: u64, cluster: u64, signature: Kept) {
        let slot = self.entries.len() as u32;
        if (self.entries.len() + 1) * BANDS > self.heads.len() * 2 {
            self.grow_buckets();
        }
        for band in 0..BANDS {
            let bucket = self.bucket(band_key(&signature, band));
            self.chain.push(self.heads[bucket]);
            self.heads[bucket] = slot;
        }
        self.by_id.insert(key, slot);
        self.visited.push(0);
        self.entries.push(Entry {
            key,
            cluster,
            signature,
        });
    }

    fn bucket(&self, key: u32) -> usize {
        key as usize & (self.heads.len() - 1)
    }

    /// Doubles the bucket table (at least 2^16 buckets) and relinks every
    /// entry, oldest first, so each chain still runs newest to oldest.
    fn grow_buckets(&mut self) {
        let len = (self.heads.len() * 2).max(1 << 16);
        self.heads = vec![u32::MAX; len];
        for slot in 0..self.entries.len() {
            for band in 0..BANDS {
                let bucket = self.bucket(band_key(&self.entries[slot].signature, band));
                self.chain[slot * BANDS + band] = self.heads[bucket];
                self.heads[bucket] = slot as u32;
            }
        }
    }

    /// Reads the state kept beside the index; empty when there is none.
    pub fn load(dir: &Path) -> Result<Clusters> {
        let path = dir.join(CLUSTERS_FILE);
        let compressed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Clusters::default()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let bytes = zstd::decode_all(compressed.as_slice()).map_err(|e| Error::io(&path, e))?;
        decode(&bytes).ok_or_else(|| {
            Error::io(
                &path,
                std::io::Error::other(
                    "damaged near-duplicate state; rebuild with `cpsearch index --full`",
                ),
            )
        })
    }

    /// Writes the state beside the index (atomically): called after each
    /// commit, so the state follows the index like the manifest. It is
    /// compressed as it is written out, so the uncompressed copy (150 bytes
    /// an article) never sits in memory beside the index writer's.
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        write_compressed_atomically(&dir.join(CLUSTERS_FILE), |out| self.encode_into(out))
    }

    /// Writes the remembered articles, oldest first (as they were added, so
    /// a reload links the buckets in the same order).
    fn encode_into(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(MAGIC)?;
        out.write_all(&(self.by_id.len() as u64).to_le_bytes())?;
        let mut record = Vec::with_capacity(16 + SLOTS * 2);
        for e in self.entries.iter().filter(|e| e.is_live()) {
            record.clear();
            record.extend_from_slice(&e.cluster.to_le_bytes());
            record.extend_from_slice(&e.key.to_le_bytes());
            for v in &e.signature {
                record.extend_from_slice(&v.to_le_bytes());
            }
            out.write_all(&record)?;
        }
        Ok(())
    }
}

/// Parses [`Clusters::encode_into`]'s output; None when it is damaged.
fn decode(bytes: &[u8]) -> Option<Clusters> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let piece = bytes.get(at..at.checked_add(n)?)?;
        at += n;
        Some(piece)
    };
    let (slot_bytes, id_strings) = match take(MAGIC.len())? {
        m if m == MAGIC => (2, false),
        m if m == MAGIC_ID_STRINGS => (2, true),
        m if m == MAGIC_32_BIT_SLOTS => (4, true),
        _ => return None,
    };
    let count = u64::from_le_bytes(take(8)?.try_into().ok()?);
    let mut clusters = Clusters::default();
    for _ in 0..count {
        let cluster = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let key = if id_strings {
            let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            id_key(std::str::from_utf8(take(len)?).ok()?)
        } else {
            u64::from_le_bytes(take(8)?.try_into().ok()?)
        };
        if key == FORGOTTEN {
            return None;
        }
        let mut signature: Kept = [0; SLOTS];
        for v in signature.iter_mut() {
            // Little-endian: the low 16 bits come first in either width.
            let slot = take(slot_bytes)?;
            *v = u16::from_le_bytes([slot[0], slot[1]]);
        }
        clusters.forget_key(key);
        clusters.insert(key, cluster, signature);
    }
    Some(clusters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(c: &Clusters) -> Vec<u8> {
        let mut out = Vec::new();
        c.encode_into(&mut out).expect("a Vec takes every write");
        out
    }

    fn words(n: usize, seed: u64) -> Vec<String> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = mix(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                format!("w{}", x % 5000)
            })
            .collect()
    }

    #[test]
    fn identical_bodies_have_identical_signatures() {
        let body = words(200, 1).join(" ");
        let a = signature(&body).expect("long enough");
        let b = signature(&body.to_uppercase()).expect("long enough");
        assert_eq!(similarity(&a, &b), 1.0);
    }

    #[test]
    fn short_bodies_are_not_signed() {
        assert!(signature(&words(MIN_WORDS - 1, 2).join(" ")).is_none());
        assert!(signature(&words(MIN_WORDS, 2).join(" ")).is_some());
    }

    #[test]
    fn estimate_tracks_jaccard() {
        // 400 shared words plus 100 different ones at each end.
        let shared = words(400, 3);
        let a = [words(100, 4), shared.clone()].concat().join(" ");
        let b = [shared, words(100, 5)].concat().join(" ");
        let (sa, sb) = (signature(&a).expect("a"), signature(&b).expect("b"));
        // True shingle Jaccard is about 396 / 604 = 0.66.
        let s = similarity(&sa, &sb);
        assert!((0.5..0.82).contains(&s), "{s}");
        let c = signature(&words(500, 6).join(" ")).expect("c");
        assert!(similarity(&sa, &c) < 0.1);
    }

    #[test]
    fn copies_join_the_first_cluster_and_state_round_trips() {
        let story = words(300, 7).join(" ");
        let mut c = Clusters::default();
        let first = c.assign("a", &story);
        assert_eq!(first, own_cluster("a"));
        let repost = format!("Subscribe to Harbor Times. {story} Share this article.");
        assert_eq!(c.assign("b", &repost), first);
        let other = c.assign("c", &words(300, 8).join(" "));
        assert_ne!(other, first);
        let short = c.assign("d", "Short notice.");
        assert_eq!(short, own_cluster("d"));

        let mut again = decode(&encode(&c)).expect("decodes");
        assert_eq!(again.len(), 3);
        // A later run: a third copy joins the same cluster even after the
        // first article is gone.
        again.forget("a");
        assert_eq!(again.assign("e", &story), first);
        assert!(decode(&encode(&c)[..20]).is_none());
        // A forgotten article is not written.
        assert_eq!(decode(&encode(&again)).expect("decodes").len(), 3);
    }

    /// The 01 format, as the previous version wrote it: full 32-bit slots.
    fn encode_32_bit(entries: &[(&str, u64, Signature)]) -> Vec<u8> {
        let mut out = MAGIC_32_BIT_SLOTS.to_vec();
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for (id, cluster, signature) in entries {
            out.extend_from_slice(&cluster.to_le_bytes());
            out.extend_from_slice(&(id.len() as u32).to_le_bytes());
            out.extend_from_slice(id.as_bytes());
            for v in signature {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    #[test]
    fn articles_the_manifest_no_longer_lists_are_forgotten() {
        let story = words(300, 13).join(" ");
        let mut c = Clusters::default();
        let first = c.assign("a", &story);
        c.assign("b", &words(300, 14).join(" "));
        c.keep_listed(["b", "b", "gone"]);
        assert_eq!(c.len(), 1);
        assert_eq!(decode(&encode(&c)).expect("decodes").len(), 1);
        // A repost of the forgotten story starts a cluster of its own.
        let repost = format!("Reposted. {story}");
        assert_eq!(c.assign("c", &repost), own_cluster("c"));
        assert_ne!(own_cluster("c"), first);
    }

    #[test]
    fn state_written_with_32_bit_slots_still_reads() {
        let story = words(300, 11).join(" ");
        let sig = signature(&story).expect("long enough");
        let other = signature(&words(300, 12).join(" ")).expect("long enough");
        let old = encode_32_bit(&[("a", 17, sig), ("b", 29, other)]);
        let mut c = decode(&old).expect("the old format decodes");
        assert_eq!(c.len(), 2);
        let repost = format!("Reposted. {story}");
        assert_eq!(c.assign("c", &repost), 17);
        // Saved again, it is in the new, smaller format.
        let new = encode(&c);
        assert_eq!(&new[..8], MAGIC);
        // Magic and count, then three records of cluster, id key and
        // 16-bit slots.
        assert_eq!(new.len(), 8 + 8 + 3 * (8 + 8 + SLOTS * 2));
        assert_eq!(decode(&new).expect("decodes").assign("d", &story), 17);
    }

    #[test]
    fn copies_of_early_articles_are_found_after_the_buckets_grow() {
        // Enough articles to double the bucket table twice: entries linked
        // before a growth must still be reachable after it.
        let mut c = Clusters::default();
        let n = 4 * (1 << 16) / BANDS as u64 + 1;
        let firsts: Vec<u64> = (0..n)
            .map(|i| c.assign(&format!("a{i}"), &words(80, 1000 + i).join(" ")))
            .collect();
        for i in [0, 1, n / 2, n - 1] {
            let copy = format!("Reposted. {}", words(80, 1000 + i).join(" "));
            assert_eq!(c.assign(&format!("copy{i}"), &copy), firsts[i as usize]);
        }
        let mut again = decode(&encode(&c)).expect("decodes");
        let copy = format!("Again. {}", words(80, 1000).join(" "));
        assert_eq!(again.assign("late", &copy), firsts[0]);
    }

    #[test]
    fn full_buckets_of_copies_still_join_the_closest_cluster() {
        // Hundreds of copies fill every band bucket of the story past the
        // scan cap; each later copy must still find the story's cluster
        // (every lookup compares afresh), and a distinct article must not.
        let story = words(300, 9);
        let mut c = Clusters::default();
        let first = c.assign("copy0", &story.join(" "));
        for i in 1..300u64 {
            let mut copy = story.clone();
            // One word in 300 changed: a copy, not always an identical one.
            let at = (i as usize * 7) % copy.len();
            copy[at] = format!("edit{i}");
            assert_eq!(
                c.assign(&format!("copy{i}"), &copy.join(" ")),
                first,
                "copy {i}"
            );
        }
        let other = c.assign("other", &words(300, 10).join(" "));
        assert_eq!(other, own_cluster("other"));
        assert_eq!(c.assign("last", &story.join(" ")), first);
    }
}
