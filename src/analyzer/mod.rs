//! The English text analyzer shared by indexing, query parsing and
//! snippets: simple word tokens, long tokens dropped, lowercased, accents
//! folded to ASCII, Snowball English stems.
//!
//! Accents are folded on both sides so `Zurich` finds `Zürich` and
//! `generalement` finds `généralement`: news in English spells foreign
//! names both ways, and a typed query rarely has the accent the article
//! has.
//!
//! It gives the same tokens as tantivy's `en_stem` plus ASCII folding, but remembers
//! the stem of every word it has seen. News text repeats a small vocabulary
//! (Zipf), so nearly every token is a cache hit, and stemming, which was a
//! fifth of indexing time, becomes a hash lookup. Each indexing thread
//! clones the analyzer and with it its own cache, so there is no locking.

use std::borrow::Cow;
use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter,
    TokenStream, Tokenizer,
};

pub mod pairs;

/// The name the analyzer is registered under in every index.
pub const NAME: &str = "cpsearch_en";

/// The name of the word-pair analyzer (see [`pairs`]).
pub const PAIRS_NAME: &str = "cpsearch_pairs";

/// Tokens longer than this (in bytes) are dropped, as tantivy's default does.
const MAX_TOKEN_LEN: usize = 40;

/// Distinct words remembered per analyzer before the cache starts over;
/// bounds its memory (about 10 MB) on text with an unbounded vocabulary.
const CACHE_CAPACITY: usize = 100_000;

/// Builds the analyzer.
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// Characters that are invisible inside a word in text copied from pages:
/// soft hyphens (`cyber&shy;security`), zero-width spaces and joiners, the
/// word joiner and a stray BOM, and combining accents of decomposed letters
/// (`e` + U+0301). Tantivy's simple tokenizer splits words at them, so
/// `cybersecurity` would not find `cyber\u{AD}security`.
fn invisible_in_word(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
        | '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// tantivy's `SimpleTokenizer` (words are runs of alphanumeric characters),
/// except that the characters of [`invisible_in_word`] inside a word are
/// dropped from the token instead of ending it. Offsets still span them,
/// so highlights cover the word as written.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    chars: std::str::CharIndices<'a>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            chars: text.char_indices(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        let Some((start, first)) = self.chars.find(|(_, c)| c.is_alphanumeric()) else {
            return false;
        };
        let mut piece_start = start;
        let mut word_end = start + first.len_utf8();
        for (at, c) in self.chars.by_ref() {
            if c.is_alphanumeric() {
                word_end = at + c.len_utf8();
            } else if invisible_in_word(c) {
                self.token.text.push_str(&self.text[piece_start..at]);
                piece_start = at + c.len_utf8();
            } else {
                break;
            }
        }
        if piece_start < word_end {
            self.token.text.push_str(&self.text[piece_start..word_end]);
        }
        self.token.offset_from = start;
        self.token.offset_to = word_end;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzer without its stemmer: the same words, lowercased and
/// folded, for code that stems only some of them (snippets).
pub fn unstemmed() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The analyzer of the `pairs` field: the English stems, paired (it stems
/// by itself, see [`pairs::FrequentPairs`]).
pub fn pairs() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(pairs::FrequentPairs)
        .build()
}

/// Registers the analyzers on an index, which must happen on every open:
/// tantivy stores only their names.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(NAME, english());
    index.tokenizers().register(PAIRS_NAME, pairs());
}

/// English Snowball stemming with a per-analyzer memo of word → stem.
#[derive(Clone, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stems: StemCache::default(),
        }
    }
}

/// The tokenizer [`CachedStemmer`] wraps around the one before it.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stems: StemCache,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stems: &'a mut StemCache,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.stems.stem_in_place(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// A bounded word → stem memo in front of the Snowball stemmer. A word
/// that is its own stem maps to `None`, so the common hit costs one lookup
/// and no copy.
struct StemCache {
    stemmer: frostem::Stemmer,
    stems: HashMap<String, Option<String>, rustc_hash::FxBuildHasher>,
}

