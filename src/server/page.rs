//! The page: server-rendered HTML (askama templates, compiled into the
//! binary and escaped by default) that works without JavaScript. Every state
//! lives in the URL, so a page can be shared and the back button works; the
//! small script only adds keyboard shortcuts.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::params::{self, Params};
use super::{blocking, ApiError, AppState};
use crate::document::Document;
use crate::error::Error;
use crate::output::json::{snippet_html, title_html};
use crate::search::disjunctive::disjunctive_facets;
use crate::search::timeline::{self, Interval, Timeline, TimelineRequest};
use crate::search::{self, Counts, FacetField, Facets, Hit, SearchResults};

/// Hits per page.
const PAGE_SIZE: usize = 10;
/// Values shown per facet in the sidebar.
const FACET_VALUES: usize = 12;

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

pub(super) async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

pub(super) async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

/// One facet value in the sidebar: a link that toggles it.
struct FacetValue {
    name: String,
    count: u64,
    selected: bool,
    href: String,
}

/// One facet section of the sidebar.
struct FacetView {
    label: &'static str,
    values: Vec<FacetValue>,
}

/// An active filter, shown as a chip that removes it.
struct Chip {
    label: String,
    href: String,
}

/// One bar of the chart of matches over time: a link that narrows the
/// date range to its bucket.
struct Bar {
    label: String,
    count: u64,
    x: usize,
    y: u64,
    height: u64,
    href: String,
}

/// Chart height in SVG units.
const CHART_HEIGHT: u64 = 60;
/// More months than this are drawn as years.
const MAX_MONTH_BARS: usize = 120;

/// One hit as the page shows it.
struct HitView {
    doc_href: String,
    title_html: String,
    snippet_html: String,
    date: String,
    source: String,
    agencies: String,
    similar: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    q: String,
    hidden: Vec<(String, String)>,
    date_hidden: Vec<(String, String)>,
    from: String,
    to: String,
    error: Option<String>,
    total: usize,
    first_shown: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    chips: Vec<Chip>,
    prev_href: Option<String>,
    next_href: Option<String>,
    bars: Vec<Bar>,
    chart_width: usize,
    chart_by: &'static str,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    related: Vec<HitView>,
    doc: Document,
    link: Option<String>,
    paragraphs: Vec<String>,
    back_href: String,
}

pub(super) async fn home(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let page = match params::search_request(&params, (state.today)(), PAGE_SIZE) {
        Ok(request) => {
            let p = params.clone();
            blocking(move || {
                let opened = state.index.get();
                let searcher = opened.searcher();
                let found = search::search_in(&opened.store, &searcher, &state.taxonomy, &request)
                    .and_then(|results| {
                        let facets = disjunctive_facets(
                            &opened.store,
                            &searcher,
                            &state.taxonomy,
                            &request,
                            &params::facet_fields(),
                        )?;
                        let chart =
                            chart(&opened.store, &state.taxonomy, &request, (state.today)())?;
                        Ok((results, facets, chart))
                    });
                Ok(match found {
                    Ok((results, facets, chart)) => {
                        let mut page = home_page(&p, &request, &results, &facets);
                        page.chart_by = if chart.by == Interval::Year {
                            "year"
                        } else {
                            "month"
                        };
                        page.bars = bars(&p, &chart);
                        page.chart_width = page.bars.len() * 10;
                        page
                    }
                    Err(err @ (Error::Query(_) | Error::QueryParser(_))) => {
                        error_page(&p, err.to_string())
                    }
                    Err(other) => return Err(other.into()),
                })
            })
            .await?
        }
        Err(bad) => error_page(&params, bad.0),
    };
    render(&page)
}

