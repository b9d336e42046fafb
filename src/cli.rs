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
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the normalized documents found under PATHs as JSON Lines.
    Extract(ExtractArgs),
    /// Build or update the index from PATHs.
    Index(IndexArgs),
    /// Search the index.
    #[command(after_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Print one stored document by id.
    Show(ShowArgs),
    /// Articles about the same subject as one article (near its date first).
    Related(RelatedArgs),
    /// Print document counts, facets, date span and size of the index.
    Stats(StatsArgs),
}

const QUERY_HELP: &str = "Query syntax:
  ransomware pipeline          both words (use --any for either)
  \"critical infrastructure\"    an exact phrase
  ransomware OR phishing       either word
  ransomware -lockbit          exclude a word
  title:sanctions              a word in the title (also body:, author:)
  agency:cisa topic:ransomware country:russia source:\"policy wire\"
  date:2021  date:2021-05  date:[2020-01-01 TO 2021-06-30]  year:2021
An empty query or * with filters lists every match, newest first.";

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

    /// No progress bar and no summary.
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

    /// Merge the index into one segment at the end: slower indexing, faster
    /// one-shot searches.
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

/// `cpsearch search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see below); empty or * lists everything that passes the filters.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,

    /// Index directory.
    #[arg(long, value_name = "DIR", default_value = "index")]
    pub index: PathBuf,

    /// Match any of the words instead of all of them.
    #[arg(long)]
    pub any: bool,

    /// Only articles naming this agency (repeat for any of several).
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

    /// Only articles published in this year.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// Only articles published on or after this date.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Only articles published on or before this date.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Only articles since a relative date, e.g. "2 weeks ago".
    #[arg(long, value_name = "WHEN", conflicts_with = "from")]
    pub since: Option<String>,

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

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Show every copy of a story instead of one hit per story.
    #[arg(long)]
    pub no_collapse: bool,

    /// Count facets by story (near-duplicates once) instead of by copy.
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

/// `cpsearch show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The document id (a URL or path#item, as search prints it).
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

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
