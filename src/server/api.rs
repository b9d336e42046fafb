//! The JSON API: `/api/search` (the same JSON as `cpsearch search --json`),
//! `/api/doc/{id}`, `/api/related/{id}` (as `related --json`), `/api/timeline` (as `timeline --json`), `/api/stats`,
//! `/api/vocab` and `/healthz`.

use std::time::Instant;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::params::{self, Params};
use super::{blocking, ApiError, AppState};
use crate::error::Error;
use crate::output::json;
use crate::search::{self, disjunctive::disjunctive_facets};

pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    let documents = state.index.get().searcher().num_docs();
    axum::Json(serde_json::json!({ "status": "ok", "documents": documents })).into_response()
}

pub(super) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let request = params::search_request(&params, (state.today)(), 10)?;
    let disjunctive = params
        .first("disjunctive")
        .is_some_and(|v| v != "0" && v != "false");
    blocking(move || {
        let started = Instant::now();
        let opened = state.index.get();
        let searcher = opened.searcher();
        let mut results = search::search_in(&opened.store, &searcher, &state.taxonomy, &request)?;
        // `disjunctive=1` asks for sidebar counts (see the page); without it
        // facets count the match set exactly as `search --facets` does.
        if request.facets && disjunctive {
            results.facets = Some(disjunctive_facets(
                &opened.store,
                &searcher,
                &state.taxonomy,
                &request,
                &params::facet_fields(),
            )?);
        }
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut body = Vec::new();
        json::write_results(&mut body, &results, took_ms).map_err(|e| Error::io("response", e))?;
        Ok(json_response(body))
    })
    .await
}

pub(super) async fn doc(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let opened = state.index.get();
        let document = opened
            .store
            .get(&id)?
            .ok_or_else(|| Error::NoSuchDocument(id.clone()))?;
        Ok(axum::Json(document).into_response())
    })
    .await
}

pub(super) async fn related(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let request = params::related_request(&Params::parse(raw.as_deref()), id)?;
    blocking(move || {
        let started = Instant::now();
        let opened = state.index.get();
        let results = search::related::related(&opened.store, &request)?;
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut body = Vec::new();
        json::write_results(&mut body, &results, took_ms).map_err(|e| Error::io("response", e))?;
        Ok(json_response(body))
    })
    .await
}

pub(super) async fn timeline(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let request = params::timeline_request(&params, (state.today)())?;
    blocking(move || {
        let opened = state.index.get();
        let result = search::timeline::timeline(&opened.store, &state.taxonomy, &request)?;
        Ok(axum::Json(result).into_response())
    })
    .await
}

pub(super) async fn vocab(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let kind = params::vocab_kind(&params)?;
    let text = params.first("text").unwrap_or("").to_string();
    if text.len() > params::MAX_QUERY_BYTES {
        return Err(ApiError::bad_request("text is too long"));
    }
    let entries = crate::normalize::vocab::entries(&state.taxonomy, kind, &text);
    Ok(axum::Json(entries).into_response())
}

pub(super) async fn stats(State(state): State<AppState>) -> Result<Response, ApiError> {
    blocking(move || {
        let opened = state.index.get();
        let stats = search::stats::stats(&opened.store)?;
        Ok(axum::Json(stats).into_response())
    })
    .await
}

fn json_response(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
