//! Ingest: finds article files under the given paths, reads each safely
//! (size limit, encoding detection, binary detection), picks the format
//! reader by extension or by sniffing the content, and normalizes every
//! article into a [`Document`]. Files are parsed in parallel; results come
//! back in the sorted walk order, so output is deterministic.
//!
//! Safety rules: symbolic links are followed only when their target lies
//! inside the walked root, directory links are never followed (so no loop
//! is possible), and a panic inside a format reader is caught and reported
//! as a skipped file.

mod content_hash;
pub mod csv;
pub mod feed;
pub mod fields;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sidecar;
pub mod text;

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use content_hash::ContentHash;

use crate::document::{Document, Format, RawArticle};
use crate::error::{Error, Result};
use crate::normalize::{self, Origin, Taxonomy};

/// Default limit on a file's size.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 20 * 1024 * 1024;
/// Deepest directory level walked.
const MAX_DEPTH: usize = 64;
/// Files parsed per parallel batch; bounds memory on large corpora.
const BATCH: usize = 256;

/// How to read files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Use the file's modification time when no other date is found.
    pub date_from_mtime: bool,
    /// A metadata table (`--meta`) that describes files anywhere in the walk.
    pub meta: Option<PathBuf>,
    /// An article without a source takes the name of the first folder of
    /// its path under the walked root (`--source-from-folder`).
    pub source_from_folder: bool,
    /// The day files are read: dates found after it are not believed. The
    /// library reads no clock; the caller passes it (None: no upper bound).
    pub today: Option<chrono::NaiveDate>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            date_from_mtime: false,
            meta: None,
            source_from_folder: false,
            today: None,
        }
    }
}

/// A file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Path relative to the walked root, forward slashes (lossy for non-UTF-8 names).
    pub rel: String,
    /// The file's identity: the walked root's canonical absolute path joined
    /// with `rel`. Unique per file however the root was spelled, so two
    /// roots that both hold `note.txt` give two documents. Document ids of
    /// articles without a URL and manifest keys are built from it.
    pub key: String,
    /// Content hash from an earlier run: a file whose bytes still hash to it
    /// is reported unchanged instead of being parsed again.
    pub known_hash: Option<ContentHash>,
}

/// A problem with one item of a file, or with a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// "line 3", "item 2"; None for the whole file.
    pub location: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl Problem {
    /// A problem with one item or line.
    pub fn item(location: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            location: Some(location.into()),
            message: message.into(),
        }
    }
}

/// What a format reader found in one file.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Articles read.
    pub articles: Vec<RawArticle>,
    /// Items that could not be read.
    pub problems: Vec<Problem>,
}

/// Everything learned from one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file's relative path.
    pub rel: String,
    /// Documents read from it.
    pub documents: Vec<Document>,
    /// Why the whole file was skipped, if it was.
    pub skipped: Option<String>,
    /// Items skipped inside the file.
    pub item_problems: Vec<Problem>,
    /// Warnings about the whole file (encoding and such).
    pub warnings: Vec<String>,
    /// Hash of the file's bytes, when they were read.
    pub hash: Option<ContentHash>,
    /// The bytes still match [`SourceFile::known_hash`]; nothing was parsed.
    pub unchanged: bool,
}

impl FileReport {
    /// A report for a file read without error that holds no articles.
    fn no_articles(rel: &str, item_problems: Vec<Problem>) -> Self {
        FileReport {
            item_problems,
            skipped: None,
            ..FileReport::skipped(rel, "")
        }
    }

    /// A report for a file (or walk entry) skipped as a whole.
    pub fn skipped(rel: &str, reason: impl Into<String>) -> Self {
        FileReport {
            rel: rel.to_string(),
            documents: Vec::new(),
            skipped: Some(reason.into()),
            item_problems: Vec::new(),
            warnings: Vec::new(),
            hash: None,
            unchanged: false,
        }
    }
}

