//! The vocabulary of agencies, countries and topics, and the gazetteer that
//! finds them in text.
//!
//! The vocabulary is data (`data/taxonomy.toml`, embedded at build time and
//! replaceable with `--taxonomy`). Matching follows a few rules that keep
//! precision high on news text: aliases match on word boundaries only;
//! aliases without lowercase letters (acronyms) match case-sensitively, so
//! "NSA" never matches "nsa" or "NSAIDs"; where aliases overlap the longest one
//! wins, so "North Korean" is North Korea and not Korea.
//!
//! Short acronyms collide with technical and everyday terms (RGB colour,
//! TCP's MSS option, "CIA triad", a product code "FOXMAN-UN"). So an
//! acronym of an agency, up to `[evidence] max_len` letters, tags the agency
//! only with evidence, and the evidence rules are data too: a context word
//! within `window` bytes of the acronym (the `[evidence] context` words, the
//! agency's own `context` words, or a name of the agency's country); none of
//! the agency's known `collisions` anywhere in the text; and the acronym not
//! glued into a code (`FOXMAN-UN`, `MSS-2`, `x.ICO`). The full name needs no
//! evidence, and an agency marked `distinctive` (FBI, CISA) needs none for
//! its acronym either.
//!
//! Whether a country alias names the country (and not a language, region,
//! organisation, link or code), and when an agency adds its country, is
//! decided in [`super::places`].

use std::collections::{BTreeMap, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use super::places::{self, AgencyCountry, CountrySettings, LanguageSettings, PlaceRules};
use crate::error::{Error, Result};

/// The taxonomy shipped with cpsearch.
pub const BUILTIN_TAXONOMY: &str = include_str!("../../data/taxonomy.toml");

/// [`BUILTIN_TAXONOMY`] converted to JSON by `build.rs`: the same values,
/// parsed on every start in a fraction of the time.
const BUILTIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/taxonomy.json"));

/// One agency: its canonical name, aliases, country and parent.
#[derive(Debug, Clone, Deserialize)]
pub struct Agency {
    /// Canonical name used in documents and facets (e.g. "CISA").
    pub name: String,
    /// The agency's full name.
    #[serde(default)]
    pub full_name: Option<String>,
    /// Canonical country name, absent for international bodies.
    #[serde(default)]
    pub country: Option<String>,
    /// Canonical name of the parent agency.
    #[serde(default)]
    pub parent: Option<String>,
    /// Strings that name the agency in text.
    pub aliases: Vec<String>,
    /// Words that, near one of its short acronyms, show the agency is meant
    /// (beside the `[evidence] context` words and its country's names).
    #[serde(default)]
    pub context: Vec<String>,
    /// Phrases that, anywhere in a text, show its short acronyms mean
    /// something else there ("Managed Security Services", "MSS option").
    #[serde(default)]
    pub collisions: Vec<String>,
    /// Its acronyms are unambiguous in practice and need no evidence.
    #[serde(default)]
    pub distinctive: bool,
}

/// How short acronyms earn a tag: the `[evidence]` table.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvidenceSettings {
    /// Acronyms with at most this many letters need evidence; 0 turns the
    /// rule off (the default for a taxonomy without an `[evidence]` table).
    #[serde(default)]
    pub max_len: usize,
    /// How many bytes either side of the acronym are searched for context.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Context words for every agency; a trailing `*` matches any ending.
    #[serde(default)]
    pub context: Vec<String>,
}

fn default_window() -> usize {
    160
}

/// One country: canonical name, ISO code and aliases (names, demonyms, capitals).
#[derive(Debug, Clone, Deserialize)]
pub struct Country {
    /// Canonical name (e.g. "North Korea").
    pub name: String,
    /// ISO 3166-1 alpha-2 code.
    #[serde(default)]
    pub code: Option<String>,
    /// Strings that name the country in text.
    pub aliases: Vec<String>,
}

/// One topic with weighted evidence terms.
#[derive(Debug, Clone, Deserialize)]
pub struct Topic {
    /// Topic name (e.g. "ransomware").
    pub name: String,
    /// Term → weight; a trailing `*` matches any word starting with the term.
    pub terms: BTreeMap<String, f32>,
}

