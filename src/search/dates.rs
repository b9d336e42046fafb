//! The one date vocabulary of queries: what `--since`, `--from`, `--to`,
//! `--year` and `date:` accept. Every form names a period of whole days;
//! a flag takes the end it needs (`--from` the first day, `--to` the last).
//!
//! - absolute: `2021`, `2021-05`, `2021-05-14` (also with `/`), `May 2021`,
//!   `May 14, 2021`, `14 May 2021`, RFC 3339;
//! - day/month/year with slashes or dots only when the order is clear
//!   (`31/12/2024`); `01/02/2024` is refused as ambiguous;
//! - relative to today: `today`, `yesterday`, `2 weeks ago`, `2 weeks`,
//!   `a year ago`, `1y`, `3mo`, `this week|month|year`,
//!   `last week|month|year` (the previous calendar one), `last 2 weeks`.
//!
//! Pure functions: "today" is a parameter, read from the clock by the CLI.
//! Anything not understood is an error naming a form that works, never a
//! guess and never a silent empty result.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::normalize::dates::parse_date;

/// Days from `start` (inclusive) to `end` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub start: NaiveDate,
    /// The day after the last one.
    pub end: NaiveDate,
}

impl Period {
    /// The last day of the period.
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }

    /// The year when the period is exactly one calendar year.
    pub fn whole_year(&self) -> Option<i32> {
        let y = self.start.year();
        let is_year =
            self.start.ordinal() == 1 && NaiveDate::from_ymd_opt(y + 1, 1, 1) == Some(self.end);
        is_year.then_some(y)
    }
}

/// Why a date expression was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhenError {
    /// Day and month could be either way round.
    Ambiguous {
        /// What was given.
        input: String,
        /// The day-first reading, as YYYY-MM-DD.
        day_first: NaiveDate,
        /// The month-first reading, as YYYY-MM-DD.
        month_first: NaiveDate,
    },
    /// A year written with two digits.
    ShortYear(String),
    /// A day that does not exist (`2021-02-30`).
    Impossible(String),
    /// A relative date but no today to count from.
    NoToday(String),
    /// Not a date we understand.
    Unknown(String),
}

/// Forms that work, for error messages.
pub const EXAMPLES: &str = "2021-05-14, 2021-05, 2021, \"2 weeks ago\" or \"last year\"";

impl std::fmt::Display for WhenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhenError::Ambiguous {
                input,
                day_first,
                month_first,
            } => write!(
                f,
                "{input:?} could be {day_first} or {month_first}; write the date as YYYY-MM-DD"
            ),
            WhenError::ShortYear(s) => {
                write!(f, "{s:?} is not a year; write all four digits, e.g. 2021")
            }
            WhenError::Impossible(s) => {
                write!(f, "impossible date {s:?}: no such month or day")
            }
            WhenError::NoToday(s) => {
                write!(f, "{s:?} is relative to today, which was not given")
            }
            WhenError::Unknown(s) => write!(f, "{s:?} is not a date; use {EXAMPLES}"),
        }
    }
}

impl std::error::Error for WhenError {}

/// Parses a date expression into the period it names.
pub fn parse_when(input: &str, today: Option<NaiveDate>) -> Result<Period, WhenError> {
    let s = input.trim().to_lowercase();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(WhenError::Unknown(input.to_string()));
    }
    if let Some(p) = absolute(&s, input)? {
        return Ok(p);
    }
    let Some(today) = today else {
        // Any ordinary day tells whether the form is a relative one.
        let probe = NaiveDate::from_ymd_opt(2000, 6, 15).unwrap_or_default();
        return match relative(&s, probe) {
            Some(_) => Err(WhenError::NoToday(input.to_string())),
            None => Err(WhenError::Unknown(input.to_string())),
        };
    };
    relative(&s, today).ok_or_else(|| WhenError::Unknown(input.to_string()))
}

fn day(d: NaiveDate) -> Option<Period> {
    Some(Period {
        start: d,
        end: d.succ_opt()?,
    })
}