/// The result of walking the input paths.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to read, in sorted order.
    pub files: Vec<SourceFile>,
    /// Entries that were not followed (links outside the root, unreadable dirs).
    pub skipped: Vec<(String, String)>,
}

/// Walks files and directories in sorted order. A path that does not exist
/// is an error; problems below it are collected in [`Walk::skipped`].
pub fn discover(paths: &[PathBuf]) -> Result<Walk> {
    let mut walk = Walk::default();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|_| Error::MissingPath(root.clone()))?;
        if meta.is_file() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.to_string_lossy().into_owned());
            walk.files.push(SourceFile {
                path: root.clone(),
                rel: name,
                key: root_key(root)?,
                known_hash: None,
            });
            continue;
        }
        walk_dir(root, &mut walk)?;
    }
    Ok(walk)
}

/// The identity of a walked root: its canonical absolute path with forward
/// slashes. For a file given as a root, the file's own canonical path.
pub fn root_key(root: &Path) -> Result<String> {
    let canonical = root.canonicalize().map_err(|e| Error::io(root, e))?;
    Ok(canonical.to_string_lossy().replace('\\', "/"))
}

/// `root_key` joined with a path relative to that root.
fn file_key(root_key: &str, rel: &str) -> String {
    if rel.is_empty() {
        root_key.to_string()
    } else {
        format!("{}/{rel}", root_key.trim_end_matches('/'))
    }
}

fn walk_dir(root: &Path, walk: &mut Walk) -> Result<()> {
    let canonical_root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let base = root_key(root)?;
    let entries = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(relative_to(root)).unwrap_or_default();
                walk.skipped.push((path, err.to_string()));
                continue;
            }
        };
        let rel = relative_to(root)(entry.path());
        if entry.path_is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if !target.starts_with(&canonical_root) => walk.skipped.push((
                    rel,
                    "symbolic link to outside the corpus; not followed".into(),
                )),
                Ok(target) if target.is_dir() => walk
                    .skipped
                    .push((rel, "symbolic link to a directory; not followed".into())),
                Ok(_) => walk.files.push(SourceFile {
                    path: entry.path().to_path_buf(),
                    key: file_key(&base, &rel),
                    rel,
                    known_hash: None,
                }),
                Err(e) => walk
                    .skipped
                    .push((rel, format!("broken symbolic link ({e})"))),
            }
        } else if entry.file_type().is_file() {
            walk.files.push(SourceFile {
                path: entry.path().to_path_buf(),
                key: file_key(&base, &rel),
                rel,
                known_hash: None,
            });
        }
    }
    Ok(())
}

