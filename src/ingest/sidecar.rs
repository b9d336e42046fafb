//! Sidecar metadata: a table beside the articles that gives each file its
//! title, date, author, source, URL and tags. Scraped collections often keep
//! the text in one file per article and everything else in one CSV.
//!
//! How a table is found: a file named `data_list.csv`, `metadata.csv`,
//! `metadata.tsv` or `metadata.json` in the article's own folder or in its
//! parent folder (so `vendor/data_list.csv` describes `vendor/data/*.txt`),
//! never above the walked root; or the one file named with `--meta`, which
//! applies to every file and is consulted first. A row describes the file
//! whose name (without a `.txt`, `.md`, `.html` or `.json` extension) equals
//! the row's file column (also without extension), wherever under the
//! table's folder the file lies.
//!
//! How a table is read: CSV or TSV with a header row, columns found by the
//! aliases of [`super::fields`] (a file column is required); CSV without a
//! header, columns found by content (the URL column, the date column, the
//! file column last, the title first, a `|`-separated tags column, the
//! author); rows wider than the rest have their extra fields joined into the
//! title, since in unquoted tables only the title holds commas ("split from
//! the right"). A JSON table is an array of objects with a file key, or an
//! object from file name to object. `none`, `unknown` and empty values are
//! absent. Malformed rows are reported by line when the table itself is
//! read and otherwise ignored.
//!
//! What a table does: its values win over what the article's text suggests;
//! a table is never itself an article.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{csv as delimited, fields, Problem, SourceFile};
use crate::document::RawArticle;
use crate::normalize::dates::parse_date;

/// File names that are metadata tables wherever they appear.
pub const KNOWN_NAMES: &[&str] = &[
    "data_list.csv",
    "metadata.csv",
    "metadata.tsv",
    "metadata.json",
];

/// Extensions dropped before file names are compared.
const ARTICLE_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown", "html", "htm", "json"];

/// Values that mean "no value" in scraped tables.
const ABSENT: &[&str] = &["none", "unknown", "n/a", "na", "null", "nil", "-"];

/// Rows looked at to find the columns of a table without a header.
const SAMPLE_ROWS: usize = 200;

/// True when the file's name makes it a metadata table.
pub fn is_sidecar_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    KNOWN_NAMES.iter().any(|k| k.eq_ignore_ascii_case(name))
}

/// What a table says about one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetaEntry {
    /// Title.
    pub title: Option<String>,
    /// Date string (already checked to parse).
    pub date: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The table's line (or item) the entry came from.
    pub line: usize,
}

/// A parsed metadata table.
#[derive(Debug, Default)]
pub struct MetaTable {
    entries: HashMap<String, MetaEntry>,
    /// Rows that could not be used, by line.
    pub problems: Vec<Problem>,
}

impl MetaTable {
    /// Parses a table; `rel` (its name) chooses JSON or CSV/TSV.
    pub fn parse(rel: &str, text: &str) -> Result<MetaTable, String> {
        let mut table = MetaTable::default();
        if rel.to_ascii_lowercase().ends_with(".json") {
            table.read_json(text)?;
        } else {
            let delimiter = delimited::delimiter_for(rel, text);
            match delimited::header_row(text, delimiter) {
                Some(headers) => table.read_with_header(text, delimiter, &headers)?,
                None => table.read_headerless(text, delimiter)?,
            }
        }
        if table.entries.is_empty() {
            return Err(match table.problems.first() {
                Some(p) => format!(
                    "no usable rows in the metadata table (first problem, {}: {})",
                    p.location.as_deref().unwrap_or("?"),
                    p.message
                ),
                None => "no rows in the metadata table".into(),
            });
        }
        Ok(table)
    }

    /// Number of files described.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no file is described.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for a file, by its name or relative path.
    pub fn get(&self, rel: &str) -> Option<&MetaEntry> {
        self.entries.get(&file_key(rel))
    }

    fn insert(&mut self, name: &str, entry: MetaEntry, location: String) {
        let key = file_key(name);
        if key.is_empty() {
            self.problems
                .push(Problem::item(location, "no file name; row skipped"));
            return;
        }
        if let Some(earlier) = self.entries.get(&key) {
            let message = format!(
                "{name} is already described on line {}; row skipped",
                earlier.line
            );
            self.problems.push(Problem::item(location, message));
            return;
        }
        self.entries.insert(key, entry);
    }

