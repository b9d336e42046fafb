//! Criterion benchmarks for every stage: parsing per format (documents/s),
//! normalization (MB/s), indexing (documents/s), each query class of the
//! peer comparison, snippets and facet counting. The corpus is generated
//! deterministically (`cpsearch::synth`), 2,000 articles across all formats.
//! Each benchmark asserts the counts it measures, so a broken stage cannot
//! look fast.
//!
//! `cargo bench --bench pipeline` (CI only compiles it: `cargo bench --no-run`).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use cpsearch::index::build::{self, IndexOptions};
use cpsearch::index::Store;
use cpsearch::ingest::{self, feed, html, json, markdown, text};
use cpsearch::normalize::{clean_body, Taxonomy};
use cpsearch::search::{count_facets, search_in, SearchRequest};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const DOCS: u64 = 2_000;

struct Fixture {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
    taxonomy: Taxonomy,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    cpsearch::synth::write_corpus(&corpus, DOCS, 42, &taxonomy).expect("corpus written");
    let index = dir.path().join("index");
    let summary = build::build_index(
        &index,
        std::slice::from_ref(&corpus),
        &IndexOptions::default(),
        &taxonomy,
        |_, _| {},
    )
    .expect("index built");
    assert_eq!(summary.total_documents, DOCS);
    Fixture {
        _dir: dir,
        corpus,
        index,
        taxonomy,
    }
}

fn files_with_ext(root: &Path, ext: &str) -> Vec<String> {
    let walk = ingest::discover(&[root.to_path_buf()]).expect("walk");
    walk.files
        .iter()
        .filter(|f| f.rel.ends_with(ext))
        .map(|f| std::fs::read_to_string(&f.path).expect("read"))
        .collect()
}

fn parsing(c: &mut Criterion, fx: &Fixture) {
    let mut group = c.benchmark_group("parse");
    type Parser = fn(&str) -> usize;
    let readers: [(&str, &str, Parser); 6] = [
        ("text", ".txt", |s| text::parse(s).map_or(0, |v| v.len())),
        ("markdown", ".md", |s| {
            markdown::parse(s).map_or(0, |v| v.len())
        }),
        ("html", ".html", |s| html::parse(s).map_or(0, |v| v.len())),
        ("json", ".json", |s| {
            json::parse_json(s).map_or(0, |p| p.articles.len())
        }),
        ("jsonl", ".jsonl", |s| {
            json::parse_jsonl(s).map_or(0, |p| p.articles.len())
        }),
        ("rss", ".rss", |s| {
            feed::parse(s.as_bytes()).map_or(0, |p| p.articles.len())
        }),
    ];
    for (name, ext, parse) in readers {
        let inputs = files_with_ext(&fx.corpus, ext);
        let docs: usize = inputs.iter().map(|s| parse(s)).sum();
        assert!(docs > 0, "{name}: no documents parsed");
        group.throughput(Throughput::Elements(docs as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &inputs, |b, inputs| {
            b.iter(|| {
                let n: usize = inputs.iter().map(|s| parse(black_box(s))).sum();
                assert_eq!(n, docs);
            })
        });
    }
    group.finish();
}

fn normalization(c: &mut Criterion, fx: &Fixture) {
    let bodies: Vec<String> = files_with_ext(&fx.corpus, ".txt")
        .into_iter()
        .take(500)
        .collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("clean_and_tag", |b| {
        b.iter(|| {
            let tagged = bodies
                .iter()
                .map(|s| fx.taxonomy.tag("", &clean_body(black_box(s)), ""))
                .filter(|t| !t.agencies.is_empty())
                .count();
            assert!(
                tagged * 10 >= bodies.len() * 9,
                "agencies found in {tagged} of {}",
                bodies.len()
            );
        })
    });
    group.finish();
}

fn indexing(c: &mut Criterion, fx: &Fixture) {
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Elements(DOCS));
    group.bench_function("build_full", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let summary = build::build_index(
                dir.path(),
                std::slice::from_ref(&fx.corpus),
                &IndexOptions::default(),
                &fx.taxonomy,
                |_, _| {},
            )
            .expect("index built");
            assert_eq!(summary.total_documents, DOCS);
        })
    });
    group.finish();
}

fn queries(c: &mut Criterion, fx: &Fixture) {
    let store = Store::open(&fx.index).expect("index opens");
    let searcher = store.reader().expect("reader").searcher();
    let base = |q: &str| SearchRequest {
        query: q.into(),
        limit: 10,
        ..SearchRequest::default()
    };
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let classes = [
        ("Q1_term", base("ransomware")),
        ("Q2_or", base("ransomware OR phishing")),
        ("Q3_and", base("ransomware AND russia")),
        ("Q4_phrase", base("\"critical infrastructure\"")),
        (
            "Q5_agency_filter",
            SearchRequest {
                agencies: vec!["CISA".into()],
                ..base("ransomware")
            },
        ),
        (
            "Q6_date_filter",
            SearchRequest {
                from: day(2020, 1, 1),
                to: day(2021, 12, 31),
                ..base("ransomware")
            },
        ),
        (
            "Q7_facets",
            SearchRequest {
                facets: true,
                ..base("sanctions")
            },
        ),
        (
            "Q8_snippets",
            SearchRequest {
                any: true,
                snippets: true,
                ..base("supply chain attack")
            },
        ),
    ];
    let mut group = c.benchmark_group("query");
    for (name, request) in classes {
        let expected = search_in(&store, &searcher, &fx.taxonomy, &request)
            .expect("search")
            .total_hits;
        assert!(expected > 0, "{name} matches nothing");
        group.bench_function(name, |b| {
            b.iter(|| {
                let r = search_in(&store, &searcher, &fx.taxonomy, black_box(&request))
                    .expect("search");
                assert_eq!(r.total_hits, expected);
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("results");
    group.bench_function("facets_all_docs", |b| {
        b.iter(|| {
            let f = count_facets(&searcher, &tantivy::query::AllQuery, false).expect("facets");
            let years = f.year.expect("years counted");
            let total: u64 = years.0.iter().map(|(_, n)| n).sum();
            assert_eq!(total, DOCS);
        })
    });
    let request = SearchRequest {
        query: "ransomware OR sanctions".into(),
        limit: 10,
        snippets: true,
        ..SearchRequest::default()
    };
    group.bench_function("snippets_10_hits", |b| {
        b.iter(|| {
            let r = search_in(&store, &searcher, &fx.taxonomy, &request).expect("search");
            assert!(r.hits.iter().all(|h| !h.fragments.is_empty()));
        })
    });
    group.finish();
}

fn all(c: &mut Criterion) {
    let fx = fixture();
    parsing(c, &fx);
    normalization(c, &fx);
    queries(c, &fx);
    indexing(c, &fx);
}

criterion_group!(benches, all);
criterion_main!(benches);