fn relative_to(root: &Path) -> impl Fn(&Path) -> String + '_ {
    move |p: &Path| {
        let rel = p.strip_prefix(root).unwrap_or(p);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Reads, parses and normalizes every file, calling `sink` once per file in
/// walk order. Parsing runs on all cores in batches, and the next batch is
/// parsed while `sink` takes the current one: the sink (indexing, near-
/// duplicate lookups) is serial, and the parsers would otherwise wait for it.
pub fn extract_files(
    files: Vec<SourceFile>,
    options: &IngestOptions,
    taxonomy: &Taxonomy,
    mut sink: impl FnMut(FileReport) -> Result<()>,
) -> Result<()> {
    extract_files_with(
        files,
        options,
        taxonomy,
        |_| (),
        |_, report, ()| sink(report),
    )
}

/// [`extract_files`] with a step of the caller's run on the parser threads
/// right after each file is read; its result reaches `sink` with the file
/// and its report. Work that needs only the one file (a near-duplicate
/// signature) then runs on all cores instead of in the serial sink. The
/// files are handed over one by one, so the sink can keep what it needs of
/// each (the index uses the key) and the rest is freed as the run goes: at
/// a million files their paths are about 180 MB.
pub fn extract_files_with<T: Send>(
    files: Vec<SourceFile>,
    options: &IngestOptions,
    taxonomy: &Taxonomy,
    prepare: impl Fn(&FileReport) -> T + Sync,
    mut sink: impl FnMut(SourceFile, FileReport, T) -> Result<()>,
) -> Result<()> {
    let pool = parser_pool()?;
    let sidecars = sidecar::Sidecars::load(&files, options.meta.as_deref(), options.max_file_size)?;
    let parse = |batch: Vec<SourceFile>| -> Vec<(SourceFile, FileReport, T)> {
        pool.install(|| {
            batch
                .into_par_iter()
                .map(|f| {
                    let report = read_with(&f, options, taxonomy, &sidecars);
                    let prepared = prepare(&report);
                    (f, report, prepared)
                })
                .collect()
        })
    };
    let mut batches = into_batches(files);
    let mut ready = parse(batches.pop().unwrap_or_default());
    while let Some(batch) = batches.pop() {
        let (next, sunk) = std::thread::scope(|scope| {
            let parsing = scope.spawn(|| parse(batch));
            let sunk = ready.into_iter().try_for_each(|(f, r, t)| sink(f, r, t));
            (parsing.join(), sunk)
        });
        sunk?;
        // A parser panic is a bug; it surfaces as it did before the overlap.
        ready = next.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
    ready.into_iter().try_for_each(|(f, r, t)| sink(f, r, t))
}

/// The files in batches of [`BATCH`], the last batch first (so `pop` takes
/// them in order). The walk's one list is shrunk as it is split, so a
/// batch's share of it is freed once the batch is read: one list of a
/// million files held its 112 MB to the end of the run.
fn into_batches(mut files: Vec<SourceFile>) -> Vec<Vec<SourceFile>> {
    let mut batches = Vec::with_capacity(files.len().div_ceil(BATCH));
    while !files.is_empty() {
        let start = (files.len() - 1) / BATCH * BATCH;
        batches.push(files.split_off(start));
        files.shrink_to_fit();
    }
    batches
}

/// Worker threads with a generous stack: third-party parsers may recurse.
fn parser_pool() -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .thread_name(|i| format!("cpsearch-parse-{i}"))
        .build()
        .map_err(|e| Error::io("thread pool", std::io::Error::other(e.to_string())))
}

/// Reads one file into documents; never panics and never fails: every
/// problem becomes part of the report. Metadata tables beside the file are
/// applied (see [`sidecar`]).
pub fn read_file(file: &SourceFile, options: &IngestOptions, taxonomy: &Taxonomy) -> FileReport {
    match sidecar::Sidecars::load(
        std::slice::from_ref(file),
        options.meta.as_deref(),
        options.max_file_size,
    ) {
        Ok(sidecars) => read_with(file, options, taxonomy, &sidecars),
        Err(e) => FileReport::skipped(&file.rel, e.to_string()),
    }
}

fn read_with(
    file: &SourceFile,
    options: &IngestOptions,
    taxonomy: &Taxonomy,
    sidecars: &sidecar::Sidecars,
) -> FileReport {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_file_inner(file, options, taxonomy, sidecars)
    }));
    attempt.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        FileReport::skipped(&file.rel, format!("internal error while parsing: {what}"))
    })
}

