//! When a country's name in a text names the country, and when it names
//! something else. The gazetteer (`taxonomy.rs`) finds every alias; these
//! rules, set in the `[countries]` and `[languages]` tables of
//! `data/taxonomy.toml`, reject the uses that are not places:
//!
//! - links: an alias inside a URL, e-mail address or domain name
//!   (`…/silence-group-targeting-russian-banks/`, `us-cert.gov`) is not
//!   text, for agencies as for countries;
//! - languages: a demonym used as a language ("the Spanish version",
//!   "strings in Portuguese", "Spanish-speaking", "in Spanish, Portuguese,
//!   and English");
//! - organisation and event names: a country acronym right after a
//!   capitalized name word ("Black Hat USA", "Raytheon UK", "ESET UK");
//!   longer names and regions that contain a country ("Latin America",
//!   "Bank of America") are `not_places` phrases the gazetteer matches in
//!   place of the shorter alias;
//! - codes: a country acronym inside a locale or code ("en-US", "UK_2");
//! - agencies: whether an agency brings its country (`agency_country`):
//!   "the FBI said" names no country, "the U.S. Department of Justice" does.

use std::collections::HashSet;

use serde::Deserialize;

/// Whether an agency named in a text adds its country.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgencyCountry {
    /// Every agency adds its country (the rule of a taxonomy without a
    /// `[countries]` table).
    #[default]
    Always,
    /// Only an agency whose name as written names its country ("U.S.
    /// Department of Justice", "Australian Cyber Security Centre").
    Named,
    /// Agencies never add a country.
    Never,
}

/// The `[countries]` table: how country tags are earned.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CountrySettings {
    /// Whether an agency adds its country.
    #[serde(default)]
    pub agency_country: AgencyCountry,
    /// Phrases that contain a country alias but name a region, organisation
    /// or event; matched like aliases, they tag nothing.
    #[serde(default)]
    pub not_places: Vec<String>,
    /// A country acronym right after a capitalized word names an
    /// organisation or event ("Black Hat USA"), outside titles; so does a
    /// country name after a capitalized word that does not start a sentence
    /// ("UNICEF Australia", "Fortinet Canada").
    #[serde(default)]
    pub acronym_suffix: bool,
    /// Words before a country acronym or name that are not part of a name
    /// ("In", "The", months, compass points).
    #[serde(default)]
    pub suffix_skip: Vec<String>,
    /// Capitalized words that, right after a country alias, make it part of
    /// an organisation's name ("Malaysia Airlines", "Korea Telecom").
    #[serde(default)]
    pub name_heads: Vec<String>,
    /// Capitalized words that, with "of", make a following country alias
    /// part of a name ("Motion Picture Association of America").
    #[serde(default)]
    pub name_of: Vec<String>,
}

/// The `[languages]` table: demonyms that are also languages, and the words
/// around them that show the language is meant.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LanguageSettings {
    /// Language names ("Spanish", "English"); those that are also country
    /// aliases are the ones the rule can reject.
    #[serde(default)]
    pub names: Vec<String>,
    /// Words or phrases right after a language ("version", "is spoken");
    /// also after a hyphen ("Spanish-speaking").
    #[serde(default)]
    pub after: Vec<String>,
    /// Words right before a language ("in", "into").
    #[serde(default)]
    pub before: Vec<String>,
    /// After a `before` word, the language must end the phrase: followed by
    /// punctuation, nothing, or one of these words ("in Portuguese and says";
    /// "in Russian hands" is the country).
    #[serde(default)]
    pub then: Vec<String>,
}

/// The compiled rules.
#[derive(Debug, Clone, Default)]
pub(super) struct PlaceRules {
    pub(super) agency_country: AgencyCountry,
    acronym_suffix: bool,
    suffix_skip: HashSet<String>,
    name_heads: HashSet<String>,
    name_of: HashSet<String>,
    languages: HashSet<String>,
    after: Vec<Vec<String>>,
    before: HashSet<String>,
    then: HashSet<String>,
}

