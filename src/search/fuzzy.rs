//! Typo tolerance, prefixes and explicit fuzzy words.
//!
//! A query word with few exact matches is also searched with its spelling
//! variants from the term dictionary: edit distance by word length as
//! Meilisearch does (up to 4 letters none, 5–8 one, 9 or more two; a
//! transposition counts as one edit; the first letter fixed). Variants go
//! in a tier that ranks below every exact match: exact matches get a
//! constant [`TIER`] added to their score, variant-only matches do not, and
//! the offset is taken off again for display. Phrases, facet values,
//! numbers and all-caps acronyms are never varied.
//!
//! Variants, prefixes (`ransom*`) and explicit fuzzy words (`ransomwre~2`)
//! are expanded against the term dictionary into plain words, so they are
//! scored by BM25 and highlighted in snippets like any other word (tantivy's
//! `FuzzyTermQuery` scores every match alike and highlights nothing). The
//! dictionary holds stems; a stem is used only when analyzing it gives it
//! back unchanged, so the word the parser builds is exactly that term.
//!
//! `did_you_mean` gives the better-attested spelling as a word people
//! write, never a stem: the most frequent word in the best matching
//! articles' text that has the variant's stem.

use std::collections::HashMap;

use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};
use tantivy::{TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::Store;
use crate::schema::{names, Fields};

/// Added to the score of every exact match so that it ranks above every
/// match found only through a variant. BM25 scores here stay far below it,
/// and at this magnitude an f32 still resolves a thousandth of a point.
pub const TIER: f32 = 1000.0;
/// A word found in fewer documents than this is also searched with variants.
pub const FEW_MATCHES: u64 = 3;
/// Most variants searched per word (the best attested).
const MAX_VARIANTS: usize = 8;
/// Most words a prefix expands to (the best attested).
const MAX_PREFIX_TERMS: usize = 64;
/// Letters a prefix needs before its star: shorter ones match too much.
const MIN_PREFIX_LETTERS: usize = 2;
/// Most documents read to find the surface form of a suggested stem.
const SURFACE_DOCS: usize = 5;

/// The edit distance allowed for a word of this many letters.
pub fn typo_budget(letters: usize) -> u8 {
    match letters {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// True when a query word may be varied: letters only, long enough, and
/// not an all-caps acronym.
pub fn may_vary(word: &str) -> bool {
    let letters = word.chars().count();
    let all_caps = word.chars().all(|c| c.is_uppercase());
    word.chars().all(char::is_alphabetic) && typo_budget(letters) > 0 && !all_caps
}

/// One word that was also searched with variants.
#[derive(Debug, Clone)]
struct Correction {
    /// As typed.
    typed: String,
    /// Its documents.
    exact_docs: u64,
    /// The best-attested variant (a stem) and its documents.
    best: Option<(String, u64)>,
}

/// What typo tolerance did to a query.
#[derive(Debug, Default)]
pub struct Typos {
    /// The query with variants added, when any word got some.
    pub ast: Option<UserInputAst>,
    corrections: Vec<Correction>,
    tiered: bool,
}

impl Typos {
    /// The query to take highlight terms from: with variants when there are.
    pub fn ast_or<'a>(&'a self, exact: &'a UserInputAst) -> &'a UserInputAst {
        self.ast.as_ref().unwrap_or(exact)
    }

    /// A hit's score without the exact tier's offset.
    pub fn display_score(&self, score: f32) -> f32 {
        if self.tiered && score >= TIER {
            score - TIER
        } else {
            score
        }
    }

    /// The query with each varied word replaced by its better-attested
    /// spelling, when one is better attested than what was typed.
    pub fn did_you_mean(
        &self,
        searcher: &tantivy::Searcher,
        store: &Store,
        query: &str,
    ) -> Result<Option<String>> {
        let mut corrected = query.to_string();
        let mut changed = false;
        for c in &self.corrections {
            let Some((stem, docs)) = &c.best else {
                continue;
            };
            if *docs <= c.exact_docs {
                continue;
            }
            if let Some(surface) = surface_form(searcher, store, stem)? {
                corrected = replace_word(&corrected, &c.typed, &surface);
                changed = true;
            }
        }
        Ok(changed.then_some(corrected))
    }
}

/// Replaces whole-word occurrences of `word` in `text`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &rest[at + word.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { with } else { word });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |t| out.push(t.text.clone()));
    out
}

/// True when the parser would turn `stem` into exactly this term.
fn is_fixed_point(analyzer: &mut TextAnalyzer, stem: &str) -> bool {
    let tokens = analyze(analyzer, stem);
    tokens.len() == 1 && tokens[0] == stem
}

fn is_text_field(lit: &UserInputLiteral) -> bool {
    lit.field_name
        .as_deref()
        .is_none_or(|f| f == names::TITLE || f == names::BODY)
}

fn text_fields(fields: &Fields, lit: &UserInputLiteral) -> Vec<Field> {
    match lit.field_name.as_deref() {
        Some(names::TITLE) => vec![fields.title],
        Some(names::BODY) => vec![fields.body],
        _ => vec![fields.title, fields.body],
    }
}

/// Documents containing `term` in any of `fields` (an upper bound: the
/// sum over fields).
fn doc_freq(searcher: &tantivy::Searcher, fields: &[Field], term: &str) -> Result<u64> {
    let mut total = 0;
    for f in fields {
        total += searcher.doc_freq(&Term::from_field_text(*f, term))?;
    }
    Ok(total)
}

/// `alternatives` as one group any of which may match, in place of `lit`.
fn any_of(lit: &UserInputLiteral, alternatives: Vec<String>) -> UserInputAst {
    UserInputAst::Clause(
        alternatives
            .into_iter()
            .map(|phrase| {
                let leaf = UserInputLiteral {
                    field_name: lit.field_name.clone(),
                    phrase,
                    delimiter: Delimiter::None,
                    slop: 0,
                    prefix: false,
                };
                (
                    Some(Occur::Should),
                    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(leaf))),
                )
            })
            .collect(),
    )
}