pub(super) async fn article(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let Some(id) = params.first("id").map(str::to_string) else {
        return Err(ApiError::bad_request("give the article as ?id=…"));
    };
    let back_href = format!("/?{}", params.with("id", None).encode());
    blocking(move || {
        let opened = state.index.get();
        let doc = opened
            .store
            .get(&id)?
            .ok_or_else(|| Error::NoSuchDocument(id.clone()))?;
        let related = search::related::related(
            &opened.store,
            &search::related::RelatedRequest {
                id: doc.id.clone(),
                limit: 5,
                window_days: None,
            },
        )
        .map(|r| r.hits)
        .unwrap_or_default();
        let page = ArticlePage {
            related: related
                .iter()
                .map(|h| hit_view(&Params::default(), h))
                .collect(),
            link: doc.url.clone().filter(|u| is_web_link(u)),
            paragraphs: doc
                .body
                .split("\n\n")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            doc,
            back_href,
        };
        render(&page)
    })
    .await
}

fn render(page: &impl Template) -> Result<Response, ApiError> {
    page.render()
        .map(|html| Html(html).into_response())
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
        })
}

/// Only plain web links become clickable: a document's `url` can say
/// anything, `javascript:` included.
fn is_web_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The parameters the filter links carry: everything but the query text
/// itself (the search box sends that).
fn hidden_fields(params: &Params, except: &[&str]) -> Vec<(String, String)> {
    params
        .pairs()
        .iter()
        .filter(|(k, v)| !except.contains(&k.as_str()) && !v.is_empty())
        .cloned()
        .collect()
}

fn home_page(
    params: &Params,
    request: &search::SearchRequest,
    results: &SearchResults,
    facets: &Facets,
) -> HomePage {
    let offset = request.offset;
    let shown_to = offset + results.hits.len();
    HomePage {
        q: request.query.clone(),
        hidden: hidden_fields(params, &["q", "offset"]),
        date_hidden: hidden_fields(params, &["from", "to", "since", "offset"]),
        from: params.first("from").unwrap_or("").to_string(),
        to: params.first("to").unwrap_or("").to_string(),
        error: None,
        total: results.total_hits,
        first_shown: offset + 1,
        hits: results.hits.iter().map(|h| hit_view(params, h)).collect(),
        facets: facet_views(params, facets),
        chips: chips(params),
        bars: Vec::new(),
        chart_width: 0,
        chart_by: "month",
        prev_href: (offset > 0).then(|| {
            let back = offset.saturating_sub(PAGE_SIZE);
            page_href(params, back)
        }),
        next_href: (shown_to < results.total_hits).then(|| page_href(params, shown_to)),
    }
}

fn error_page(params: &Params, message: String) -> HomePage {
    HomePage {
        q: params.first("q").unwrap_or("").to_string(),
        hidden: hidden_fields(params, &["q", "offset"]),
        date_hidden: hidden_fields(params, &["from", "to", "since", "offset"]),
        from: String::new(),
        to: String::new(),
        error: Some(message),
        total: 0,
        first_shown: 1,
        hits: Vec::new(),
        facets: Vec::new(),
        chips: chips(params),
        prev_href: None,
        next_href: None,
        bars: Vec::new(),
        chart_width: 0,
        chart_by: "month",
    }
}

/// Matches per month (per year when that would be too many bars), over
/// the same query and filters as the hits.
fn chart(
    store: &crate::index::Store,
    taxonomy: &crate::normalize::Taxonomy,
    request: &search::SearchRequest,
    today: chrono::NaiveDate,
) -> crate::Result<Timeline> {
    let mut ask = TimelineRequest {
        search: request.clone(),
        by: Interval::Month,
        split: None,
        share: false,
        today,
    };
    let months = timeline::timeline(store, taxonomy, &ask)?;
    if months.buckets.len() <= MAX_MONTH_BARS {
        return Ok(months);
    }
    ask.by = Interval::Year;
    timeline::timeline(store, taxonomy, &ask)
}