fn year(y: i32) -> Option<Period> {
    Some(Period {
        start: NaiveDate::from_ymd_opt(y, 1, 1)?,
        end: NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
    })
}

fn month(y: i32, m: u32) -> Option<Period> {
    let start = NaiveDate::from_ymd_opt(y, m, 1)?;
    Some(Period {
        start,
        end: start.checked_add_months(Months::new(1))?,
    })
}

/// A run of ASCII digits as a number.
fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 8 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A four-digit year; a shorter number is an error, not a year 21.
fn four_digit_year(s: &str, input: &str) -> Result<Option<i32>, WhenError> {
    match digits(s) {
        Some(y) if s.len() == 4 => Ok(Some(y as i32)),
        Some(_) => Err(WhenError::ShortYear(input.to_string())),
        None => Ok(None),
    }
}

fn impossible(input: &str) -> WhenError {
    WhenError::Impossible(input.to_string())
}

/// Calendar dates and periods that need no today.
fn absolute(s: &str, input: &str) -> Result<Option<Period>, WhenError> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.iter().all(|p| digits(p).is_some()) {
        return numeric(&parts, input).map(Some);
    }
    // "may 2021", "2021 may"
    let words: Vec<&str> = s.split(' ').collect();
    if let [a, b] = words.as_slice() {
        let (m, y) = if digits(a).is_some() { (b, a) } else { (a, b) };
        if let Some(m) = crate::normalize::dates::month_number(m) {
            if let Some(y) = four_digit_year(y, input)? {
                return month(y, m).ok_or_else(|| impossible(input)).map(Some);
            }
        }
    }
    match parse_date(input) {
        Ok(d) => Ok(day(d)),
        Err(crate::normalize::dates::DateError::Impossible(_)) => Err(impossible(input)),
        Err(_) => Ok(None),
    }
}

/// `2021`, `2021-05`, `2021-05-14`, `20210514`, `31/12/2024`.
fn numeric(parts: &[&str], input: &str) -> Result<Period, WhenError> {
    let n = |p: &str| digits(p).unwrap_or(0);
    let bad = || impossible(input);
    match parts {
        [y] if y.len() == 8 => {
            let (y, md) = y.split_at(4);
            let (m, d) = md.split_at(2);
            NaiveDate::from_ymd_opt(n(y) as i32, n(m), n(d))
                .and_then(day)
                .ok_or_else(bad)
        }
        [y] => {
            let y = four_digit_year(y, input)?.ok_or_else(|| WhenError::Unknown(input.into()))?;
            year(y).ok_or_else(bad)
        }
        [y, m] if y.len() == 4 => month(n(y) as i32, n(m)).ok_or_else(bad),
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(n(y) as i32, n(m), n(d))
            .and_then(day)
            .ok_or_else(bad),
        [a, b, y] => {
            let y = four_digit_year(y, input)?.ok_or_else(|| WhenError::Unknown(input.into()))?;
            let day_first = NaiveDate::from_ymd_opt(y, n(b), n(a));
            let month_first = NaiveDate::from_ymd_opt(y, n(a), n(b));
            match (day_first, month_first) {
                (Some(d), Some(m)) if d != m => Err(WhenError::Ambiguous {
                    input: input.trim().to_string(),
                    day_first: d,
                    month_first: m,
                }),
                (Some(d), _) | (None, Some(d)) => day(d).ok_or_else(bad),
                (None, None) => Err(bad()),
            }
        }
        [m, y] if y.len() == 4 => month(n(y) as i32, n(m)).ok_or_else(bad),
        _ => Err(WhenError::Unknown(input.into())),
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "d" | "day" | "days" => Unit::Day,
        "w" | "wk" | "wks" | "week" | "weeks" => Unit::Week,
        "m" | "mo" | "mos" | "mon" | "month" | "months" => Unit::Month,
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Year,
        _ => return None,
    })
}

