//! Command-line definitions (clap derive). Doc comments are the help text.
//! Nothing here does work: `app` turns these into library requests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Full-text search for cyber-policy news: index articles (text, Markdown,
/// HTML, JSON, feeds) and search them by words, agencies, topics, countries
/// and dates.
#[derive(Debug, Parser)]
#[command(name = "cpsearch", version, propagate_version = true)]
pub struct Cli {
    /// Vocabulary file replacing the built-in agencies, topics and countries.
    #[arg(long, global = true, value_name = "FILE")]
    pub taxonomy: Option<PathBuf>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the normalized documents found under PATHs as JSON Lines.
    Extract(ExtractArgs),
    /// Build or update the index from PATHs.
    Index(IndexArgs),
    /// Search the index.
    #[command(after_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Print one stored document by id, path or path#item.
    Show(ShowArgs),
    /// Articles about the same subject as one article (near its date first).
    Related(RelatedArgs),
    /// Print document counts, facets, date span and size of the index.
    Stats(StatsArgs),
    /// Write the index (or one search's matches) as files that Quickwit,
    /// OpenSearch/Elasticsearch or Sphinx/Manticore load.
    Export(ExportArgs),
    /// Serve a search page and a JSON API over HTTP (read-only).
    Serve(ServeArgs),
    /// Count matches per day, week, month, quarter or year.
    #[command(after_help = QUERY_HELP)]
    Timeline(TimelineArgs),
    /// Pairs of facet values named in the same matching articles.
    #[command(after_help = QUERY_HELP)]
    Cooccur(CooccurArgs),
    /// List the vocabulary: agencies, topics and countries with their aliases.
    Vocab(VocabArgs),
}

const QUERY_HELP: &str = "Query syntax:
  ransomware pipeline          both words (use --any for either)
  \"critical infrastructure\"    an exact phrase
  ransomware OR phishing       either word
  ransomware -lockbit          exclude a word
  title:sanctions              a word in the title (also body:, author:)
  agency:cisa topic:ransomware country:russia source:\"policy wire\"
  date:2021  date:2021-05  date:[2020-01-01 TO 2021-06-30]  year:2021
  -- -lockbit                  everything but a word (after --)
An empty query or * with filters lists every match, newest first.
Dates (--since, --from, --to, --year, date:): 2021, 2021-05, 2021-05-14,
  May 2021, 31/12/2024, \"2 weeks ago\", 2w, 1y, \"a year ago\", \"this year\",
  \"last month\", \"last 2 weeks\" (date:\"last year\"). 01/02/2024 is
  ambiguous: write 2024-02-01.";

/// Options shared by commands that read files.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = cpsearch::ingest::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,

    /// Date undated articles by their file's modification time.
    #[arg(long)]
    pub date_from_mtime: bool,

    /// Exit with status 2 if any file was skipped.
    #[arg(long)]
    pub strict: bool,

    /// A metadata table (CSV, TSV or JSON with a file column) giving files
    /// their title, date, author, source, URL and tags; it wins over the text.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,

    /// Give an article without a source the name of its first folder under
    /// the walked path (`vendor/data/post.txt` → "vendor").
    #[arg(long)]
    pub source_from_folder: bool,
}

/// `cpsearch extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files or directories to read.
    #[arg(value_name = "PATH", default_value = "corpus")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub read: ReadArgs,
}

/// `cpsearch index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or directories to index.
    #[arg(value_name = "PATH", default_value = "corpus")]
    pub paths: Vec<PathBuf>,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Rebuild from scratch instead of updating.
    #[arg(long)]
    pub full: bool,

    /// No progress bar and no warnings: only the summary and errors.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,

    /// Keep running and re-index when files change (Ctrl-C commits and exits).
    #[arg(long)]
    pub watch: bool,

    /// Seconds between checks for changes with --watch.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, requires = "watch")]
    pub interval: f64,

    /// Merge the whole index into one segment at the end. Without it a run
    /// that changed documents merges its small segments into segments of at
    /// most 768 MiB; --merge also rewrites large ones (slower at a million
    /// articles, maps the whole index while merging).
    #[arg(long)]
    pub merge: bool,

    /// Commit after this many documents (an interrupted run keeps what was committed).
    #[arg(long, value_name = "N", default_value_t = cpsearch::index::build::DEFAULT_COMMIT_EVERY)]
    pub commit_every: usize,

    #[command(flatten)]
    pub read: ReadArgs,
}

