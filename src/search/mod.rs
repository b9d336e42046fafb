//! Search: turns a [`SearchRequest`] into a tantivy query (BM25 over title
//! and body, the title weighted double), applies filters that never change
//! the order of what they keep, counts facets over the whole match set and
//! builds snippets. Returns data; `output` renders it.
//!
//! The query syntax is tantivy's (words, "phrases", OR, AND, -exclusion,
//! field:term) with additions the plain parser lacks: `date:2021`,
//! `date:2021-05`, `date:2021-05-14` and `date:[2020-01-01 TO 2021-06-30]`,
//! and agency/topic/country/source values that match case-insensitively and
//! by alias (`agency:cisa`).

use std::ops::Bound;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{UserInputAst, UserInputBound, UserInputLeaf};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, DocAddress, Order, TantivyDocument, Term};

pub mod collapse;
pub mod cooccur;
pub mod dates;
pub mod disjunctive;
mod facets;
pub mod fuzzy;
pub mod lookup;
mod members;
mod phrases;
pub mod related;
pub mod snippet;
pub mod state;
pub mod stats;
pub mod suggest;
pub mod timeline;
pub mod typed;

use facets::FacetCounter;
pub use facets::{Counts, FacetField, Facets, UNDATED};

use crate::error::{Error, Result};
use crate::index::Store;
use crate::normalize::{Kind, Taxonomy};
use crate::schema::{names, Fields};
use snippet::{Fragment, Terms};

/// How to order hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// BM25 score, best first.
    #[default]
    Relevance,
    /// Publication date, newest first.
    Date,
    /// Publication date, oldest first (undated articles last).
    #[serde(rename = "date-asc")]
    DateAsc,
}

/// A validated search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query string (empty or `*` lists everything).
    pub query: String,
    /// OR semantics between words instead of AND.
    pub any: bool,
    /// Agencies (OR within).
    pub agencies: Vec<String>,
    /// Topics (OR within).
    pub topics: Vec<String>,
    /// Countries (OR within).
    pub countries: Vec<String>,
    /// Sources (OR within).
    pub sources: Vec<String>,
    /// Publication year.
    pub year: Option<i32>,
    /// Earliest date, inclusive.
    pub from: Option<NaiveDate>,
    /// Latest date, inclusive.
    pub to: Option<NaiveDate>,
    /// Hit order.
    pub sort: Sort,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Count facets over all matches.
    pub facets: bool,
    /// Which facets to count when `facets` is set; empty means all.
    pub facet_fields: Vec<FacetField>,
    /// Build snippets for the hits.
    pub snippets: bool,
    /// Today, for relative dates in the query (`date:"last year"`); None
    /// refuses them. The library never reads the clock.
    pub today: Option<NaiveDate>,
    /// Show each near-duplicate cluster once, by its best-ranked member,
    /// with the other members as copies (the CLI's default).
    pub collapse: bool,
    /// Count facets over stories (one member per cluster) instead of every copy.
    pub dedupe: bool,
}

/// One hit: stored fields plus highlights.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Document id.
    pub id: String,
    /// BM25 score (None when sorted by date).
    pub score: Option<f32>,
    /// Title.
    pub title: String,
    /// Highlighted ranges in the title.
    #[serde(skip)]
    pub title_highlights: Vec<std::ops::Range<usize>>,
    /// Publication date.
    pub date: Option<NaiveDate>,
    /// Source.
    pub source: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Relative path.
    pub path: String,
    /// Canonical URL.
    pub url: Option<String>,
    /// Agencies.
    pub agencies: Vec<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Countries.
    pub countries: Vec<String>,
    /// Snippet fragments.
    #[serde(skip)]
    pub fragments: Vec<Fragment>,
    /// The other matching members of this hit's near-duplicate cluster
    /// (empty unless collapsing).
    pub copies: Vec<collapse::Copy>,
}

