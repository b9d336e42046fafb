//! Date parsing for the formats real sources use, and date discovery in text
//! (datelines, `Published:` lines) and paths. Pure functions: no clock reads.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use regex::Regex;

/// Why a date string gave no date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The string looks like a date but names a day that does not exist.
    Impossible(String),
    /// The string is not a date in any format we know.
    Unrecognized(String),
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Impossible(s) => write!(f, "impossible date {s:?}"),
            DateError::Unrecognized(s) => write!(f, "unrecognized date {s:?}"),
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month a name or abbreviation stands for (`May`, `sept.`, `DEC`).
pub fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let idx = MONTHS.iter().position(|m| lower.starts_with(m))?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][idx];
    // "Sept" and the three-letter forms are prefixes of the full name.
    full.starts_with(&lower).then_some(idx as u32 + 1)
}

static NUMERIC_YMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ])").expect("valid regex")
});
static COMPACT_YMD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})(\d{2})(\d{2})$").expect("valid regex"));
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z]+,?\s+)??([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
        .expect("valid regex")
});
/// `Tue Jan 28 15:28:56 CET 2020`: what Java's `Date.toString` writes.
static CTIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:[A-Za-z]{1,5}\s+)?(\d{4})$",
    )
    .expect("valid regex")
});
/// `18.10.2019` or `18.10.2019 17:08`: the dotted form is always day first.
static DOTTED_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:$|[ ,T])").expect("valid regex")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9}\.?),?\s+(\d{4})\b")
        .expect("valid regex")
});

fn ymd(y: &str, m: u32, d: &str, original: &str) -> Result<NaiveDate, DateError> {
    let (Ok(y), Ok(d)) = (y.parse::<i32>(), d.parse::<u32>()) else {
        return Err(DateError::Unrecognized(original.to_string()));
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(DateError::Unrecognized(original.to_string()));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateError::Impossible(original.to_string()))
}

/// Parses a date written the ways news sources write them: RFC 3339,
/// RFC 2822, `2020-12-13`, `2020/12/13`, `20201213`, `Dec. 13, 2020`,
/// `December 13, 2020`, `13 December 2020`. Time and zone are dropped after
/// the conversion to UTC date where they are given.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let s = input.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.date_naive());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Ok(dt.date_naive());
    }
    if let Some(c) = NUMERIC_YMD.captures(s) {
        let month = c[2].parse().unwrap_or(0);
        return ymd(&c[1], month, &c[3], s);
    }
    if let Some(c) = COMPACT_YMD.captures(s) {
        let month = c[2].parse().unwrap_or(0);
        return ymd(&c[1], month, &c[3], s);
    }
    if let Some(c) = DOTTED_DMY.captures(s) {
        let month = c[2].parse().unwrap_or(0);
        return ymd(&c[3], month, &c[1], s);
    }
    if let Some(c) = CTIME.captures(s) {
        if let Some(month) = month_number(&c[1]) {
            return ymd(&c[3], month, &c[2], s);
        }
    }
    if let Some(c) = MONTH_DAY_YEAR.captures(s) {
        if let Some(month) = month_number(&c[1]) {
            return ymd(&c[3], month, &c[2], s);
        }
    }
    if let Some(c) = DAY_MONTH_YEAR.captures(s) {
        if let Some(month) = month_number(&c[2]) {
            return ymd(&c[3], month, &c[1], s);
        }
    }
    Err(DateError::Unrecognized(s.to_string()))
}

static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][A-Za-z. ]{1,30})?,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}|\d{4}[-/]\d{2}[-/]\d{2})\s*(?:\([^)]{1,40}\)\s*)?(?:—|–|--|-)",
    )
    .expect("valid regex")
});

/// The date of a dateline opening a paragraph: `WASHINGTON, Dec. 13, 2020 —`.
pub fn dateline_date(paragraph: &str) -> Option<&str> {
    DATELINE
        .captures(paragraph)
        .and_then(|c| c.name("date"))
        .map(|m| m.as_str())
}

static PUBLISHED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:published|date|posted|published on|dated)\s*:\s*(.{6,60})$")
        .expect("valid regex")
});

/// The value of a `Published: …` or `Date: …` line.
pub fn published_line_date(line: &str) -> Option<&str> {
    PUBLISHED_LINE
        .captures(line.trim())
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim())
}

static PATH_FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|/)((?:19|20)\d{2})[-_/]?(\d{2})[-_/]?(\d{2})(?:[-_/.]|$)")
        .expect("valid regex")
});
static PATH_YEAR_MONTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|/)((?:19|20)\d{2})/(\d{2})/").expect("valid regex"));
static PATH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|/)((?:19|20)\d{2})/").expect("valid regex"));