fn read_file_inner(
    file: &SourceFile,
    options: &IngestOptions,
    taxonomy: &Taxonomy,
    sidecars: &sidecar::Sidecars,
) -> FileReport {
    let bytes = match read_limited(&file.path, options.max_file_size) {
        Ok(b) => b,
        Err(reason) => return FileReport::skipped(&file.rel, reason),
    };
    let hash = ContentHash::of(&bytes);
    if file.known_hash == Some(hash) {
        return FileReport {
            rel: file.rel.clone(),
            documents: Vec::new(),
            skipped: None,
            item_problems: Vec::new(),
            warnings: Vec::new(),
            hash: Some(hash),
            unchanged: true,
        };
    }
    let (text, mut warnings) = match decode(&bytes) {
        Ok(t) => t,
        Err(reason) => {
            return FileReport {
                hash: Some(hash),
                ..FileReport::skipped(&file.rel, reason)
            }
        }
    };
    if is_metadata_table(file, options) {
        return FileReport {
            hash: Some(hash),
            warnings,
            ..read_metadata_table(&file.rel, &text)
        };
    }
    let format = match detect_format(&file.rel, &text) {
        Some(f) => f,
        None => {
            let what = match file.rel.rsplit_once('.') {
                _ if is_unnamed_table(&file.rel, &text) => format!(
                    "a metadata table (it names files) under a name that is not applied: call it {} or pass it with --meta",
                    sidecar::KNOWN_NAMES.join(", ")
                ),
                Some((_, ext)) if !ext.contains('/') => format!(".{ext} is not an article format"),
                _ => "not an article format (unknown content)".to_string(),
            };
            let report = FileReport::skipped(&file.rel, what);
            return FileReport {
                hash: Some(hash),
                ..report
            };
        }
    };
    let parsed = match parse_as(format, &file.rel, &text, options.today) {
        Ok(p) => p,
        Err(reason) => {
            return FileReport {
                hash: Some(hash),
                ..FileReport::skipped(&file.rel, reason)
            }
        }
    };
    let mtime_date = options
        .date_from_mtime
        .then(|| {
            std::fs::metadata(&file.path)
                .and_then(|m| m.modified())
                .ok()
        })
        .flatten()
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).date_naive());
    let origin = Origin {
        rel_path: &file.rel,
        key: &file.key,
        format,
        mtime_date,
    };
    let entry = sidecars.entry_for(file);
    let folder_source = options
        .source_from_folder
        .then(|| file.rel.split_once('/').map(|(first, _)| first.to_string()))
        .flatten();
    let documents = parsed
        .articles
        .into_iter()
        .map(|mut a| {
            if let Some(entry) = entry {
                sidecar::apply(entry, &mut a, format == Format::Text);
            }
            if a.source.is_none() {
                a.source.clone_from(&folder_source);
            }
            normalize::normalize(a, &origin, taxonomy)
        })
        .collect();
    warnings.dedup();
    FileReport {
        rel: file.rel.clone(),
        documents,
        skipped: None,
        item_problems: parsed.problems,
        warnings,
        hash: Some(hash),
        unchanged: false,
    }
}

fn parse_as(
    format: Format,
    rel: &str,
    text: &str,
    today: Option<chrono::NaiveDate>,
) -> Result<Parsed, String> {
    let single = |r: Result<Vec<RawArticle>, String>| {
        r.map(|articles| Parsed {
            articles,
            problems: Vec::new(),
        })
    };
    match format {
        Format::Text => single(text::parse(text)),
        Format::Markdown => single(markdown::parse(text)),
        Format::Html => single(html::parse_on(text, today)),
        Format::Json | Format::Csaf => json::parse_json(text),
        Format::Jsonl => json::parse_jsonl(text),
        Format::Feed => feed::parse(text.as_bytes()),
        Format::Csv => csv::parse(text, csv::delimiter_for(rel, text)),
    }
}

/// A known-name table, or the file named with `--meta`.
fn is_metadata_table(file: &SourceFile, options: &IngestOptions) -> bool {
    let same_file = |meta: &PathBuf| match (meta.canonicalize(), file.path.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    sidecar::is_sidecar_name(&file.rel) || options.meta.as_ref().is_some_and(same_file)
}

/// A `.csv`/`.tsv` that reads as a metadata table but is not applied.
fn is_unnamed_table(rel: &str, text: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    (lower.ends_with(".csv") || lower.ends_with(".tsv"))
        && csv::classify(text, csv::delimiter_for(rel, text)) == csv::CsvKind::Table
}

/// A metadata table met in the walk: never an article; its malformed rows
/// are reported by line.
fn read_metadata_table(rel: &str, text: &str) -> FileReport {
    match sidecar::MetaTable::parse(rel, text) {
        Ok(table) => FileReport::no_articles(rel, table.problems),
        Err(reason) => FileReport::skipped(rel, reason),
    }
}

/// Reads at most `limit` bytes; a larger file is refused with its size.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > limit {
        return Err(format!(
            "file is {len} bytes, over the {limit}-byte limit (raise it with --max-file-size)"
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "file grew past the {limit}-byte limit while being read"
        ));
    }
    Ok(bytes)
}

