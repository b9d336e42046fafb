//! The vocabulary of dates: month names in the languages we read and the
//! labels that mark a date as the publication or the modification
//! ("Veröffentlicht am", "Updated"). It lives in `data/date_words.toml`,
//! embedded at build time, so adding a language is an edit to data.

use std::sync::LazyLock;

use serde::Deserialize;

/// The embedded vocabulary file.
const BUILTIN: &str = include_str!("../../data/date_words.toml");

#[derive(Debug, Deserialize)]
struct Month {
    number: u32,
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Labels {
    published: Vec<String>,
    updated: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    month: Vec<Month>,
    labels: Labels,
}

/// Month names and date labels, all lowercase.
#[derive(Debug)]
pub struct DateWords {
    months: Vec<(String, u32)>,
    /// Words before a date that make it the publication date.
    pub published: Vec<String>,
    /// Words before a date that make it a modification date.
    pub updated: Vec<String>,
}

impl DateWords {
    fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let file: File = toml::from_str(text)?;
        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_lowercase()).collect();
        Ok(DateWords {
            months: file
                .month
                .into_iter()
                .flat_map(|m| {
                    m.names
                        .into_iter()
                        .map(move |n| (n.to_lowercase(), m.number))
                })
                .filter(|(_, n)| (1..=12).contains(n))
                .collect(),
            published: lower(file.labels.published),
            updated: lower(file.labels.updated),
        })
    }

    /// The month a name or abbreviation stands for in any language we
    /// read (`Mai`, `févr.`, `DEC`).
    pub fn month(&self, name: &str) -> Option<u32> {
        let lower = name.trim_end_matches('.').to_lowercase();
        self.months
            .iter()
            .find(|(n, _)| *n == lower)
            .map(|&(_, m)| m)
    }
}

static WORDS: LazyLock<DateWords> = LazyLock::new(|| {
    // The file is part of the source tree; the unit test below parses it.
    DateWords::parse(BUILTIN).unwrap_or_else(|e| panic!("data/date_words.toml is invalid: {e}"))
});

/// The built-in date vocabulary.
pub fn words() -> &'static DateWords {
    &WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_vocabulary_parses_and_names_every_month() {
        let w = DateWords::parse(BUILTIN).expect("valid data/date_words.toml");
        for m in 1..=12 {
            assert!(w.months.iter().any(|&(_, n)| n == m), "month {m}");
        }
        assert_eq!(w.month("März"), Some(3));
        assert_eq!(w.month("févr."), Some(2));
        assert_eq!(w.month("Maybe"), None);
        assert!(w.published.iter().any(|p| p == "veröffentlicht"));
        assert!(w.updated.iter().any(|p| p == "aktualisiert"));
    }
}