/// How far a coordinated list of languages is followed ("Spanish,
/// Portuguese, and English").
const MAX_LIST: usize = 12;

fn lowered(words: &[String]) -> HashSet<String> {
    words.iter().map(|w| w.trim().to_lowercase()).collect()
}

impl PlaceRules {
    pub(super) fn new(countries: &CountrySettings, languages: &LanguageSettings) -> Self {
        PlaceRules {
            agency_country: countries.agency_country,
            acronym_suffix: countries.acronym_suffix,
            suffix_skip: lowered(&countries.suffix_skip),
            name_heads: lowered(&countries.name_heads),
            name_of: lowered(&countries.name_of),
            languages: lowered(&languages.names),
            after: languages
                .after
                .iter()
                .map(|p| p.split_whitespace().map(str::to_lowercase).collect())
                .filter(|p: &Vec<String>| !p.is_empty())
                .collect(),
            before: lowered(&languages.before),
            then: lowered(&languages.then),
        }
    }

    /// Whether a country alias found at `start..end` names the country.
    /// `exact` marks a case-sensitive alias (an acronym); `in_title` turns
    /// off the name-suffix rule, since titles capitalize every word;
    /// `prev_hit_end` is where the previous gazetteer hit ended ("Portugal
    /// US" in a list is two countries, not a name).
    pub(super) fn country_hit_stands(
        &self,
        text: &str,
        start: usize,
        end: usize,
        exact: bool,
        in_title: bool,
        prev_hit_end: Option<usize>,
    ) -> bool {
        let acronym = exact && !text[start..end].contains('.');
        if acronym && in_code(text, start, end) {
            return false;
        }
        if !in_title
            && (self.ends_a_name(text, start, end, acronym, prev_hit_end)
                || self.inside_a_name(text, start, end))
        {
            return false;
        }
        !self.used_as_language(text, start, end)
    }

    /// "Black Hat USA", "ESET UK", "UNICEF Australia": the alias follows a
    /// capitalized word (one space apart) that is not a skip word nor
    /// another hit; for a name (not an acronym) that word must not start a
    /// sentence ("Meanwhile Russia" is Russia, though not the best style)
    /// and no capitalized word may follow (a list of countries whose lines
    /// were joined: "Kyrgyzstan Latvia Lithuania").
    fn ends_a_name(
        &self,
        text: &str,
        start: usize,
        end: usize,
        acronym: bool,
        prev_hit_end: Option<usize>,
    ) -> bool {
        if !self.acronym_suffix {
            return false;
        }
        let Some((word_start, word)) = word_before(text, start) else {
            return false;
        };
        let word_end = word_start + word.len();
        &text[word_end..start] == " "
            && prev_hit_end != Some(word_end)
            && is_capitalized(word)
            && !self.suffix_skip.contains(&word.to_lowercase())
            && (acronym || (!starts_sentence(text, word_start) && !capitalized_next(text, end)))
    }

    /// "Malaysia Airlines", "University of Mexico": a head word right after
    /// the alias, or "<word> of" right before it.
    fn inside_a_name(&self, text: &str, start: usize, end: usize) -> bool {
        let head = word_after(text, end).is_some_and(|(gap, word, _)| {
            gap == " " && is_capitalized(word) && self.name_heads.contains(&word.to_lowercase())
        });
        if head {
            return true;
        }
        let Some((of_start, of)) = word_before(text, start) else {
            return false;
        };
        of == "of"
            && &text[of_start + of.len()..start] == " "
            && word_before(text, of_start).is_some_and(|(word_start, word)| {
                &text[word_start + word.len()..of_start] == " "
                    && is_capitalized(word)
                    && self.name_of.contains(&word.to_lowercase())
            })
    }