impl Hit {
    /// A hit for a stored document, with what the search found in it.
    pub fn of_document(
        doc: crate::document::Document,
        score: Option<f32>,
        title_highlights: Vec<std::ops::Range<usize>>,
        fragments: Vec<Fragment>,
        copies: Vec<collapse::Copy>,
    ) -> Hit {
        Hit {
            id: doc.id,
            score,
            title: doc.title,
            title_highlights,
            date: doc.date,
            source: doc.source,
            author: doc.author,
            path: doc.path,
            url: doc.url,
            agencies: doc.agencies,
            topics: doc.topics,
            countries: doc.countries,
            fragments,
            copies,
        }
    }
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Matches in total (not just this page).
    pub total_hits: usize,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Facet counts, when asked for.
    pub facets: Option<Facets>,
    /// Distinct stories (near-duplicate clusters) among the matches, when
    /// collapsing or deduplicating.
    pub total_stories: Option<usize>,
    /// The better-attested spelling of the query when some of its words
    /// were also searched with typo tolerance.
    pub did_you_mean: Option<String>,
}

/// Fields a query may name.
const QUERY_FIELDS: &[&str] = &[
    names::TITLE,
    names::BODY,
    names::AGENCY,
    names::TOPIC,
    names::COUNTRY,
    names::SOURCE,
    names::DATE,
    names::YEAR,
    names::AUTHOR,
    names::ID,
    names::PATH,
];

/// Runs a search on the last committed state of the index.
pub fn search(
    store: &Store,
    taxonomy: &Taxonomy,
    request: &SearchRequest,
) -> Result<SearchResults> {
    search_in(store, &store.reader()?.searcher(), taxonomy, request)
}

/// Runs a search with an existing searcher (for callers that search many
/// times, such as the latency benchmark).
pub fn search_in(
    store: &Store,
    searcher: &tantivy::Searcher,
    taxonomy: &Taxonomy,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let fields = store.fields();
    let Prepared {
        ast, query, typos, ..
    } = prepare(store, searcher, taxonomy, request)?;
    let list_all = ast.is_none();
    let mut highlight_terms = Terms::default();
    if let Some(ast) = &ast {
        let mut analyzer = store.index().tokenizer_for_field(fields.body)?;
        collect_terms(
            typos.ast_or(ast),
            false,
            &mut analyzer,
            &mut highlight_terms,
        );
    }
    let sort = match (list_all, request.sort) {
        (true, Sort::Relevance) => Sort::Date,
        (_, sort) => sort,
    };
    // No facet collector at all unless asked: even an idle one costs a call
    // per matching document.
    let facet_counter = (request.facets && !request.dedupe)
        .then(|| FacetCounter::new(request.facet_fields.clone(), false));
    // Collapsing groups every match anyway: one pass gives the page too.
    let ((page, mut copies, total_stories, facets), total) = if request.collapse {
        collapse::search_collapsed(store, searcher, &query, sort, request, facet_counter)?
    } else {
        let (limit, offset) = page_bounds(searcher, &*query, request.limit, request.offset)?;
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
        let (page, total, facets) = match sort {
            Sort::Relevance => {
                let collectors = (top.order_by_score(), Count, facet_counter);
                let (docs, total, facets) = searcher.search(&query, &collectors)?;
                let page: Vec<(Option<f32>, DocAddress)> =
                    docs.into_iter().map(|(s, a)| (Some(s), a)).collect();
                (page, total, facets)
            }
            Sort::Date => {
                let by_date = top.order_by_fast_field::<DateTime>(names::DATE, Order::Desc);
                let collectors = (by_date, Count, facet_counter);
                let (docs, total, facets) = searcher.search(&query, &collectors)?;
                let page: Vec<(Option<f32>, DocAddress)> =
                    docs.into_iter().map(|(_, a)| (None, a)).collect();
                (page, total, facets)
            }
            Sort::DateAsc => {
                let by_date = top.order_by_fast_field::<DateTime>(names::DATE, Order::Asc);
                let collectors = (by_date, Count, facet_counter);
                let (docs, total, facets) = searcher.search(&query, &collectors)?;
                let page: Vec<(Option<f32>, DocAddress)> =
                    docs.into_iter().map(|(_, a)| (None, a)).collect();
                (page, total, facets)
            }
        };
        let page = if request.limit == 0 { Vec::new() } else { page };
        let (page, copies, total_stories, facets) =
            collapse::apply(store, searcher, &query, sort, request, page, facets)?;
        ((page, copies, total_stories, facets), total)
    };
    let mut analyzer = store.index().tokenizer_for_field(fields.body)?;
    let mut hits = Vec::with_capacity(page.len());
    for (score, address) in page {
        let stored: TantivyDocument = searcher.doc(address)?;
        let doc = store.to_document(&stored);
        let fragments = if request.snippets {
            snippet::snippet(&mut analyzer, &doc.body, &highlight_terms)
        } else {
            Vec::new()
        };
        let title_highlights = snippet::highlight(&mut analyzer, &doc.title, &highlight_terms);
        hits.push(Hit::of_document(
            doc,
            score.map(|s| typos.display_score(s)),
            title_highlights,
            fragments,
            copies.next().unwrap_or_default(),
        ));
    }
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits: total,
        hits,
        facets,
        total_stories,
        did_you_mean: typos.did_you_mean(searcher, store, &request.query)?,
    })
}