#[derive(Debug, Clone, Deserialize)]
struct TopicSettings {
    threshold: f32,
    /// A topic must also score at least this fraction of the best topic.
    #[serde(default)]
    relative: f32,
    #[serde(default = "default_max_topics")]
    max: usize,
}

fn default_max_topics() -> usize {
    3
}

#[derive(Debug, Deserialize)]
struct TaxonomyFile {
    topics: TopicSettings,
    #[serde(default)]
    evidence: EvidenceSettings,
    agency: Vec<Agency>,
    country: Vec<Country>,
    topic: Vec<Topic>,
    #[serde(default)]
    lineage: Vec<super::hierarchy::Lineage>,
    #[serde(default)]
    countries: CountrySettings,
    #[serde(default)]
    languages: LanguageSettings,
}

/// What an alias points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Agency(usize),
    Country(usize),
    /// A `not_places` phrase: a region or name that contains a country
    /// alias ("Latin America") and tags nothing.
    NotPlace,
}

/// A compiled set of patterns with word-boundary and longest-match rules.
///
/// One ASCII-case-insensitive automaton holds every pattern, so a text is
/// scanned once. A pattern without lowercase letters (an acronym such as
/// "NSA") must match case-exactly, which is checked on each candidate.
#[derive(Debug)]
struct Gazetteer<T> {
    /// Finds candidates (unanchored only: a DFA that can also run anchored
    /// searches scans about twice as slowly).
    automaton: Option<AhoCorasick>,
    /// The same patterns for anchored searches: shorter candidates at a
    /// start where the longest one was rejected.
    anchored: Option<AhoCorasick>,
    patterns: Vec<Pattern<T>>,
}

/// One pattern of a [`Gazetteer`].
#[derive(Debug)]
struct Pattern<T> {
    target: T,
    /// Matches the start of a longer word (`cyber*`).
    prefix: bool,
    /// The exact text a case-sensitive pattern must match; None when any
    /// ASCII case matches.
    exact: Option<String>,
}

/// A match of one pattern in a text.
#[derive(Debug, Clone, Copy)]
struct Hit<T> {
    start: usize,
    end: usize,
    target: T,
    /// The pattern is case-sensitive (an acronym).
    exact: bool,
}

impl<T: Copy> Gazetteer<T> {
    fn empty() -> Self {
        Gazetteer {
            automaton: None,
            anchored: None,
            patterns: Vec::new(),
        }
    }

    /// Builds from `(pattern, target)`; a pattern ending in `*` is a prefix.
    fn build(raw: Vec<(String, T)>) -> Result<Self> {
        let mut compiled: Vec<(String, Pattern<T>)> = Vec::new();
        for (pattern, target) in raw {
            let (text, prefix) = match pattern.strip_suffix('*') {
                Some(stem) => (stem.to_string(), true),
                None => (pattern, false),
            };
            if text.trim().is_empty() {
                continue;
            }
            let case_sensitive = !text.chars().any(char::is_lowercase);
            let exact = case_sensitive.then(|| text.clone());
            compiled.push((
                text,
                Pattern {
                    target,
                    prefix,
                    exact,
                },
            ));
        }
        // Among equally long candidates the automaton reports the first
        // pattern; putting case-insensitive ones first means a failed exact
        // candidate ("CYBERCOM" on "CyberCom") never hides an alias that
        // accepts the text ("Cybercom").
        compiled.sort_by_key(|(_, p)| p.exact.is_some());
        let (texts, patterns): (Vec<String>, Vec<Pattern<T>>) = compiled.into_iter().unzip();
        if texts.is_empty() {
            return Ok(Gazetteer::empty());
        }
        let compile = |start_kind| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .start_kind(start_kind)
                // Nearly every word starts a candidate, so a prefilter only
                // adds a call per match (measured a little slower).
                .prefilter(false)
                .build(&texts)
                .map_err(|e| Error::Taxonomy {
                    path: "patterns".into(),
                    message: e.to_string(),
                })
        };
        Ok(Gazetteer {
            automaton: Some(compile(aho_corasick::StartKind::Unanchored)?),
            anchored: Some(compile(aho_corasick::StartKind::Anchored)?),
            patterns,
        })
    }

    /// The longest candidate starting where `m` does that has the right
    /// case and ends on a word boundary: when "U.S. Congress" is cut short
    /// by "U.S. Congressional", "U.S." still counts.
    fn accepted_at(&self, text: &str, mut m: aho_corasick::Match) -> Option<Hit<T>> {
        loop {
            let pattern = &self.patterns[m.pattern().as_usize()];
            let end = if pattern.prefix {
                extend_to_word_end(text, m.end())
            } else {
                m.end()
            };
            let case_ok = pattern
                .exact
                .as_deref()
                .is_none_or(|exact| text.as_bytes()[m.start()..m.end()] == *exact.as_bytes());
            if case_ok && is_word_boundary(text, m.start(), end) {
                return Some(Hit {
                    start: m.start(),
                    end,
                    target: pattern.target,
                    exact: pattern.exact.is_some(),
                });
            }
            let shorter = aho_corasick::Input::new(text)
                .span(m.start()..m.end() - 1)
                .anchored(aho_corasick::Anchored::Yes);
            m = self.anchored.as_ref()?.find(shorter)?;
        }
    }

    /// Every leftmost-longest accepted match, left to right.
    fn find(&self, text: &str) -> Vec<Hit<T>> {
        let mut hits = Vec::new();
        let Some(automaton) = &self.automaton else {
            return hits;
        };
        let mut at = 0;
        while let Some(m) = automaton.find(aho_corasick::Input::new(text).span(at..text.len())) {
            let next_char = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            if !starts_word(text, m.start()) {
                // Nothing that starts inside this word can match ("un" in
                // "fund"): resume after it.
                at = extend_to_word_end(text, m.start()).max(next_char);
                continue;
            }
            match self.accepted_at(text, m) {
                Some(hit) => {
                    at = hit.end;
                    hits.push(hit);
                }
                // No alias fits at this start: look again from the next
                // character, so "xNSA NSA" still finds the second one.
                None => at = next_char,
            }
        }
        hits
    }
}

