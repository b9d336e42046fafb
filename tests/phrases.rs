//! Phrases answered from the index of frequent word pairs must match
//! exactly what checking positions matches. A corpus of sentences drawn
//! from a few frequent words (so their pairs are indexed) and one rare
//! word (so its phrases are not), indexed through the CLI; every phrase is
//! checked against a brute-force scan of the text written.

use std::collections::BTreeSet;
use std::path::Path;

mod common;

use common::cpsearch;
use cpsearch::analyzer::{english, pairs};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::{self, SearchRequest};

const WORDS: &[&str] = &[
    "critical",
    "infrastructure",
    "supply",
    "chain",
    "attack",
    "security",
    "national",
    "cyber",
    "zeppelinworks",
];

/// A deterministic word soup: (id, title, body) per article.
fn articles() -> Vec<(String, String, String)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..160)
        .map(|i| {
            let mut sentence = |len: usize| -> String {
                let words: Vec<&str> = (0..len).map(|_| WORDS[next(WORDS.len())]).collect();
                let mut s = words.join(" ");
                s[..1].make_ascii_uppercase();
                s
            };
            let title = format!("{} {i}", sentence(4));
            let body: Vec<String> = (0..6).map(|_| format!("{}.", sentence(9))).collect();
            (
                format!("https://phrases.example/{i}"),
                title,
                body.join(" "),
            )
        })
        .collect()
}

fn stems(text: &str) -> Vec<String> {
    let mut analyzer = english();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

fn holds(text: &str, phrase: &[String]) -> bool {
    stems(text).windows(phrase.len()).any(|w| w == phrase)
}

fn index_corpus(dir: &Path) -> tempfile::TempDir {
    for (i, (id, title, body)) in articles().iter().enumerate() {
        let md = format!("---\ntitle: {title}\nurl: {id}\ndate: 2024-01-01\n---\n\n{body}\n");
        std::fs::write(dir.join(format!("a{i}.md")), md).expect("write");
    }
    let index = tempfile::tempdir().expect("index dir");
    cpsearch()
        .args(["index", "--quiet", "--index"])
        .arg(index.path())
        .arg(dir)
        .assert()
        .success();
    index
}

fn hits(store: &Store, query: &str) -> BTreeSet<String> {
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let r = search::search(
        store,
        &taxonomy,
        &SearchRequest {
            query: query.into(),
            limit: 1000,
            ..SearchRequest::default()
        },
    )
    .expect("search");
    assert_eq!(r.total_hits, r.hits.len(), "{query}: every hit on one page");
    r.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn phrases_match_exactly_where_the_words_are_adjacent() {
    for word in [
        "critic",
        "infrastructur",
        "suppli",
        "chain",
        "attack",
        "secur",
    ] {
        assert!(
            pairs::is_frequent(word),
            "{word:?} left data/frequent_words.txt: pick other words for this test"
        );
    }
    assert!(!pairs::is_frequent("zeppelinwork"));
    let corpus = tempfile::tempdir().expect("corpus dir");
    let index = index_corpus(corpus.path());
    let store = Store::open(index.path()).expect("open");
    let written = articles();
    let expected = |phrase: &str, title_too: bool| -> BTreeSet<String> {
        let phrase = stems(phrase);
        written
            .iter()
            .filter(|(_, title, body)| holds(body, &phrase) || (title_too && holds(title, &phrase)))
            .map(|(id, ..)| id.clone())
            .collect()
    };
    for phrase in [
        "critical infrastructure",
        "infrastructure critical",
        "supply chain attack",
        "critical infrastructure security attack",
        "zeppelinworks attack",
        "cyber zeppelinworks national",
        "attacks on",
    ] {
        let want = expected(phrase, true);
        assert_eq!(hits(&store, &format!("\"{phrase}\"")), want, "{phrase:?}");
        let body_only = expected(phrase, false);
        assert_eq!(
            hits(&store, &format!("body:\"{phrase}\"")),
            body_only,
            "body:{phrase:?}"
        );
    }
    // The corpus is dense enough for the checks above to mean something.
    assert!(expected("critical infrastructure", true).len() > 20);
    assert!(expected("supply chain attack", false).len() > 5);
    assert!(!expected("zeppelinworks attack", true).is_empty());
}

#[test]
fn only_phrases_of_frequent_words_are_rewritten_to_pairs() {
    let corpus = tempfile::tempdir().expect("corpus dir");
    let index = index_corpus(corpus.path());
    let store = Store::open(index.path()).expect("open");
    let searcher = store.reader().expect("reader").searcher();
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let query = |q: &str| {
        let request = SearchRequest {
            query: q.into(),
            ..SearchRequest::default()
        };
        let prepared = search::prepare(&store, &searcher, &taxonomy, &request).expect("prepare");
        format!("{:?}", prepared.query)
    };
    assert!(query("\"critical infrastructure\"").contains("critic infrastructur"));
    let three = query("\"supply chain attack\"");
    assert!(
        three.contains("suppli chain") && three.contains("chain attack"),
        "{three}"
    );
    assert!(!query("\"zeppelinworks attack\"").contains("zeppelinwork attack"));
    // A phrase with slop is left to positions.
    assert!(!query("\"critical infrastructure\"~1").contains("critic infrastructur"));
}
