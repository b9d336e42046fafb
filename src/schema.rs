//! The one place that names the index fields and their options. Every other
//! module uses the [`Fields`] handles, never field-name literals.
//!
//! Title and body are stemmed English text with positions (phrase queries)
//! and are stored once, for display and snippets. Agency, topic, country
//! and source are exact strings that are also fast fields, so they filter
//! and feed facet counts. Date is a fast date field; year is a small integer
//! for cheap year filters and facets.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};

/// Bumped whenever the schema or the meaning of a field changes; an index
/// with another version must be rebuilt.
/// 3: the analyzer folds accents to ASCII.
/// 4: ids of articles without a URL are the file's key, the root's
/// canonical path joined with its path.
/// 5: a cluster id per document (near-duplicates), a fast field.
/// 6: pairs of frequent body words, for phrases (see `analyzer::pairs`).
/// 7: copies (articles in a cluster another article started) carry a
/// `copy` marker, so collapsing counts stories without grouping every match.
/// Changing `data/frequent_words.txt` changes that field: bump the version
/// and [`FREQUENT_WORDS_DIGEST`] together.
pub const SCHEMA_VERSION: u32 = 7;

/// The digest of the frequent-word list the current version indexes pairs
/// of (`analyzer::pairs::list_digest`).
pub const FREQUENT_WORDS_DIGEST: u64 = 14_837_684_457_757_760_175;

/// The analyzer for title and body (see [`crate::analyzer`]).
pub const TEXT_ANALYZER: &str = crate::analyzer::NAME;

/// Field names, for the query parser and fast-field access.
pub mod names {
    /// Stable document id.
    pub const ID: &str = "id";
    /// Relative path.
    pub const PATH: &str = "path";
    /// Title text.
    pub const TITLE: &str = "title";
    /// Body text.
    pub const BODY: &str = "body";
    /// Adjacent pairs of frequent body words (not stored).
    pub const PAIRS: &str = "pairs";
    /// Agency names.
    pub const AGENCY: &str = "agency";
    /// Topic names.
    pub const TOPIC: &str = "topic";
    /// Country names.
    pub const COUNTRY: &str = "country";
    /// Source or outlet.
    pub const SOURCE: &str = "source";
    /// Publication date.
    pub const DATE: &str = "date";
    /// Publication year.
    pub const YEAR: &str = "year";
    /// Author.
    pub const AUTHOR: &str = "author";
    /// Near-duplicate cluster id (see `index::clusters`).
    pub const CLUSTER: &str = "cluster";
    /// Marker of a copy: a document whose cluster another article started.
    pub const COPY: &str = "copy";
}

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Stable id (exact).
    pub id: Field,
    /// Relative path (exact).
    pub path: Field,
    /// Item number inside the file.
    pub item: Field,
    /// Input format.
    pub format: Field,
    /// Title (stemmed text).
    pub title: Field,
    /// Body (stemmed text).
    pub body: Field,
    /// Pairs of adjacent frequent stems of the body, with frequencies and
    /// no positions: a two-word phrase of frequent words is one term here.
    pub pairs: Field,
    /// Publication date (fast).
    pub date: Field,
    /// Where the date came from.
    pub date_source: Field,
    /// Publication year (fast).
    pub year: Field,
    /// Agencies (exact, fast, multi-valued).
    pub agency: Field,
    /// Topics (exact, fast, multi-valued).
    pub topic: Field,
    /// Countries (exact, fast, multi-valued).
    pub country: Field,
    /// Source (exact, fast).
    pub source: Field,
    /// Author (searchable text).
    pub author: Field,
    /// Canonical URL (stored only).
    pub url: Field,
    /// Categories from the source (stored only).
    pub categories: Field,
    /// Language (stored only).
    pub lang: Field,
    /// Near-duplicate cluster id (fast: collapsing reads the column, and a
    /// term query on it is answered from the column too; indexing it as well
    /// cost 8% more indexing CPU).
    pub cluster: Field,
    /// Present (the value 1) only on copies: the documents whose cluster
    /// another article started (`index::clusters::is_copy`).
    pub copy: Field,
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut sb = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let stored_only = TextOptions::default().set_stored();
    let facet = STRING | FAST | STORED;
    let fields = Fields {
        id: sb.add_text_field(names::ID, STRING | STORED),
        path: sb.add_text_field(names::PATH, STRING | STORED),
        item: sb.add_u64_field("item", STORED),
        format: sb.add_text_field("format", STRING | STORED),
        title: sb.add_text_field(names::TITLE, text.clone()),
        body: sb.add_text_field(names::BODY, text),
        pairs: sb.add_text_field(
            names::PAIRS,
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(crate::analyzer::PAIRS_NAME)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        date: sb.add_date_field(
            names::DATE,
            DateOptions::from(INDEXED)
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        date_source: sb.add_text_field("date_source", stored_only.clone()),
        year: sb.add_u64_field(names::YEAR, INDEXED | FAST | STORED),
        agency: sb.add_text_field(names::AGENCY, facet.clone()),
        topic: sb.add_text_field(names::TOPIC, facet.clone()),
        country: sb.add_text_field(names::COUNTRY, facet.clone()),
        source: sb.add_text_field(names::SOURCE, facet),
        author: sb.add_text_field(names::AUTHOR, tantivy::schema::TEXT | STORED),
        url: sb.add_text_field("url", stored_only.clone()),
        categories: sb.add_text_field("categories", stored_only.clone()),
        lang: sb.add_text_field("lang", stored_only),
        cluster: sb.add_u64_field(names::CLUSTER, FAST),
        copy: sb.add_u64_field(names::COPY, INDEXED),
    };
    (sb.build(), fields)
}

/// Resolves the handles against an opened index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        id: f(names::ID)?,
        path: f(names::PATH)?,
        item: f("item")?,
        format: f("format")?,
        title: f(names::TITLE)?,
        body: f(names::BODY)?,
        pairs: f(names::PAIRS)?,
        date: f(names::DATE)?,
        date_source: f("date_source")?,
        year: f(names::YEAR)?,
        agency: f(names::AGENCY)?,
        topic: f(names::TOPIC)?,
        country: f(names::COUNTRY)?,
        source: f(names::SOURCE)?,
        author: f(names::AUTHOR)?,
        url: f("url")?,
        categories: f("categories")?,
        lang: f("lang")?,
        cluster: f(names::CLUSTER)?,
        copy: f(names::COPY)?,
    })
}