/// The agencies' evidence rules: the shared context words, each agency's
/// own, and the names of its country (acronyms such as "UK" matching case-exactly).
/// A taxonomy that cannot be used: `origin` names it.
fn invalid(origin: &str, message: impl std::fmt::Display) -> Error {
    Error::Taxonomy {
        path: origin.to_string(),
        message: message.to_string(),
    }
}

fn agency_evidence(
    settings: &EvidenceSettings,
    agencies: &[Agency],
    countries: &[Country],
) -> Vec<AgencyEvidence> {
    let shared: Vec<ContextTerm> = settings
        .context
        .iter()
        .map(|t| ContextTerm::new(t))
        .collect();
    agencies
        .iter()
        .map(|agency| {
            let country_names: Vec<ContextTerm> = countries
                .iter()
                .filter(|c| agency.country.as_deref() == Some(c.name.as_str()))
                .flat_map(|c| c.aliases.iter().chain(std::iter::once(&c.name)))
                .map(|n| ContextTerm::new(n))
                .collect();
            let naming_aliases = agency
                .aliases
                .iter()
                .chain(&agency.full_name)
                .filter(|alias| {
                    let lower = alias.to_lowercase();
                    country_names.iter().any(|n| n.occurs_in(alias, &lower))
                })
                .cloned()
                .collect();
            let mut context = shared.clone();
            context.extend(agency.context.iter().map(|t| ContextTerm::new(t)));
            context.extend(country_names);
            AgencyEvidence {
                required: settings.max_len > 0 && !agency.distinctive,
                context,
                collisions: agency.collisions.iter().map(|c| c.to_lowercase()).collect(),
                naming_aliases,
            }
        })
        .collect()
}

