//! Word pairs for fast phrases: the token stream of the `pairs` field, one
//! token per adjacent pair of frequent stems ("critic infrastructur").
//!
//! A phrase of two frequent words ("critical infrastructure") otherwise
//! means checking positions in every article holding both words, a third
//! of a news corpus; with the pair indexed it is one posting list. Only
//! pairs of words from `data/frequent_words.txt` are indexed ("common
//! grams"): a phrase with a rarer word is already cheap, because the rarer
//! word's postings bound the work, and indexing every pair would add a
//! third to the index.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The frequent stems, one per line; `#` starts a comment.
const FREQUENT_WORDS: &str = include_str!("../../data/frequent_words.txt");

/// Joins the two stems of a pair token; no token holds a space.
const SEPARATOR: char = ' ';

static FREQUENT: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    FREQUENT_WORDS
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|word| !word.is_empty())
        .collect()
});

/// Whether pairs of `stem` with its neighbours are indexed.
pub fn is_frequent(stem: &str) -> bool {
    FREQUENT.contains(stem)
}

/// Whether the pair of two adjacent stems is in the `pairs` field.
pub fn is_indexed(first: &str, second: &str) -> bool {
    is_frequent(first) && is_frequent(second)
}

/// A digest of the word list, so a test notices when the list changes
/// without the schema version that makes old indexes rebuild.
pub fn list_digest() -> u64 {
    let mut words: Vec<&str> = FREQUENT.iter().copied().collect();
    words.sort_unstable();
    // FNV-1a: stable across Rust versions, unlike the std hasher.
    words
        .iter()
        .flat_map(|w| w.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Turns a stream of lowercased words into the stream of their indexed
/// pairs. It stems on its own, remembering per word only whether its stem
/// is frequent: the pairs field reads the whole body a second time, and
/// this keeps that pass to one lookup per word.
#[derive(Clone, Default)]
pub struct FrequentPairs;

impl TokenFilter for FrequentPairs {
    type Tokenizer<T: Tokenizer> = FrequentPairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FrequentPairsFilter<T> {
        FrequentPairsFilter {
            inner: tokenizer,
            pair: Token::default(),
            stems: FrequentStems::default(),
        }
    }
}

/// The tokenizer [`FrequentPairs`] wraps around the one before it.
#[derive(Clone)]
pub struct FrequentPairsFilter<T> {
    inner: T,
    pair: Token,
    stems: FrequentStems,
}

impl<T: Tokenizer> Tokenizer for FrequentPairsFilter<T> {
    type TokenStream<'a> = FrequentPairsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.pair.reset();
        FrequentPairsStream {
            tail: self.inner.token_stream(text),
            pair: &mut self.pair,
            stems: &mut self.stems,
            previous: None,
        }
    }
}

/// The token stream of [`FrequentPairsFilter`].
pub struct FrequentPairsStream<'a, T> {
    tail: T,
    pair: &'a mut Token,
    stems: &'a mut FrequentStems,
    /// The last word's stem, position and start offset, when it is frequent.
    previous: Option<(&'static str, usize, usize)>,
}

impl<T: TokenStream> TokenStream for FrequentPairsStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token();
            let Some(stem) = self.stems.frequent_stem(&token.text) else {
                self.previous = None;
                continue;
            };
            let current = (stem, token.position, token.offset_from);
            let offset_to = token.offset_to;
            let previous = self.previous.replace(current);
            if let Some((first, position, from)) = previous.filter(|p| p.1 + 1 == current.1) {
                self.pair.text.clear();
                self.pair.text.push_str(first);
                self.pair.text.push(SEPARATOR);
                self.pair.text.push_str(stem);
                self.pair.position = position;
                self.pair.offset_from = from;
                self.pair.offset_to = offset_to;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.pair
    }

    fn token_mut(&mut self) -> &mut Token {
        self.pair
    }
}

/// Distinct words remembered before the memo starts over (as the stem
/// cache of the analyzer does).
const MEMO_CAPACITY: usize = 100_000;

/// A bounded memo of word → its stem when that is frequent.
struct FrequentStems {
    stemmer: frostem::Stemmer,
    known: FxHashMap<String, Option<&'static str>>,
}

impl Default for FrequentStems {
    fn default() -> Self {
        FrequentStems {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            known: FxHashMap::default(),
        }
    }
}

impl Clone for FrequentStems {
    /// A clone starts empty: clones go to other indexing threads.
    fn clone(&self) -> Self {
        FrequentStems::default()
    }
}

impl FrequentStems {
    fn frequent_stem(&mut self, word: &str) -> Option<&'static str> {
        if let Some(known) = self.known.get(word) {
            return *known;
        }
        if self.known.len() >= MEMO_CAPACITY {
            self.known.clear();
        }
        // Porter2 leaves words of one or two letters as they are.
        let stem = if word.len() <= 2 {
            std::borrow::Cow::Borrowed(word)
        } else {
            self.stemmer.stem(word)
        };
        let frequent = FREQUENT.get(stem.as_ref()).copied();
        self.known.insert(word.to_string(), frequent);
        frequent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn pairs_are_the_adjacent_frequent_stems_of_the_english_analyzer() {
        let text = "Critical infrastructure operators and NATIONAL security agencies \
                    said the attacks on critical   infrastructure, networks' security \
                    systems and government networks continued; Zürich infrastructure";
        let stems = tokens(&mut super::super::english(), text);
        let want: Vec<String> = stems
            .windows(2)
            .filter(|w| is_indexed(&w[0].0, &w[1].0))
            .map(|w| format!("{} {}", w[0].0, w[1].0))
            .collect();
        // Twice: the second pass is served from the memo.
        for _ in 0..2 {
            let got: Vec<String> = tokens(&mut super::super::pairs(), text)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            assert_eq!(got, want);
        }
        assert!(
            want.contains(&"critic infrastructur".to_string()),
            "{want:?}"
        );
        assert!(want.contains(&"nation secur".to_string()), "{want:?}");
        // "and", "the", "on" are function words: no pair crosses them.
        assert!(!want.iter().any(|p| p.contains("attack")), "{want:?}");
    }

    #[test]
    fn function_words_and_rare_words_are_not_frequent() {
        for word in ["the", "of", "and", "zeppelinwork"] {
            assert!(!is_frequent(word), "{word}");
        }
        assert!(is_indexed("critic", "infrastructur"));
    }
}