fn count(word: &str) -> Option<u32> {
    let small = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    match word {
        "a" | "an" => Some(1),
        _ => digits(word).or_else(|| small.iter().position(|w| *w == word).map(|i| i as u32 + 1)),
    }
}

/// `today` moved back by `n` units; None when it leaves the calendar.
fn back(today: NaiveDate, n: u32, unit: Unit) -> Option<NaiveDate> {
    match unit {
        Unit::Day => today.checked_sub_days(Days::new(n.into())),
        Unit::Week => today.checked_sub_days(Days::new(u64::from(n) * 7)),
        Unit::Month => today.checked_sub_months(Months::new(n)),
        Unit::Year => today.checked_sub_months(Months::new(n.checked_mul(12)?)),
    }
}

/// The calendar week, month or year holding `d`.
fn calendar(d: NaiveDate, unit: Unit) -> Option<Period> {
    match unit {
        Unit::Day => day(d),
        Unit::Week => {
            let start = d.checked_sub_days(Days::new(d.weekday().num_days_from_monday().into()))?;
            Some(Period {
                start,
                end: start.checked_add_days(Days::new(7))?,
            })
        }
        Unit::Month => month(d.year(), d.month()),
        Unit::Year => year(d.year()),
    }
}

/// "2 weeks" and "2w" as (count, unit).
fn amount(words: &[&str]) -> Option<(u32, Unit)> {
    match words {
        [n, u] => Some((count(n)?, unit(u)?)),
        [compact] => {
            let split = compact.find(|c: char| !c.is_ascii_digit())?;
            let (n, u) = compact.split_at(split);
            Some((digits(n)?, unit(u)?))
        }
        _ => None,
    }
}