    fn read_with_header(
        &mut self,
        text: &str,
        delimiter: u8,
        headers: &[String],
    ) -> Result<(), String> {
        let col = |keys: &[&str]| fields::column_of(headers, keys);
        let file = col(fields::FILE).ok_or(
            "the metadata table has no file column (filename, file or path) to say which article each row describes",
        )?;
        let layout = Layout {
            width: headers.len(),
            file,
            title: col(fields::TITLE),
            date: col(fields::DATE),
            author: col(fields::AUTHOR),
            source: col(fields::SOURCE),
            url: col(fields::URL),
            tags: col(fields::CATEGORIES),
        };
        for record in delimited::reader(text, delimiter, true).records().skip(1) {
            match record {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line() as usize);
                    let row: Vec<String> = r.iter().map(str::to_string).collect();
                    if row.iter().all(String::is_empty) {
                        continue;
                    }
                    self.add_row(&layout, row, line);
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    self.problems.push(Problem::item(
                        format!("line {line}"),
                        format!("unreadable row: {e}"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn read_headerless(&mut self, text: &str, delimiter: u8) -> Result<(), String> {
        let rows = unquoted_rows(text, delimiter);
        let layout = headerless_layout(&rows).ok_or(
            "cannot tell the columns of this metadata table: give it a header row (filename, title, date, …)",
        )?;
        for (line, row) in rows {
            if row.len() < layout.width {
                let message = format!(
                    "{} fields where the table has {}; row skipped",
                    row.len(),
                    layout.width
                );
                self.problems
                    .push(Problem::item(format!("line {line}"), message));
                continue;
            }
            self.add_row(&layout, join_head(row, layout.width), line);
        }
        Ok(())
    }

    fn add_row(&mut self, layout: &Layout, row: Vec<String>, line: usize) {
        let location = format!("line {line}");
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).and_then(|v| present(v));
        let mut date = get(layout.date);
        if let Some(d) = &date {
            if parse_date(d).is_err() {
                let message = format!("{d:?} is not a date; the row's other values are used");
                self.problems.push(Problem::item(location.clone(), message));
                date = None;
            }
        }
        let entry = MetaEntry {
            title: get(layout.title),
            date,
            author: get(layout.author).map(|a| strip_by(&a)),
            source: get(layout.source),
            url: get(layout.url),
            tags: get(layout.tags).map(|t| split_tags(&t)).unwrap_or_default(),
            line,
        };
        let name = row.get(layout.file).cloned().unwrap_or_default();
        self.insert(&name, entry, location);
    }

    fn read_json(&mut self, text: &str) -> Result<(), String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("invalid JSON metadata table: {e}"))?;
        let items: Vec<(Option<String>, Map<String, Value>)> = match value {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::Object(o) => Some((None, o)),
                    _ => None,
                })
                .collect(),
            Value::Object(obj) => obj
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::Object(o) => Some((Some(k), o)),
                    _ => None,
                })
                .collect(),
            _ => {
                return Err(
                    "a JSON metadata table is an array of objects or an object of objects".into(),
                )
            }
        };
        for (i, (key, obj)) in items.into_iter().enumerate() {
            let item = i + 1;
            let name = key.or_else(|| fields::text_of(&obj, fields::FILE));
            let mut date = fields::text_of(&obj, fields::DATE).and_then(|d| present(&d));
            if date.as_deref().is_some_and(|d| parse_date(d).is_err()) {
                self.problems.push(Problem::item(
                    format!("item {item}"),
                    "the date is not a date",
                ));
                date = None;
            }
            let entry = MetaEntry {
                title: fields::text_of(&obj, fields::TITLE).and_then(|v| present(&v)),
                date,
                author: fields::text_of(&obj, fields::AUTHOR)
                    .and_then(|v| present(&v))
                    .map(|a| strip_by(&a)),
                source: fields::text_of(&obj, fields::SOURCE).and_then(|v| present(&v)),
                url: fields::text_of(&obj, fields::URL).and_then(|v| present(&v)),
                tags: fields::list_of(&obj, fields::CATEGORIES)
                    .iter()
                    .filter_map(|t| present(t))
                    .collect(),
                line: item,
            };
            self.insert(&name.unwrap_or_default(), entry, format!("item {item}"));
        }
        Ok(())
    }
}

