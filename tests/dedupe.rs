//! Near-duplicate collapse, related coverage and typo tolerance, through
//! the CLI and the library, on a small corpus written here: one story and
//! two reposts of it with different page chrome, a follow-up on the same
//! subject, articles on other subjects, and two identical short notices.

use std::path::Path;

mod common;

use common::{cpsearch, index_quietly};
use cpsearch::index::Store;
use cpsearch::normalize::Taxonomy;
use cpsearch::search::related::{related, RelatedRequest};
use cpsearch::search::{self, SearchRequest};
use serde_json::Value;

const STORY: &str = "The harbor authority of Eastport confirmed on Tuesday that a ransomware attack had disabled the container scheduling system at its two largest terminals. Officials said ships were being diverted to neighbouring ports while engineers restored the scheduling servers from offline backups. The authority did not say whether it would pay the ransom demand, which investigators linked to a criminal group that has struck logistics firms across Europe this year. National cyber officials sent an incident response team and urged other port operators to review remote access to their operational networks. Freight companies warned that delays could last through the weekend as backlogged containers are cleared.";

const ORIGINAL: &str = "https://harbortimes.example/eastport-ransomware";
const REPOST_WIRE: &str = "https://policywire.example/2024/eastport";
const REPOST_COURIER: &str = "https://courier.example/eastport";
const FOLLOW_UP: &str = "https://policywire.example/2024/ports-review";

fn article(title: &str, date: &str, source: &str, url: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\nsource: {source}\nurl: {url}\n---\n\n{body}\n")
}