/// An acronym that is part of a code or name rather than a word of its
/// own: joined by `-` to a token that is all capitals or digits
/// ("FOXMAN-UN", "UN-7"), or by `.` or `_` to any token ("image.RGB",
/// "MSS_2"). "US-based" and "ex-CIA" stay words, and so does "DOJ/FBI".
fn glued_into_code(text: &str, start: usize, end: usize) -> bool {
    let joined = |joiner: char, token: &str| -> bool {
        let token: String = token.chars().take_while(|c| is_word_char(*c)).collect();
        !token.is_empty()
            && (joiner != '-'
                || token
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
    };
    let mut before = text[..start].chars().rev();
    if let Some(j @ ('-' | '_' | '.')) = before.next() {
        let token: String = before.take_while(|c| is_word_char(*c)).collect();
        let token: String = token.chars().rev().collect();
        if joined(j, &token) {
            return true;
        }
    }
    let mut after = text[end..].chars();
    if let Some(j @ ('-' | '_' | '.')) = after.next() {
        let rest = after.as_str();
        // A full stop ends a sentence unless a word follows at once.
        if joined(j, rest) {
            return true;
        }
    }
    false
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

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn starts_word(text: &str, start: usize) -> bool {
    !text[..start].chars().next_back().is_some_and(is_word_char)
}

fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    starts_word(text, start) && !text[end..].chars().next().is_some_and(is_word_char)
}

fn extend_to_word_end(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(text.len(), |(i, _)| from + i)
}

/// What the taxonomy found in one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tags {
    /// Canonical agency names, in taxonomy order.
    pub agencies: Vec<String>,
    /// Canonical country names, in taxonomy order.
    pub countries: Vec<String>,
    /// Topic names, strongest evidence first.
    pub topics: Vec<String>,
}

/// A context word; `prefix` when it ended in `*`. Words with lowercase
/// letters match in any case (and are kept lowercased); acronyms ("UK",
/// "PRC") match exactly, like aliases, so "US" never matches "us".
#[derive(Debug, Clone)]
struct ContextTerm {
    text: String,
    prefix: bool,
    exact: bool,
}

impl ContextTerm {
    fn new(raw: &str) -> Self {
        let raw = raw.trim();
        let exact = !raw.chars().any(char::is_lowercase);
        let text = if exact {
            raw.to_string()
        } else {
            raw.to_lowercase()
        };
        match text.strip_suffix('*') {
            Some(stem) => ContextTerm {
                text: stem.to_string(),
                prefix: true,
                exact,
            },
            None => ContextTerm {
                text,
                prefix: false,
                exact,
            },
        }
    }

    /// Occurs in the window (`near`, or `lower` its lowercased form) on word
    /// boundaries; a prefix term may run on.
    fn occurs_in(&self, near: &str, lower: &str) -> bool {
        let hay = if self.exact { near } else { lower };
        if self.text.is_empty() {
            return false;
        }
        hay.match_indices(self.text.as_str()).any(|(at, m)| {
            let end = at + m.len();
            starts_word(hay, at)
                && (self.prefix || !hay[end..].chars().next().is_some_and(is_word_char))
        })
    }
}

/// The evidence rules of one agency, compiled from the taxonomy.
#[derive(Debug, Clone, Default)]
struct AgencyEvidence {
    /// Its short acronyms need evidence.
    required: bool,
    context: Vec<ContextTerm>,
    /// Lowercased collision phrases.
    collisions: Vec<String>,
    /// Its aliases that hold a name of its country ("U.S. Department of
    /// Justice"): a hit of one names the country.
    naming_aliases: Vec<String>,
}

/// The compiled gazetteers.
#[derive(Debug)]
struct Matchers {
    entities: Gazetteer<Target>,
    topic_terms: Gazetteer<(usize, f32)>,
}

/// A loaded vocabulary with compiled matchers.
#[derive(Debug)]
pub struct Taxonomy {
    agencies: Vec<Agency>,
    countries: Vec<Country>,
    topics: Vec<Topic>,
    topic_threshold: f32,
    topic_relative: f32,
    max_topics: usize,
    /// Compiled on first use: searching never tags, and building the
    /// automata is most of a search process's start-up otherwise.
    matchers: std::sync::OnceLock<Matchers>,
    entity_patterns: Vec<(String, Target)>,
    term_patterns: Vec<(String, (usize, f32))>,
    country_by_name: HashMap<String, usize>,
    /// The evidence settings as written, and the rules per agency built
    /// from them on first use (only tagging reads them).
    evidence_settings: EvidenceSettings,
    evidence: std::sync::OnceLock<Vec<AgencyEvidence>>,
    /// When a country alias names the country (`normalize::places`).
    places: PlaceRules,
    digest: String,
    /// Successors and their predecessors (`normalize::hierarchy`).
    pub(super) lineage: Vec<super::hierarchy::Lineage>,
}

impl Taxonomy {
    /// The taxonomy embedded in the binary.
    pub fn builtin() -> Result<Self> {
        let file: TaxonomyFile =
            serde_json::from_str(BUILTIN_JSON).map_err(|e| invalid("built-in", e))?;
        Self::from_parsed(file, BUILTIN_TAXONOMY, "built-in")
    }

