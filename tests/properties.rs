//! Property tests: no input makes a parser or the query path panic, and the
//! invariants of normalization and highlighting hold for any text.

use cpsearch::index::build::{self, IndexOptions};
use cpsearch::index::Store;
use cpsearch::ingest::{decode, feed, html, json, markdown, text};
use cpsearch::normalize::{clean_body, Taxonomy};
use cpsearch::search::{self, SearchRequest};
use proptest::prelude::*;
use std::sync::OnceLock;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~\\n]{0,400}",
        "(---\n|\\+\\+\\+\n|<[a-z]{1,5}>|\\{\"title\":|\\[|# |Published: |WASHINGTON, )[ -~\\n]{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = decode(&bytes);
        let _ = feed::parse(&bytes);
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = text::parse(&lossy);
        let _ = markdown::parse(&lossy);
        let _ = html::parse(&lossy);
        let _ = json::parse_json(&lossy);
        let _ = json::parse_jsonl(&lossy);
    }

    #[test]
    fn parsers_never_panic_on_random_text(s in any_text()) {
        let _ = text::parse(&s);
        let _ = markdown::parse(&s);
        let _ = html::parse(&s);
        let _ = json::parse_json(&s);
        let _ = json::parse_jsonl(&s);
        let _ = feed::parse(s.as_bytes());
    }

    #[test]
    fn normalizing_twice_changes_nothing(s in any_text()) {
        let once = clean_body(&s);
        prop_assert_eq!(clean_body(&once), once);
    }

    #[test]
    fn tagging_never_panics(s in any_text()) {
        let _ = taxonomy().tag(&s, &s, "");
    }

    #[test]
    fn no_query_string_panics_and_highlights_stay_inside(q in "[ -~]{0,60}") {
        let store = fixture_store();
        let request = SearchRequest { query: q, limit: 5, facets: true, snippets: true, ..SearchRequest::default() };
        if let Ok(results) = search::search(store, taxonomy(), &request) {
            for hit in results.hits {
                for f in &hit.fragments {
                    for h in &f.highlights {
                        prop_assert!(h.start < h.end && h.end <= f.text.len());
                        prop_assert!(f.text.is_char_boundary(h.start) && f.text.is_char_boundary(h.end));
                    }
                }
                for h in &hit.title_highlights {
                    prop_assert!(h.end <= hit.title.len());
                }
            }
        }
    }
}

fn taxonomy() -> &'static Taxonomy {
    static T: OnceLock<Taxonomy> = OnceLock::new();
    T.get_or_init(|| Taxonomy::builtin().expect("built-in taxonomy"))
}

fn fixture_store() -> &'static Store {
    static S: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    let (_, store) = S.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let corpus =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        build::build_index(
            dir.path(),
            &[corpus],
            &IndexOptions::default(),
            taxonomy(),
            |_, _| {},
        )
        .expect("fixture index builds");
        let store = Store::open(dir.path()).expect("opens");
        (dir, store)
    });
    store
}