/// Which column holds what.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    width: usize,
    file: usize,
    title: Option<usize>,
    date: Option<usize>,
    author: Option<usize>,
    source: Option<usize>,
    url: Option<usize>,
    tags: Option<usize>,
}

/// Rows of an unquoted table with their line numbers: quotes in scraped
/// titles are text, and one unbalanced quote must not swallow the file.
fn unquoted_rows(text: &str, delimiter: u8) -> Vec<(usize, Vec<String>)> {
    delimited::reader(text, delimiter, false)
        .records()
        .filter_map(|r| r.ok())
        .filter(|r| r.iter().any(|f| !f.is_empty()))
        .map(|r| {
            let line = r.position().map_or(0, |p| p.line() as usize);
            (line, r.iter().map(str::to_string).collect())
        })
        .collect()
}

/// Joins the leading fields of a row wider than `width` into its first
/// field: the title is the only value that holds commas.
fn join_head(mut row: Vec<String>, width: usize) -> Vec<String> {
    if row.len() <= width {
        return row;
    }
    let extra = row.len() - width;
    let head: Vec<String> = row.drain(..=extra).collect();
    row.insert(0, head.join(", "));
    row
}

/// True when a file without a header reads as a metadata table: its rows
/// end in a file name and carry a URL or a date.
pub fn looks_like_headerless_table(text: &str, delimiter: u8) -> bool {
    let rows: Vec<_> = unquoted_rows(text, delimiter)
        .into_iter()
        .take(SAMPLE_ROWS)
        .collect();
    headerless_layout(&rows).is_some()
}

fn headerless_layout(rows: &[(usize, Vec<String>)]) -> Option<Layout> {
    let sample: Vec<&Vec<String>> = rows.iter().take(SAMPLE_ROWS).map(|(_, r)| r).collect();
    let width = most_common_width(&sample)?;
    if width < 3 {
        return None;
    }
    let normalized: Vec<Vec<String>> = sample
        .iter()
        .filter(|r| r.len() >= width)
        .map(|r| join_head((*r).clone(), width))
        .collect();
    let share = |col: usize, test: &dyn Fn(&str) -> bool| {
        let hits = normalized.iter().filter(|r| test(&r[col])).count();
        hits as f64 / normalized.len().max(1) as f64
    };
    let is_url = |v: &str| v.starts_with("http://") || v.starts_with("https://");
    let is_date = |v: &str| v.len() <= 40 && v.contains(char::is_numeric) && parse_date(v).is_ok();
    let url = (0..width).find(|&c| share(c, &is_url) >= 0.5);
    let date = (0..width).find(|&c| Some(c) != url && share(c, &is_date) >= 0.5);
    let file = width - 1;
    if Some(file) == url || Some(file) == date || share(file, &looks_like_file_name) < 0.8 {
        return None;
    }
    url.or(date)?;
    let taken = [url, date, Some(file), Some(0)];
    let title = (!taken[..3].contains(&Some(0))).then_some(0);
    let rest: Vec<usize> = (0..width).filter(|c| !taken.contains(&Some(*c))).collect();
    let has_separator = |v: &str| v.contains('|') || v.contains(';');
    let tags = rest
        .iter()
        .copied()
        .filter(|&c| share(c, &has_separator) > 0.0)
        .max_by(|&a, &b| share(a, &has_separator).total_cmp(&share(b, &has_separator)))
        .or_else(|| (rest.len() >= 2).then(|| rest[1]));
    let author = rest.iter().copied().find(|&c| Some(c) != tags);
    Some(Layout {
        width,
        file,
        title,
        date,
        author,
        source: None,
        url,
        tags,
    })
}