fn bars(params: &Params, chart: &Timeline) -> Vec<Bar> {
    let top = chart.max_count().max(1);
    chart
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let end = chart
                .by
                .next(b.start)
                .and_then(|d| d.pred_opt())
                .unwrap_or(b.start);
            let label = if chart.by == Interval::Year {
                b.start.format("%Y").to_string()
            } else {
                b.start.format("%Y-%m").to_string()
            };
            let narrowed = params
                .with("since", None)
                .with("offset", None)
                .with("from", Some(&b.start.to_string()))
                .with("to", Some(&end.to_string()));
            // A month with matches stays visible however tall the tallest.
            let height = if b.count == 0 {
                0
            } else {
                (b.count * CHART_HEIGHT / top).max(2)
            };
            Bar {
                label,
                count: b.count,
                x: i * 10,
                y: CHART_HEIGHT - height,
                height,
                href: format!("/?{}", narrowed.encode()),
            }
        })
        .collect()
}

fn page_href(params: &Params, offset: usize) -> String {
    let offset = offset.to_string();
    let with = params.with("offset", (offset != "0").then_some(offset.as_str()));
    format!("/?{}", with.encode())
}

fn hit_view(params: &Params, hit: &Hit) -> HitView {
    let doc_params = params.with("offset", None).with("id", Some(&hit.id));
    HitView {
        doc_href: format!("/doc?{}", doc_params.encode()),
        title_html: title_html(hit),
        snippet_html: snippet_html(hit),
        date: hit.date.map(|d| d.to_string()).unwrap_or_default(),
        source: hit.source.clone().unwrap_or_default(),
        agencies: hit.agencies.join(", "),
        similar: if hit.copies.is_empty() {
            String::new()
        } else {
            crate::output::human::similar_line(&hit.copies)
        },
    }
}

/// Facet parameter names, sidebar labels and where their counts are.
const FACETS: [(FacetField, &str, &str); 5] = [
    (FacetField::Agency, "agency", "Agency"),
    (FacetField::Topic, "topic", "Topic"),
    (FacetField::Country, "country", "Country"),
    (FacetField::Source, "source", "Source"),
    (FacetField::Year, "year", "Year"),
];

fn counts_of(facets: &Facets, field: FacetField) -> Option<&Counts> {
    match field {
        FacetField::Agency => facets.agency.as_ref(),
        FacetField::Topic => facets.topic.as_ref(),
        FacetField::Country => facets.country.as_ref(),
        FacetField::Source => facets.source.as_ref(),
        FacetField::Year => facets.year.as_ref(),
    }
}

fn facet_views(params: &Params, facets: &Facets) -> Vec<FacetView> {
    FACETS
        .iter()
        .filter_map(|(field, name, label)| {
            let counts = counts_of(facets, *field)?;
            let selected = params.all(name);
            let mut values: Vec<FacetValue> = counts
                .0
                .iter()
                .take(FACET_VALUES)
                .map(|(value, count)| FacetValue {
                    selected: selected.iter().any(|s| s.eq_ignore_ascii_case(value)),
                    href: format!("/?{}", params.toggled(name, value).encode()),
                    name: value.clone(),
                    count: *count,
                })
                .collect();
            // A picked value stays visible even when it is not among the top.
            for s in &selected {
                if !values.iter().any(|v| v.name.eq_ignore_ascii_case(s)) {
                    values.push(FacetValue {
                        name: s.clone(),
                        count: 0,
                        selected: true,
                        href: format!("/?{}", params.toggled(name, s).encode()),
                    });
                }
            }
            (!values.is_empty()).then_some(FacetView { label, values })
        })
        .collect()
}

fn chips(params: &Params) -> Vec<Chip> {
    let mut out = Vec::new();
    for (name, value) in params.pairs() {
        if value.trim().is_empty() {
            continue;
        }
        let label = match name.as_str() {
            "agency" | "topic" | "country" | "source" | "year" => format!("{name}: {value}"),
            "from" => format!("from {value}"),
            "to" => format!("to {value}"),
            "since" => format!("since {value}"),
            _ => continue,
        };
        out.push(Chip {
            label,
            href: format!("/?{}", params.toggled(name, value).encode()),
        });
    }
    out
}