/// Writes the corpus into `dir`.
fn write_corpus(dir: &Path) {
    let files = [
        (
            "harbor.md",
            article(
                "Ransomware attack halts Eastport container terminals",
                "2024-03-12",
                "Harbor Times",
                ORIGINAL,
                &format!("Harbor Times | Subscribe | Sign in\n\n{STORY}\n\nRead more from Harbor Times: newsletters, podcasts and events."),
            ),
        ),
        (
            "wire.md",
            article(
                "Eastport port hit by ransomware, ships diverted",
                "2024-03-13",
                "Policy Wire",
                REPOST_WIRE,
                &format!("{STORY}\n\nPolicy Wire is a reader-supported newsletter. Share this story with a colleague."),
            ),
        ),
        (
            "courier.md",
            article(
                "Ransomware attack halts Eastport container terminals",
                "2024-03-12",
                "Coastal Courier",
                REPOST_COURIER,
                &format!("Menu Home World Business Tech Opinion\n\n{STORY}\n\nComments are closed. Related: weather, tides, local sport."),
            ),
        ),
        (
            "ports.md",
            article(
                "Port operators review remote access after ransomware wave",
                "2024-03-20",
                "Policy Wire",
                FOLLOW_UP,
                "Port operators across the region are reviewing remote access to operational networks after a ransomware attack on Eastport disrupted container terminals last week. Security teams said vendor accounts and exposed remote desktop services were the most common ways criminal groups entered logistics networks at harbor terminals. The national cyber agency published guidance for port operators on segmenting container scheduling systems from office networks and keeping offline backups that can be restored quickly. Several freight firms said they would require multifactor authentication for every contractor account before the summer shipping season.",
            ),
        ),
        (
            "hospital.md",
            article(
                "Hospital group restores records after ransomware",
                "2021-06-02",
                "Capitol Security Brief",
                "https://capitol.example/hospital",
                "A regional hospital group said it had restored patient records two weeks after a ransomware attack forced clinicians back to paper charts. The group said it had not paid the criminals and had rebuilt its servers from backups with help from federal investigators. Nurses described long waits for test results while the electronic records system was offline. Health regulators said they would review how the group protected remote access for outside vendors and whether patients were told quickly enough about the breach of their data.",
            ),
        ),
        (
            "spyware.md",
            article(
                "Sanctions on spyware vendor announced",
                "2023-01-05",
                "Policy Wire",
                "https://policywire.example/2023/spyware",
                "The treasury announced sanctions against a spyware vendor accused of selling surveillance tools to governments that targeted journalists and activists. The designation freezes the vendor's assets and bars companies from doing business with it. Officials said the sanctions were coordinated with allies and followed a year-long investigation into the sale of exploits for mobile phones. The vendor denied wrongdoing and said it only sold its products to law enforcement agencies for lawful investigations of serious crime.",
            ),
        ),
        (
            // A real-world typo in a published article: the only exact
            // match for "schedulng".
            "typo.md",
            article(
                "Rail operator delays timetable software",
                "2022-09-09",
                "Euro Cyber Digest",
                "https://digest.example/rail",
                "A national rail operator postponed the launch of its new timetable schedulng software after testers found that staff accounts could be reached from the internet without multifactor authentication. The operator said the delay would last until an outside audit of the platform is complete, and that passengers would see no change to services in the meantime while engineers review the design.",
            ),
        ),
        (
            // Says "scheduling" often and in its title, so by BM25 alone it
            // would outrank the one article that says "schedulng".
            "scheduling.md",
            article(
                "Scheduling software needs its own network",
                "2022-11-30",
                "Euro Cyber Digest",
                "https://digest.example/scheduling",
                "Scheduling software runs rosters, timetables and shift plans, and scheduling servers are often reachable from office networks. Auditors said scheduling platforms should sit on their own segment, with scheduling accounts protected by multifactor authentication and reviewed every quarter by the operator.",
            ),
        ),
        (
            "notice-a.md",
            article(
                "Maintenance notice",
                "2024-02-01",
                "Harbor Times",
                "https://harbortimes.example/notice-1",
                "Our site will be down for maintenance on Saturday night.",
            ),
        ),
        (
            "notice-b.md",
            article(
                "Maintenance notice",
                "2024-02-08",
                "Harbor Times",
                "https://harbortimes.example/notice-2",
                "Our site will be down for maintenance on Saturday night.",
            ),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write fixture");
    }
}

struct Fixture {
    _corpus: tempfile::TempDir,
    corpus_path: std::path::PathBuf,
    index: tempfile::TempDir,
}

fn indexed() -> Fixture {
    let corpus = tempfile::tempdir().expect("tempdir");
    write_corpus(corpus.path());
    let index = tempfile::tempdir().expect("tempdir");
    index_quietly(corpus.path(), index.path());
    Fixture {
        corpus_path: corpus.path().to_path_buf(),
        _corpus: corpus,
        index,
    }
}

fn run_json(index: &Path, command: &str, args: &[&str]) -> Value {
    let out = cpsearch()
        .arg(command)
        .args(args)
        .arg("--index")
        .arg(index)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn copy_ids(hit: &Value) -> Vec<String> {
    let mut out: Vec<String> = hit["copies"]
        .as_array()
        .expect("copies")
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

const COPIES: [&str; 3] = [REPOST_COURIER, ORIGINAL, REPOST_WIRE];

#[test]
fn collapse_shows_a_story_once_with_its_copies_and_both_totals() {
    let f = indexed();
    let v = run_json(f.index.path(), "search", &["Eastport"]);
    assert_eq!(v["total_hits"], 4, "{v}");
    assert_eq!(v["total_stories"], 2, "{v}");
    let hits = v["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 2, "{v}");
    let story = hits
        .iter()
        .find(|h| COPIES.contains(&h["id"].as_str().unwrap_or_default()))
        .expect("the story is a hit");
    let mut members = copy_ids(story);
    members.push(story["id"].as_str().unwrap_or_default().to_string());
    members.sort();
    assert_eq!(members, COPIES.map(String::from).to_vec());
    for c in story["copies"].as_array().expect("copies") {
        assert!(c["source"].is_string() && c["date"].is_string() && c["url"].is_string());
    }
    let follow_up = hits
        .iter()
        .find(|h| h["id"] == FOLLOW_UP)
        .expect("follow-up");
    assert!(copy_ids(follow_up).is_empty());
}

#[test]
fn no_collapse_lists_every_copy() {
    let f = indexed();
    let v = run_json(f.index.path(), "search", &["Eastport", "--no-collapse"]);
    assert_eq!(v["total_hits"], 4);
    assert_eq!(ids(&v).len(), 4);
    assert!(v.get("total_stories").is_none(), "{v}");
    assert!(v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .all(|h| copy_ids(h).is_empty()));
}

#[test]
fn collapse_pages_by_story() {
    let f = indexed();
    let all = ids(&run_json(f.index.path(), "search", &["Eastport"]));
    let first = ids(&run_json(
        f.index.path(),
        "search",
        &["Eastport", "--limit", "1"],
    ));
    let second = ids(&run_json(
        f.index.path(),
        "search",
        &["Eastport", "--limit", "1", "--offset", "1"],
    ));
    let third = run_json(
        f.index.path(),
        "search",
        &["Eastport", "--limit", "1", "--offset", "2"],
    );
    assert_eq!([first, second].concat(), all);
    assert!(ids(&third).is_empty());
    assert_eq!(third["total_stories"], 2);
}

#[test]
fn terminal_names_the_similar_sources() {
    let f = indexed();
    let out = cpsearch()
        .args(["search", "Eastport", "--color", "never", "--index"])
        .arg(f.index.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 matches, 2 stories"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("+2 similar: "))
        .unwrap_or_else(|| panic!("{text}"));
    let named = ["Harbor Times", "Policy Wire", "Coastal Courier"]
        .iter()
        .filter(|s| line.contains(*s))
        .count();
    assert_eq!(named, 2, "{line}");
}

#[test]
fn facets_count_copies_unless_dedupe() {
    let f = indexed();
    let sum = |v: &Value| -> u64 {
        v["facets"]["source"]
            .as_object()
            .expect("source counts")
            .values()
            .map(|c| c.as_u64().unwrap_or(0))
            .sum()
    };
    let copies = run_json(f.index.path(), "search", &["Eastport", "--facet", "source"]);
    assert_eq!(sum(&copies), 4, "{copies}");
    let stories = run_json(
        f.index.path(),
        "search",
        &["Eastport", "--facet", "source", "--dedupe"],
    );
    assert_eq!(sum(&stories), 2, "{stories}");
    assert_eq!(stories["total_hits"], 4);
}

#[test]
fn short_notices_are_never_merged() {
    let f = indexed();
    let v = run_json(f.index.path(), "search", &["maintenance"]);
    assert_eq!(v["total_hits"], 2);
    assert_eq!(v["total_stories"], 2);
}

#[test]
fn show_copies_lists_the_other_members() {
    let f = indexed();
    let v = run_json(f.index.path(), "show", &[REPOST_WIRE, "--copies"]);
    assert_eq!(v["id"], REPOST_WIRE);
    assert_eq!(
        copy_ids(&v),
        vec![REPOST_COURIER.to_string(), ORIGINAL.to_string()]
    );
    let alone = run_json(f.index.path(), "show", &[FOLLOW_UP, "--copies"]);
    assert!(copy_ids(&alone).is_empty());
}

#[test]
fn cluster_ids_hold_across_incremental_runs() {
    let f = indexed();
    let before = run_json(f.index.path(), "show", &[ORIGINAL, "--copies"]);
    assert_eq!(copy_ids(&before).len(), 2);
    // A later run adds a third repost and removes one of the first.
    std::fs::write(
        f.corpus_path.join("late.md"),
        article(
            "Eastport terminals stopped by ransomware",
            "2024-03-15",
            "Pacific Threat Review",
            "https://pacific.example/eastport",
            &format!("{STORY}\n\nPacific Threat Review, all rights reserved."),
        ),
    )
    .expect("write");
    std::fs::remove_file(f.corpus_path.join("harbor.md")).expect("remove");
    index_quietly(&f.corpus_path, f.index.path());
    let after = run_json(f.index.path(), "show", &[REPOST_WIRE, "--copies"]);
    assert_eq!(
        copy_ids(&after),
        vec![
            REPOST_COURIER.to_string(),
            "https://pacific.example/eastport".to_string()
        ]
    );
}

#[test]
fn related_excludes_itself_and_its_copies_and_puts_the_topical_neighbour_first() {
    let f = indexed();
    let v = run_json(f.index.path(), "related", &[ORIGINAL]);
    let got = ids(&v);
    assert_eq!(got.first().map(String::as_str), Some(FOLLOW_UP), "{v}");
    for copy in COPIES {
        assert!(!got.iter().any(|id| id == copy), "{v}");
    }
    // Shaped like search results.
    assert!(v["total_hits"].is_u64() && v["hits"][0]["snippet"].is_string());

    // Through the library: a window keeps only coverage near the date.
    let store = Store::open(f.index.path()).expect("open");
    let narrow = related(
        &store,
        &RelatedRequest {
            id: ORIGINAL.into(),
            limit: 10,
            window_days: Some(30),
        },
    )
    .expect("related");
    assert!(narrow
        .hits
        .iter()
        .all(|h| h.date.is_some_and(|d| d.to_string().starts_with("2024-0"))));
    assert!(narrow.hits.iter().any(|h| h.id == FOLLOW_UP));
}

#[test]
fn related_to_an_unknown_id_is_an_error() {
    let f = indexed();
    cpsearch()
        .args(["related", "https://nowhere.example/x", "--index"])
        .arg(f.index.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no document with id"));
}

fn library_search(index: &Path, query: &str) -> search::SearchResults {
    let store = Store::open(index).expect("open");
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    search::search(
        &store,
        &taxonomy,
        &SearchRequest {
            query: query.into(),
            limit: 20,
            snippets: true,
            ..SearchRequest::default()
        },
    )
    .expect("search")
}

#[test]
fn every_exact_match_ranks_before_any_typo_match() {
    let f = indexed();
    let r = library_search(f.index.path(), "schedulng");
    // One article really says "schedulng"; five say "scheduling".
    assert_eq!(r.total_hits, 6, "{:?}", r.hits);
    assert_eq!(r.hits[0].id, "https://digest.example/rail");
    let exact_score = r.hits[0].score.expect("score");
    assert!(
        exact_score < cpsearch::search::fuzzy::TIER,
        "the tier offset is not shown"
    );
    // The tier, not BM25, puts it first: a typo match scores higher.
    let best_typo = r.hits[1..]
        .iter()
        .filter_map(|h| h.score)
        .fold(0.0f32, f32::max);
    assert!(best_typo > exact_score, "{best_typo} vs {exact_score}");
    // The typo matches are highlighted in their snippets.
    let fuzzy_hit = &r.hits[1];
    assert!(
        fuzzy_hit.fragments.iter().any(|fr| fr
            .highlights
            .iter()
            .any(|h| fr.text[h.clone()].eq_ignore_ascii_case("scheduling"))),
        "{:?}",
        fuzzy_hit.fragments
    );
    assert_eq!(r.did_you_mean.as_deref(), Some("scheduling"));
}

#[test]
fn typo_tolerance_skips_phrases_acronyms_and_well_attested_words() {
    let f = indexed();
    assert_eq!(
        library_search(f.index.path(), "\"schedulng\"").total_hits,
        1
    );
    assert_eq!(library_search(f.index.path(), "SCHEDULNG").total_hits, 1);
    let common = library_search(f.index.path(), "ransomware");
    assert!(common.did_you_mean.is_none());
    assert_eq!(common.total_hits, 5);
}

#[test]
fn showing_results_for_the_better_spelling() {
    let f = indexed();
    let out = cpsearch()
        .args(["search", "sanctoins", "--color", "never", "--index"])
        .arg(f.index.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with("Showing results for sanctions\n"),
        "{text}"
    );
    let v = run_json(f.index.path(), "search", &["sanctoins"]);
    assert_eq!(v["did_you_mean"], "sanctions");
    assert_eq!(
        ids(&v),
        vec!["https://policywire.example/2023/spyware".to_string()]
    );
}

#[test]
fn prefix_query_matches_every_word_with_that_start() {
    let f = indexed();
    // "ransom*" must find articles that say only "ransomware" as well as
    // the ones that say "ransom"; before, it searched the word "ransom".
    let v = run_json(f.index.path(), "search", &["ransom*", "--no-collapse"]);
    assert_eq!(v["total_hits"], 5, "{v}");
    let v = run_json(f.index.path(), "search", &["sched*", "--no-collapse"]);
    assert_eq!(v["total_hits"], 6, "{v}");
    assert_eq!(
        run_json(f.index.path(), "search", &["zzqx*"])["total_hits"],
        0
    );
}

#[test]
fn explicit_fuzzy_words_work_and_bad_ones_are_refused() {
    let f = indexed();
    let v = run_json(f.index.path(), "search", &["sanctoins~2"]);
    assert_eq!(v["total_hits"], 1, "{v}");
    for bad in ["sanctoins~3", "ran*om", "s*"] {
        cpsearch()
            .args(["search", bad, "--index"])
            .arg(f.index.path())
            .assert()
            .code(2)
            .stderr(predicates::str::contains("query:"));
    }
}

#[test]
fn real_reposts_in_cti_blogs_share_a_cluster_and_distinct_posts_do_not() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cti-blogs/fireeye/data");
    if !dir.is_dir() {
        println!("SKIPPED: ../shared/data absent ({})", dir.display());
        return;
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("post");
    let mut clusters = cpsearch::index::clusters::Clusters::default();
    // FireEye posted the same CVE-2015-5122 write-up twice, the second
    // time with the compromised sites' addresses edited out.
    let first = clusters.assign("flashz", &read("500_second_adobe_flashz.txt"));
    let second = clusters.assign("flashz0", &read("503_second_adobe_flashz0.txt"));
    assert_eq!(first, second);
    let other = clusters.assign("word", &read("472_a_new_word_document.txt"));
    assert_ne!(other, first);
}

#[test]
fn timeline_and_cooccur_count_copies_unless_dedupe() {
    let f = indexed();
    let copies = run_json(f.index.path(), "timeline", &["Eastport", "--by", "year"]);
    assert_eq!(copies["total"], 4, "{copies}");
    let stories = run_json(
        f.index.path(),
        "timeline",
        &["Eastport", "--by", "year", "--dedupe"],
    );
    assert_eq!(stories["total"], 2, "{stories}");
    let bucket_sum: u64 = stories["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["count"].as_u64().unwrap_or(0))
        .sum::<u64>()
        + stories["undated"].as_u64().unwrap_or(0);
    assert_eq!(bucket_sum, 2);
}