/// Above this many requested hits (limit + offset) the matches are counted
/// first, so the collector is never sized beyond them.
const COUNT_FIRST_ABOVE: usize = 10_000;

/// The limit and offset clamped to what can match: tantivy sizes its top-k
/// buffer by `limit + offset` before it sees a document, so `-n 1000000000`
/// would allocate gigabytes and `usize::MAX` would overflow. Small pages
/// (the common case) are only clamped to the document count; large ones
/// cost one extra counting pass and are clamped to the match count.
fn page_bounds(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    limit: usize,
    offset: usize,
) -> Result<(usize, usize)> {
    let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let (mut limit, mut offset) = (limit.min(docs), offset.min(docs));
    if limit.saturating_add(offset) > COUNT_FIRST_ABOVE {
        let matches = searcher.search(query, &Count)?;
        limit = limit.min(matches);
        offset = offset.min(matches);
    }
    Ok((limit, offset))
}

/// tantivy's parser errors as one plain sentence (its own messages embed
/// Rust debug output such as `ParseIntError { kind: InvalidDigit }`).
fn plain_parser_error(e: &tantivy::query::QueryParserError) -> String {
    use tantivy::query::QueryParserError as E;
    match e {
        E::ExpectedInt(_) | E::ExpectedFloat(_) => {
            "a number was expected (e.g. year:2021)".to_string()
        }
        E::ExpectedBool(_) => "true or false was expected".to_string(),
        E::DateFormatError(_) => {
            "bad date: use date:2021, date:2021-05 or date:2021-05-14".to_string()
        }
        E::FieldDoesNotExist(f) => format!(
            "unknown field {f:?}; fields are {}",
            QUERY_FIELDS.join(", ")
        ),
        E::RangeMustNotHavePhrase => "a range cannot have a phrase as a bound".to_string(),
        E::PhrasePrefixRequiresAtLeastTwoTerms { .. } => {
            "a phrase prefix needs at least two words".to_string()
        }
        other => other.to_string(),
    }
}

/// The query that selects a request's matches (text query and filters),
/// without the paging, sorting and snippets of [`search_in`]. Timelines and
/// co-mentions count over exactly the documents a search would match.
pub(crate) fn match_query(
    store: &Store,
    searcher: &tantivy::Searcher,
    taxonomy: &Taxonomy,
    request: &SearchRequest,
) -> Result<Box<dyn Query>> {
    Ok(prepare(store, searcher, taxonomy, request)?.query)
}

/// Maps user-typed facet values to the values stored in the index.
struct Resolver<'a> {
    searcher: &'a tantivy::Searcher,
    fields: &'a Fields,
    taxonomy: &'a Taxonomy,
    /// For relative `date:` values.
    today: Option<NaiveDate>,
}