    fn is_language(&self, word: &str) -> bool {
        self.languages.contains(&word.to_lowercase())
    }

    /// The alias is a language name in a language context, alone or in a
    /// list of languages ("in both the Spanish and English versions").
    fn used_as_language(&self, text: &str, start: usize, end: usize) -> bool {
        if self.languages.is_empty() || !self.is_language(&text[start..end]) {
            return false;
        }
        let (first, last) = self.language_list(text, start, end);
        self.language_word_follows(text, last) || self.language_word_precedes(text, first, last)
    }

    /// The span of the list of languages around one ("Spanish, Portuguese,
    /// and English"): names joined by commas, "and" or "or".
    fn language_list(&self, text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
        for _ in 0..MAX_LIST {
            match self.next_listed_language(text, end) {
                Some(e) => end = e,
                None => break,
            }
        }
        for _ in 0..MAX_LIST {
            match self.previous_listed_language(text, start) {
                Some(s) => start = s,
                None => break,
            }
        }
        (start, end)
    }

    fn next_listed_language(&self, text: &str, end: usize) -> Option<usize> {
        let (gap, word, word_end) = word_after(text, end)?;
        if !is_list_gap(gap) {
            return None;
        }
        if is_conjunction(word) {
            let (gap2, lang, lang_end) = word_after(text, word_end)?;
            return (is_blank(gap2) && self.is_language(lang)).then_some(lang_end);
        }
        (gap.contains(',') && self.is_language(word)).then_some(word_end)
    }

    fn previous_listed_language(&self, text: &str, start: usize) -> Option<usize> {
        let (word_start, word) = word_before(text, start)?;
        let gap = &text[word_start + word.len()..start];
        if is_conjunction(word) && is_blank(gap) {
            let (lang_start, lang) = word_before(text, word_start)?;
            let gap2 = &text[lang_start + lang.len()..word_start];
            return (is_list_gap(gap2) && self.is_language(lang)).then_some(lang_start);
        }
        (gap.contains(',') && is_list_gap(gap) && self.is_language(word)).then_some(word_start)
    }

    /// "Spanish version", "Spanish-speaking", "English or Portuguese is spoken".
    fn language_word_follows(&self, text: &str, end: usize) -> bool {
        self.after.iter().any(|phrase| {
            let mut at = end;
            phrase.iter().enumerate().all(|(i, want)| {
                let Some((gap, word, word_end)) = word_after(text, at) else {
                    return false;
                };
                let joined = is_blank(gap) || (i == 0 && gap == "-");
                at = word_end;
                joined && word.eq_ignore_ascii_case(want)
            })
        })
    }

    /// "in Portuguese.", "is in Portuguese and says": a `before` word, and
    /// the language ends the phrase.
    fn language_word_precedes(&self, text: &str, start: usize, end: usize) -> bool {
        let Some((word_start, word)) = word_before(text, start) else {
            return false;
        };
        if !is_blank(&text[word_start + word.len()..start])
            || !self.before.contains(&word.to_lowercase())
        {
            return false;
        }
        match word_after(text, end) {
            None => true,
            Some((gap, next, _)) => {
                !(is_blank(gap) || gap == "-") || self.then.contains(&next.to_lowercase())
            }
        }
    }
}

fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase) && word.chars().any(char::is_alphabetic)
}

fn capitalized_next(text: &str, end: usize) -> bool {
    word_after(text, end).is_some_and(|(gap, word, _)| is_blank(gap) && is_capitalized(word))
}

/// The word at `word_start` opens a sentence, paragraph, quote or list item.
fn starts_sentence(text: &str, word_start: usize) -> bool {
    let before = text[..word_start].trim_end_matches([' ', '\t']);
    before.chars().next_back().is_none_or(|c| {
        matches!(
            c,
            '.' | '!'
                | '?'
                | ':'
                | ';'
                | '"'
                | '“'
                | '”'
                | '('
                | '['
                | '\n'
                | '•'
                | '–'
                | '—'
                | '-'
                | '|'
        )
    })
}

