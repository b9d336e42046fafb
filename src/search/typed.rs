//! Queries pasted from documents behave like typed ones: typographic
//! quotes become `"`, apostrophes inside words (`Russia’s`, `don't`) make
//! the word a phrase (the analyzer splits it into `russia s`, as it does in
//! the documents), Unicode hyphens and dashes become `-` inside a word or
//! before one (an exclusion) and a space elsewhere, and non-breaking,
//! thin and zero-width spaces become plain spaces or nothing. Accented
//! letters need nothing here: the analyzer folds them to ASCII on both
//! sides (`crate::analyzer`).
//!
//! The query grammar reads `'` as a phrase delimiter, so an apostrophe that
//! is not inside a word either pairs up into a phrase (`'supply chain'`)
//! or, closing nothing, is a possessive (`hackers'`) and is dropped.

/// Rewrites pasted typography into the characters the query grammar and
/// the analyzer expect.
pub fn as_typed(query: &str) -> String {
    let chars: Vec<char> = query.chars().collect();
    let alnum_at = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    let mut out = String::with_capacity(query.len());
    let mut in_double = false;
    let mut in_single = false;
    for (i, &c) in chars.iter().enumerate() {
        let before = alnum_at(i.checked_sub(1));
        let after = alnum_at(Some(i + 1));
        match c {
            '"' | '“' | '”' | '„' | '‟' | '«' | '»' | '″' => {
                out.push('"');
                in_double = !in_double;
            }
            '\'' | '‘' | '’' | '‚' | '‛' | 'ʼ' | '′' if !in_double => {
                if before && after {
                    out.push('\'');
                } else if !before && after && !in_single {
                    out.push('"');
                    in_single = true;
                } else if in_single {
                    out.push('"');
                    in_single = false;
                }
                // Otherwise a possessive (`hackers’`): nothing to match.
            }
            '‘' | '’' | '‚' | '‛' | 'ʼ' | '′' => out.push('\''),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
                out.push(if after { '-' } else { ' ' });
            }
            '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    quote_words_with_apostrophes(&out)
}

/// `Russia's` → `"Russia's"`, `title:O'Brien` → `title:"O'Brien"`,
/// `-don't` → `-"don't"`; phrases are left alone.
fn quote_words_with_apostrophes(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 8);
    let mut in_phrase = false;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('\'') {
            let core_start = word
                .find(|c: char| !matches!(c, '-' | '+' | '('))
                .unwrap_or(0);
            let (prefix, rest) = word.split_at(core_start);
            let core_end = rest.trim_end_matches(')').len();
            let (core, suffix) = rest.split_at(core_end);
            let (field, value) = match core.split_once(':') {
                Some((f, v)) if !f.contains('\'') => (format!("{f}:"), v),
                _ => (String::new(), core),
            };
            out.push_str(&format!("{prefix}{field}\"{value}\"{suffix}"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in query.chars() {
        if in_phrase {
            out.push(c);
            in_phrase = c != '"';
        } else if c == '"' {
            flush(&mut word, &mut out);
            out.push(c);
            in_phrase = true;
        } else if c == ' ' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::as_typed;

    #[test]
    fn pasted_typography_becomes_typed_text() {
        for (pasted, typed) in [
            ("“critical infrastructure”", "\"critical infrastructure\""),
            ("„supply chain“", "\"supply chain\""),
            ("Russia’s hackers", "\"Russia's\" hackers"),
            ("Russia's hackers", "\"Russia's\" hackers"),
            ("title:O’Brien", "title:\"O'Brien\""),
            ("-don’t", "-\"don't\""),
            ("“Russia’s hackers”", "\"Russia's hackers\""),
            ("‘supply chain’", "\"supply chain\""),
            ("'supply chain'", "\"supply chain\""),
            ("hackers’ tools", "hackers tools"),
            ("supply\u{2011}chain", "supply-chain"),
            ("supply\u{2010}chain", "supply-chain"),
            ("ransomware \u{2014} pipeline", "ransomware   pipeline"),
            ("ransomware \u{2212}lockbit", "ransomware -lockbit"),
            ("critical\u{00A0}infrastructure", "critical infrastructure"),
            ("cyber\u{00AD}security\u{200B}", "cybersecurity"),
            ("thin\u{202F}space", "thin space"),
            ("plain words", "plain words"),
            ("(a OR b's)", "(a OR \"b's\")"),
        ] {
            assert_eq!(as_typed(pasted), typed, "{pasted:?}");
        }
    }
}