impl Resolver<'_> {
    fn field(&self, name: &str) -> Option<(Field, Option<Kind>)> {
        let f = self.fields;
        match name {
            names::AGENCY => Some((f.agency, Some(Kind::Agency))),
            names::TOPIC => Some((f.topic, Some(Kind::Topic))),
            names::COUNTRY => Some((f.country, Some(Kind::Country))),
            names::SOURCE => Some((f.source, None)),
            _ => None,
        }
    }

    /// The stored value for `input`: its canonical taxonomy name, or an
    /// indexed value equal to it ignoring case.
    fn resolve(&self, field_name: &str, input: &str) -> Result<String> {
        let Some((field, kind)) = self.field(field_name) else {
            return Ok(input.to_string());
        };
        if let Some(canonical) = kind.and_then(|k| self.taxonomy.canonical(k, input)) {
            return Ok(canonical);
        }
        let wanted = input.trim();
        let mut indexed = Vec::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(|e| Error::io("term dictionary", e))?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    if term.eq_ignore_ascii_case(wanted) {
                        return Ok(term.to_string());
                    }
                    indexed.push(term.to_string());
                }
            }
        }
        let hint = suggest::hint(&suggest::suggestions(self.taxonomy, kind, wanted, &indexed));
        Err(Error::Query(format!(
            "unknown {field_name} {wanted:?}{hint}; `cpsearch stats` lists the values in the index"
        )))
    }

    /// The stored values a filter value stands for: an agency with its
    /// predecessors (and components after `+`, see
    /// `normalize::hierarchy`), anything else resolved one to one.
    fn resolve_all(&self, field_name: &str, input: &str) -> Result<Vec<String>> {
        if field_name == names::AGENCY {
            if let Some(names) = self.taxonomy.expand_agency(input) {
                return Ok(names);
            }
        }
        Ok(vec![self.resolve(field_name, input)?])
    }
}

/// Validates field names and rewrites date shorthands and facet values.
fn rewrite(ast: UserInputAst, resolver: &Resolver<'_>) -> Result<UserInputAst> {
    Ok(match ast {
        UserInputAst::Clause(clauses) => {
            let mut clauses: Vec<(Option<Occur>, UserInputAst)> = clauses
                .into_iter()
                .map(|(occur, sub)| rewrite(sub, resolver).map(|s| (occur, s)))
                .collect::<Result<_>>()?;
            // Only exclusions (`-ransomware`): everything but them, which
            // tantivy refuses to build on its own.
            if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Some(Occur::MustNot)) {
                let all = UserInputAst::Leaf(Box::new(UserInputLeaf::All));
                clauses.insert(0, (Some(Occur::Must), all));
            }
            UserInputAst::Clause(clauses)
        }
        UserInputAst::Boost(inner, boost) => {
            UserInputAst::Boost(Box::new(rewrite(*inner, resolver)?), boost)
        }
        UserInputAst::Leaf(leaf) => UserInputAst::Leaf(Box::new(rewrite_leaf(*leaf, resolver)?)),
    })
}

fn check_field(name: &str) -> Result<()> {
    if QUERY_FIELDS.contains(&name) {
        Ok(())
    } else {
        Err(Error::Query(format!(
            "unknown field {name:?}; fields are {}",
            QUERY_FIELDS.join(", ")
        )))
    }
}

fn rewrite_leaf(leaf: UserInputLeaf, resolver: &Resolver<'_>) -> Result<UserInputLeaf> {
    match leaf {
        UserInputLeaf::Literal(mut literal) => {
            let Some(field) = literal.field_name.clone() else {
                return Ok(UserInputLeaf::Literal(literal));
            };
            check_field(&field)?;
            if field == names::DATE {
                let (start, end) = date_period(&literal.phrase, resolver.today)?;
                return Ok(date_range_leaf(
                    Bound::Included(start),
                    Bound::Excluded(end),
                ));
            }
            if field == names::YEAR {
                check_year(&literal.phrase)?;
            }
            if resolver.field(&field).is_some() {
                let mut values = resolver.resolve_all(&field, &literal.phrase)?;
                if values.len() > 1 {
                    return Ok(UserInputLeaf::Set {
                        field: Some(field),
                        elements: values,
                    });
                }
                literal.phrase = values.pop().unwrap_or_default();
                literal.delimiter = tantivy::query_grammar::Delimiter::DoubleQuotes;
            }
            Ok(UserInputLeaf::Literal(literal))
        }
        UserInputLeaf::Range {
            field: Some(field),
            lower,
            upper,
        } if field == names::DATE => {
            let period = |s: &str| date_period(s, resolver.today);
            let lower = match lower {
                UserInputBound::Inclusive(s) => Bound::Included(period(&s)?.0),
                UserInputBound::Exclusive(s) => Bound::Excluded(period(&s)?.1),
                UserInputBound::Unbounded => Bound::Unbounded,
            };
            let upper = match upper {
                UserInputBound::Inclusive(s) => Bound::Excluded(period(&s)?.1),
                UserInputBound::Exclusive(s) => Bound::Excluded(period(&s)?.0),
                UserInputBound::Unbounded => Bound::Unbounded,
            };
            Ok(date_range_leaf(lower, upper))
        }
        UserInputLeaf::Range {
            field: Some(field), ..
        }
        | UserInputLeaf::Set {
            field: Some(field), ..
        }
        | UserInputLeaf::Regex {
            field: Some(field), ..
        }
        | UserInputLeaf::Exists { field } => {
            check_field(&field)?;
            Err(Error::Query(format!(
                "this kind of query on {field:?} is not supported; use field:value"
            )))
        }
        other => Ok(other),
    }
}