/// A date from a relative path: `2019-06-04-name.md`, `…/2021/05/14/…`,
/// `…/2021/05/…` (first of the month) or `…/2021/…` (first of the year).
pub fn path_date(path: &str) -> Option<NaiveDate> {
    for c in PATH_FULL.captures_iter(path) {
        let (Ok(y), Ok(m), Ok(d)) = (c[1].parse(), c[2].parse(), c[3].parse()) else {
            continue;
        };
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            return Some(date);
        }
    }
    if let Some(c) = PATH_YEAR_MONTH.captures(path) {
        let (Ok(y), Ok(m)) = (c[1].parse(), c[2].parse()) else {
            return None;
        };
        return NaiveDate::from_ymd_opt(y, m, 1);
    }
    let c = PATH_YEAR.captures(path)?;
    NaiveDate::from_ymd_opt(c[1].parse().ok()?, 1, 1)
}

fn any_month(name: &str) -> Option<u32> {
    super::date_words::words().month(name)
}

static TEXT_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\b(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})\b)",
        r"|(?:\b(?P<dd>\d{1,2})\.\s?(?P<dm>\d{1,2})\.\s?(?P<dy>(?:19|20)\d{2})\b)",
        r"|(?:\b(?P<ky>(?:19|20)\d{2})[./](?P<km>\d{1,2})[./](?P<kd>\d{1,2})\b)",
        r"|(?:\b(?P<nd>\d{1,2})(?:\.|st|nd|rd|th|er)?\s+(?:de\s+)?(?P<nm>\p{L}{3,12}\.?),?\s+(?:de\s+)?(?P<ny>(?:19|20)\d{2})\b)",
        r"|(?:\b(?P<mm>\p{L}{3,12}\.?)\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<my>(?:19|20)\d{2})\b)",
    ))
    .expect("valid regex")
});

/// Every full date written in running text, with its byte offset: ISO
/// `2021-05-14`, `2021.05.14` and `2021/05/14` (year first, as East Asian
/// sites write it), German `14.05.2021`, `14. Mai 2021`, `14 May 2021`,
/// `May 14, 2021`, `18 de febrero de 2020`, `15 августа 2016` (the month
/// names of `data/date_words.toml`). Impossible days are left out.
pub fn dates_in_text(text: &str) -> Vec<(usize, NaiveDate)> {
    let num = |c: &regex::Captures<'_>, k: &str| -> Option<u32> {
        c.name(k).and_then(|m| m.as_str().parse().ok())
    };
    TEXT_DATE
        .captures_iter(text)
        .filter_map(|c| {
            let start = c.get(0)?.start();
            let (y, m, d) = if c.name("iy").is_some() {
                (num(&c, "iy")?, num(&c, "im")?, num(&c, "id")?)
            } else if c.name("ky").is_some() {
                (num(&c, "ky")?, num(&c, "km")?, num(&c, "kd")?)
            } else if c.name("dd").is_some() {
                (num(&c, "dy")?, num(&c, "dm")?, num(&c, "dd")?)
            } else if c.name("nd").is_some() {
                (
                    num(&c, "ny")?,
                    any_month(c.name("nm")?.as_str())?,
                    num(&c, "nd")?,
                )
            } else {
                (
                    num(&c, "my")?,
                    any_month(c.name("mm")?.as_str())?,
                    num(&c, "md")?,
                )
            };
            NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|date| (start, date))
        })
        .collect()
}

static SHORT_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?:$|[^\d.]|\.\D|\.$)")
        .expect("valid regex")
});

/// Day-first dates with a two-digit year, `30.10.23`, with their byte
/// offsets: the years 2000–2099. Only worth reading where the markup says
/// the text is a date (a byline's `class="date"`); in running text the
/// form is as often a score or a version.
pub fn short_dates_in_text(text: &str) -> Vec<(usize, NaiveDate)> {
    SHORT_DMY
        .captures_iter(text)
        .filter_map(|c| {
            let at = c.get(1)?.start();
            let part = |i: usize| c.get(i)?.as_str().parse::<u32>().ok();
            let year = 2000 + i32::try_from(part(3)?).ok()?;
            NaiveDate::from_ymd_opt(year, part(2)?, part(1)?).map(|d| (at, d))
        })
        .collect()
}

static SLASH_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b").expect("valid regex"));