/// Forms counted from today.
fn relative(s: &str, today: NaiveDate) -> Option<Period> {
    let words: Vec<&str> = s.split(' ').collect();
    match words.as_slice() {
        ["today"] | ["now"] => return day(today),
        ["yesterday"] => return day(today.pred_opt()?),
        ["this", u] => return calendar(today, unit(u)?),
        ["last" | "previous", u] if unit(u).is_some() => {
            let u = unit(u)?;
            return calendar(back(calendar(today, u)?.start, 1, u)?, u);
        }
        _ => {}
    }
    let (words, ago) = match words.split_last() {
        Some((&"ago", rest)) => (rest, true),
        _ => (words.as_slice(), false),
    };
    match words {
        // "last 2 weeks", "past 3 months": from then through today.
        ["last" | "past", rest @ ..] if !ago => {
            let (n, u) = amount(rest)?;
            Some(Period {
                start: back(today, n, u)?,
                end: today.succ_opt()?,
            })
        }
        // "2 weeks ago", "2 weeks", "1y": that day. A bare amount reads
        // as the past: nothing is published in the future.
        _ => {
            let (n, u) = amount(words)?;
            day(back(today, n, u)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn p(a: NaiveDate, b: NaiveDate) -> Period {
        Period { start: a, end: b }
    }

    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 12, 2) {
        Some(t) => t,
        None => NaiveDate::MIN,
    };

    fn when(s: &str) -> Result<Period, WhenError> {
        parse_when(s, Some(TODAY))
    }

    #[test]
    fn absolute_forms_name_their_period() {
        for (s, want) in [
            ("2024", p(d(2024, 1, 1), d(2025, 1, 1))),
            ("2024-02", p(d(2024, 2, 1), d(2024, 3, 1))),
            ("2024/12", p(d(2024, 12, 1), d(2025, 1, 1))),
            ("2024-02-29", p(d(2024, 2, 29), d(2024, 3, 1))),
            ("2024/02/29", p(d(2024, 2, 29), d(2024, 3, 1))),
            ("20240229", p(d(2024, 2, 29), d(2024, 3, 1))),
            ("May 2021", p(d(2021, 5, 1), d(2021, 6, 1))),
            ("Sept. 2021", p(d(2021, 9, 1), d(2021, 10, 1))),
            ("May 14, 2021", p(d(2021, 5, 14), d(2021, 5, 15))),
            ("14 May 2021", p(d(2021, 5, 14), d(2021, 5, 15))),
            ("31/12/2024", p(d(2024, 12, 31), d(2025, 1, 1))),
            ("12/31/2024", p(d(2024, 12, 31), d(2025, 1, 1))),
            ("05.05.2024", p(d(2024, 5, 5), d(2024, 5, 6))),
            ("05/2024", p(d(2024, 5, 1), d(2024, 6, 1))),
            ("2021-05-12T18:30:00Z", p(d(2021, 5, 12), d(2021, 5, 13))),
        ] {
            assert_eq!(parse_when(s, None), Ok(want), "{s}");
        }
    }

    #[test]
    fn relative_forms_count_back_from_today() {
        for (s, want) in [
            ("today", d(2026, 12, 2)),
            ("yesterday", d(2026, 12, 1)),
            ("2 weeks ago", d(2026, 11, 18)),
            ("2 weeks", d(2026, 11, 18)),
            ("2w", d(2026, 11, 18)),
            ("2 years", d(2024, 12, 2)),
            ("1y", d(2025, 12, 2)),
            ("a year ago", d(2025, 12, 2)),
            ("three days ago", d(2026, 11, 29)),
            ("3mo", d(2026, 9, 2)),
            ("6 Months Ago", d(2026, 6, 2)),
        ] {
            assert_eq!(when(s).map(|p| p.start), Ok(want), "{s}");
        }
        assert_eq!(when("this year"), Ok(p(d(2026, 1, 1), d(2027, 1, 1))));
        assert_eq!(when("last year"), Ok(p(d(2025, 1, 1), d(2026, 1, 1))));
        assert_eq!(when("this month"), Ok(p(d(2026, 12, 1), d(2027, 1, 1))));
        assert_eq!(when("last month"), Ok(p(d(2026, 11, 1), d(2026, 12, 1))));
        // 2026-12-02 is a Wednesday.
        assert_eq!(when("this week"), Ok(p(d(2026, 11, 30), d(2026, 12, 7))));
        assert_eq!(when("last week"), Ok(p(d(2026, 11, 23), d(2026, 11, 30))));
        assert_eq!(when("last 2 weeks"), Ok(p(d(2026, 11, 18), d(2026, 12, 3))));
        assert_eq!(when("past 3 days"), Ok(p(d(2026, 11, 29), d(2026, 12, 3))));
    }

    #[test]
    fn what_is_ambiguous_or_unknown_is_an_error() {
        assert!(matches!(
            when("01/02/2024"),
            Err(WhenError::Ambiguous { .. })
        ));
        let message = when("01/02/2024").err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("\"01/02/2024\" could be 2024-02-01 or 2024-01-02; write the date as YYYY-MM-DD")
        );
        assert_eq!(when("21"), Err(WhenError::ShortYear("21".into())));
        assert_eq!(
            when("01/02/24"),
            Err(WhenError::ShortYear("01/02/24".into()))
        );
        assert_eq!(
            when("2021-02-30"),
            Err(WhenError::Impossible("2021-02-30".into()))
        );
        assert_eq!(
            when("2021-13"),
            Err(WhenError::Impossible("2021-13".into()))
        );
        for s in [
            "soon",
            "",
            "in 2 weeks",
            "2 fortnights",
            "last",
            "2021-05-14-01",
        ] {
            assert!(matches!(when(s), Err(WhenError::Unknown(_))), "{s}");
        }
        assert_eq!(
            parse_when("2 weeks ago", None),
            Err(WhenError::NoToday("2 weeks ago".into()))
        );
    }

    #[test]
    fn whole_years_are_recognized() {
        assert_eq!(when("2021").ok().and_then(|p| p.whole_year()), Some(2021));
        assert_eq!(
            when("last year").ok().and_then(|p| p.whole_year()),
            Some(2025)
        );
        assert_eq!(when("2021-05").ok().and_then(|p| p.whole_year()), None);
    }
}
