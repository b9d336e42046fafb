//! The HTTP router, in process: every endpoint, its errors, escaping of
//! hostile documents, the page's disjunctive facets, and an index commit
//! showing up without a restart.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cpsearch::index::build::{build_index, IndexOptions};
use cpsearch::normalize::Taxonomy;
use cpsearch::server::{router, AppState};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn article(title: &str, date: &str, body: &str) -> String {
    format!("{title}\n\nPublished: {date}\n\n{body}\n")
}

/// A small corpus: three agencies, a few years, and one hostile page.
fn corpus(dir: &Path) {
    write(
        dir,
        "cisa-ransomware.txt",
        &article(
            "CISA warns of ransomware against hospitals",
            "2021-05-14",
            "The Cybersecurity and Infrastructure Security Agency (CISA) said ransomware crews hit hospitals.",
        ),
    );
    write(
        dir,
        "fbi-ransomware.txt",
        &article(
            "FBI seizes ransomware servers",
            "2022-03-02",
            "The FBI seized servers used by a ransomware gang, the Justice Department said.",
        ),
    );
    write(
        dir,
        "both.txt",
        &article(
            "CISA and FBI issue joint ransomware advisory",
            "2023-07-09",
            "CISA and the FBI published a joint advisory on ransomware and phishing.",
        ),
    );
    write(
        dir,
        "nsa-sanctions.txt",
        &article(
            "NSA director on sanctions",
            "2020-01-20",
            "The NSA director spoke about sanctions against hackers.",
        ),
    );
    write(
        dir,
        "hostile.html",
        r#"<html><head><title>&lt;script&gt;alert(1)&lt;/script&gt; ransomware "quoted" title</title>
<link rel="canonical" href="javascript:alert(2)">
<meta property="article:published_time" content="2021-02-03"></head>
<body><article><p>Ransomware text with &lt;img src=x onerror=alert(3)&gt; inside, long enough to be the main text of this page for the extractor to keep it.</p>
<p>A second paragraph about ransomware so the article has a body worth keeping.</p></article></body></html>"#,
    );
}

fn build(index: &Path, corpus_dir: &Path) {
    let taxonomy = Taxonomy::builtin().unwrap();
    build_index(
        index,
        &[corpus_dir.to_path_buf()],
        &IndexOptions::default(),
        &taxonomy,
        |_, _| {},
    )
    .expect("index builds");
}

struct Fixture {
    _tmp: tempfile::TempDir,
    corpus: std::path::PathBuf,
    index: std::path::PathBuf,
    app: axum::Router,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let corpus_dir = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    corpus(&corpus_dir);
    build(&index, &corpus_dir);
    let state = AppState::open(&index, Taxonomy::builtin().unwrap()).unwrap();
    Fixture {
        app: router(state),
        corpus: corpus_dir,
        index,
        _tmp: tmp,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn get(app: &axum::Router, uri: &str) -> Reply {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    })
}

fn ids(value: &serde_json::Value) -> Vec<String> {
    value["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn healthz_reports_the_document_count() {
    let f = fixture();
    let r = get(&f.app, "/healthz");
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["documents"], 5);
}

#[test]
fn api_search_answers_like_the_cli() {
    let f = fixture();
    let r = get(&f.app, "/api/search?q=ransomware&agency=CISA&facets=1");
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let api = r.json();
    let out = common::cpsearch()
        .args([
            "search",
            "ransomware",
            "--agency",
            "CISA",
            "--facets",
            "--json",
        ])
        .arg("--index")
        .arg(&f.index)
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(api["total_hits"], cli["total_hits"]);
    assert_eq!(ids(&api), ids(&cli));
    assert_eq!(api["facets"], cli["facets"]);
    assert_eq!(api["hits"][0]["snippet"], cli["hits"][0]["snippet"]);
    assert_eq!(api["total_hits"], 2, "{api}");
}