/// The days a `date:` value names, in the vocabulary of the date flags
/// (`search::dates`): `2021` → [2021-01-01, 2022-01-01), `2021-05` → May,
/// `"last year"`, `"2 weeks ago"`…
fn date_period(s: &str, today: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate)> {
    dates::parse_when(s, today)
        .map(|p| (p.start, p.end))
        .map_err(|e| Error::Query(format!("date:{s}: {e}")))
}

/// `year:` takes a four-digit year: `year:21` would silently match nothing.
fn check_year(s: &str) -> Result<()> {
    let s = s.trim();
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::Query(format!(
            "year:{s} is not a year; write all four digits, e.g. year:2021"
        )))
    }
}

fn rfc3339(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn date_range_leaf(lower: Bound<NaiveDate>, upper: Bound<NaiveDate>) -> UserInputLeaf {
    let bound = |b: Bound<NaiveDate>| match b {
        Bound::Included(d) => UserInputBound::Inclusive(rfc3339(d)),
        Bound::Excluded(d) => UserInputBound::Exclusive(rfc3339(d)),
        Bound::Unbounded => UserInputBound::Unbounded,
    };
    UserInputLeaf::Range {
        field: Some(names::DATE.to_string()),
        lower: bound(lower),
        upper: bound(upper),
    }
}

/// Positive literals on the text fields become highlight terms; anything
/// under a negation does not.
fn collect_terms(
    ast: &UserInputAst,
    negated: bool,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    out: &mut Terms,
) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                collect_terms(
                    sub,
                    negated || *occur == Some(Occur::MustNot),
                    analyzer,
                    out,
                );
            }
        }
        UserInputAst::Boost(inner, _) => collect_terms(inner, negated, analyzer, out),
        UserInputAst::Leaf(leaf) => {
            if let UserInputLeaf::Literal(lit) = leaf.as_ref() {
                let text_field = lit
                    .field_name
                    .as_deref()
                    .is_none_or(|f| f == names::TITLE || f == names::BODY);
                if !negated && text_field {
                    out.add_literal(analyzer, &lit.phrase);
                }
            }
        }
    }
}

