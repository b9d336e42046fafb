//! Counting and paging stories. A collapsing search counts the stories
//! among its matches from the copies alone and ranks only the best matches;
//! a deduplicating one groups every match. Both must show the same page,
//! with the same copies and totals, on a corpus where some queries match
//! copies without the article that started their cluster.

use std::path::Path;

mod common;

use common::index_quietly as index;
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::{self, SearchRequest, Sort};

const STORIES: usize = 10;
const SINGLES: usize = 6;

/// A pronounceable made-up word for `n`, so every story has its own words.
fn word(n: u64) -> String {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "be", "do", "fu", "gi",
    ];
    let mut n = n;
    let mut w = String::new();
    for _ in 0..3 {
        w.push_str(SYLLABLES[(n % 12) as usize]);
        n /= 12;
    }
    w
}

/// 70 words of story `seed`: its own words, with "harbor" in every third
/// story so a query matches several clusters and singles alike.
fn body(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut words: Vec<String> = (0..70)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word(x % 1728)
        })
        .collect();
    if seed.is_multiple_of(3) {
        words[10] = "harbor".into();
    }
    words.join(" ")
}

fn article(path: &Path, title: &str, date: &str, url: &str, body: &str) {
    let text = format!("---\ntitle: {title}\ndate: {date}\nurl: {url}\n---\n\n{body}\n");
    std::fs::write(path, text).expect("write fixture");
}

/// Story `i` has an original and `i % 4` copies; the copies alone say
/// "reprinted", the originals alone "exclusive". Writes the originals and
/// singles, the copies, or both; returns the number of copies.
fn write_corpus(dir: &Path, originals: bool, with_copies: bool) -> usize {
    let mut copies = 0;
    for i in 0..STORIES {
        let text = body(i as u64);
        if originals {
            article(
                &dir.join(format!("s{i}.md")),
                &format!("Story {} exclusive", word(i as u64 + 5000)),
                &format!("2024-02-{:02}", i + 1),
                &format!("https://first.example/{i}"),
                &format!("{text} exclusive"),
            );
        }
        for j in (0..i % 4).filter(|_| with_copies) {
            article(
                &dir.join(format!("s{i}-copy{j}.md")),
                &format!("Story {} reprinted", word(i as u64 + 5000)),
                &format!("2024-03-{:02}", i + j + 1),
                &format!("https://copies{j}.example/{i}"),
                &format!("{text} reprinted"),
            );
            copies += 1;
        }
    }
    for k in (0..SINGLES).filter(|_| originals) {
        let seed = 100 + k as u64;
        article(
            &dir.join(format!("single{k}.md")),
            &format!("Single {}", word(seed)),
            &format!("2024-01-{:02}", k + 1),
            &format!("https://single.example/{k}"),
            &body(seed),
        );
    }
    copies
}

/// What a page shows: ids, scores and each hit's copies (sorted), with the
/// two totals.
type Shown = (
    usize,
    Option<usize>,
    Vec<(String, Option<f32>, Vec<String>)>,
);

fn shown(store: &Store, taxonomy: &Taxonomy, request: &SearchRequest) -> Shown {
    let r = search::search(store, taxonomy, request).expect("search");
    let hits = r
        .hits
        .into_iter()
        .map(|h| {
            let mut copies: Vec<String> = h.copies.into_iter().map(|c| c.id).collect();
            copies.sort();
            (h.id, h.score, copies)
        })
        .collect();
    (r.total_hits, r.total_stories, hits)
}

fn indexed() -> (tempfile::TempDir, tempfile::TempDir, usize) {
    let corpus = tempfile::tempdir().expect("tempdir");
    let copies = write_corpus(corpus.path(), true, true);
    let dir = tempfile::tempdir().expect("tempdir");
    index(corpus.path(), dir.path());
    (corpus, dir, copies)
}

#[test]
fn copies_without_their_original_count_one_story_per_cluster() {
    let (_corpus, index, copies) = indexed();
    let store = Store::open(index.path()).expect("open");
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let request = SearchRequest {
        query: "reprinted".into(),
        limit: 20,
        collapse: true,
        ..SearchRequest::default()
    };
    let (total, stories, hits) = shown(&store, &taxonomy, &request);
    let with_copies = (0..STORIES).filter(|i| i % 4 > 0).count();
    assert_eq!(total, copies);
    assert_eq!(stories, Some(with_copies));
    assert_eq!(hits.len(), with_copies);
    // Every hit lists the other matching copies of its story, never the
    // original (it does not match).
    let listed: usize = hits.iter().map(|(_, _, c)| c.len()).sum();
    assert_eq!(listed + hits.len(), copies);
    assert!(hits
        .iter()
        .flat_map(|(_, _, c)| c)
        .all(|id| !id.starts_with("https://first.example/")));
}

#[test]
fn counting_from_the_copies_agrees_with_grouping_every_match() {
    let (_corpus, index, _) = indexed();
    assert_both_ways_agree(index.path());
}

#[test]
fn copies_added_by_a_later_run_are_counted_with_their_story() {
    let corpus = tempfile::tempdir().expect("tempdir");
    write_corpus(corpus.path(), true, false);
    let dir = tempfile::tempdir().expect("tempdir");
    index(corpus.path(), dir.path());
    let copies = write_corpus(corpus.path(), false, true);
    index(corpus.path(), dir.path());
    let store = Store::open(dir.path()).expect("open");
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let request = SearchRequest {
        query: "harbor OR reprinted OR exclusive".into(),
        limit: 100,
        collapse: true,
        ..SearchRequest::default()
    };
    let (total, stories, _) = shown(&store, &taxonomy, &request);
    assert_eq!(total, STORIES + copies + SINGLES / 3);
    assert_eq!(stories, Some(STORIES + SINGLES / 3));
    assert_both_ways_agree(dir.path());
}

/// Every query, order and page shows the same with and without grouping
/// every match.
fn assert_both_ways_agree(index: &Path) {
    let store = Store::open(index).expect("open");
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let queries = [
        ("reprinted", false),
        ("exclusive", false),
        ("harbor", false),
        ("harbor reprinted", true),
        ("exclusive reprinted", true),
        ("*", false),
    ];
    let pages = [(0, 1), (0, 3), (2, 3), (4, 4), (0, 40), (30, 5)];
    for (query, any) in queries {
        for sort in [Sort::Relevance, Sort::Date, Sort::DateAsc] {
            for (offset, limit) in pages {
                let quick = SearchRequest {
                    query: query.into(),
                    any,
                    sort,
                    offset,
                    limit,
                    collapse: true,
                    ..SearchRequest::default()
                };
                // Deduplicated facets group every match: the reference.
                let grouped = SearchRequest {
                    dedupe: true,
                    facets: true,
                    ..quick.clone()
                };
                let expected = shown(&store, &taxonomy, &grouped);
                assert!(expected.1.is_some_and(|s| s > 0) || offset > 0, "{query}");
                assert_eq!(
                    shown(&store, &taxonomy, &quick),
                    expected,
                    "{query:?} {sort:?} offset {offset} limit {limit}"
                );
            }
        }
    }
}