/// Decodes bytes to text: UTF-8 (BOM stripped), UTF-16 with a BOM, or the
/// detected legacy encoding (with a warning). Binary data is refused.
pub fn decode(bytes: &[u8]) -> Result<(String, Vec<String>), String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".into());
    }
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, had_errors) = encoding.decode(bytes);
        let mut warnings = Vec::new();
        if encoding != encoding_rs::UTF_8 {
            warnings.push(format!("decoded from {}", encoding.name()));
        }
        if had_errors {
            warnings.push("invalid byte sequences replaced".into());
        }
        return Ok((text.into_owned(), warnings));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err("binary file (contains NUL bytes)".into());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), Vec::new())),
        Err(_) if mostly_utf8(bytes) => Ok((
            String::from_utf8_lossy(bytes).into_owned(),
            vec!["invalid byte sequences replaced".into()],
        )),
        Err(_) => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
            let (text, _, _) = encoding.decode(bytes);
            if control_ratio(&text) > 0.05 {
                return Err("binary file (not text in any known encoding)".into());
            }
            Ok((
                text.into_owned(),
                vec![format!("not valid UTF-8; decoded as {}", encoding.name())],
            ))
        }
    }
}

/// A UTF-8 page with a stray invalid byte or two (a truncated character,
/// one pasted legacy string) is still UTF-8: guessing a legacy encoding for
/// the whole file would garble every other non-ASCII character. Legacy text
/// read as UTF-8 is almost all invalid sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let (mut bad, mut good) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        if c == char::REPLACEMENT_CHARACTER {
            bad += 1;
        } else {
            good += 1;
        }
    }
    good >= 20 * bad
}

fn control_ratio(text: &str) -> f64 {
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    control as f64 / sample.len().max(1) as f64
}

/// Extensions of files that are data or media, never articles, even when
/// their content is text. (A `.csv`/`.tsv` is an article file only when it
/// has a text column: see [`csv`].)
const NOT_ARTICLES: &[&str] = &[
    "log", "lock", "toml", "yaml", "yml", "ini", "cfg", "conf", "pdf", "png", "jpg", "jpeg", "gif",
    "svg", "zip", "gz", "tgz", "bz2", "xz", "exe", "dll", "so", "bin", "db", "sqlite",
];

/// The format by extension, or by sniffing the content when the extension is
/// unknown. None for content that is not an article format.
pub fn detect_format(rel: &str, text: &str) -> Option<Format> {
    let ext = rel
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.contains('/'));
    let by_ext = match ext.as_deref() {
        Some("txt" | "text") => Some(Format::Text),
        Some("md" | "markdown" | "mdown" | "mkd") => Some(Format::Markdown),
        Some("html" | "htm" | "xhtml") => Some(Format::Html),
        Some("json") => Some(Format::Json),
        Some("jsonl" | "ndjson") => Some(Format::Jsonl),
        Some("xml" | "rss" | "atom" | "rdf") => Some(Format::Feed),
        Some("csv" | "tsv") => {
            let articles =
                csv::classify(text, csv::delimiter_for(rel, text)) == csv::CsvKind::Articles;
            return articles.then_some(Format::Csv);
        }
        _ => None,
    };
    if by_ext.is_none() && ext.as_deref().is_some_and(|e| NOT_ARTICLES.contains(&e)) {
        return None;
    }
    by_ext.or_else(|| sniff(text))
}