/// The days an article's date may hold: what tantivy's nanosecond dates
/// span (see [`day_value`]). A parsed date outside is dropped with a warning.
pub const DAY_RANGE: std::ops::RangeInclusive<chrono::NaiveDate> = {
    match (
        chrono::NaiveDate::from_ymd_opt(1678, 1, 1),
        chrono::NaiveDate::from_ymd_opt(2261, 12, 31),
    ) {
        (Some(first), Some(last)) => first..=last,
        _ => panic!("the date range is a valid calendar range"),
    }
};

/// The index value of a calendar day (midnight UTC). tantivy keeps dates as
/// nanoseconds in an i64, which spans the years 1678 to 2261; a day outside
/// (a query bound such as `--from 1000-01-01`, a feed's year 0001) is pinned
/// to the nearest end so it still sorts and filters where it belongs instead
/// of overflowing.
pub fn day_value(day: chrono::NaiveDate) -> tantivy::DateTime {
    let secs = day
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp());
    seconds_value(secs)
}

/// The index value of a moment given in seconds since 1970, pinned to the
/// range tantivy can hold (see [`day_value`]).
pub fn seconds_value(secs: i64) -> tantivy::DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    tantivy::DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_frequent_word_list_changes_only_with_the_schema_version() {
        assert_eq!(
            crate::analyzer::pairs::list_digest(),
            super::FREQUENT_WORDS_DIGEST,
            "data/frequent_words.txt changed: bump SCHEMA_VERSION (old indexes hold \
             other pairs) and set FREQUENT_WORDS_DIGEST to the new digest"
        );
    }
}