    /// Loads a taxonomy file.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Parses TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| invalid(origin, e))?;
        Self::from_parsed(file, text, origin)
    }

    /// Checks and compiles a parsed taxonomy; `text` is the TOML it came
    /// from (its digest names the vocabulary).
    fn from_parsed(file: TaxonomyFile, text: &str, origin: &str) -> Result<Self> {
        let bad = |message: String| invalid(origin, message);
        let country_by_name: HashMap<String, usize> = file
            .country
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        for agency in &file.agency {
            if let Some(country) = &agency.country {
                if !country_by_name.contains_key(country) {
                    return Err(bad(format!(
                        "agency {} names unknown country {country:?}",
                        agency.name
                    )));
                }
            }
        }
        super::hierarchy::check(&file.agency, &file.lineage).map_err(bad)?;
        let mut entity_patterns = Vec::new();
        for (i, agency) in file.agency.iter().enumerate() {
            for alias in agency.aliases.iter().chain(&agency.full_name) {
                entity_patterns.push((alias.clone(), Target::Agency(i)));
            }
        }
        for (i, country) in file.country.iter().enumerate() {
            for alias in country.aliases.iter().chain(std::iter::once(&country.name)) {
                entity_patterns.push((alias.clone(), Target::Country(i)));
            }
        }
        for phrase in &file.countries.not_places {
            entity_patterns.push((phrase.clone(), Target::NotPlace));
        }
        let places = PlaceRules::new(&file.countries, &file.languages);
        let mut term_patterns = Vec::new();
        for (i, topic) in file.topic.iter().enumerate() {
            for (term, weight) in &topic.terms {
                term_patterns.push((term.clone(), (i, *weight)));
            }
        }
        Ok(Taxonomy {
            matchers: std::sync::OnceLock::new(),
            entity_patterns,
            term_patterns,
            topic_threshold: file.topics.threshold,
            topic_relative: file.topics.relative,
            max_topics: file.topics.max,
            agencies: file.agency,
            countries: file.country,
            topics: file.topic,
            country_by_name,
            evidence: std::sync::OnceLock::new(),
            places,
            evidence_settings: file.evidence,
            digest: blake3::hash(text.as_bytes()).to_hex()[..16].to_string(),
            lineage: file.lineage,
        })
    }

    fn evidence_rules(&self) -> &[AgencyEvidence] {
        self.evidence.get_or_init(|| {
            agency_evidence(&self.evidence_settings, &self.agencies, &self.countries)
        })
    }

    fn matchers(&self) -> &Matchers {
        self.matchers.get_or_init(|| Matchers {
            // Only automaton size limits can fail a build, far above any
            // vocabulary; an empty matcher is the fallback rather than a panic.
            entities: Gazetteer::build(self.entity_patterns.clone())
                .unwrap_or_else(|_| Gazetteer::empty()),
            topic_terms: Gazetteer::build(self.term_patterns.clone())
                .unwrap_or_else(|_| Gazetteer::empty()),
        })
    }

    /// A short hash of the taxonomy text: changes whenever the vocabulary does.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// All agencies.
    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }

    /// All countries.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// All topics.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// Tags an article: agencies and countries named anywhere in `title`,
    /// `body` or `extra`; topics by weighted evidence, title counting double.
    pub fn tag(&self, title: &str, body: &str, extra: &str) -> Tags {
        let mut agency_seen = vec![false; self.agencies.len()];
        let mut country_seen = vec![false; self.countries.len()];
        for (part, text) in [title, body, extra].into_iter().enumerate() {
            let mut lower: Option<String> = None;
            let mut prev_end = None;
            for hit in self.matchers().entities.find(text) {
                let prev = prev_end.replace(hit.end);
                // Cheap checks first: most hits repeat a tag already given.
                match hit.target {
                    Target::Agency(i) => {
                        let named = self.country_named_by_agency(i, text, &hit);
                        if (agency_seen[i] && named.is_none())
                            || places::in_link(text, hit.start, hit.end)
                            || !self.agency_hit_stands(i, text, &hit, &mut lower)
                        {
                            continue;
                        }
                        agency_seen[i] = true;
                        if let Some(c) = named {
                            country_seen[c] = true;
                        }
                    }
                    Target::Country(i) => {
                        if !country_seen[i]
                            && !places::in_link(text, hit.start, hit.end)
                            && self.places.country_hit_stands(
                                text,
                                hit.start,
                                hit.end,
                                hit.exact,
                                part == 0,
                                prev,
                            )
                        {
                            country_seen[i] = true;
                        }
                    }
                    Target::NotPlace => {}
                }
            }
        }
        for (i, agency) in self.agencies.iter().enumerate() {
            if agency_seen[i] && self.places.agency_country == AgencyCountry::Always {
                if let Some(&c) = agency
                    .country
                    .as_ref()
                    .and_then(|c| self.country_by_name.get(c))
                {
                    country_seen[c] = true;
                }
            }
        }
        Tags {
            agencies: pick(&self.agencies, &agency_seen, |a| &a.name),
            countries: pick(&self.countries, &country_seen, |c| &c.name),
            topics: self.score_topics(title, body),
        }
    }

    /// The country an agency hit names in its own words, under the `named`
    /// rule: "U.S. Department of Justice" names the United States, "FBI" none.
    fn country_named_by_agency(&self, i: usize, text: &str, hit: &Hit<Target>) -> Option<usize> {
        if self.places.agency_country != AgencyCountry::Named {
            return None;
        }
        let country = self.agencies[i].country.as_ref()?;
        let &c = self.country_by_name.get(country)?;
        let matched = &text[hit.start..hit.end];
        self.evidence_rules()[i]
            .naming_aliases
            .iter()
            .any(|alias| alias.eq_ignore_ascii_case(matched))
            .then_some(c)
    }

    /// Whether a hit of agency `i` counts: always for a full name or a
    /// distinctive agency; for a short acronym only with evidence (see the
    /// module documentation). `lower` caches the lowercased text.
    fn agency_hit_stands(
        &self,
        i: usize,
        text: &str,
        hit: &Hit<Target>,
        lower: &mut Option<String>,
    ) -> bool {
        let rules = &self.evidence_rules()[i];
        let matched = &text[hit.start..hit.end];
        let short = hit.exact
            && !matched.contains('.')
            && matched.chars().filter(|c| c.is_alphanumeric()).count()
                <= self.evidence_settings.max_len;
        if !rules.required || !short {
            return true;
        }
        if glued_into_code(text, hit.start, hit.end) {
            return false;
        }
        if !rules.collisions.is_empty() {
            let lower = lower.get_or_insert_with(|| text.to_lowercase());
            if rules.collisions.iter().any(|c| lower.contains(c.as_str())) {
                return false;
            }
        }
        let from = floor_char_boundary(
            text,
            hit.start.saturating_sub(self.evidence_settings.window),
        );
        let to = ceil_char_boundary(
            text,
            (hit.end + self.evidence_settings.window).min(text.len()),
        );
        let near = &text[from..to];
        let near_lower = near.to_lowercase();
        rules
            .context
            .iter()
            .any(|term| term.occurs_in(near, &near_lower))
    }

    /// The evidence score of every topic, highest first (what `tag` thresholds).
    pub fn topic_scores(&self, title: &str, body: &str) -> Vec<(String, f32)> {
        let mut scores = vec![0f32; self.topics.len()];
        for (text, factor) in [(title, 2.0), (body, 1.0)] {
            for hit in self.matchers().topic_terms.find(text) {
                let (topic, weight) = hit.target;
                scores[topic] += weight * factor;
            }
        }
        let mut ranked: Vec<(String, f32)> = scores
            .into_iter()
            .enumerate()
            .map(|(i, s)| (self.topics[i].name.clone(), s))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked
    }

    fn score_topics(&self, title: &str, body: &str) -> Vec<String> {
        let ranked = self.topic_scores(title, body);
        let top = ranked.first().map_or(0.0, |(_, s)| *s);
        ranked
            .into_iter()
            .filter(|(_, s)| *s >= self.topic_threshold && *s >= top * self.topic_relative)
            .take(self.max_topics)
            .map(|(name, _)| name)
            .collect()
    }

    /// Maps user input ("cisa", "Cybersecurity and Infrastructure Security
    /// Agency", "us") to the canonical agency, country or topic name.
    pub fn canonical(&self, kind: Kind, input: &str) -> Option<String> {
        let wanted = input.trim();
        let matches = |s: &str| s.eq_ignore_ascii_case(wanted);
        match kind {
            Kind::Agency => self
                .agencies
                .iter()
                .find(|a| matches(&a.name) || a.full_name.as_deref().is_some_and(matches))
                .or_else(|| {
                    self.agencies
                        .iter()
                        .find(|a| a.aliases.iter().any(|s| matches(s)))
                })
                .map(|a| a.name.clone()),
            Kind::Country => self
                .countries
                .iter()
                .find(|c| matches(&c.name) || c.code.as_deref().is_some_and(matches))
                .or_else(|| {
                    self.countries
                        .iter()
                        .find(|c| c.aliases.iter().any(|s| matches(s)))
                })
                .map(|c| c.name.clone()),
            Kind::Topic => {
                let slug = wanted.replace([' ', '_'], "-");
                self.topics
                    .iter()
                    .find(|t| t.name.eq_ignore_ascii_case(&slug))
                    .map(|t| t.name.clone())
            }
        }
    }
}