fn is_blank(gap: &str) -> bool {
    !gap.is_empty() && gap.chars().all(char::is_whitespace)
}

/// A gap between list items: blanks, at most one comma.
fn is_list_gap(gap: &str) -> bool {
    !gap.is_empty()
        && gap.chars().filter(|&c| c == ',').count() <= 1
        && gap.chars().all(|c| c == ',' || c.is_whitespace())
}

fn is_conjunction(word: &str) -> bool {
    word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or")
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// How far the neighbouring word is looked for.
const NEAR: usize = 8;

/// The word ending at most `NEAR` bytes before `at`: its start and text.
fn word_before(text: &str, at: usize) -> Option<(usize, &str)> {
    let head = &text[..at];
    let word_end = head
        .char_indices()
        .rev()
        .take_while(|&(i, _)| at - i <= NEAR)
        .find(|&(_, c)| is_word_char(c))
        .map(|(i, c)| i + c.len_utf8())?;
    let word_start = head[..word_end]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    Some((word_start, &text[word_start..word_end]))
}

/// The word starting at most `NEAR` bytes after `at`: the gap before it,
/// its text and its end.
fn word_after(text: &str, at: usize) -> Option<(&str, &str, usize)> {
    let tail = &text[at..];
    let word_start = tail
        .char_indices()
        .take_while(|&(i, _)| i <= NEAR)
        .find(|&(_, c)| is_word_char(c))
        .map(|(i, _)| at + i)?;
    let word_end = text[word_start..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(text.len(), |(i, _)| word_start + i);
    Some((&text[at..word_start], &text[word_start..word_end], word_end))
}

/// A country acronym inside a locale, code or currency: "en-US", "pt-BR",
/// "UK_2", "US-2019-001", "US$50". "US-based", "US-China" and "EU-US" stay
/// words.
fn in_code(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let locale = before.strip_suffix('-').is_some_and(|head| {
        let letters = head
            .chars()
            .rev()
            .take_while(|c| is_word_char(*c))
            .collect::<Vec<_>>();
        letters.len() == 2 && letters.iter().all(char::is_ascii_lowercase)
    });
    let underscore = before.ends_with('_') || text[end..].starts_with(['_', '$']);
    let numbered = text[end..]
        .strip_prefix('-')
        .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()));
    locale || underscore || numbered
}

/// How far either side of a hit its whitespace-delimited token is followed;
/// a longer run is no prose word either.
const TOKEN_LIMIT: usize = 512;