#[test]
fn api_search_repeated_filters_are_ored() {
    let f = fixture();
    let one = get(&f.app, "/api/search?agency=NSA").json();
    let two = get(&f.app, "/api/search?agency=NSA&agency=FBI").json();
    assert_eq!(one["total_hits"], 1);
    assert_eq!(two["total_hits"], 3);
}

#[test]
fn api_search_caps_the_limit_and_pages_with_offset() {
    let f = fixture();
    let all = get(&f.app, "/api/search?limit=100000").json();
    assert_eq!(all["hits"].as_array().unwrap().len(), 5);
    let page = get(&f.app, "/api/search?limit=2&offset=2").json();
    assert_eq!(ids(&page), ids(&all)[2..4].to_vec());
}

#[test]
fn api_errors_are_json_400_with_a_message() {
    let f = fixture();
    for (uri, needle) in [
        ("/api/search?q=%22unclosed", "quotes"),
        ("/api/search?agency=Nowhere+Agency", "unknown agency"),
        ("/api/search?limit=ten", "limit"),
        ("/api/search?offset=99999999999999999999999", "offset"),
        ("/api/search?offset=50000", "offset"),
        ("/api/search?year=21", "year"),
        ("/api/search?from=2022-01-01&to=2021-01-01", "after"),
        ("/api/search?from=someday", "from"),
        ("/api/search?sort=random", "sort"),
        ("/api/search?q=nofield:value", "unknown field"),
    ] {
        let r = get(&f.app, uri);
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.body);
        let message = r.json()["error"].as_str().unwrap().to_string();
        assert!(message.contains(needle), "{uri}: {message}");
    }
}

#[test]
fn api_refuses_an_overlong_query() {
    let f = fixture();
    let long = "a".repeat(5000);
    let r = get(&f.app, &format!("/api/search?q={long}"));
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"].as_str().unwrap().contains("limit"));
}

#[test]
fn api_doc_returns_the_stored_document_and_404_otherwise() {
    let f = fixture();
    let hits = get(&f.app, "/api/search?q=NSA+director").json();
    let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let r = get(&f.app, &format!("/api/doc/{encoded}"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc = r.json();
    assert_eq!(doc["id"], id.as_str());
    assert!(doc["body"].as_str().unwrap().contains("sanctions"));
    let missing = get(&f.app, "/api/doc/no-such-document");
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error"].is_string());
}

#[test]
fn no_request_path_reaches_the_file_system() {
    let f = fixture();
    for uri in [
        "/api/doc/../../../../etc/passwd",
        "/api/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/assets/../../Cargo.toml",
        "/assets/",
        "/index/",
        "/corpus/both.txt",
        "/etc/passwd",
    ] {
        let r = get(&f.app, uri);
        assert!(
            r.status == StatusCode::NOT_FOUND || r.status == StatusCode::BAD_REQUEST,
            "{uri}: {}",
            r.status
        );
        assert!(!r.body.contains("root:"), "{uri} leaked a file");
        assert!(!r.body.contains("[package]"), "{uri} leaked a file");
    }
}

#[test]
fn api_stats_counts_the_index() {
    let f = fixture();
    let r = get(&f.app, "/api/stats");
    assert_eq!(r.status, StatusCode::OK);
    let stats = r.json();
    assert_eq!(stats["documents"], 5);
    assert_eq!(stats["facets"]["agency"]["CISA"], 2);
}

#[test]
fn page_escapes_hostile_documents_and_sends_a_content_security_policy() {
    let f = fixture();
    let r = get(&f.app, "/?q=ransomware");
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert!(shows_escaped(&r.body, "<script>alert(1)"), "{}", r.body);
    assert!(!r.body.contains("<script>alert"));
    assert!(!r.body.contains("<img src=x"));
    let hits = get(&f.app, "/api/search?q=onerror").json();
    let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let page = get(&f.app, &format!("/doc?id={encoded}"));
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("href=\"javascript:"), "{}", page.body);
    assert!(!page.body.contains("<img src=x"));
    assert!(shows_escaped(&page.body, "<img src=x"), "{}", page.body);
}

#[test]
fn page_query_reflected_in_the_box_is_escaped() {
    let f = fixture();
    let r = get(&f.app, "/?q=%22%3E%3Cscript%3Ealert(9)%3C/script%3E");
    assert!(!r.body.contains("<script>alert(9)"), "{}", r.body);
}

#[test]
fn page_facets_are_disjunctive_and_filters_are_chips() {
    let f = fixture();
    let r = get(&f.app, "/?q=ransomware&agency=CISA");
    assert_eq!(r.status, StatusCode::OK);
    // With CISA picked, FBI still shows its count over "ransomware" alone
    // (two FBI articles), and picking it would widen the result.
    let fbi = facet_count(&r.body, "FBI").expect("FBI listed");
    let without = get(&f.app, "/api/search?q=ransomware&agency=FBI").json();
    assert_eq!(fbi, without["total_hits"].as_u64().unwrap());
    assert!(r.body.contains("class=\"chip\""));
    assert!(r.body.contains("agency: CISA"));
    assert!(r.body.contains("<span id=\"total\">2</span>"), "{}", r.body);
    // The highlighted word in a title.
    assert!(r.body.contains("<b>ransomware</b>"));
}

#[test]
fn page_shows_a_query_error_in_plain_words() {
    let f = fixture();
    let r = get(&f.app, "/?q=%22unclosed");
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("role=\"alert\""));
    assert!(r.body.contains("check quotes"));
}