fn most_common_width(rows: &[&Vec<String>]) -> Option<usize> {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for r in rows {
        *counts.entry(r.len()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(width, n)| (n, std::cmp::Reverse(width)))
        .map(|(w, _)| w)
}

/// A file name or slug: one word with a letter, no spaces, not a URL.
fn looks_like_file_name(v: &str) -> bool {
    v.len() >= 3
        && !v.contains(char::is_whitespace)
        && v.contains(char::is_alphabetic)
        && !v.contains("://")
}

/// The name a file is matched by: its last path component without an
/// article extension, lowercased.
pub fn file_key(name: &str) -> String {
    let name = name.trim().rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && ARTICLE_EXTENSIONS
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(ext)) =>
        {
            stem
        }
        _ => name,
    };
    stem.to_lowercase()
}

fn present(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && !ABSENT.iter().any(|a| a.eq_ignore_ascii_case(v))).then(|| v.to_string())
}

/// "By Mike Elgan" → "Mike Elgan".
fn strip_by(author: &str) -> String {
    match author.get(..3) {
        Some(by) if by.eq_ignore_ascii_case("by ") => author[3..].trim().to_string(),
        _ => author.to_string(),
    }
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split(['|', ';']).filter_map(present).collect()
}

/// Puts a table's values on an article read from the file it describes.
/// Collections with a table often keep bare text without a title line (one
/// sentence per line), so the line the plain-text reader took for a title
/// goes back into the body unless it is the table's title: no text is lost
/// (a first sentence is not told apart from a title line reliably; 11% of
/// cti-blogs' first lines are questions or exclamations).
pub fn apply(entry: &MetaEntry, article: &mut RawArticle, plain_text: bool) {
    if let Some(title) = &entry.title {
        if let Some(old) = article.title.take().filter(|_| plain_text) {
            if comparable(&old) != comparable(title) {
                article.body = if article.body.is_empty() {
                    old
                } else {
                    format!("{old}\n\n{}", article.body)
                };
            }
        }
        article.title = Some(title.clone());
    }
    if let Some(date) = &entry.date {
        article.meta_date = Some(date.clone());
    }
    for (value, slot) in [
        (&entry.author, &mut article.author),
        (&entry.source, &mut article.source),
        (&entry.url, &mut article.url),
    ] {
        if value.is_some() {
            slot.clone_from(value);
        }
    }
    if !entry.tags.is_empty() {
        article.categories = entry.tags.clone();
    }
}

fn comparable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The tables that apply to a set of files, loaded once before parsing.
#[derive(Debug, Default)]
pub struct Sidecars {
    explicit: Option<Arc<MetaTable>>,
    by_dir: HashMap<PathBuf, Arc<MetaTable>>,
}

impl Sidecars {
    /// Loads the table named with `--meta` (an error if it cannot be read)
    /// and every known-name table in the folders of `files` or their parent
    /// folders inside the walked root (one that cannot be read is left out;
    /// its problems are reported when the walk reaches the table itself).
    pub fn load(
        files: &[SourceFile],
        explicit: Option<&Path>,
        max_size: u64,
    ) -> crate::Result<Sidecars> {
        let mut sidecars = Sidecars::default();
        if let Some(path) = explicit {
            let table = read_table(path, max_size).map_err(|message| crate::Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(format!("cannot use it as --meta: {message}")),
            })?;
            sidecars.explicit = Some(Arc::new(table));
        }
        let mut looked: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
        for file in files {
            for dir in candidate_dirs(file) {
                if !looked.insert(dir.clone()) {
                    continue;
                }
                if let Some(table) = find_table(&dir, max_size) {
                    sidecars.by_dir.insert(dir, Arc::new(table));
                }
            }
        }
        Ok(sidecars)
    }

    /// True when no table applies anywhere.
    pub fn is_empty(&self) -> bool {
        self.explicit.is_none() && self.by_dir.is_empty()
    }

    /// The entry that describes a file: the `--meta` table first, then the
    /// table of its folder, then that of its parent folder.
    pub fn entry_for(&self, file: &SourceFile) -> Option<&MetaEntry> {
        if let Some(entry) = self.explicit.as_ref().and_then(|t| t.get(&file.rel)) {
            return Some(entry);
        }
        candidate_dirs(file)
            .into_iter()
            .filter_map(|d| self.by_dir.get(&d))
            .find_map(|t| t.get(&file.rel))
    }
}