/// Whether `start..end` lies inside a URL, e-mail address or domain name:
/// its whitespace-delimited token has `://`, starts with `www.`, has an
/// `@`, or has a dot followed by a lowercase top-level label
/// (`us-cert.gov`, `cisa.gov/ics`). "U.S." and "e.g." are no domains.
pub(super) fn in_link(text: &str, start: usize, end: usize) -> bool {
    let lo = floor_char_boundary(text, start.saturating_sub(TOKEN_LIMIT));
    let hi = ceil_char_boundary(text, (end + TOKEN_LIMIT).min(text.len()));
    let from = text[lo..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(lo, |(i, c)| lo + i + c.len_utf8());
    let to = text[end..hi]
        .find(char::is_whitespace)
        .map_or(hi, |i| end + i);
    let token = text[from..to].trim_matches(|c: char| !c.is_alphanumeric());
    looks_like_link(token)
}

fn looks_like_link(token: &str) -> bool {
    if token.contains("://")
        || token
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("www."))
    {
        return true;
    }
    if token.contains('@') {
        return true;
    }
    token.match_indices('.').any(|(i, _)| {
        let label_before = token[..i].chars().next_back().is_some_and(is_word_char);
        let rest = &token[i + 1..];
        let tld = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        label_before
            && tld >= 2
            && rest[tld..]
                .chars()
                .next()
                .is_none_or(|c| matches!(c, '/' | ':' | '.' | '?' | '#'))
    })
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link_at(text: &str, word: &str) -> bool {
        let start = text.find(word).expect("word in text");
        in_link(text, start, start + word.len())
    }

    #[test]
    fn links_and_domains_are_not_text() {
        assert!(link_at(
            "see https://reaqta.com/2019/01/silence-group-targeting-russian-banks/ now",
            "russian"
        ));
        assert!(link_at("write to info@us-cert.gov today", "us"));
        assert!(!link_at("write to us today", "us"));
        assert!(link_at("(see us-cert.gov)", "us"));
        assert!(link_at("see www.CISA.gov", "CISA"));
        assert!(!link_at("the U.S. government", "U.S."));
        assert!(!link_at("e.g. Russia.", "Russia"));
        assert!(!link_at("US-based firms", "US"));
    }

    #[test]
    fn codes_hold_acronyms() {
        let at = |text: &str, word: &str| {
            let start = text.rfind(word).expect("word in text");
            in_code(text, start, start + word.len())
        };
        assert!(at("locale en-US set", "US"));
        assert!(at("UK_2 build", "UK"));
        assert!(at("paid US$50", "US"));
        assert!(!at("a US-based firm", "US"));
        assert!(!at("the EU-US deal", "US"));
    }

    fn rules() -> PlaceRules {
        let countries = CountrySettings {
            acronym_suffix: true,
            suffix_skip: vec!["In".into(), "The".into()],
            name_heads: vec!["Airlines".into()],
            name_of: vec!["University".into()],
            ..CountrySettings::default()
        };
        let words = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        let languages = LanguageSettings {
            names: words("Spanish,Portuguese,English,Russian"),
            after: words("version,versions,speaking,language,is spoken"),
            before: words("in,into"),
            then: words("and,is"),
        };
        PlaceRules::new(&countries, &languages)
    }

    fn stands(text: &str, word: &str) -> bool {
        let start = text.find(word).expect("word in text");
        rules().country_hit_stands(text, start, start + word.len(), false, false, None)
    }

    #[test]
    fn languages_in_language_contexts_are_not_countries() {
        assert!(!stands("the Spanish version of the page", "Spanish"));
        assert!(!stands("in Spanish-speaking countries", "Spanish"));
        assert!(!stands(
            "the campaign in Spanish, Portuguese, and English:",
            "Portuguese"
        ));
        assert!(!stands(
            "in both the Spanish and English versions",
            "Spanish"
        ));
        assert!(!stands(
            "where English or Portuguese is spoken.",
            "Portuguese"
        ));
        assert!(!stands(
            "The string is in Portuguese and says",
            "Portuguese"
        ));
        assert!(stands("in Russian hands", "Russian"));
        assert!(stands("Spanish police arrested", "Spanish"));
        assert!(stands("in Spanish territory", "Spanish"));
    }

    #[test]
    fn acronyms_after_a_name_word_are_names() {
        let r = rules();
        let hit = |text: &str, in_title: bool| {
            let start = text.rfind("USA").expect("USA in text");
            r.country_hit_stands(text, start, start + 3, true, in_title, None)
        };
        assert!(!hit("our talk at Black Hat USA 2017", false));
        assert!(hit("our talk at Black Hat USA 2017", true));
        assert!(hit("In USA law", false));
        assert!(hit("a firm in the USA.", false));
        assert!(!stands("launched by UNICEF Spanish", "Spanish"));
        assert!(stands("Meanwhile Spanish police", "Spanish"));
        assert!(stands("Kyrgyzstan Spain Tajikistan", "Spain"));
        assert!(!stands("the University of Spain said", "Spain"));
        assert!(stands("the university of Spain said", "Spain"));
        assert!(!stands("we flew Spanish Airlines twice", "Spanish"));
    }
}