/// Dates written `02/10/2020`, with their byte offsets. When only one
/// order of day and month names a real day, that one; otherwise
/// `day_first` decides (the 2nd of October in Britain, February 10th in
/// the United States).
pub fn slash_dates_in_text(text: &str, day_first: bool) -> Vec<(usize, NaiveDate)> {
    SLASH_DATE
        .captures_iter(text)
        .filter_map(|c| {
            let at = c.get(0)?.start();
            let a: u32 = c[1].parse().ok()?;
            let b: u32 = c[2].parse().ok()?;
            let y: i32 = c[3].parse().ok()?;
            let (d, m) = match (a > 12, b > 12) {
                (true, false) => (a, b),
                (false, true) => (b, a),
                (false, false) if day_first => (a, b),
                (false, false) => (b, a),
                (true, true) => return None,
            };
            NaiveDate::from_ymd_opt(y, m, d).map(|date| (at, date))
        })
        .collect()
}

static URL_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})(?:[-/_](\d{1,2})[-/_](\d{1,2})|(\d{2})(\d{2}))(?:[-/_.]|$)")
        .expect("valid regex")
});

/// `/2020/oct/02/`, as The Guardian writes its paths.
static URL_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)/((?:19|20)\d{2})/([a-z]{3,9})/(\d{1,2})(?:[-/_.]|$)").expect("valid regex")
});

static URL_DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/(\d{2})[-_.](\d{2})[-_.]((?:19|20)\d{2})(?:[-/_.]|$)").expect("valid regex")
});