fn sniff(text: &str) -> Option<Format> {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(512)
        .collect();
    let lower = head.to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        Some(Format::Html)
    } else if lower.starts_with("<?xml")
        || lower.starts_with("<rss")
        || lower.starts_with("<feed")
        || lower.starts_with("<rdf")
    {
        if lower.contains("<html") {
            Some(Format::Html)
        } else {
            Some(Format::Feed)
        }
    } else if head.starts_with('{') {
        let first_line = text.trim_start().lines().next().unwrap_or_default();
        let multi_line_objects = text.trim().lines().count() > 1
            && serde_json::from_str::<serde_json::Value>(first_line).is_ok();
        Some(if multi_line_objects {
            Format::Jsonl
        } else {
            Format::Json
        })
    } else if head.starts_with('[') {
        Some(Format::Json)
    } else if head.starts_with("---") || head.starts_with("+++") || head.starts_with("# ") {
        Some(Format::Markdown)
    } else if head.chars().any(char::is_alphabetic) {
        Some(Format::Text)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_boms_legacy_encodings_and_binary() {
        assert_eq!(decode(b"\xef\xbb\xbfhi").expect("utf8").0, "hi");
        let (t, w) = decode(b"\xff\xfeh\x00i\x00").expect("utf16");
        assert_eq!(t, "hi");
        assert!(w[0].contains("UTF-16LE"));
        let (t, w) = decode(b"caf\xe9 cr\xe8me").expect("latin1");
        assert_eq!(t, "café crème");
        assert!(w[0].contains("windows-1252"));
        assert!(decode(b"\x00\x01\x02binary").is_err());
        assert!(decode(b"  \n ").is_err());
    }

    #[test]
    fn utf8_page_with_one_stray_byte_is_not_read_as_latin1() {
        let mut page = "Kolejne organizacje sprzeciwiają się atakom. "
            .repeat(20)
            .into_bytes();
        page.push(0xc3);
        page.extend_from_slice(" Zażółć gęślą jaźń.".as_bytes());
        let (text, warnings) = decode(&page).expect("decodes");
        assert!(text.contains("sprzeciwiają się"), "{text}");
        assert!(text.contains("Zażółć"));
        assert_eq!(warnings, ["invalid byte sequences replaced"]);
    }

    #[test]
    fn format_by_extension_then_sniffing() {
        assert_eq!(detect_format("a/b.HTML", ""), Some(Format::Html));
        assert_eq!(
            detect_format("feed", "<?xml version='1.0'?><rss>"),
            Some(Format::Feed)
        );
        assert_eq!(
            detect_format("dump", "{\"a\":1}\n{\"a\":2}"),
            Some(Format::Jsonl)
        );
        assert_eq!(detect_format("dump", "{\"a\":\n1}"), Some(Format::Json));
        assert_eq!(detect_format("README", "Some words"), Some(Format::Text));
        assert_eq!(detect_format("x.bin", "\u{1}\u{2}"), None);
        assert_eq!(detect_format("changes.csv", "a,b\n1,2"), None);
    }

    #[test]
    fn batches_hold_every_file_once_in_walk_order() {
        let file = |i: usize| SourceFile {
            path: PathBuf::from(format!("/c/{i}.txt")),
            rel: format!("{i}.txt"),
            key: format!("/c/{i}.txt"),
            known_hash: None,
        };
        for n in [0, 1, BATCH, BATCH + 1, 3 * BATCH - 1] {
            let mut batches = into_batches((0..n).map(file).collect());
            let mut keys = Vec::new();
            while let Some(batch) = batches.pop() {
                assert!(!batch.is_empty() && batch.len() <= BATCH, "{n}");
                keys.extend(batch.into_iter().map(|f| f.key));
            }
            let expected: Vec<String> = (0..n).map(|i| format!("/c/{i}.txt")).collect();
            assert_eq!(keys, expected, "{n} files");
        }
    }
}