impl Default for StemCache {
    fn default() -> Self {
        StemCache {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            stems: HashMap::default(),
        }
    }
}

impl Clone for StemCache {
    /// A clone starts with an empty memo: clones go to other threads, and
    /// copying a large cache would cost more than refilling it.
    fn clone(&self) -> Self {
        StemCache::default()
    }
}

impl StemCache {
    /// Replaces `word` with its stem.
    fn stem_in_place(&mut self, word: &mut String) {
        // Porter2 leaves words of one or two letters as they are; they are
        // a quarter of running text, so skip the lookup.
        if word.len() <= 2 {
            return;
        }
        if let Some(known) = self.stems.get(word.as_str()) {
            if let Some(stem) = known {
                word.clear();
                word.push_str(stem);
            }
            return;
        }
        if self.stems.len() >= CACHE_CAPACITY {
            self.stems.clear();
        }
        let stem = match self.stemmer.stem(word) {
            Cow::Borrowed(s) if s == word.as_str() => None,
            Cow::Borrowed(s) => Some(s.to_string()),
            Cow::Owned(s) => (s != *word).then_some(s),
        };
        self.stems.insert(word.clone(), stem.clone());
        if let Some(stem) = stem {
            *word = stem;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn invisible_characters_inside_words_do_not_split_them() {
        let mut analyzer = english();
        let words = |a: &mut TextAnalyzer, t: &str| -> Vec<(String, usize, usize)> {
            tokens(a, t)
                .into_iter()
                .map(|(w, f, e, _)| (w, f, e))
                .collect()
        };
        let pasted = "cyber\u{AD}security ge\u{301}ne\u{301}ralement zero\u{200B}width end\u{AD}";
        let got = words(&mut analyzer, pasted);
        let texts: Vec<String> = got.iter().map(|(w, ..)| w.clone()).collect();
        let typed: Vec<String> = words(&mut analyzer, "cybersecurity généralement zerowidth end")
            .into_iter()
            .map(|(w, ..)| w)
            .collect();
        assert_eq!(texts, typed);
        // Offsets span the word as written, invisible characters included.
        assert_eq!(&pasted[got[0].1..got[0].2], "cyber\u{AD}security");
        assert_eq!(&pasted[got[3].1..got[3].2], "end");
    }

    #[test]
    fn accented_and_plain_spellings_give_the_same_tokens() {
        let mut analyzer = english();
        let words = |a: &mut TextAnalyzer, t: &str| -> Vec<String> {
            tokens(a, t).into_iter().map(|(w, ..)| w).collect()
        };
        assert_eq!(
            words(&mut analyzer, "Zürich généralement Škoda Orbán"),
            words(&mut analyzer, "Zurich generalement Skoda Orban")
        );
    }

    use super::*;
    use tantivy::tokenizer::{SimpleTokenizer, Stemmer};

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    #[test]
    fn gives_the_same_tokens_as_tantivys_en_stem_with_ascii_folding() {
        let mut reference = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::default())
            .build();
        let mut ours = english();
        let text = "Agencies attacked; the attackers' Ransomware campaigns RUNNING \
                    généralement über running ransomware agencies a-very-long-token-\
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa end";
        // Twice, so the second pass is served from the cache.
        for _ in 0..2 {
            assert_eq!(tokens(&mut ours, text), tokens(&mut reference, text));
        }
    }

    #[test]
    fn cache_starts_over_when_full() {
        let mut cache = StemCache::default();
        let stem = |cache: &mut StemCache, word: &str| {
            let mut w = word.to_string();
            cache.stem_in_place(&mut w);
            w
        };
        for i in 0..CACHE_CAPACITY + 10 {
            stem(&mut cache, &format!("word{i}s"));
        }
        assert!(cache.stems.len() <= CACHE_CAPACITY);
        assert_eq!(stem(&mut cache, "attacks"), "attack");
        assert_eq!(stem(&mut cache, "attacks"), "attack");
        assert_eq!(stem(&mut cache, "attack"), "attack");
    }
}