/// The best-attested `limit` of `counts` that the parser can reproduce.
fn best_terms(
    analyzer: &mut TextAnalyzer,
    counts: HashMap<String, u64>,
    limit: usize,
) -> Vec<(String, u64)> {
    let mut terms: Vec<(String, u64)> = counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms
        .into_iter()
        .filter(|(t, _)| is_fixed_point(analyzer, t))
        .take(limit)
        .collect()
}

/// Terms of `fields` starting with `prefix`, with their document counts.
fn prefix_terms(
    searcher: &tantivy::Searcher,
    fields: &[Field],
    prefix: &str,
) -> Result<HashMap<String, u64>> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        for f in fields {
            let inverted = segment.inverted_index(*f)?;
            let dict = inverted.terms();
            let mut stream = dict
                .range()
                .ge(prefix.as_bytes())
                .into_stream()
                .map_err(|e| Error::io("term dictionary", e))?;
            while stream.advance() {
                if !stream.key().starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(t) = std::str::from_utf8(stream.key()) {
                    *counts.entry(t.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    Ok(counts)
}

/// Terms of `fields` within `distance` edits of `stem` (transpositions
/// count one) that start with the same letter, with their document counts.
fn variant_terms(
    searcher: &tantivy::Searcher,
    fields: &[Field],
    stem: &str,
    distance: u8,
    first_letter_fixed: bool,
) -> Result<HashMap<String, u64>> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let first = stem.chars().next();
    for f in fields {
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(*f, stem), distance, true).automaton()?;
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(*f)?;
            let dict = inverted.terms();
            let mut stream = dict
                .search(&automaton)
                .into_stream()
                .map_err(|e| Error::io("term dictionary", e))?;
            while stream.advance() {
                let Ok(t) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if t == stem || (first_letter_fixed && t.chars().next() != first) {
                    continue;
                }
                *counts.entry(t.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    Ok(counts)
}

/// Splits `word~N` (letters, then an optional distance) into its parts.
fn explicit_fuzzy(phrase: &str) -> Option<(&str, Option<&str>)> {
    let (word, distance) = phrase.split_once('~')?;
    (!word.is_empty() && word.chars().all(char::is_alphanumeric))
        .then_some((word, (!distance.is_empty()).then_some(distance)))
}

/// Expands what the user asked for explicitly: `ransom*` becomes the words
/// of the index that start with "ransom" (the best attested
/// [`MAX_PREFIX_TERMS`]), and `word~N` the words within N edits (N is 0, 1
/// or 2; `word~` uses the length rule). Anything else is returned as is.
pub fn expand_explicit(
    ast: UserInputAst,
    searcher: &tantivy::Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
) -> Result<UserInputAst> {
    Ok(match ast {
        UserInputAst::Clause(clauses) => UserInputAst::Clause(
            clauses
                .into_iter()
                .map(|(o, sub)| expand_explicit(sub, searcher, fields, analyzer).map(|s| (o, s)))
                .collect::<Result<_>>()?,
        ),
        UserInputAst::Boost(inner, b) => UserInputAst::Boost(
            Box::new(expand_explicit(*inner, searcher, fields, analyzer)?),
            b,
        ),
        UserInputAst::Leaf(leaf) => match *leaf {
            UserInputLeaf::Literal(lit)
                if lit.delimiter == Delimiter::None && is_text_field(&lit) =>
            {
                expand_literal(lit, searcher, fields, analyzer)?
            }
            other => UserInputAst::Leaf(Box::new(other)),
        },
    })
}

fn expand_literal(
    lit: UserInputLiteral,
    searcher: &tantivy::Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
) -> Result<UserInputAst> {
    let in_fields = text_fields(fields, &lit);
    // The grammar keeps a trailing star in the word (`ransom*` is the
    // literal "ransom*"); the analyzer would then drop it and search "ransom".
    let star_prefix = lit.phrase.strip_suffix('*');
    if lit.prefix || star_prefix.is_some() {
        let typed = star_prefix.unwrap_or(&lit.phrase);
        let mut plain = plain_analyzer();
        let tokens = analyze(&mut plain, typed);
        let [prefix] = tokens.as_slice() else {
            return Err(Error::Query(format!(
                "{typed:?}*: a prefix must be one word of letters or digits, like ransom*"
            )));
        };
        if typed.contains('*') || typed.chars().count() < MIN_PREFIX_LETTERS {
            return Err(Error::Query(format!(
                "{typed:?}*: only a trailing * after at least {MIN_PREFIX_LETTERS} letters is supported, like ransom*"
            )));
        }
        let counts = prefix_terms(searcher, &in_fields, prefix)?;
        let terms = best_terms(analyzer, counts, MAX_PREFIX_TERMS);
        // No word starts so: an empty group, which matches nothing.
        return Ok(any_of(&lit, terms.into_iter().map(|(t, _)| t).collect()));
    }
    let Some((word, distance)) = explicit_fuzzy(&lit.phrase) else {
        if lit.phrase.contains('*') {
            return Err(Error::Query(format!(
                "{:?}: * is supported only at the end of a word, like ransom*",
                lit.phrase
            )));
        }
        return Ok(UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit))));
    };
    let distance = match distance {
        None => typo_budget(word.chars().count()),
        Some(d) => match d.parse::<u8>() {
            Ok(d) if d <= 2 => d,
            _ => {
                return Err(Error::Query(format!(
                    "{:?}: a fuzzy word takes ~0, ~1 or ~2 (edits allowed), like ransomwre~2",
                    lit.phrase
                )))
            }
        },
    };
    let stems = analyze(analyzer, word);
    let [stem] = stems.as_slice() else {
        return Ok(UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(
            UserInputLiteral {
                phrase: word.to_string(),
                ..lit
            },
        ))));
    };
    let mut alternatives = vec![word.to_string()];
    if distance > 0 {
        let counts = variant_terms(searcher, &in_fields, stem, distance, false)?;
        alternatives.extend(
            best_terms(analyzer, counts, MAX_PREFIX_TERMS)
                .into_iter()
                .map(|(t, _)| t),
        );
    }
    Ok(any_of(&lit, alternatives))
}

fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// Finds the words of `ast` with few exact matches and their variants.
/// When any word has variants, [`Typos::ast`] is the query with each such
/// word replaced by "the word or any variant".
pub fn typos(
    ast: &UserInputAst,
    searcher: &tantivy::Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
) -> Result<Typos> {
    let mut corrections = Vec::new();
    let tolerant = vary(ast, false, searcher, fields, analyzer, &mut corrections)?;
    let varied = corrections.iter().any(|c| c.best.is_some());
    Ok(Typos {
        tiered: varied,
        ast: varied.then_some(tolerant),
        corrections,
    })
}

fn vary(
    ast: &UserInputAst,
    negated: bool,
    searcher: &tantivy::Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    out: &mut Vec<Correction>,
) -> Result<UserInputAst> {
    Ok(match ast {
        UserInputAst::Clause(clauses) => {
            let mut varied = Vec::with_capacity(clauses.len());
            for (occur, sub) in clauses {
                let neg = negated || *occur == Some(Occur::MustNot);
                varied.push((*occur, vary(sub, neg, searcher, fields, analyzer, out)?));
            }
            UserInputAst::Clause(varied)
        }
        UserInputAst::Boost(inner, b) => UserInputAst::Boost(
            Box::new(vary(inner, negated, searcher, fields, analyzer, out)?),
            *b,
        ),
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit)
                if !negated
                    && lit.delimiter == Delimiter::None
                    && !lit.prefix
                    && is_text_field(lit)
                    && may_vary(&lit.phrase) =>
            {
                match vary_word(lit, searcher, fields, analyzer)? {
                    Some((correction, alternatives)) => {
                        out.push(correction);
                        any_of(lit, alternatives)
                    }
                    None => ast.clone(),
                }
            }
            _ => ast.clone(),
        },
    })
}

