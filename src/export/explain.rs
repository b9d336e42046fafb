//! `search --explain`: the request that asks Quickwit or OpenSearch the
//! same question as a cpsearch search, built from the query as `search`
//! parsed and rewrote it (dates as ranges, facet values canonical) and the
//! filters with their values resolved.
//!
//! Quickwit cannot stem, so free words are stemmed here with our analyzer
//! and searched in `title_stem`/`body_stem`; OpenSearch's index analyzer
//! stems like ours, so it gets the words as typed. Filters are ANDed in
//! Quickwit's query string and go to a `bool` filter in OpenSearch, where
//! they do not score. Facet counts become `terms` aggregations; the monthly
//! timeline is a `terms` aggregation on the exported `month` field in
//! Quickwit (its date histogram has fixed intervals only) and a calendar
//! `date_histogram` in OpenSearch.

use serde::Serialize;
use serde_json::{json, Map, Value};
use tantivy::query::Occur;
use tantivy::query_grammar::{UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral};
use tantivy::tokenizer::TextAnalyzer;

use super::{quickwit::quote, Engine, BODY_STEM, DEFAULT_INDEX_NAME, MONTH, TITLE_STEM};
use crate::error::{Error, Result};
use crate::schema::names;
use crate::search::{FacetField, Prepared, Sort};

/// An HTTP request for another engine.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    /// The engine.
    pub engine: Engine,
    /// HTTP method.
    pub method: &'static str,
    /// Full URL on a local node.
    pub url: String,
    /// JSON body.
    pub body: Value,
}

impl Explained {
    /// The request as one curl command.
    pub fn curl(&self) -> String {
        let body = self.body.to_string().replace('\'', "'\\''");
        format!(
            "curl -sS -X{} '{}' -H 'Content-Type: application/json' -d '{body}'",
            self.method, self.url
        )
    }
}

