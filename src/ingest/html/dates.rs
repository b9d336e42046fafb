//! The publication date of a web page, looked for the way htmldate does:
//! the publisher's structured metadata first (meta tags, JSON-LD, RDFa and
//! microdata), where a UTC stamp one day off the URL's day or the byline's
//! gives way to that local day; then a generic `date` meta tag, unless the
//! URL or a visible publication date after the headline contradicts it;
//! then the day in the canonical URL (`/2021/05/14/`, `/2020/oct/02/`), a
//! date labelled "Published"/"Veröffentlicht", the byline under the
//! headline, `<time datetime>` markup, the text of other elements whose
//! class, id or test id says date, byline or published, and a publication
//! time named in the page's own scripts. Dates after
//! "Updated"/"Aktualisiert" are the modification, not the publication, and
//! are passed over; the modification time in metadata, a date at the
//! headline and the date the article repeats most are the last resorts.
//! Every candidate must fall in a sanity window: not before the web
//! carried news, and not after the day the page was read. The labels and
//! month names are data (`data/date_words.toml`); `02/10/2020` is read in
//! the page language's order of day and month.

use chrono::NaiveDate;
use scraper::{ElementRef, Html};
use serde_json::{Map, Value};

use super::{element_text, first_attr, meta, sel};
use crate::normalize::date_words::words;
use crate::normalize::dates::{
    dates_in_text, parse_date, short_dates_in_text, slash_dates_in_text, url_day,
};

/// What kind of evidence gave the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Meta tags, JSON-LD or `<time datetime>` markup.
    Metadata,
    /// The page's canonical URL.
    Url,
    /// Visible text (a byline, a date element, a "Published" phrase).
    Text,
}

/// Meta tags that carry a publication date, most trusted first.
const PUBLISHED_META: &[&str] = &[
    r#"meta[property="article:published_time"]"#,
    r#"meta[name="article:published_time"]"#,
    r#"meta[property="og:published_time"]"#,
    r#"meta[property="og:article:published_time"]"#,
    r#"meta[itemprop="datePublished"]"#,
    r#"meta[name="pubdate"]"#,
    r#"meta[name="publish-date"]"#,
    r#"meta[name="publish_date"]"#,
    r#"meta[name="publishdate"]"#,
    r#"meta[name="citation_publication_date"]"#,
    r#"meta[name="DC.date.issued"]"#,
    r#"meta[name="dc.date.issued"]"#,
    r#"meta[name="parsely-pub-date"]"#,
    r#"meta[name="sailthru.date"]"#,
];

/// Meta names that say "date" without saying which: many sites fill them
/// with the day the page was last built, so a publication date the reader
/// can see outranks them. Compared case-insensitively.
const GENERIC_META_NAMES: &[&str] = &[
    "date",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "created",
];

const MODIFIED_META: &[&str] = &[
    r#"meta[property="article:modified_time"]"#,
    r#"meta[property="og:updated_time"]"#,
];

/// Words in a class or id that mark an element holding the date or byline.
const DATE_CLASS_WORDS: &[&str] = &[
    "date", "time", "byline", "publish", "posted", "datum", "dateline", "meta", "info", "author",
];

/// Words in a `data-testid` (the hook component frameworks leave where a
/// class would say what an element holds) that mark a date. Narrower than
/// the class words: a test id names a component ("byline"), not a style.
const TEST_ID_DATE_WORDS: &[&str] = &["date", "time", "publish"];

/// Date elements longer than this (characters) are containers, not dates.
const MAX_DATE_ELEMENT: usize = 200;
/// How many date-like elements are read before giving up.
const MAX_DATE_ELEMENTS: usize = 60;
/// How much of the page text the "Published …" search reads (bytes).
const PHRASE_SEARCH_BYTES: usize = 100_000;

/// The earliest plausible publication day of a web page.
fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1995, 1, 1).unwrap_or_default()
}

struct Window {
    today: Option<NaiveDate>,
    /// Whether `02/10/2020` is the 2nd of October: everywhere but in
    /// American English.
    day_first: bool,
}

impl Window {
    fn admits(&self, d: NaiveDate) -> bool {
        d >= earliest() && self.today.is_none_or(|t| d <= t)
    }

    fn parse(&self, s: &str) -> Option<NaiveDate> {
        parse_date(s).ok().filter(|d| self.admits(*d))
    }
}