fn term_set(field: Field, values: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn date_term(field: Field, d: NaiveDate) -> Term {
    Term::from_field_date_for_search(field, crate::schema::day_value(d))
}

/// The request with its facet filter values replaced by the stored values
/// they stand for (canonical names, an agency's predecessors, `NAME+`).
fn resolve_filters(request: &SearchRequest, resolver: &Resolver<'_>) -> Result<SearchRequest> {
    let mut resolved = request.clone();
    for (name, values) in [
        (names::AGENCY, &mut resolved.agencies),
        (names::TOPIC, &mut resolved.topics),
        (names::COUNTRY, &mut resolved.countries),
        (names::SOURCE, &mut resolved.sources),
    ] {
        let stored: Vec<Vec<String>> = values
            .iter()
            .map(|v| resolver.resolve_all(name, v))
            .collect::<Result<_>>()?;
        *values = stored.concat();
    }
    Ok(resolved)
}

/// Filter queries from a request whose values are resolved
/// ([`resolve_filters`]): OR within one flag, AND across flags.
fn filters(request: &SearchRequest, f: &Fields) -> Result<Vec<Box<dyn Query>>> {
    let mut out = Vec::new();
    for (field, values) in [
        (f.agency, &request.agencies),
        (f.topic, &request.topics),
        (f.country, &request.countries),
        (f.source, &request.sources),
    ] {
        if !values.is_empty() {
            out.push(term_set(field, values));
        }
    }
    if let Some(year) = request.year {
        let year = u64::try_from(year).map_err(|_| Error::Query(format!("bad year {year}")))?;
        out.push(Box::new(TermQuery::new(
            Term::from_field_u64(f.year, year),
            IndexRecordOption::Basic,
        )));
    }
    if request.from.is_some() || request.to.is_some() {
        let lower = request
            .from
            .map_or(Bound::Unbounded, |d| Bound::Included(date_term(f.date, d)));
        let upper = request
            .to
            .and_then(|d| d.succ_opt())
            .map_or(Bound::Unbounded, |d| Bound::Excluded(date_term(f.date, d)));
        out.push(Box::new(RangeQuery::new(lower, upper)));
    }
    Ok(out)
}

/// Filters are scored zero, so they keep the text query's order.
/// Lifts the clauses of nested should-only (or must-only) boolean queries
/// into their parent with the same occurrence, as tantivy's `parse_query`
/// does but `build_query_from_user_input_ast` does not. Matches and scores
/// are unchanged (a boolean score is the sum of its clauses'), but one flat
/// union of term scorers runs about twice as fast as a union of unions.
fn flatten(query: Box<dyn Query>) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return query;
    };
    let should_only = |b: &BooleanQuery| {
        b.get_minimum_number_should_match() <= 1
            && b.clauses().iter().all(|(o, _)| *o == Occur::Should)
    };
    let must_only = |b: &BooleanQuery| b.clauses().iter().all(|(o, _)| *o == Occur::Must);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (occur, sub) in boolean.clauses() {
        let sub = flatten(sub.box_clone());
        let lift = sub.downcast_ref::<BooleanQuery>().filter(|b| {
            !b.clauses().is_empty()
                && match occur {
                    Occur::Should => should_only(b) && should_only(boolean),
                    Occur::Must => must_only(b),
                    Occur::MustNot => false,
                }
        });
        match lift {
            Some(b) => clauses.extend(b.clauses().iter().map(|(o, q)| (*o, q.box_clone()))),
            None => clauses.push((*occur, sub)),
        }
    }
    let mut flat = BooleanQuery::new(clauses);
    flat.set_minimum_number_should_match(boolean.get_minimum_number_should_match());
    Box::new(flat)
}