/// Translates a prepared search for `engine` (Quickwit or OpenSearch).
pub fn explain(
    engine: Engine,
    prepared: &Prepared,
    analyzer: &mut TextAnalyzer,
) -> Result<Explained> {
    match engine {
        Engine::Quickwit => quickwit(prepared, analyzer),
        Engine::OpenSearch => opensearch(prepared),
        Engine::Sphinx => Err(Error::Query(
            "--explain speaks quickwit or opensearch; for Sphinx see `cpsearch export --to sphinx`"
                .into(),
        )),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Quickwit,
    OpenSearch,
}

fn quickwit(prepared: &Prepared, analyzer: &mut TextAnalyzer) -> Result<Explained> {
    let r = &prepared.request;
    let mut parts = Vec::new();
    if let Some(ast) = &prepared.ast {
        parts.push(render(ast, Dialect::Quickwit, r.any, analyzer)?);
    }
    for (field, values) in facet_filters(prepared) {
        let any: Vec<String> = values
            .iter()
            .map(|v| format!("{field}:{}", quote(v)))
            .collect();
        parts.push(format!("({})", any.join(" OR ")));
    }
    if let Some(year) = r.year {
        parts.push(format!("{}:{year}", names::YEAR));
    }
    if let Some(range) = date_filter(prepared) {
        parts.push(range);
    }
    let query = if parts.is_empty() {
        "*".to_string()
    } else {
        parts.join(" AND ")
    };
    let mut aggs = Map::new();
    for field in facet_names(prepared) {
        aggs.insert(
            field.to_string(),
            json!({"terms": {"field": field, "size": 100}}),
        );
    }
    aggs.insert(
        "timeline".into(),
        json!({"terms": {"field": MONTH, "size": 10000, "order": {"_key": "asc"}}}),
    );
    let sort = match effective_sort(prepared) {
        Sort::Relevance => "_score",
        Sort::Date => names::DATE,
        // Quickwit sorts descending unless the field is prefixed with `+`.
        Sort::DateAsc => "+date",
    };
    Ok(Explained {
        engine: Engine::Quickwit,
        method: "POST",
        url: format!("http://127.0.0.1:7280/api/v1/{DEFAULT_INDEX_NAME}/search"),
        body: json!({
            "query": query,
            "max_hits": r.limit,
            "start_offset": r.offset,
            "sort_by": sort,
            "snippet_fields": [names::TITLE, names::BODY],
            "aggs": aggs,
        }),
    })
}

fn opensearch(prepared: &Prepared) -> Result<Explained> {
    let r = &prepared.request;
    // Only OpenSearch's own analyzer stems here; the literals go as typed.
    let mut unused = TextAnalyzer::from(tantivy::tokenizer::RawTokenizer::default());
    let mut must = Vec::new();
    if let Some(ast) = &prepared.ast {
        must.push(json!({"query_string": {
            "query": render(ast, Dialect::OpenSearch, r.any, &mut unused)?,
            "fields": [format!("{}^2", names::TITLE), names::BODY],
            "default_operator": if r.any { "OR" } else { "AND" },
        }}));
    }
    let mut filter = Vec::new();
    for (field, values) in facet_filters(prepared) {
        filter.push(json!({"terms": {field: values}}));
    }
    if let Some(year) = r.year {
        filter.push(json!({"term": {names::YEAR: year}}));
    }
    if r.from.is_some() || r.to.is_some() {
        let mut range = Map::new();
        if let Some(from) = r.from {
            range.insert("gte".into(), json!(day(from)));
        }
        if let Some(to) = r.to.and_then(|d| d.succ_opt()) {
            range.insert("lt".into(), json!(day(to)));
        }
        filter.push(json!({"range": {names::DATE: range}}));
    }
    if must.is_empty() {
        must.push(json!({"match_all": {}}));
    }
    let mut aggs = Map::new();
    for field in facet_names(prepared) {
        aggs.insert(
            field.to_string(),
            json!({"terms": {"field": field, "size": 100}}),
        );
    }
    aggs.insert(
        "timeline".into(),
        json!({"date_histogram": {"field": names::DATE, "calendar_interval": "month", "format": "yyyy-MM", "min_doc_count": 1}}),
    );
    let mut body = json!({
        "query": {"bool": {"must": must, "filter": filter}},
        "size": r.limit,
        "from": r.offset,
        "track_total_hits": true,
        "highlight": {"fields": {names::TITLE: {}, names::BODY: {"number_of_fragments": 3}}},
        "aggs": aggs,
    });
    if effective_sort(prepared) == Sort::Date {
        body["sort"] = json!([{names::DATE: "desc"}]);
    }
    Ok(Explained {
        engine: Engine::OpenSearch,
        method: "POST",
        url: format!("http://127.0.0.1:9200/{DEFAULT_INDEX_NAME}/_search"),
        body,
    })
}

/// A listing (no query) is newest first in cpsearch.
fn effective_sort(prepared: &Prepared) -> Sort {
    match (prepared.ast.is_none(), prepared.request.sort) {
        (true, Sort::Relevance) => Sort::Date,
        (_, sort) => sort,
    }
}

fn day(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn facet_filters(prepared: &Prepared) -> Vec<(&'static str, &Vec<String>)> {
    let r = &prepared.request;
    [
        (names::AGENCY, &r.agencies),
        (names::TOPIC, &r.topics),
        (names::COUNTRY, &r.countries),
        (names::SOURCE, &r.sources),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

fn date_filter(prepared: &Prepared) -> Option<String> {
    let r = &prepared.request;
    if r.from.is_none() && r.to.is_none() {
        return None;
    }
    let lower = r.from.map_or("*".to_string(), day);
    let upper = r.to.and_then(|d| d.succ_opt()).map_or("*".to_string(), day);
    Some(format!("{}:[{lower} TO {upper}}}", names::DATE))
}

fn facet_names(prepared: &Prepared) -> Vec<&'static str> {
    let r = &prepared.request;
    if !r.facets {
        return Vec::new();
    }
    let all = [
        FacetField::Agency,
        FacetField::Topic,
        FacetField::Country,
        FacetField::Year,
    ];
    let chosen: &[FacetField] = if r.facet_fields.is_empty() {
        &all
    } else {
        &r.facet_fields
    };
    chosen
        .iter()
        .map(|f| match f {
            FacetField::Agency => names::AGENCY,
            FacetField::Topic => names::TOPIC,
            FacetField::Country => names::COUNTRY,
            FacetField::Year => names::YEAR,
            FacetField::Source => names::SOURCE,
        })
        .collect()
}

/// Renders the AST as a query string both engines parse (Lucene-like).
fn render(
    ast: &UserInputAst,
    dialect: Dialect,
    any: bool,
    analyzer: &mut TextAnalyzer,
) -> Result<String> {
    match ast {
        UserInputAst::Clause(clauses) => {
            let default = if any { Occur::Should } else { Occur::Must };
            let (mut must, mut should, mut not) = (Vec::new(), Vec::new(), Vec::new());
            for (occur, sub) in clauses {
                let text = render(sub, dialect, any, analyzer)?;
                match occur.unwrap_or(default) {
                    Occur::Must => must.push(text),
                    Occur::Should => should.push(text),
                    Occur::MustNot => not.push(format!("NOT {text}")),
                }
            }
            // With a required clause, optional ones only score: matching
            // is decided by the required ones, as in tantivy.
            let mut required = must;
            if required.is_empty() && !should.is_empty() {
                required.push(format!("({})", should.join(" OR ")));
            }
            if required.is_empty() {
                // tantivy refuses a group of exclusions only; so do we.
                return Err(Error::Query(
                    "a query needs at least one word that is not excluded".into(),
                ));
            }
            required.extend(not);
            Ok(match required.as_slice() {
                [one] if one.starts_with('(') => one.clone(),
                _ => format!("({})", required.join(" AND ")),
            })
        }
        UserInputAst::Boost(inner, boost) => Ok(format!(
            "({})^{}",
            render(inner, dialect, any, analyzer)?,
            boost.into_inner()
        )),
        UserInputAst::Leaf(leaf) => render_leaf(leaf, dialect, analyzer),
    }
}

fn render_leaf(
    leaf: &UserInputLeaf,
    dialect: Dialect,
    analyzer: &mut TextAnalyzer,
) -> Result<String> {
    match leaf {
        UserInputLeaf::Literal(lit) => render_literal(lit, dialect, analyzer),
        UserInputLeaf::All => Ok("*".to_string()),
        UserInputLeaf::Range {
            field: Some(field),
            lower,
            upper,
        } if field == names::DATE => {
            let (open, low) = match lower {
                UserInputBound::Inclusive(s) => ('[', s.as_str()),
                UserInputBound::Exclusive(s) => ('{', s.as_str()),
                UserInputBound::Unbounded => ('[', "*"),
            };
            let (close, high) = match upper {
                UserInputBound::Inclusive(s) => (']', s.as_str()),
                UserInputBound::Exclusive(s) => ('}', s.as_str()),
                UserInputBound::Unbounded => (']', "*"),
            };
            Ok(format!("{field}:{open}{low} TO {high}{close}"))
        }
        _ => Err(Error::Query(
            "this query has a part --explain cannot translate; use words, phrases, field:value and date ranges".into(),
        )),
    }
}

fn render_literal(
    lit: &UserInputLiteral,
    dialect: Dialect,
    analyzer: &mut TextAnalyzer,
) -> Result<String> {
    let field = lit.field_name.as_deref();
    let is_text = field.is_none_or(|f| f == names::TITLE || f == names::BODY);
    let suffix = if lit.slop > 0 {
        format!("~{}", lit.slop)
    } else {
        String::new()
    };
    if !is_text || dialect == Dialect::OpenSearch {
        let value = if lit.prefix {
            format!("{}*", escape_word(&lit.phrase))
        } else {
            format!("{}{suffix}", quote(&lit.phrase))
        };
        return Ok(match field {
            Some(f) => format!("{f}:{value}"),
            None => value,
        });
    }
    let stemmed = super::stems(analyzer, &lit.phrase);
    if stemmed.is_empty() {
        return Err(Error::Query(format!(
            "{:?} has no searchable word to translate",
            lit.phrase
        )));
    }
    // A prefix is matched against stems as typed: "ransom*" still finds "ransomwar".
    let value = if lit.prefix {
        format!("{}*", escape_word(&lit.phrase.to_lowercase()))
    } else {
        format!("{}{suffix}", quote(&stemmed))
    };
    let fields: Vec<&str> = match field {
        Some(f) if f == names::TITLE => vec![TITLE_STEM],
        Some(_) => vec![BODY_STEM],
        None => vec![TITLE_STEM, BODY_STEM],
    };
    let alternatives: Vec<String> = fields.iter().map(|f| format!("{f}:{value}")).collect();
    Ok(if alternatives.len() == 1 {
        alternatives.join("")
    } else {
        format!("({})", alternatives.join(" OR "))
    })
}

/// Backslash-escapes query-syntax characters in a bare word.
fn escape_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if "+-&|!(){}[]^\"~*?:\\/ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(query: &str, dialect: Dialect, any: bool) -> String {
        let ast = tantivy::query_grammar::parse_query(query).expect("parses");
        render(&ast, dialect, any, &mut crate::analyzer::english()).expect("renders")
    }

    #[test]
    fn words_are_stemmed_for_quickwit_and_kept_for_opensearch() {
        assert_eq!(
            rendered("sanctions", Dialect::Quickwit, false),
            "(title_stem:\"sanction\" OR body_stem:\"sanction\")"
        );
        assert_eq!(
            rendered("title:Attacks", Dialect::Quickwit, false),
            "title_stem:\"attack\""
        );
        assert_eq!(
            rendered("sanctions", Dialect::OpenSearch, false),
            "\"sanctions\""
        );
    }

    #[test]
    fn default_operator_and_exclusions_follow_cpsearch() {
        assert_eq!(
            rendered("a b -c", Dialect::OpenSearch, false),
            "(\"a\" AND \"b\" AND NOT \"c\")"
        );
        assert_eq!(
            rendered("a b", Dialect::OpenSearch, true),
            "(\"a\" OR \"b\")"
        );
        assert_eq!(
            rendered("a OR b", Dialect::OpenSearch, false),
            "(\"a\" OR \"b\")"
        );
        let ast = tantivy::query_grammar::parse_query("-a").expect("parses");
        assert!(render(
            &ast,
            Dialect::OpenSearch,
            false,
            &mut crate::analyzer::english()
        )
        .is_err());
    }
}