/// The three tag vocabularies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Agencies.
    Agency,
    /// Countries.
    Country,
    /// Topics.
    Topic,
}

fn pick<T>(items: &[T], seen: &[bool], name: impl Fn(&T) -> &String) -> Vec<String> {
    items
        .iter()
        .zip(seen)
        .filter(|(_, &s)| s)
        .map(|(item, _)| name(item).clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_json_holds_what_the_toml_says() {
        let from_toml: TaxonomyFile = toml::from_str(BUILTIN_TAXONOMY).expect("valid TOML");
        let from_json: TaxonomyFile = serde_json::from_str(BUILTIN_JSON).expect("valid JSON");
        assert_eq!(format!("{from_json:?}"), format!("{from_toml:?}"));
        let builtin = Taxonomy::builtin().expect("built-in taxonomy");
        let parsed = Taxonomy::from_toml(BUILTIN_TAXONOMY, "test").expect("parses");
        assert_eq!(builtin.digest(), parsed.digest());
        assert!(!builtin.agencies().is_empty());
    }

    const SMALL: &str = r#"
[topics]
threshold = 3
[[agency]]
name = "NSA"
country = "United States"
aliases = ["NSA", "National Security Agency"]
[[agency]]
name = "SEC"
country = "United States"
aliases = ["SEC", "Securities and Exchange Commission"]
[[country]]
name = "United States"
aliases = ["U.S.", "American"]
[[country]]
name = "North Korea"
aliases = ["North Korean", "DPRK"]
[[country]]
name = "South Korea"
aliases = ["South Korean", "Korean"]
[[topic]]
name = "sanctions"
terms = { "sanction*" = 2, "OFAC" = 2 }
"#;

    fn small() -> Taxonomy {
        Taxonomy::from_toml(SMALL, "test").expect("test taxonomy parses")
    }

    #[test]
    fn acronyms_are_case_sensitive_and_whole_words() {
        let t = small();
        let tags = t.tag("", "NSAIDs and a sec of nsa time", "");
        assert!(tags.agencies.is_empty(), "{tags:?}");
        let tags = t.tag("", "The NSA's report, per the SEC.", "");
        assert_eq!(tags.agencies, ["NSA", "SEC"]);
    }

    #[test]
    fn longest_alias_wins() {
        let t = small();
        let tags = t.tag("", "North Korean hackers", "");
        assert_eq!(tags.countries, ["North Korea"]);
    }

    #[test]
    fn agencies_bring_their_country() {
        let t = small();
        assert_eq!(
            t.tag("", "the National Security Agency said", "").countries,
            ["United States"]
        );
    }

    #[test]
    fn topics_need_enough_evidence_and_prefixes_match() {
        let t = small();
        assert!(t.tag("", "one sanction", "").topics.is_empty());
        assert_eq!(
            t.tag("", "sanctioned and sanctions", "").topics,
            ["sanctions"]
        );
        assert_eq!(t.tag("New sanctions", "", "").topics, ["sanctions"]);
    }

    fn builtin_agencies(text: &str) -> Vec<String> {
        let t = Taxonomy::builtin().expect("built-in taxonomy");
        t.tag("", text, "").agencies
    }

    #[test]
    fn rgb_in_file_formats_is_not_north_korean_intelligence() {
        let tags = Taxonomy::builtin().expect("built-in").tag(
            "",
            "A flaw when parsing RGB and SGI files allows code execution.",
            "",
        );
        assert!(tags.agencies.is_empty(), "{tags:?}");
        assert!(tags.countries.is_empty(), "{tags:?}");
    }

    #[test]
    fn tcp_mss_option_is_not_the_ministry_of_state_security() {
        let text = "A crafted TCP packet with a malformed MSS option crashes the device.";
        assert!(builtin_agencies(text).is_empty());
    }

    #[test]
    fn managed_security_services_is_not_mss() {
        let text = "IBM Managed Security Services (MSS) saw a spike. Our MSS team and the government customers it serves responded.";
        assert!(builtin_agencies(text).is_empty());
    }

    #[test]
    fn initial_coin_offering_is_not_ico() {
        let text = "The scam promised an Initial Coin Offering (ICO); the ICO raised $2 million from investors and officials.";
        assert!(builtin_agencies(text).is_empty());
    }

    #[test]
    fn cia_triad_is_not_the_cia() {
        let text = "Security rests on the CIA triad: confidentiality, integrity and availability, as the federal guide says.";
        assert!(builtin_agencies(text).is_empty());
    }

    #[test]
    fn product_code_foxman_un_is_not_the_united_nations() {
        let text =
            "ABB FOXMAN-UN network manager versions before 9.0 are affected, the agency said.";
        assert!(!builtin_agencies(text).contains(&"United Nations".to_string()));
    }

    #[test]
    fn acronyms_with_context_still_tag() {
        assert_eq!(
            builtin_agencies("Officers of China's MSS ran the operation."),
            ["MSS"]
        );
        assert_eq!(
            builtin_agencies("The UK's ICO fined the retailer."),
            ["ICO"]
        );
        assert_eq!(
            builtin_agencies("a speech at the UN, where diplomats met"),
            ["United Nations"]
        );
        assert!(builtin_agencies("CIA Director John Brennan said").contains(&"CIA".to_string()));
    }

    #[test]
    fn distinctive_acronyms_and_full_names_need_no_evidence() {
        assert_eq!(builtin_agencies("Patch now, says CISA."), ["CISA"]);
        assert_eq!(builtin_agencies("the Ministry of State Security"), ["MSS"]);
    }

    /// Rules are data: a taxonomy can add collisions and context for any
    /// acronym, and the closing check uses acronyms not named in the code.
    #[test]
    fn evidence_rules_come_from_the_taxonomy_file() {
        let toml = r#"
[topics]
threshold = 3
[evidence]
max_len = 5
window = 40
context = ["ministry"]
[[agency]]
name = "GRU"
country = "Russia"
aliases = ["GRU"]
collisions = ["gated recurrent unit"]
context = ["unit 26165"]
[[agency]]
name = "FBI"
distinctive = true
aliases = ["FBI"]
[[country]]
name = "Russia"
aliases = ["Russian"]
[[topic]]
name = "x"
terms = { "x" = 1 }
"#;
        let t = Taxonomy::from_toml(toml, "test").expect("parses");
        let agencies = |s: &str| t.tag("", s, "").agencies;
        assert!(agencies("a GRU layer in the model").is_empty());
        assert_eq!(agencies("Russian GRU hackers"), ["GRU"]);
        assert_eq!(agencies("GRU unit 26165"), ["GRU"]);
        assert!(agencies("a gated recurrent unit (GRU) and the Russian ministry").is_empty());
        assert_eq!(agencies("the FBI"), ["FBI"]);
        let far = format!("Russian {} GRU", "word ".repeat(20));
        assert!(
            agencies(&far).is_empty(),
            "context beyond the window counts"
        );
    }

    #[test]
    fn canonical_matches_names_and_aliases_ignoring_case() {
        let t = small();
        assert_eq!(t.canonical(Kind::Agency, "nsa").as_deref(), Some("NSA"));
        assert_eq!(
            t.canonical(Kind::Agency, "national security agency")
                .as_deref(),
            Some("NSA")
        );
        assert_eq!(
            t.canonical(Kind::Topic, "Sanctions").as_deref(),
            Some("sanctions")
        );
        assert_eq!(t.canonical(Kind::Country, "nowhere"), None);
    }
}