fn with_filters(text: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return text;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
    for f in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(f, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Counts facets for every document matching `query`.
pub fn count_facets(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    with_source: bool,
) -> Result<Facets> {
    Ok(searcher.search(query, &FacetCounter::new(Vec::new(), with_source))?)
}

/// A request resolved the way `search` resolves it, for code that asks the
/// same question elsewhere (`export` fetches the matching documents,
/// `search --explain` translates it for another engine).
pub struct Prepared {
    /// The rewritten query (dates as ranges, facet values canonical);
    /// None when the request lists everything.
    pub ast: Option<UserInputAst>,
    /// The request with its facet filter values resolved to stored values.
    pub request: SearchRequest,
    /// The tantivy query matching what `search` matches.
    pub query: Box<dyn Query>,
    /// Typo variants of rare words (a lower tier of the query) and what
    /// they say about spelling.
    pub typos: fuzzy::Typos,
}

/// Parses and resolves `request` as [`search_in`] does, without running it.
pub fn prepare(
    store: &Store,
    searcher: &tantivy::Searcher,
    taxonomy: &Taxonomy,
    request: &SearchRequest,
) -> Result<Prepared> {
    let fields = store.fields();
    let resolver = Resolver {
        searcher,
        fields,
        taxonomy,
        today: request.today,
    };
    let typed = typed::as_typed(&request.query);
    let trimmed = typed.trim();
    let ast = if trimmed.is_empty() || trimmed == "*" {
        None
    } else {
        let ast = tantivy::query_grammar::parse_query(trimmed).map_err(|_| {
            Error::Query(format!(
                "cannot parse {trimmed:?}: check quotes, parentheses and field:value pairs"
            ))
        })?;
        Some(rewrite(ast, &resolver)?)
    };
    let mut typos = fuzzy::Typos::default();
    let (ast, text_query): (Option<UserInputAst>, Box<dyn Query>) = match ast {
        None => (None, Box::new(AllQuery)),
        Some(ast) => {
            let mut analyzer = store.index().tokenizer_for_field(fields.body)?;
            typos = fuzzy::typos(&ast, searcher, fields, &mut analyzer)?;
            if let Some(tolerant) = typos.ast.take() {
                typos.ast = Some(fuzzy::expand_explicit(
                    tolerant,
                    searcher,
                    fields,
                    &mut analyzer,
                )?);
            }
            let ast = fuzzy::expand_explicit(ast, searcher, fields, &mut analyzer)?;
            let mut parser = QueryParser::for_index(store.index(), vec![fields.title, fields.body]);
            parser.set_field_boost(fields.title, 2.0);
            if !request.any {
                parser.set_conjunction_by_default();
            }
            let mut build = |ast: UserInputAst| {
                parser
                    .build_query_from_user_input_ast(phrases::with_pair_lookups(ast, &mut analyzer))
                    .map(flatten)
                    .map_err(|e| Error::Query(plain_parser_error(&e)))
            };
            let exact = build(ast.clone())?;
            let query = match typos.ast.clone() {
                Some(tolerant) => fuzzy::tiered(exact, build(tolerant)?),
                None => exact,
            };
            (Some(ast), query)
        }
    };
    // Each value is resolved once (a source not in the vocabulary costs a
    // walk of the term dictionary), for the filters and for the callers.
    let resolved = resolve_filters(request, &resolver)?;
    let query = with_filters(text_query, filters(&resolved, fields)?);
    Ok(Prepared {
        ast,
        request: resolved,
        query,
        typos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(word: &str) -> Box<dyn Query> {
        let field = tantivy::schema::Field::from_field_id(0);
        Box::new(tantivy::query::TermQuery::new(
            Term::from_field_text(field, word),
            tantivy::schema::IndexRecordOption::WithFreqs,
        ))
    }

    fn occurs(q: &dyn Query) -> Vec<Occur> {
        q.downcast_ref::<BooleanQuery>()
            .map(|b| b.clauses().iter().map(|(o, _)| *o).collect())
            .unwrap_or_default()
    }

    #[test]
    fn flatten_lifts_nested_disjunctions_and_conjunctions() {
        let or = |a, b| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, a),
                (Occur::Should, b),
            ]))
        };
        let nested = or(or(term("a"), term("b")), or(term("c"), term("d")));
        assert_eq!(occurs(&*flatten(nested)), vec![Occur::Should; 4]);
        let and = Box::new(BooleanQuery::new(vec![
            (Occur::Must, or(term("a"), term("b"))),
            (
                Occur::Must,
                Box::new(BooleanQuery::new(vec![(Occur::Must, term("c"))])),
            ),
        ]));
        // The disjunction under a Must stays a group; the conjunction is lifted.
        assert_eq!(occurs(&*flatten(and)), vec![Occur::Must, Occur::Must]);
        let not = Box::new(BooleanQuery::new(vec![
            (Occur::Should, term("a")),
            (Occur::MustNot, or(term("b"), term("c"))),
        ]));
        assert_eq!(occurs(&*flatten(not)), vec![Occur::Should, Occur::MustNot]);
    }

    #[test]
    fn date_periods() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid");
        let period = |s| date_period(s, None);
        assert_eq!(period("2021").ok(), Some((d(2021, 1, 1), d(2022, 1, 1))));
        assert_eq!(
            period("2021-12").ok(),
            Some((d(2021, 12, 1), d(2022, 1, 1)))
        );
        assert_eq!(
            period("2021-05-14").ok(),
            Some((d(2021, 5, 14), d(2021, 5, 15)))
        );
        assert!(period("2021-13").is_err());
        assert!(period("May").is_err());
        assert!(period("last year").is_err(), "no today given");
        assert_eq!(
            date_period("last year", Some(d(2026, 3, 1))).ok(),
            Some((d(2025, 1, 1), d(2026, 1, 1)))
        );
    }
}