/// The day a URL's path names: `/2021/05/14/`, `/2021-05-14-title`,
/// `/20210514/`, `/2021/may/14/`, and `/29-10-2021` when only one reading of day and month
/// is a date (`/05-06-2021` could be either, so it names no day). A year
/// and month alone do not name a day.
pub fn url_day(url: &str) -> Option<NaiveDate> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = &path[path.find('/')?..];
    let year_first = URL_DAY.captures_iter(path).find_map(|c| {
        let part = |a: usize, b: usize| c.get(a).or(c.get(b))?.as_str().parse().ok();
        NaiveDate::from_ymd_opt(c[1].parse().ok()?, part(2, 4)?, part(3, 5)?)
    });
    let month_named = || {
        URL_MONTH_DAY.captures_iter(path).find_map(|c| {
            let month = month_number(&c[2])?;
            NaiveDate::from_ymd_opt(c[1].parse().ok()?, month, c[3].parse().ok()?)
        })
    };
    year_first.or_else(month_named).or_else(|| {
        URL_DAY_FIRST.captures_iter(path).find_map(|c| {
            let (a, b, y) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
            let day_first = NaiveDate::from_ymd_opt(y, b, a);
            let month_first = NaiveDate::from_ymd_opt(y, a, b);
            match (day_first, month_first) {
                (Some(d), None) | (None, Some(d)) => Some(d),
                (Some(d), Some(m)) if d == m => Some(d),
                _ => None,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn parses_the_formats_sources_use() {
        for (s, want) in [
            ("2020-12-13", d(2020, 12, 13)),
            ("2020/12/13", d(2020, 12, 13)),
            ("20201213", d(2020, 12, 13)),
            ("2021-05-12T18:30:00Z", d(2021, 5, 12)),
            ("2016-07-09T23:30:00-02:00", d(2016, 7, 9)),
            ("Tue, 23 Jan 2024 09:00:00 +1100", d(2024, 1, 23)),
            ("Dec. 13, 2020", d(2020, 12, 13)),
            ("Sept. 13, 2017", d(2017, 9, 13)),
            ("December 13, 2020", d(2020, 12, 13)),
            ("13 December 2020", d(2020, 12, 13)),
            ("Monday, June 4, 2018", d(2018, 6, 4)),
            ("Tue Jan 28 15:28:56 CET 2020", d(2020, 1, 28)),
            ("18.10.2019 17:08", d(2019, 10, 18)),
            ("3.2.2021", d(2021, 2, 3)),
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        assert!(matches!(
            parse_date("2020-02-30"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            parse_date("February 30, 2021"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            parse_date("soon"),
            Err(DateError::Unrecognized(_))
        ));
        assert!(matches!(
            parse_date("Maybe 12, 2020"),
            Err(DateError::Unrecognized(_))
        ));
    }

    #[test]
    fn datelines_date_articles() {
        assert_eq!(
            dateline_date("WASHINGTON, Dec. 13, 2020 — The agency"),
            Some("Dec. 13, 2020")
        );
        assert_eq!(
            dateline_date("LONDON, 13 December 2020 — x"),
            Some("13 December 2020")
        );
        assert_eq!(
            dateline_date("SAN JOSE, Calif., May 4, 2021 -- x"),
            Some("May 4, 2021")
        );
        assert_eq!(dateline_date("The agency said on Dec. 13, 2020 — x"), None);
    }

    #[test]
    fn german_and_english_dates_are_found_in_text() {
        let found: Vec<NaiveDate> = dates_in_text(
            "Veröffentlicht am 3. März 2022, aktualisiert 14.05.2022; Published March 3, 2022 or 4 Dez. 2021 and 2020-01-02",
        )
        .into_iter()
        .map(|(_, d)| d)
        .collect();
        assert_eq!(
            found,
            [
                d(2022, 3, 3),
                d(2022, 5, 14),
                d(2022, 3, 3),
                d(2021, 12, 4),
                d(2020, 1, 2)
            ]
        );
        assert!(dates_in_text("31.02.2021 and May 40, 2020").is_empty());
        assert_eq!(dates_in_text("jeudi 13 juin 2019")[0].1, d(2019, 6, 13));
        assert_eq!(
            dates_in_text("Madrid, 18 de febrero de 2020")[0].1,
            d(2020, 2, 18)
        );
    }

    #[test]
    fn year_first_dotted_and_genitive_month_dates_are_found_in_text() {
        let found = |t: &str| {
            dates_in_text(t)
                .into_iter()
                .map(|(_, d)| d)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("2023.11.02. 오후 8:06"), vec![d(2023, 11, 2)]);
        assert_eq!(found("15 августа 2016, 13:43"), vec![d(2016, 8, 15)]);
        assert_eq!(found("3 października 2021"), vec![d(2021, 10, 3)]);
        assert_eq!(found("18 de septiembre de 2020"), vec![d(2020, 9, 18)]);
    }

    #[test]
    fn two_digit_years_are_read_only_as_day_month_year_with_dots() {
        let found = |t: &str| {
            short_dates_in_text(t)
                .into_iter()
                .map(|(_, d)| d)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("Party, 30.10.23"), vec![d(2023, 10, 30)]);
        assert_eq!(found("28.01.22 / 0 comments"), vec![d(2022, 1, 28)]);
        // Versions and full dates are not two-digit-year dates.
        assert!(found("release 1.2.3.4").is_empty());
        assert!(found("30.10.2023").is_empty());
        assert!(found("31.02.23").is_empty());
    }

    #[test]
    fn slash_dates_follow_the_page_order_unless_only_one_reading_is_a_day() {
        let found = |t: &str, day_first| {
            slash_dates_in_text(t, day_first)
                .into_iter()
                .map(|(_, d)| d)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("02/10/2020", true), vec![d(2020, 10, 2)]);
        assert_eq!(found("02/10/2020", false), vec![d(2020, 2, 10)]);
        assert_eq!(found("25/12/2020", false), vec![d(2020, 12, 25)]);
        assert_eq!(found("12/25/2020", true), vec![d(2020, 12, 25)]);
        assert!(found("25/13/2020", true).is_empty());
    }

    #[test]
    fn url_days_need_year_month_and_day() {
        assert_eq!(
            url_day("https://x.com/2021/05/14/title/"),
            Some(d(2021, 5, 14))
        );
        assert_eq!(
            url_day("https://x.com/news/2020-01-02-title"),
            Some(d(2020, 1, 2))
        );
        assert_eq!(
            url_day("https://x.com/world/2020/oct/02/title"),
            Some(d(2020, 10, 2))
        );
        assert_eq!(url_day("https://x.com/2019/43/title"), None);
        assert_eq!(url_day("https://x.com/2018/12/title"), None, "not 2018-1-2");
        assert_eq!(url_day("https://x.com/a/20191016/b"), Some(d(2019, 10, 16)));
        assert_eq!(url_day("https://2021.x.com/05/14"), None);
        assert_eq!(
            url_day("https://x.org/meldungen/29-10-2021"),
            Some(d(2021, 10, 29))
        );
        assert_eq!(
            url_day("https://x.com/news/10-29-2021/"),
            Some(d(2021, 10, 29))
        );
        assert_eq!(url_day("https://x.org/meldungen/05-06-2021"), None);
    }

    #[test]
    fn paths_date_articles() {
        assert_eq!(path_date("notes/2019-06-04-name.md"), Some(d(2019, 6, 4)));
        assert_eq!(path_date("text/2021/05/x.txt"), Some(d(2021, 5, 1)));
        assert_eq!(path_date("2021/x.txt"), Some(d(2021, 1, 1)));
        assert_eq!(path_date("misc/x.txt"), None);
        assert_eq!(
            path_date("data/blackhole-cve-2012-0507.txt"),
            None,
            "a CVE id is not a date"
        );
    }
}
