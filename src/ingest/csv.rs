//! CSV and TSV files. A delimited file is one of three things, told apart by
//! its header row:
//!
//! - a **metadata table** (a sidecar) when a column names the article file
//!   (`filename`, `file`, `path`, … see [`fields::FILE`]), or, without a
//!   header, when its rows end in a file name and carry a URL (the layout of
//!   cti-blogs' `data_list.csv`); read by [`super::sidecar`];
//! - **articles**, one per row, when a column holds article text (`text`,
//!   `body`, `content`, … see [`fields::BODY`]); read here, with the same
//!   column aliases as JSON (`headline`, `publish_date`, `media_name`, …);
//! - anything else (a spreadsheet of counts, a changelog): not an article.
//!
//! The file column is checked first, so a table with a `summary` column
//! beside `filename` stays a sidecar. Quoted fields may hold the delimiter
//! and newlines; the `csv` crate reads them.

use serde_json::{Map, Value};

use super::{fields, html::fragment_to_text, Parsed, Problem};

/// What a delimited file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// One article per row.
    Articles,
    /// A metadata table describing other files.
    Table,
    /// Data that is neither.
    Other,
}

/// The delimiter: a tab for `.tsv` files, and for other files whose first
/// line has more tabs than commas; otherwise a comma.
pub fn delimiter_for(rel: &str, text: &str) -> u8 {
    if rel.to_ascii_lowercase().ends_with(".tsv") {
        return b'\t';
    }
    let first = text.lines().next().unwrap_or_default();
    if first.matches('\t').count() > first.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}

/// A reader over `text` with every field trimmed and rows of any width.
pub fn reader(text: &str, delimiter: u8, quoting: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .quoting(quoting)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

/// The first row's fields, when it reads as a header: at least one field is
/// a known column name and none is empty or numeric-looking.
pub fn header_row(text: &str, delimiter: u8) -> Option<Vec<String>> {
    let record = reader(text, delimiter, true).records().next()?.ok()?;
    let row: Vec<String> = record.iter().map(str::to_string).collect();
    let known = row.iter().filter(|h| is_known_column(h)).count();
    let plain = row
        .iter()
        .all(|h| !h.is_empty() && h.len() <= 40 && !h.contains("://"));
    (known >= 1 && plain).then_some(row)
}

fn all_aliases() -> impl Iterator<Item = &'static str> {
    [
        fields::TITLE,
        fields::BODY,
        fields::DATE,
        fields::AUTHOR,
        fields::SOURCE,
        fields::URL,
        fields::CATEGORIES,
        fields::LANG,
        fields::FILE,
    ]
    .into_iter()
    .flatten()
    .copied()
}

fn is_known_column(header: &str) -> bool {
    all_aliases().any(|a| a.eq_ignore_ascii_case(header.trim()))
}

/// Tells articles, metadata tables and other data apart (see the module
/// documentation for the rule).
pub fn classify(text: &str, delimiter: u8) -> CsvKind {
    match header_row(text, delimiter) {
        Some(headers) if fields::column_of(&headers, fields::FILE).is_some() => CsvKind::Table,
        Some(headers) if fields::column_of(&headers, fields::BODY).is_some() => CsvKind::Articles,
        Some(_) => CsvKind::Other,
        None if super::sidecar::looks_like_headerless_table(text, delimiter) => CsvKind::Table,
        None => CsvKind::Other,
    }
}

/// Reads a CSV or TSV of articles: the header names the columns, each later
/// row is one article (its item number is its row number, 1-based). A row
/// that cannot be read or has no title and no text is reported by line.
pub fn parse(text: &str, delimiter: u8) -> Result<Parsed, String> {
    let headers = header_row(text, delimiter)
        .ok_or("no header row naming the columns (title, text, date, …)")?;
    let keys: Vec<String> = headers.iter().map(|h| alias_spelling(h)).collect();
    let mut parsed = Parsed::default();
    for (row, record) in reader(text, delimiter, true).records().skip(1).enumerate() {
        let item = row + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(item + 1, |p| p.line() as usize);
                parsed.problems.push(Problem::item(
                    format!("line {line}"),
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(item + 1, |p| p.line() as usize);
        let obj: Map<String, Value> = keys
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
            .collect();
        let mut article = fields::article_from_object(&obj, fragment_to_text);
        if article.title.is_none() && article.body.trim().is_empty() {
            parsed.problems.push(Problem::item(
                format!("line {line}"),
                "row has no title and no text",
            ));
            continue;
        }
        article.item = item;
        parsed.articles.push(article);
    }
    if parsed.articles.is_empty() && parsed.problems.is_empty() {
        return Err("no rows under the header".into());
    }
    Ok(parsed)
}

/// The alias spelling of a header ("Headline" → "headline", "ARTICLEBODY" →
/// "articleBody"), so the exact-key lookups of [`fields`] find it.
fn alias_spelling(header: &str) -> String {
    all_aliases()
        .find(|a| a.eq_ignore_ascii_case(header.trim()))
        .map_or_else(|| header.trim().to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_and_newlines() {
        let text = "headline,text,publish_date,media_name\n\"Sanctions, again\",\"First line,\nsecond line\",2021-04-15,Policy Wire\n";
        let parsed = parse(text, b',').expect("parses");
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let a = &parsed.articles[0];
        assert_eq!(a.title.as_deref(), Some("Sanctions, again"));
        assert_eq!(a.body, "First line,\nsecond line");
        assert_eq!(a.meta_date.as_deref(), Some("2021-04-15"));
        assert_eq!(a.source.as_deref(), Some("Policy Wire"));
        assert_eq!(a.item, 1);
    }

    #[test]
    fn file_column_makes_a_table_and_text_column_makes_articles() {
        assert_eq!(
            classify("filename,title,summary\na.txt,A,B\n", b','),
            CsvKind::Table
        );
        assert_eq!(classify("Title,Text\nA,B\n", b','), CsvKind::Articles);
        assert_eq!(classify("a,b\n1,2\n", b','), CsvKind::Other);
        assert_eq!(classify("country,count\nFrance,2\n", b','), CsvKind::Other);
    }

    #[test]
    fn tab_separated_files_are_detected() {
        assert_eq!(delimiter_for("x.tsv", "a,b"), b'\t');
        assert_eq!(delimiter_for("x.csv", "title\ttext\tdate"), b'\t');
        assert_eq!(delimiter_for("x.csv", "title,text"), b',');
    }

    #[test]
    fn rows_without_text_are_reported_by_line() {
        let text = "title,text\nA,Body\n,\nB,More\n";
        let parsed = parse(text, b',').expect("parses");
        assert_eq!(parsed.articles.len(), 2);
        assert_eq!(parsed.problems[0].location.as_deref(), Some("line 3"));
    }
}