#[test]
fn page_paginates() {
    let f = fixture();
    let mut uri = "/api/search?limit=1".to_string();
    let first = get(&f.app, &uri).json();
    assert_eq!(first["total_hits"], 5);
    uri.push_str("&offset=4");
    assert_eq!(
        get(&f.app, &uri).json()["hits"].as_array().unwrap().len(),
        1
    );
    let page = get(&f.app, "/?limit=2");
    assert!(
        page.body
            .contains("rel=\"next\" href=\"/?limit=2&#38;offset=2\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("rel=\"prev\""));
    let middle = get(&f.app, "/?limit=2&offset=2");
    assert!(middle.body.contains("rel=\"prev\" href=\"/?limit=2\""));
    assert!(middle.body.contains("offset=4"));
    assert!(middle.body.contains("<ol class=\"hits\" start=\"3\">"));
}

#[test]
fn a_commit_by_a_concurrent_index_run_shows_up_without_a_restart() {
    let f = fixture();
    assert_eq!(get(&f.app, "/api/search?q=quantum").json()["total_hits"], 0);
    write(
        &f.corpus,
        "quantum.txt",
        &article(
            "NIST picks quantum-safe algorithms",
            "2022-07-05",
            "NIST chose quantum resistant encryption algorithms.",
        ),
    );
    build(&f.index, &f.corpus);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let total = get(&f.app, "/api/search?q=quantum").json()["total_hits"].clone();
        if total == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the commit never showed up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The count shown beside a facet value in the sidebar.
fn facet_count(html: &str, value: &str) -> Option<u64> {
    let marker = format!("<span class=\"name\">{value}</span><span class=\"count\">");
    let at = html.find(&marker)? + marker.len();
    html[at..].split('<').next()?.parse().ok()
}

/// True when `text` appears in the page as escaped text (`&lt;` or `&#60;`).
fn shows_escaped(html: &str, text: &str) -> bool {
    let named = text.replace('<', "&lt;").replace('>', "&gt;");
    let numeric = text.replace('<', "&#60;").replace('>', "&#62;");
    html.contains(&named) || html.contains(&numeric)
}

#[test]
fn api_timeline_counts_matches_per_bucket_like_the_cli() {
    let f = fixture();
    let r = get(&f.app, "/api/timeline?q=ransomware&by=year");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let api = r.json();
    let out = common::cpsearch()
        .args(["timeline", "ransomware", "--by", "year", "--json"])
        .arg("--index")
        .arg(&f.index)
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(api["buckets"], cli["buckets"]);
    assert_eq!(api["total"], 4);
    let bad = get(&f.app, "/api/timeline?by=fortnight");
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("by must be"));
}

