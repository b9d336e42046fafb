//! `cpsearch serve`: the product's second face, an HTTP server on the same
//! library the CLI uses. A JSON API under `/api/` (the same JSON as
//! `search --json`) and a server-rendered page at `/` that works without
//! JavaScript. It only reads the index: no request can reach an article
//! file or any other path, and every request is bounded in size and time.
//!
//! Searches run on tokio's blocking pool against one shared reader that
//! follows commits ([`live`]), so a concurrent `cpsearch index` shows up
//! without a restart.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::Error;
use crate::normalize::Taxonomy;

mod api;
pub mod live;
mod page;
pub mod params;
mod slots;

pub use live::LiveIndex;

/// Longest a request may take before the server answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The page's only allowed sources: its own stylesheet and script.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The index, following commits and rebuilds.
    pub index: Arc<LiveIndex>,
    /// The vocabulary used to resolve facet values.
    pub taxonomy: Arc<Taxonomy>,
    /// Anchors relative dates (`since=2 weeks ago`); the clock is read by
    /// the caller, so tests can fix it.
    pub today: fn() -> NaiveDate,
}

impl AppState {
    /// State for the index in `dir`.
    pub fn open(dir: &std::path::Path, taxonomy: Taxonomy) -> crate::Result<AppState> {
        Ok(AppState {
            index: Arc::new(LiveIndex::open(dir)?),
            taxonomy: Arc::new(taxonomy),
            today: || chrono::Utc::now().date_naive(),
        })
    }
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The index directory.
    pub index: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
}

/// Every route, with the security headers and the time limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(page::home))
        .route("/doc", get(page::article))
        .route("/assets/style.css", get(page::style))
        .route("/assets/app.js", get(page::script))
        .route("/healthz", get(api::healthz))
        .route("/api/search", get(api::search))
        .route("/api/doc/{*id}", get(api::doc))
        .route("/api/related/{*id}", get(api::related))
        .route("/api/timeline", get(api::timeline))
        .route("/api/vocab", get(api::vocab))
        .route("/api/stats", get(api::stats))
        .fallback(not_found)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// Serves until Ctrl-C. `on_listening` hears the bound address (the port
/// may have been 0).
pub fn serve(
    state: AppState,
    addr: SocketAddr,
    on_listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        on_listening(listener.local_addr()?);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}

async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "no such page").into_response()
}

/// An error as the API returns it: a status and `{"error": message}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> ApiError {
        let status = match &err {
            Error::Query(_) | Error::QueryParser(_) => StatusCode::BAD_REQUEST,
            Error::NoSuchDocument(_) => StatusCode::NOT_FOUND,
            Error::NoIndex(_) | Error::IncompatibleIndex { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, err.to_string())
    }
}

impl From<params::BadParam> for ApiError {
    fn from(err: params::BadParam) -> ApiError {
        ApiError::bad_request(err.0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

/// Runs blocking index work off the async threads, at most one piece per
/// core at a time ([`slots`]). The slot is held until the work ends, even
/// when the request has timed out meanwhile.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let failed = || ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the search failed");
    let slot = slots::acquire().await.ok_or_else(failed)?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|_| failed())?
}