/// How to order hits.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Best BM25 match first.
    Relevance,
    /// Newest first.
    Date,
    /// Oldest first (undated last).
    #[value(name = "date-asc")]
    DateAsc,
}

/// A facet to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FacetArg {
    /// Agencies.
    Agency,
    /// Topics.
    Topic,
    /// Countries.
    Country,
    /// Publication years.
    Year,
    /// Sources.
    Source,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The facet-value filters of every command that selects articles
/// (`search`, `timeline`, `cooccur`, `export`).
#[derive(Debug, Args)]
pub struct ValueFilterArgs {
    /// Only articles naming this agency (repeatable; NAME+ adds its components).
    #[arg(long, value_name = "AGENCY")]
    pub agency: Vec<String>,

    /// Only articles about this topic (repeatable).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Vec<String>,

    /// Only articles concerning this country (repeatable).
    #[arg(long, value_name = "COUNTRY")]
    pub country: Vec<String>,

    /// Only articles from this source (repeatable).
    #[arg(long, value_name = "SOURCE")]
    pub source: Vec<String>,
}

/// The filters every search-like command takes (`search`, `timeline`,
/// `cooccur`): facet values and dates.
#[derive(Debug, Args)]
pub struct FilterArgs {
    #[command(flatten)]
    pub values: ValueFilterArgs,

    /// Only articles published in this year: 2021, "this year", "last year".
    #[arg(long, value_name = "YEAR")]
    pub year: Option<String>,

    /// Only articles published on or after this date: 2021-05-14, 2021-05,
    /// 2021, "May 2021", "2 weeks ago", "last year".
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Only articles published on or before this date (a month or year
    /// means its last day).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Only articles since this date: "2 weeks ago", "2 weeks", "1y",
    /// "a year ago", "this year", or any date --from takes.
    #[arg(long, value_name = "WHEN", conflicts_with = "from")]
    pub since: Option<String>,
}

/// `cpsearch search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see below); several words are one query; empty or * lists
    /// everything that passes the filters. Put `--` before a query that
    /// starts with an exclusion: `search -- -lockbit`.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Match any of the words instead of all of them.
    #[arg(long)]
    pub any: bool,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,

    /// Hits to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,

    /// Hits to skip (for paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,

    /// Count matches by agency, topic, country and year.
    #[arg(long)]
    pub facets: bool,

    /// Count only these facets (comma-separated or repeated); implies --facets.
    #[arg(long, value_name = "FACET", value_delimiter = ',')]
    pub facet: Vec<FacetArg>,

    /// Values to list per facet (0 lists all; default 15 on the terminal,
    /// all in JSON).
    #[arg(long, value_name = "N")]
    pub facet_limit: Option<usize>,

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,

    /// Output format: text (default), json, or a briefing export (csv,
    /// tsv, jsonl, md) with one row per hit.
    #[arg(long, value_enum, conflicts_with = "json")]
    pub format: Option<FormatArg>,

    /// Show agency facets as a tree, components under their parents.
    #[arg(long)]
    pub roll_up: bool,

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Print the request asking this engine the same question instead of searching.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub explain: Option<ExplainArg>,

    /// Show every copy of a story instead of one hit per story.
    #[arg(long)]
    pub no_collapse: bool,

    /// Count facets by story (near-duplicates once) instead of by copy.
    #[arg(long)]
    pub dedupe: bool,
}

/// An engine `search --explain` translates for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExplainArg {
    /// Quickwit's search API.
    Quickwit,
    /// OpenSearch or Elasticsearch `_search`.
    #[value(alias = "elasticsearch")]
    Opensearch,
}

/// An engine to export for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EngineArg {
    /// Quickwit: index-config.yaml and NDJSON.
    Quickwit,
    /// OpenSearch or Elasticsearch 8: mapping.json and _bulk files.
    #[value(alias = "elasticsearch")]
    Opensearch,
    /// Sphinx 2.2 or Manticore: searchd configs and SphinxQL.
    Sphinx,
}

