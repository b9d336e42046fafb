//! cpsearch: full-text search for cyber-policy news.
//!
//! The data flows one way: files are walked and read by a format reader
//! ([`ingest`]), normalized into [`Document`]s with agencies, topics,
//! countries and a date ([`normalize`]), stored in a tantivy index
//! ([`index`]), and queried with BM25 ranking, filters, facets and snippets
//! ([`search`]); [`output`] renders results for a terminal or as JSON.
//!
//! ```
//! use cpsearch::normalize::Taxonomy;
//! let taxonomy = Taxonomy::builtin().unwrap();
//! let tags = taxonomy.tag("", "The NSA and Britain's GCHQ blamed Russian hackers.", "");
//! assert!(tags.agencies.contains(&"NSA".to_string()));
//! assert!(tags.countries.contains(&"Russia".to_string()));
//! ```
#![warn(missing_docs)]

pub mod analyzer;
pub mod document;
pub mod error;
pub mod export;
pub mod index;
pub mod ingest;
pub mod normalize;
pub mod output;
pub mod schema;
pub mod search;
pub mod server;
pub mod synth;

pub use document::{DateSource, Document, Format, RawArticle};
pub use error::{Error, Result};
