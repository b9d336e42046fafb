//! Measurement aid: prints `{"path", "body"}` JSON lines for every HTML file
//! in a folder, extracted with one named variant, so the main-text score
//! script can compare extractors and combinations on the same pages.
//! `cargo run --release --example html_variants -- VARIANT DIR`

use std::path::Path;

fn traf(html: &str, opts: &rs_trafilatura::Options) -> String {
    rs_trafilatura::extract_with_options(html, opts)
        .map(|r| r.content_text)
        .unwrap_or_default()
}

fn smoothie(html: &str) -> String {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    dom_smoothie::Readability::new(html, None, Some(cfg))
        .ok()
        .and_then(|mut r| r.parse().ok())
        .map(|a| a.text_content.to_string())
        .unwrap_or_default()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keeps trafilatura's paragraphs that readability also kept, or that are
/// longer than `long` characters.
fn combine(t: &str, s: &str, long: usize) -> String {
    let s = norm(s);
    if s.len() < 200 {
        return t.to_string();
    }
    t.lines()
        .filter(|l| {
            let n = norm(l);
            !n.is_empty() && (n.chars().count() > long && long > 0 || s.contains(&n))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn smoothie_with(html: &str, mode: dom_smoothie::CandidateSelectMode) -> (String, String) {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        candidate_select_mode: mode,
        ..Default::default()
    };
    dom_smoothie::Readability::new(html, None, Some(cfg))
        .ok()
        .and_then(|mut r| r.parse().ok())
        .map(|a| (a.text_content.to_string(), a.content.to_string()))
        .unwrap_or_default()
}

/// Every raw variant of one page in one JSON object.
fn dump(html: &str) -> serde_json::Value {
    let d = rs_trafilatura::Options::default();
    let full = rs_trafilatura::extract_with_options(html, &d).ok();
    let (s_text, s_html) = smoothie_with(html, dom_smoothie::CandidateSelectMode::Readability);
    let (s2_text, _) = smoothie_with(html, dom_smoothie::CandidateSelectMode::DomSmoothie);
    serde_json::json!({
        "pipeline": cpsearch::ingest::html::parse(html)
            .ok()
            .and_then(|v| v.into_iter().next())
            .map(|a| a.body)
            .unwrap_or_default(),
        "traf": full.as_ref().map(|r| r.content_text.clone()).unwrap_or_default(),
        "traf_html": full.as_ref().and_then(|r| r.content_html.clone()).unwrap_or_default(),
        "traf_prec": traf(html, &rs_trafilatura::Options { favor_precision: true, ..d.clone() }),
        "traf_recall": traf(html, &rs_trafilatura::Options { favor_recall: true, ..d.clone() }),
        "traf_nofb": traf(html, &rs_trafilatura::Options { use_fallback_extraction: false, ..d.clone() }),
        "smoothie": s_text,
        "smoothie_html": s_html,
        "smoothie2": s2_text,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (variant, dir) = (args[1].as_str(), Path::new(&args[2]));
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let bytes = std::fs::read(e.path()).expect("read");
        let Ok((html, _)) = cpsearch::ingest::decode(&bytes) else {
            continue;
        };
        if variant == "dump" {
            let mut v = dump(&html);
            v["path"] = serde_json::json!(e.path().to_string_lossy());
            println!("{v}");
            continue;
        }
        let d = rs_trafilatura::Options::default();
        let body = match variant {
            "pipeline" => cpsearch::ingest::html::parse(&html)
                .ok()
                .and_then(|v| v.into_iter().next())
                .map(|a| a.body)
                .unwrap_or_default(),
            "traf" => traf(&html, &d),
            "traf_prec" => traf(
                &html,
                &rs_trafilatura::Options {
                    favor_precision: true,
                    ..d
                },
            ),
            "traf_recall" => traf(
                &html,
                &rs_trafilatura::Options {
                    favor_recall: true,
                    ..d
                },
            ),
            "traf_nofb" => traf(
                &html,
                &rs_trafilatura::Options {
                    use_fallback_extraction: false,
                    ..d
                },
            ),
            "smoothie" => smoothie(&html),
            "inter" => combine(&traf(&html, &d), &smoothie(&html), 0),
            "inter120" => combine(&traf(&html, &d), &smoothie(&html), 120),
            "inter250" => combine(&traf(&html, &d), &smoothie(&html), 250),
            _ => panic!("unknown variant"),
        };
        println!(
            "{}",
            serde_json::json!({"path": e.path().to_string_lossy(), "body": body})
        );
    }
}