/// `cpsearch export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Target engine.
    #[arg(long, value_enum)]
    pub to: EngineArg,

    /// Directory for the files (created when missing; keeps the state of the last export).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Export only what this query matches (search syntax); empty exports everything.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Index name in the target engine.
    #[arg(long, value_name = "NAME", default_value = cpsearch::export::DEFAULT_INDEX_NAME)]
    pub name: String,

    /// Send only documents from files modified on or after DATE, or, with
    /// "last", those that differ from the last export to DIR; documents gone
    /// since the last export are deleted.
    #[arg(long, value_name = "DATE|last")]
    pub changed_since: Option<String>,

    /// Largest data file in bytes (OpenSearch _bulk files are capped at 10 MB).
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_bytes: usize,

    /// Sphinx shards to split the documents over.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub shards: usize,

    /// Match any of the words instead of all of them.
    #[arg(long)]
    pub any: bool,

    #[command(flatten)]
    pub values: ValueFilterArgs,

    /// Only articles published in this year.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// Only articles published on or after this date.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Only articles published on or before this date.
    #[arg(long, value_name = "DATE")]
    pub to_date: Option<String>,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Output formats of `search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// For a terminal.
    Text,
    /// One JSON object.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON object per hit per line.
    Jsonl,
    /// A Markdown list of linked titles.
    Md,
}

/// The query and filters shared by `timeline` and `cooccur`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The query (see below); several words are one query; empty or *
    /// counts everything that passes the filters.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Match any of the words instead of all of them.
    #[arg(long)]
    pub any: bool,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Count stories (near-duplicates once) instead of every copy.
    #[arg(long)]
    pub dedupe: bool,
}

/// `cpsearch related`.
#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// The article's id (as search prints it with --json).
    pub id: String,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Stories to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,

    /// Only articles within this span of the article's date: 90d, 12w, 6m, 1y.
    #[arg(long, value_name = "SPAN")]
    pub window: Option<String>,

    /// Print one JSON object (shaped like search results).
    #[arg(long)]
    pub json: bool,

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

/// Bucket widths.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IntervalArg {
    /// Calendar days.
    Day,
    /// ISO weeks (Monday first).
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

/// `cpsearch timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub matches: MatchArgs,

    /// Bucket width.
    #[arg(long, value_enum, default_value_t = IntervalArg::Month)]
    pub by: IntervalArg,

    /// One series per top value of a facet, plus "other": agency, topic,
    /// country or source, optionally with the number of values (topic:5).
    #[arg(long, value_name = "FACET[:N]")]
    pub split: Option<String>,

    /// Divide each count by all articles in the index in that bucket.
    #[arg(long)]
    pub share: bool,

    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print CSV: a header row and one row per bucket.
    #[arg(long)]
    pub csv: bool,
}

/// `cpsearch cooccur`.
#[derive(Debug, Args)]
pub struct CooccurArgs {
    /// The facet whose values are paired: agency, topic, country or source.
    #[arg(value_enum, value_name = "FACET")]
    pub facet: FacetArg,

    #[command(flatten)]
    pub matches: MatchArgs,

    /// Pair with the values of this facet instead (agency × country).
    #[arg(long, value_enum, value_name = "FACET")]
    pub with: Option<FacetArg>,

    /// Pairs to show.
    #[arg(long, default_value_t = 20)]
    pub top: usize,

    /// Leave out pairs named together in fewer articles.
    #[arg(long, default_value_t = 2)]
    pub min_count: u64,

    /// Rank by lift (how much more often than chance) or by count.
    #[arg(long, value_enum, default_value_t = PairOrderArg::Lift)]
    pub order: PairOrderArg,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Pair rankings.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PairOrderArg {
    /// Highest lift first.
    Lift,
    /// Most articles first.
    Count,
}

/// Vocabularies to list.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VocabKind {
    /// Agencies.
    Agencies,
    /// Topics.
    Topics,
    /// Countries.
    Countries,
}

/// `cpsearch vocab`.
#[derive(Debug, Args)]
pub struct VocabArgs {
    /// Which vocabulary (all when omitted).
    #[arg(value_enum)]
    pub kind: Option<VocabKind>,

    /// Only entries whose name, full name, aliases, parent or country contain this.
    #[arg(default_value = "")]
    pub text: String,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `cpsearch show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The document: its id, its path, or path#item (as search prints them).
    #[arg(value_name = "ID|PATH")]
    pub id: String,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,

    /// Also list the article's near-duplicate copies (id, source, date, url).
    #[arg(long)]
    pub copies: bool,
}

/// `cpsearch stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Values to list per facet (0 lists all; default 15 on the terminal,
    /// all in JSON).
    #[arg(long, value_name = "N")]
    pub facet_limit: Option<usize>,
    /// List every facet value, not only the most frequent.
    #[arg(long)]
    pub all: bool,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `cpsearch serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Index directory (the default one is built from corpus/ on first run).
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Address to listen on. Anything but a loopback address exposes the
    /// index to the network and must be asked for.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
}