#[test]
fn api_vocab_lists_canonical_names_filtered_by_text() {
    let f = fixture();
    let r = get(&f.app, "/api/vocab?kind=agencies&text=cybersecurity");
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("CISA"), "{}", r.body);
    assert_eq!(
        get(&f.app, "/api/vocab?kind=planets").status,
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn page_chart_bars_narrow_the_date_range() {
    let f = fixture();
    let r = get(&f.app, "/?q=ransomware");
    assert!(r.body.contains("class=\"chart\""), "{}", r.body);
    // The 2022 FBI article's month is a bar whose link narrows to it.
    assert!(
        r.body.contains("from=2022-03-01&#38;to=2022-03-31"),
        "{}",
        r.body
    );
    let narrowed = get(
        &f.app,
        "/api/search?q=ransomware&from=2022-03-01&to=2022-03-31",
    )
    .json();
    assert_eq!(narrowed["total_hits"], 1);
}

#[test]
fn api_related_and_the_article_page_show_related_coverage() {
    let f = fixture();
    let hits = get(&f.app, "/api/search?q=joint+advisory").json();
    let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let r = get(&f.app, &format!("/api/related/{encoded}?limit=3"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let related = r.json();
    assert!(
        !ids(&related).contains(&id),
        "an article is not related to itself"
    );
    let page = get(&f.app, &format!("/doc?id={encoded}"));
    assert_eq!(page.status, StatusCode::OK);
    if !ids(&related).is_empty() {
        assert!(page.body.contains("Related coverage"), "{}", page.body);
    }
    assert_eq!(
        get(&f.app, "/api/related/no-such-article").status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn an_index_rebuilt_from_scratch_in_its_place_is_picked_up_without_a_restart() {
    let f = fixture();
    assert_eq!(get(&f.app, "/healthz").json()["documents"], 5);
    // A rebuild that replaces the folder (a new directory, new files, new
    // header), as a schema change does. The old folder is moved away first,
    // as a swap does: the live reader may still take tantivy's lock file in
    // it, so removing it in place races with the server.
    let old = f.index.with_extension("old");
    std::fs::rename(&f.index, &old).unwrap();
    let _ = std::fs::remove_dir_all(&old);
    std::fs::remove_file(f.corpus.join("hostile.html")).unwrap();
    build(&f.index, &f.corpus);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if get(&f.app, "/healthz").json()["documents"] == 4 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the rebuilt index never showed up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(get(&f.app, "/api/search?q=onerror").json()["total_hits"], 0);
}

#[test]
fn searches_beyond_one_per_core_all_get_answered_and_free_their_slots() {
    // Searches wait for one of a few slots (one per core); a slot that was
    // never given back would leave every later request waiting for the
    // 10 s limit, so these would come back 408.
    let f = fixture();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let uri = "/api/search?q=ransomware&facets=1";
    let statuses = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..24 {
            let app = f.app.clone();
            tasks.spawn(async move {
                let request = Request::get(uri).body(Body::empty()).unwrap();
                let response = app.oneshot(request).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                (status, body["total_hits"].as_u64())
            });
        }
        tasks.join_all().await
    });
    assert_eq!(statuses.len(), 24);
    let expected = get(&f.app, uri).json()["total_hits"].as_u64();
    assert!(expected.is_some_and(|n| n > 0));
    for (status, hits) in statuses {
        assert_eq!(status, StatusCode::OK);
        assert_eq!(hits, expected);
    }
    for _ in 0..24 {
        assert_eq!(get(&f.app, uri).status, StatusCode::OK);
    }
}
