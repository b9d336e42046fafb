//! Phrases of frequent words answered from the `pairs` field (see
//! `analyzer::pairs`) instead of by checking positions.
//!
//! The rewrite works on the parsed query, before tantivy builds it, and
//! keeps what a phrase matches: a two-word phrase in the body is exactly
//! its pair, and a longer one must still hold the phrase, its pairs only
//! narrowing the articles whose positions are checked. The title half of a
//! phrase is left alone: titles are short, and positions there are cheap.

use tantivy::query::Occur;
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::tokenizer::TextAnalyzer;

use crate::analyzer::pairs;
use crate::schema::names;

/// Rewrites every phrase of `ast` whose adjacent words are all indexed
/// pairs; `analyzer` is the body's.
pub(crate) fn with_pair_lookups(ast: UserInputAst, analyzer: &mut TextAnalyzer) -> UserInputAst {
    match ast {
        UserInputAst::Clause(clauses) => UserInputAst::Clause(
            clauses
                .into_iter()
                .map(|(occur, sub)| (occur, with_pair_lookups(sub, analyzer)))
                .collect(),
        ),
        UserInputAst::Boost(inner, boost) => {
            UserInputAst::Boost(Box::new(with_pair_lookups(*inner, analyzer)), boost)
        }
        UserInputAst::Leaf(leaf) => match *leaf {
            UserInputLeaf::Literal(literal) => match pair_spans(&literal, analyzer) {
                Some(spans) => phrase_by_pairs(literal, &spans),
                None => UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(literal))),
            },
            other => UserInputAst::Leaf(Box::new(other)),
        },
    }
}

/// The byte spans of a phrase's adjacent word pairs, when it is an exact
/// phrase over the body (alone or with the title) and every pair is
/// indexed.
fn pair_spans(
    literal: &UserInputLiteral,
    analyzer: &mut TextAnalyzer,
) -> Option<Vec<(usize, usize)>> {
    let over_body = match literal.field_name.as_deref() {
        None => true,
        Some(field) => field == names::BODY,
    };
    if !over_body || literal.slop > 0 || literal.prefix {
        return None;
    }
    let mut words: Vec<(String, usize, usize, usize)> = Vec::new();
    let mut stream = analyzer.token_stream(&literal.phrase);
    while let Some(t) = stream.next() {
        words.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
    }
    if words.len() < 2 {
        return None;
    }
    words
        .windows(2)
        .map(|w| {
            let ((a, at, from, _), (b, bt, _, to)) = (&w[0], &w[1]);
            (*bt == at + 1 && pairs::is_indexed(a, b)).then_some((*from, *to))
        })
        .collect()
}

/// The phrase as "title phrase, or body pairs": for two words the pair
/// alone, for more the body phrase together with each pair at no weight
/// (the phrase scores as before; the pairs only choose the candidates).
fn phrase_by_pairs(literal: UserInputLiteral, spans: &[(usize, usize)]) -> UserInputAst {
    let pair = |&(from, to): &(usize, usize)| {
        leaf(UserInputLiteral {
            field_name: Some(names::PAIRS.to_string()),
            phrase: literal.phrase[from..to].to_string(),
            delimiter: Delimiter::DoubleQuotes,
            slop: 0,
            prefix: false,
        })
    };
    let in_body = match spans {
        [only] => pair(only),
        _ => {
            let body = UserInputLiteral {
                field_name: Some(names::BODY.to_string()),
                ..literal.clone()
            };
            let mut clauses = vec![(Some(Occur::Must), leaf(body))];
            clauses.extend(spans.iter().map(|span| {
                let unweighted = UserInputAst::Boost(Box::new(pair(span)), 0.0.into());
                (Some(Occur::Must), unweighted)
            }));
            UserInputAst::Clause(clauses)
        }
    };
    if literal.field_name.is_some() {
        return in_body;
    }
    let title = UserInputLiteral {
        field_name: Some(names::TITLE.to_string()),
        ..literal
    };
    UserInputAst::Clause(vec![
        (Some(Occur::Should), leaf(title)),
        (Some(Occur::Should), in_body),
    ])
}

fn leaf(literal: UserInputLiteral) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(literal)))
}