/// The variants of one word when it has few exact matches.
fn vary_word(
    lit: &UserInputLiteral,
    searcher: &tantivy::Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
) -> Result<Option<(Correction, Vec<String>)>> {
    let stems = analyze(analyzer, &lit.phrase);
    let [stem] = stems.as_slice() else {
        return Ok(None);
    };
    let in_fields = text_fields(fields, lit);
    let exact_docs = doc_freq(searcher, &in_fields, stem)?;
    if exact_docs >= FEW_MATCHES {
        return Ok(None);
    }
    let distance = typo_budget(lit.phrase.chars().count());
    let counts = variant_terms(searcher, &in_fields, stem, distance, true)?;
    let variants = best_terms(analyzer, counts, MAX_VARIANTS);
    if variants.is_empty() {
        return Ok(None);
    }
    let correction = Correction {
        typed: lit.phrase.clone(),
        exact_docs,
        best: variants.first().cloned(),
    };
    let mut alternatives = vec![lit.phrase.clone()];
    alternatives.extend(variants.into_iter().map(|(t, _)| t));
    Ok(Some((correction, alternatives)))
}

/// Exact matches first, then matches found only through variants.
pub fn tiered(exact: Box<dyn Query>, tolerant: Box<dyn Query>) -> Box<dyn Query> {
    let exact_tier: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, exact.box_clone()),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), TIER)),
        ),
    ]));
    let variant_tier: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, tolerant),
        (Occur::MustNot, exact),
    ]));
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, exact_tier),
        (Occur::Should, variant_tier),
    ]))
}

/// The most frequent word with this stem in the best matching articles.
fn surface_form(searcher: &tantivy::Searcher, store: &Store, stem: &str) -> Result<Option<String>> {
    let fields = store.fields();
    let query = BooleanQuery::new(
        [fields.title, fields.body]
            .iter()
            .map(|f| {
                let q: Box<dyn Query> = Box::new(tantivy::query::TermQuery::new(
                    Term::from_field_text(*f, stem),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect(),
    );
    let top = searcher.search(
        &query,
        &tantivy::collector::TopDocs::with_limit(SURFACE_DOCS).order_by_score(),
    )?;
    let mut analyzer = store.index().tokenizer_for_field(fields.body)?;
    let mut plain = plain_analyzer();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let lead: String = stem.chars().take(3).collect();
    for (_, address) in top {
        let stored: TantivyDocument = searcher.doc(address)?;
        for f in [fields.title, fields.body] {
            let Some(text) = stored.get_first(f).and_then(|v| v.as_str()) else {
                continue;
            };
            for word in analyze(&mut plain, text) {
                if word.starts_with(&lead) && analyze(&mut analyzer, &word) == [stem] {
                    *counts.entry(word).or_default() += 1;
                }
            }
        }
    }
    Ok(counts
        .into_iter()
        .max_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| b.0.len().cmp(&a.0.len()))
                .then_with(|| b.0.cmp(&a.0))
        })
        .map(|(w, _)| w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_follows_word_length() {
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(8), 1);
        assert_eq!(typo_budget(9), 2);
    }

    #[test]
    fn acronyms_numbers_and_short_words_are_not_varied() {
        assert!(may_vary("sanctoins"));
        assert!(may_vary("Sanctoins"));
        assert!(!may_vary("CISA"));
        assert!(!may_vary("FINCEN"));
        assert!(!may_vary("2021"));
        assert!(!may_vary("cve2021"));
        assert!(!may_vary("hack"));
    }

    #[test]
    fn words_are_replaced_whole() {
        assert_eq!(
            replace_word("ransomwre ransomwres -ransomwre", "ransomwre", "ransomware"),
            "ransomware ransomwres -ransomware"
        );
    }

    #[test]
    fn explicit_fuzzy_syntax() {
        assert_eq!(explicit_fuzzy("word~1"), Some(("word", Some("1"))));
        assert_eq!(explicit_fuzzy("word~"), Some(("word", None)));
        assert_eq!(explicit_fuzzy("~1"), None);
        assert_eq!(explicit_fuzzy("word"), None);
    }

    #[test]
    fn common_stems_are_fixed_points() {
        let mut a = crate::analyzer::english();
        for stem in ["ransomwar", "attack", "sanction", "polici", "pipelin"] {
            assert!(is_fixed_point(&mut a, stem), "{stem}");
        }
    }
}