/// The file's folder and its parent, never above the walked root.
fn candidate_dirs(file: &SourceFile) -> Vec<PathBuf> {
    let depth = file.rel.split('/').count();
    file.path
        .ancestors()
        .skip(1)
        .take(depth.min(2))
        .map(Path::to_path_buf)
        .collect()
}

fn find_table(dir: &Path, max_size: u64) -> Option<MetaTable> {
    KNOWN_NAMES.iter().find_map(|name| {
        let path = dir.join(name);
        // A link could point outside the corpus: only regular files count.
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        read_table(&path, max_size).ok()
    })
}

fn read_table(path: &Path, max_size: u64) -> Result<MetaTable, String> {
    let bytes = super::read_limited(path, max_size)?;
    let (text, _) = super::decode(&bytes)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    MetaTable::parse(&name, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA_LIST: &str =
        "Is this a title?, 2006-01-08, none, none, https://example.org/a/, 1_a.txt\n\
        Title, with a comma, 2019-09-24,  Jane Roe,  Malware|APT,  https://example.org/b/, 2_b\n\
        Short row, 2019-09-24, https://example.org/c/\n\
        Bad date, someday, Jim, none, https://example.org/d/, 4_d.txt\n";

    #[test]
    fn headerless_table_is_read_by_content_and_split_from_the_right() {
        let table = MetaTable::parse("data_list.csv", DATA_LIST).expect("parses");
        let a = table.get("data/1_a.txt").expect("row 1");
        assert_eq!(a.title.as_deref(), Some("Is this a title?"));
        assert_eq!(a.date.as_deref(), Some("2006-01-08"));
        assert_eq!(a.author, None);
        assert!(a.tags.is_empty());
        let b = table
            .get("2_b.txt")
            .expect("row 2, file named without .txt");
        assert_eq!(b.title.as_deref(), Some("Title, with a comma"));
        assert_eq!(b.author.as_deref(), Some("Jane Roe"));
        assert_eq!(b.tags, ["Malware", "APT"]);
        assert_eq!(b.url.as_deref(), Some("https://example.org/b/"));
        let lines: Vec<_> = table.problems.iter().map(|p| p.location.clone()).collect();
        assert_eq!(
            lines,
            [Some("line 3".to_string()), Some("line 4".to_string())]
        );
        assert_eq!(table.get("4_d").and_then(|d| d.date.clone()), None);
    }

    #[test]
    fn header_table_finds_columns_by_alias() {
        let text =
            "File,Headline,publish_date,media_name,Tags\nx.html,\"A, B\",2020-02-03,Wire,a;b\n";
        let table = MetaTable::parse("metadata.csv", text).expect("parses");
        let x = table.get("x").expect("x");
        assert_eq!(x.title.as_deref(), Some("A, B"));
        assert_eq!(x.source.as_deref(), Some("Wire"));
        assert_eq!(x.tags, ["a", "b"]);
    }

    #[test]
    fn json_table_maps_names_to_fields() {
        let text = r#"{"a.txt": {"title": "T", "date": "2021-01-02", "source": "S"}}"#;
        let table = MetaTable::parse("metadata.json", text).expect("parses");
        assert_eq!(
            table.get("a.txt").and_then(|e| e.source.clone()).as_deref(),
            Some("S")
        );
    }

    #[test]
    fn title_line_of_plain_text_goes_back_to_the_body() {
        let entry = MetaEntry {
            title: Some("Real title".into()),
            ..MetaEntry::default()
        };
        let mut article = RawArticle {
            title: Some("First sentence.".into()),
            body: "Second sentence.".into(),
            ..RawArticle::default()
        };
        apply(&entry, &mut article, true);
        assert_eq!(article.title.as_deref(), Some("Real title"));
        assert_eq!(article.body, "First sentence.\n\nSecond sentence.");
    }

    #[test]
    fn a_table_without_file_names_is_not_a_table() {
        assert!(!looks_like_headerless_table("a, b, c\n1, 2, 3\n", b','));
        assert!(looks_like_headerless_table(DATA_LIST, b','));
    }
}
