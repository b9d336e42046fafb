//! Finding one stored document by what a user copies from search output:
//! its id, its path, or `path#item` for one article of a feed or JSON
//! file. A path may be given as indexed (relative to the indexed folder)
//! or with the folder in front (`corpus/text/x.txt`, `./corpus/…`).

use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::document::Document;
use crate::error::{Error, Result};
use crate::index::Store;

/// What a handle names.
#[derive(Debug)]
pub enum Found {
    /// Exactly one document.
    One(Box<Document>),
    /// A file holding several documents: their ids, in item order.
    Several {
        /// The stored path.
        path: String,
        /// Ids of the documents in the file.
        ids: Vec<String>,
    },
    /// Nothing by that id or path.
    Nothing,
}

/// Finds the document `handle` names: an id, a path, or `path#item`.
pub fn find(store: &Store, handle: &str) -> Result<Found> {
    let handle = handle.trim();
    if let Some(doc) = store.get(handle)? {
        return Ok(Found::One(Box::new(doc)));
    }
    let (path, item) = match handle.rsplit_once('#') {
        Some((p, n)) => match n.parse::<usize>() {
            Ok(n) => (p, Some(n)),
            Err(_) => (handle, None),
        },
        None => (handle, None),
    };
    let Some(stored_path) = stored_path(store, path)? else {
        return Ok(Found::Nothing);
    };
    let mut docs = documents_at(store, &stored_path)?;
    docs.sort_by_key(|d| d.item);
    if let Some(item) = item {
        return Ok(docs
            .into_iter()
            .find(|d| d.item == item)
            .map_or(Found::Nothing, |d| Found::One(Box::new(d))));
    }
    Ok(match docs.len() {
        0 => Found::Nothing,
        1 => Found::One(Box::new(docs.remove(0))),
        _ => Found::Several {
            path: stored_path,
            ids: docs.into_iter().map(|d| d.id).collect(),
        },
    })
}

/// The indexed path `path` refers to: itself, or the longest indexed path
/// it ends with after a `/` (the folder that was indexed in front of it).
fn stored_path(store: &Store, path: &str) -> Result<Option<String>> {
    let path = path.trim_start_matches("./");
    let searcher = store.reader()?.searcher();
    let field = store.fields().path;
    let mut best: Option<String> = None;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(|e| Error::io("term dictionary", e))?;
        while terms.advance() {
            let Ok(stored) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let matches = stored == path
                || path
                    .strip_suffix(stored)
                    .is_some_and(|front| front.ends_with('/'));
            if matches && best.as_ref().is_none_or(|b| stored.len() > b.len()) {
                best = Some(stored.to_string());
            }
        }
    }
    Ok(best)
}

fn documents_at(store: &Store, path: &str) -> Result<Vec<Document>> {
    let searcher = store.reader()?.searcher();
    let query = TermQuery::new(
        Term::from_field_text(store.fields().path, path),
        IndexRecordOption::Basic,
    );
    // Sized by the count, so a big feed file is no limit and a lookup
    // never allocates for more documents than the file has.
    let count = searcher.search(&query, &Count)?;
    let top = searcher.search(&query, &TopDocs::with_limit(count.max(1)).order_by_score())?;
    top.into_iter()
        .map(|(_, address)| {
            let stored: TantivyDocument = searcher.doc(address)?;
            Ok(store.to_document(&stored))
        })
        .collect()
}