/// The page's publication date and the kind of evidence that gave it.
/// `today` is the day the page is read: later dates are not believed.
pub fn page_date(
    doc: &Html,
    ld: Option<&Map<String, Value>>,
    today: Option<NaiveDate>,
) -> Option<(NaiveDate, Found)> {
    let w = Window {
        today,
        day_first: writes_day_first(doc),
    };
    let ld_date = |key: &str| ld.and_then(|o| super::super::fields::text_of(o, &[key]));
    let url = first_attr(doc, &[r#"link[rel="canonical"]"#], "href")
        .or_else(|| meta(doc, &[r#"meta[property="og:url"]"#]));
    let from_url = url.as_deref().and_then(url_day).filter(|d| w.admits(*d));
    if let Some(d) = published_metadata(doc, ld, &w) {
        return Some(local_day(doc, &w, d, from_url));
    }
    if let Some(d) = meta_by_name(doc, &w, GENERIC_META_NAMES) {
        return Some(weigh_generic_meta(doc, &w, d, from_url));
    }
    if let Some(d) = from_url {
        return Some((d, Found::Url));
    }
    // A date labelled "Published"/"Datum" says what it is. The byline
    // under the headline dates this article; a `<time>` elsewhere may be a
    // teaser's in the sidebar, a bare date element a comment's.
    let visible = published_phrase(doc, &w).or_else(|| byline_date(doc, &w, false));
    if let Some(d) = visible {
        return Some((d, Found::Text));
    }
    if let Some(d) = time_markup(doc, &w) {
        return Some((d, Found::Metadata));
    }
    if let Some(d) = date_elements(doc, &w, false) {
        return Some((d, Found::Text));
    }
    if let Some(d) = script_date(doc, &w) {
        return Some((d, Found::Metadata));
    }
    let modified = MODIFIED_META
        .iter()
        .find_map(|s| all_attrs(doc, s, "content").find_map(|v| w.parse(&v)))
        .or_else(|| ld_date("dateModified").and_then(|v| w.parse(&v)));
    if let Some(d) = modified {
        return Some((d, Found::Metadata));
    }
    // An update date is a better answer than none: the page was at least
    // published by then.
    date_elements(doc, &w, true)
        .or_else(|| title_date(doc, &w))
        .or_else(|| after_headline(doc, &w))
        .or_else(|| most_frequent(doc, &w))
        .map(|d| (d, Found::Text))
}

/// The publication date the page's metadata states by name: the
/// `PUBLISHED_META` tags, JSON-LD `datePublished`/`dateCreated`,
/// `itemprop="datePublished"` and the publication meta names.
fn published_metadata(
    doc: &Html,
    ld: Option<&Map<String, Value>>,
    w: &Window,
) -> Option<NaiveDate> {
    let ld_date = |key: &str| ld.and_then(|o| super::super::fields::text_of(o, &[key]));
    PUBLISHED_META[..1]
        .iter()
        .chain(std::iter::once(&"ld:datePublished"))
        .chain(PUBLISHED_META[1..].iter())
        .chain(std::iter::once(&"ld:dateCreated"))
        .find_map(|s| match s.strip_prefix("ld:") {
            Some(key) => ld_date(key).and_then(|v| w.parse(&v)),
            None => all_attrs(doc, s, "content").find_map(|v| w.parse(&v)),
        })
        .or_else(|| itemprop_published(doc, w))
        .or_else(|| meta_by_name(doc, w, PUBLISHED_META_NAMES))
}

/// Metadata timestamps are often in UTC; the URL and the byline carry the
/// publisher's own calendar day. One day apart means the same moment, and
/// the local day is the one readers (and archives) cite. The byline is
/// the first date element after the headline: a date element elsewhere
/// (the header's "today", a teaser) says nothing about this article, and
/// a URL day outranks any byline.
fn local_day(
    doc: &Html,
    w: &Window,
    d: NaiveDate,
    from_url: Option<NaiveDate>,
) -> (NaiveDate, Found) {
    let next_door = |other: &NaiveDate| (*other - d).num_days().abs() == 1;
    match from_url {
        Some(u) if next_door(&u) => (u, Found::Url),
        Some(_) => (d, Found::Metadata),
        None => match byline_date(doc, w, false).filter(next_door) {
            Some(t) => (t, Found::Text),
            None => (d, Found::Metadata),
        },
    }
}

/// A generic "date" meta tag is believed when nothing the reader sees
/// contradicts it: a day in the URL wins, and so does a visible
/// publication date ("Erschienen am …", a date element after the
/// headline, not the header's "today"), unless the byline under the
/// headline shows the tag's own day.
fn weigh_generic_meta(
    doc: &Html,
    w: &Window,
    d: NaiveDate,
    from_url: Option<NaiveDate>,
) -> (NaiveDate, Found) {
    if let Some(u) = from_url {
        return (u, Found::Url);
    }
    if byline_date(doc, w, true) == Some(d) {
        return (d, Found::Metadata);
    }
    match published_phrase(doc, w).or_else(|| elements_after_headline(doc, w)) {
        Some(t) => (t, Found::Text),
        None => (d, Found::Metadata),
    }
}

/// The date written most often in the article's text (`<article>`, else
/// `<main>`, else the whole page; first written on a tie): the last
/// resort, as htmldate's extensive search is.
fn most_frequent(doc: &Html, w: &Window) -> Option<NaiveDate> {
    ["article", "main", "body"]
        .iter()
        .filter_map(|s| doc.select(&sel(s)).next())
        .find_map(|scope| most_frequent_in(&super::block_text(scope), w))
}

fn most_frequent_in(text: &str, w: &Window) -> Option<NaiveDate> {
    let mut counts: Vec<(NaiveDate, usize)> = Vec::new();
    for (_, d) in dates_in_text(text) {
        if !w.admits(d) {
            continue;
        }
        match counts.iter_mut().find(|(c, _)| *c == d) {
            Some((_, n)) => *n += 1,
            None => counts.push((d, 1)),
        }
    }
    let best = counts.iter().map(|&(_, n)| n).max()?;
    counts.into_iter().find(|&(_, n)| n == best).map(|(d, _)| d)
}

/// Meta names that carry a publication date, compared case-insensitively
/// (`DC.Date`, `dc.date`) on `name`, `property` and `itemprop`.
const PUBLISHED_META_NAMES: &[&str] = &[
    "publication_date",
    "publication-date",
    "date.published",
    "dc.date.issued",
    "dcterms.issued",
    "uploaddate",
    "datecreated",
    "article.published",
    "published-date",
    "published_date",
    "release_date",
    "date_published",
];

fn meta_by_name(doc: &Html, w: &Window, names: &[&str]) -> Option<NaiveDate> {
    doc.select(&sel("meta[content]")).find_map(|e| {
        let v = e.value();
        let named = ["name", "property", "itemprop"]
            .iter()
            .filter_map(|a| v.attr(a))
            .any(|n| names.contains(&n.trim().to_ascii_lowercase().as_str()));
        if named {
            v.attr("content").and_then(|c| w.parse(c))
        } else {
            None
        }
    })
}

/// A date in the page title ("23.01.2022 - Winner of the race").
fn title_date(doc: &Html, w: &Window) -> Option<NaiveDate> {
    let title = doc.select(&sel("title")).next().map(element_text)?;
    first_text_date(&title, w)
}

/// How many elements after the headline a date element still belongs to
/// the article's byline; related-article lists come later.
const NEAR_HEADLINE_ELEMENTS: usize = 25;

/// How far after the headline (bytes of page text) a date still belongs
/// to the article's byline.
const NEAR_HEADLINE: usize = 1_500;

/// The first date in the text just after the page's headline.
fn after_headline(doc: &Html, w: &Window) -> Option<NaiveDate> {
    let body = doc.select(&sel("body")).next()?;
    let h1 = squeeze(&element_text(headline(doc)?));
    let text = squeeze(&super::block_text(body));
    // From the headline's start: some sites set the date inside the `<h1>`.
    let at = text.find(&h1)?;
    let end = (at + NEAR_HEADLINE).min(text.len());
    let end = (end..=text.len()).find(|&i| text.is_char_boundary(i))?;
    first_text_date(&text[at..end], w)
}

fn all_attrs<'a>(
    doc: &'a Html,
    selector: &str,
    attr: &'a str,
) -> impl Iterator<Item = String> + 'a {
    doc.select(&sel(selector))
        .filter_map(move |e| e.value().attr(attr))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// `itemprop="datePublished"` (microdata) or `property="schema:datePublished"`
/// (RDFa) on any element, as `content` or `datetime`.
fn itemprop_published(doc: &Html, w: &Window) -> Option<NaiveDate> {
    doc.select(&sel(concat!(
        r#"[itemprop="datePublished"], [itemprop="dateCreated"], "#,
        r#"[property="schema:datePublished"], [property="schema:dateCreated"], "#,
        r#"[property="datePublished"], [property="dateCreated"]"#,
    )))
    .find_map(|e| {
        let v = e.value();
        v.attr("content")
            .or(v.attr("datetime"))
            .and_then(|s| w.parse(s))
            .or_else(|| first_text_date(&element_text(e), w))
    })
}

/// `<time datetime>` in the article first, then anywhere; `<time pubdate>`
/// and `<abbr title>` dates too. Times after "Updated" are skipped.
fn time_markup(doc: &Html, w: &Window) -> Option<NaiveDate> {
    [
        "time[pubdate]",
        "article time[datetime]",
        "main time[datetime]",
        "time[datetime]",
        "abbr.published[title], abbr.date[title]",
    ]
    .iter()
    .find_map(|s| {
        doc.select(&sel(s)).find_map(|e| {
            if is_updated_label(&preceding_label(e)) {
                return None;
            }
            let v = e.value();
            v.attr("datetime")
                .or(v.attr("title"))
                .and_then(|d| w.parse(d))
        })
    })
}

/// The text of the element's parent before the element: the label a
/// `<time>` stands after ("Aktualisiert am").
fn preceding_label(e: ElementRef<'_>) -> String {
    let Some(parent) = e.parent().and_then(ElementRef::wrap) else {
        return String::new();
    };
    let mut label = String::new();
    for child in parent.children() {
        if child.id() == e.id() {
            break;
        }
        if let Some(t) = child.value().as_text() {
            label.push_str(t);
        } else if let Some(c) = ElementRef::wrap(child) {
            label.push_str(&element_text(c));
        }
    }
    label
}

fn is_updated_label(label: &str) -> bool {
    let tail: String = label
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = tail.to_lowercase();
    words().updated.iter().any(|w| tail.contains(w.as_str()))
}

fn names_date(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    DATE_CLASS_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether an element's class, id or test id says it holds a date.
fn names_date_element(e: &ElementRef<'_>) -> bool {
    let v = e.value();
    let test_id = v.attr("data-testid").is_some_and(|t| {
        let lower = t.to_ascii_lowercase();
        TEST_ID_DATE_WORDS.iter().any(|w| lower.contains(w))
    });
    test_id
        || ["class", "id"]
            .iter()
            .filter_map(|a| v.attr(a))
            .any(names_date)
}

/// Short elements whose class or id says date, byline or published, in
/// page order; the first date in their text that is not an update.
fn date_elements(doc: &Html, w: &Window, updates_too: bool) -> Option<NaiveDate> {
    first_element_date(
        doc.select(&sel("body [class], body [id], body [data-testid]")),
        w,
        updates_too,
    )
}

/// The first date element anywhere after the headline (every date
/// element when the page has no headline).
fn elements_after_headline(doc: &Html, w: &Window) -> Option<NaiveDate> {
    let Some(h) = headline(doc) else {
        return date_elements(doc, w, false);
    };
    let all = sel("body *");
    let after = doc.select(&all).skip_while(|e| e.id() != h.id()).skip(1);
    first_element_date(after, w, false)
}

/// The first date element after the headline: the byline of the article,
/// not the header's "today" or a teaser in the sidebar before it.
fn byline_date(doc: &Html, w: &Window, updates_too: bool) -> Option<NaiveDate> {
    let h = headline(doc)?;
    let all = sel("body *");
    let after = doc
        .select(&all)
        .skip_while(|e| e.id() != h.id())
        .skip(1)
        .take(NEAR_HEADLINE_ELEMENTS);
    first_element_date(after, w, updates_too)
}

fn first_element_date<'a>(
    elements: impl Iterator<Item = ElementRef<'a>>,
    w: &Window,
    updates_too: bool,
) -> Option<NaiveDate> {
    elements
        .filter(names_date_element)
        .filter_map(|e| {
            let text = element_text(e);
            (text.trim().chars().count() <= MAX_DATE_ELEMENT).then_some(text)
        })
        .take(MAX_DATE_ELEMENTS)
        .find_map(|t| {
            if updates_too {
                dates_in_text(&t)
                    .into_iter()
                    .map(|(_, d)| d)
                    .find(|d| w.admits(*d))
            } else {
                first_text_date(&t, w)
                    .or_else(|| first_short_date(&t, w))
                    .or_else(|| first_slash_date(&t, w))
            }
        })
}

/// The first `02/10/2020` date in a date element's text, read in the
/// page's order of day and month.
fn first_slash_date(text: &str, w: &Window) -> Option<NaiveDate> {
    slash_dates_in_text(text, w.day_first)
        .into_iter()
        .find(|&(at, d)| w.admits(d) && !is_updated_label(&text[..at]))
        .map(|(_, d)| d)
}

/// Whether the page's language writes the day before the month: all but
/// American English (`lang="en-US"`, or a bare `en`, which American
/// sites mostly declare).
fn writes_day_first(doc: &Html) -> bool {
    let root = doc.root_element().value();
    let lang = root
        .attr("lang")
        .or(root.attr("xml:lang"))
        .unwrap_or_default();
    let lang = lang.trim().to_ascii_lowercase();
    !(lang.is_empty() || lang == "en" || lang.starts_with("en-us") || lang.starts_with("en_us"))
}

/// The first two-digit-year date (`30.10.23`) in a date element's text
/// that no "Updated" label precedes.
fn first_short_date(text: &str, w: &Window) -> Option<NaiveDate> {
    short_dates_in_text(text)
        .into_iter()
        .find(|&(at, d)| w.admits(d) && !is_updated_label(&text[..at]))
        .map(|(_, d)| d)
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The article's headline: the first `<h1>` (else `<h2>`) that the page
/// title contains, else the first `<h1>` long enough to be a headline.
fn headline(doc: &Html) -> Option<ElementRef<'_>> {
    let title = meta(doc, &[r#"meta[property="og:title"]"#])
        .or_else(|| doc.select(&sel("title")).next().map(element_text))
        .map(|t| squeeze(&t).to_lowercase())
        .unwrap_or_default();
    let long = |e: &ElementRef<'_>| element_text(*e).split_whitespace().count() >= 3;
    ["h1", "h2"]
        .iter()
        .find_map(|s| {
            doc.select(&sel(s))
                .filter(long)
                .find(|e| title.contains(&squeeze(&element_text(*e)).to_lowercase()))
        })
        .or_else(|| doc.select(&sel("h1")).find(long))
}

/// The first date in a short text that no "Updated" label precedes.
fn first_text_date(text: &str, w: &Window) -> Option<NaiveDate> {
    dates_in_text(text)
        .into_iter()
        .find(|&(at, d)| w.admits(d) && !is_updated_label(&text[..at]))
        .map(|(_, d)| d)
}

/// A date right after "Published", "Veröffentlicht" or the like anywhere in
/// the page text.
fn published_phrase(doc: &Html, w: &Window) -> Option<NaiveDate> {
    let body = doc.select(&sel("body")).next()?;
    let mut text = super::block_text(body);
    if text.len() > PHRASE_SEARCH_BYTES {
        let cut = (0..=PHRASE_SEARCH_BYTES)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
    }
    dates_in_text(&text).into_iter().find_map(|(at, d)| {
        let start = (0..=at.saturating_sub(40))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let before = text[start..at].to_lowercase();
        (w.admits(d)
            && words()
                .published
                .iter()
                .any(|p| before.contains(p.as_str())))
        .then_some(d)
    })
}

/// Keys under which a page's own scripts (a framework's state, an
/// analytics layer) name the publication time.
const SCRIPT_DATE_KEYS: &str = "datePublished|publishedDate|publishDate|published_at|publishedAt|publicationDate|firstPublishedAt|firstPublished";

static SCRIPT_DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(&format!(
        r#"["']?(?:{SCRIPT_DATE_KEYS})["']?\s*[:=]\s*["']([0-9][0-9T:.+\- Z]{{7,34}})["']"#
    ))
    .expect("valid regex")
});

/// The first publication time a page's inline scripts give by name, read
/// when nothing the reader sees dates the page: single-page sites keep
/// their metadata in a state object rather than in meta tags.
fn script_date(doc: &Html, w: &Window) -> Option<NaiveDate> {
    doc.select(&sel("script:not([src])"))
        .take(MAX_SCRIPTS)
        .find_map(|e| {
            let code: String = e.text().collect();
            SCRIPT_DATE
                .captures_iter(&code)
                .find_map(|c| w.parse(c.get(1)?.as_str()))
        })
}

/// How many inline scripts are searched for a publication time.
const MAX_SCRIPTS: usize = 200;
