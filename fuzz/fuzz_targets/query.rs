//! Arbitrary query strings against a small index: errors are fine, panics
//! are not.
#![no_main]

use std::sync::OnceLock;

use cpsearch::index::build::{self, IndexOptions};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::{search, SearchRequest};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    _dir: std::path::PathBuf,
    store: Store,
    taxonomy: Taxonomy,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let taxonomy = Taxonomy::builtin().expect("taxonomy");
        let dir = std::env::temp_dir().join(format!("cpsearch-fuzz-{}", std::process::id()));
        let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/mini");
        build::build_index(&dir, &[corpus], &IndexOptions::default(), &taxonomy, |_, _| {}).expect("index");
        let store = Store::open(&dir).expect("open");
        Fixture { _dir: dir, store, taxonomy }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    let fx = fixture();
    let request = SearchRequest { query: query.to_string(), limit: 5, facets: true, snippets: true, ..SearchRequest::default() };
    let _ = search(&fx.store, &fx.taxonomy, &request);
});
