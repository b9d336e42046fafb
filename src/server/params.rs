//! Query-string parameters, named like the CLI flags, turned into a
//! validated [`SearchRequest`]. Shared by the JSON API and the page, so a
//! page URL and an API URL with the same parameters ask the same question.

use chrono::NaiveDate;

use crate::normalize::Kind;
use crate::search::dates::{parse_when, Period};
use crate::search::timeline::{Interval, Split, TimelineRequest};
use crate::search::{FacetField, SearchRequest, Sort};

/// Longest query string accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1_000;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest page one request may ask for.
pub const MAX_OFFSET: usize = 10_000;
/// Most values one facet filter may list.
const MAX_VALUES: usize = 50;

/// A parameter that cannot be used, with the message a client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam(pub String);

/// The parameters of a request, in order, repeated names kept.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (`a=1&b=2`), percent-decoded.
    pub fn parse(raw: Option<&str>) -> Params {
        let raw = raw.unwrap_or("");
        Params(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first non-empty value of `name`.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// These parameters with `name=value` added, or removed when present.
    pub fn toggled(&self, name: &str, value: &str) -> Params {
        let present = self.0.iter().any(|(k, v)| k == name && v == value);
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, v)| !(k == name && v == value) && k != "offset")
            .cloned()
            .collect();
        if !present {
            pairs.push((name.to_string(), value.to_string()));
        }
        Params(pairs)
    }

    /// These parameters with every `name` replaced by `value` (removed when
    /// `value` is None).
    pub fn with(&self, name: &str, value: Option<&str>) -> Params {
        let mut pairs: Vec<(String, String)> =
            self.0.iter().filter(|(k, _)| k != name).cloned().collect();
        if let Some(v) = value {
            pairs.push((name.to_string(), v.to_string()));
        }
        Params(pairs)
    }

    /// The query string (without `?`).
    pub fn encode(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }
}

/// Builds the search request these parameters describe. `today` anchors
/// `since`; `default_limit` is the page size when `limit` is absent.
pub fn search_request(
    params: &Params,
    today: NaiveDate,
    default_limit: usize,
) -> Result<SearchRequest, BadParam> {
    let query = params.first("q").unwrap_or("").to_string();
    if query.len() > MAX_QUERY_BYTES {
        return Err(BadParam(format!(
            "q is {} bytes long; the limit is {MAX_QUERY_BYTES}",
            query.len()
        )));
    }
    let mut request = SearchRequest {
        query,
        agencies: values(params, "agency")?,
        topics: values(params, "topic")?,
        countries: values(params, "country")?,
        sources: values(params, "source")?,
        year: year(params, today)?,
        from: period(params, "from", today)?.map(|p| p.start),
        to: period(params, "to", today)?.map(|p| p.last_day()),
        sort: sort(params)?,
        limit: number::<usize>(params, "limit")?
            .unwrap_or(default_limit)
            .min(MAX_LIMIT),
        offset: number::<usize>(params, "offset")?.unwrap_or(0),
        facets: flag(params, "facets")?,
        facet_fields: Vec::new(),
        snippets: true,
        today: Some(today),
        // One story once, as in the CLI; `collapse=0` lists every copy.
        collapse: params
            .first("collapse")
            .is_none_or(|v| !matches!(v, "0" | "false" | "no" | "off")),
        dedupe: flag(params, "dedupe")?,
        ..SearchRequest::default()
    };
    if request.offset > MAX_OFFSET {
        return Err(BadParam(format!(
            "offset {} is too deep; the limit is {MAX_OFFSET}: narrow the search instead",
            request.offset
        )));
    }
    if let Some(since) = period(params, "since", today)? {
        if request.from.is_some() {
            return Err(BadParam("give either from or since, not both".into()));
        }
        request.from = Some(since.start);
    }
    if let (Some(a), Some(b)) = (request.from, request.to) {
        if a > b {
            return Err(BadParam(format!("from {a} is after to {b}")));
        }
    }
    Ok(request)
}

/// The timeline these parameters describe: the search's filters plus `by`
/// (day, week, month, quarter, year; default month), `split=FACET[:N]` and
/// `share=1`.
pub fn timeline_request(params: &Params, today: NaiveDate) -> Result<TimelineRequest, BadParam> {
    let search = search_request(params, today, 1)?;
    let by = match params.first("by").unwrap_or("month") {
        "day" => Interval::Day,
        "week" => Interval::Week,
        "month" => Interval::Month,
        "quarter" => Interval::Quarter,
        "year" => Interval::Year,
        other => {
            return Err(BadParam(format!(
                "by must be day, week, month, quarter or year, not {other:?}"
            )))
        }
    };
    let split = params.first("split").map(split).transpose()?;
    Ok(TimelineRequest {
        search,
        by,
        split,
        share: flag(params, "share")?,
        today,
    })
}

fn split(spec: &str) -> Result<Split, BadParam> {
    let (name, top) = match spec.split_once(':') {
        Some((name, n)) => (
            name,
            n.parse::<usize>()
                .ok()
                .filter(|n| (1..=50).contains(n))
                .ok_or_else(|| BadParam(format!("split {spec:?}: N must be 1 to 50")))?,
        ),
        None => (spec, 5),
    };
    let field = match name {
        "agency" => FacetField::Agency,
        "topic" => FacetField::Topic,
        "country" => FacetField::Country,
        "source" => FacetField::Source,
        _ => {
            return Err(BadParam(format!(
                "split by agency, topic, country or source, not {name:?}"
            )))
        }
    };
    Ok(Split { field, top })
}

/// Related coverage of article `id`: `limit` (capped) and `window` (`90d`).
pub fn related_request(
    params: &Params,
    id: String,
) -> Result<crate::search::related::RelatedRequest, BadParam> {
    let window_days = params
        .first("window")
        .map(|w| crate::search::related::parse_window(w).map_err(|e| BadParam(e.to_string())))
        .transpose()?;
    Ok(crate::search::related::RelatedRequest {
        id,
        limit: number::<usize>(params, "limit")?
            .unwrap_or(10)
            .min(MAX_LIMIT),
        window_days,
    })
}

/// `kind=agencies|topics|countries` for `/api/vocab` (all when absent).
pub fn vocab_kind(params: &Params) -> Result<Option<Kind>, BadParam> {
    match params.first("kind") {
        None => Ok(None),
        Some("agencies" | "agency") => Ok(Some(Kind::Agency)),
        Some("topics" | "topic") => Ok(Some(Kind::Topic)),
        Some("countries" | "country") => Ok(Some(Kind::Country)),
        Some(other) => Err(BadParam(format!(
            "kind must be agencies, topics or countries, not {other:?}"
        ))),
    }
}

/// The facets a request asks to count (`facets=1` for all).
pub fn facet_fields() -> Vec<FacetField> {
    vec![
        FacetField::Agency,
        FacetField::Topic,
        FacetField::Country,
        FacetField::Source,
        FacetField::Year,
    ]
}

fn values(params: &Params, name: &str) -> Result<Vec<String>, BadParam> {
    let v = params.all(name);
    if v.len() > MAX_VALUES {
        return Err(BadParam(format!(
            "{name} is given {} times; the limit is {MAX_VALUES}",
            v.len()
        )));
    }
    if let Some(long) = v.iter().find(|s| s.len() > 200) {
        return Err(BadParam(format!(
            "{name} value of {} bytes is too long",
            long.len()
        )));
    }
    Ok(v)
}

fn number<T: std::str::FromStr>(params: &Params, name: &str) -> Result<Option<T>, BadParam> {
    params
        .first(name)
        .map(|s| {
            s.trim()
                .parse::<T>()
                .map_err(|_| BadParam(format!("{name} must be a whole number, not {s:?}")))
        })
        .transpose()
}

fn flag(params: &Params, name: &str) -> Result<bool, BadParam> {
    match params.first(name) {
        None => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(BadParam(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

/// A date parameter in the CLI's date vocabulary (`2021`, `2021-05`,
/// `2 weeks ago`, `last year`…).
fn period(params: &Params, name: &str, today: NaiveDate) -> Result<Option<Period>, BadParam> {
    params
        .first(name)
        .map(|s| parse_when(s, Some(today)).map_err(|e| BadParam(format!("{name} {e}"))))
        .transpose()
}

fn year(params: &Params, today: NaiveDate) -> Result<Option<i32>, BadParam> {
    let Some(p) = period(params, "year", today)? else {
        return Ok(None);
    };
    p.whole_year()
        .map(Some)
        .ok_or_else(|| BadParam("year must be one calendar year, e.g. year=2021".into()))
}

fn sort(params: &Params) -> Result<Sort, BadParam> {
    match params.first("sort") {
        None | Some("relevance") => Ok(Sort::Relevance),
        Some("date") => Ok(Sort::Date),
        Some(other) => Err(BadParam(format!(
            "sort must be relevance or date, not {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    #[test]
    fn repeated_filters_are_kept_and_limit_is_capped() {
        let p = Params::parse(Some("q=ransomware&agency=CISA&agency=FBI&limit=5000"));
        let r = search_request(&p, today(), 10).unwrap();
        assert_eq!(r.agencies, vec!["CISA", "FBI"]);
        assert_eq!(r.limit, MAX_LIMIT);
    }

    #[test]
    fn bad_numbers_and_dates_are_refused_with_the_parameter_named() {
        let p = Params::parse(Some("offset=-1"));
        assert!(search_request(&p, today(), 10)
            .unwrap_err()
            .0
            .contains("offset"));
        let p = Params::parse(Some("from=yesterday-ish"));
        assert!(search_request(&p, today(), 10)
            .unwrap_err()
            .0
            .contains("from"));
        let p = Params::parse(Some("year=21"));
        assert!(search_request(&p, today(), 10)
            .unwrap_err()
            .0
            .contains("year"));
    }

    #[test]
    fn toggling_a_value_adds_then_removes_it_and_resets_the_page() {
        let p = Params::parse(Some("q=x&offset=20"));
        let on = p.toggled("agency", "CISA");
        assert_eq!(on.encode(), "q=x&agency=CISA");
        assert_eq!(on.toggled("agency", "CISA").encode(), "q=x");
    }
}
