//! JSON and JSON Lines dumps: one article object, an array of them, a
//! wrapper object holding an array (`items`, `articles`, …), a JSON Feed, or
//! one object per line. Field names are matched by their common aliases
//! (see [`super::fields`]). CISA CSAF advisories are recognized and read by
//! their own structure.

use serde_json::{Map, Value};

use super::{fields, html::fragment_to_text, Parsed, Problem};
use crate::document::{Format, RawArticle};

/// Keys under which a wrapper object keeps its list of articles.
const WRAPPERS: &[&str] = &[
    "items",
    "articles",
    "entries",
    "posts",
    "data",
    "results",
    "documents",
];

/// Reads a `.json` file.
pub fn parse_json(text: &str) -> Result<Parsed, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut parsed = Parsed::default();
    match value {
        Value::Array(items) => read_items(items, &mut parsed, None),
        Value::Object(obj) if is_csaf(&obj) => parsed.articles.push(csaf_article(&obj)),
        Value::Object(mut obj) => {
            let is_feed = obj
                .get("version")
                .and_then(Value::as_str)
                .is_some_and(|v| v.contains("jsonfeed.org"));
            let wrapped = WRAPPERS
                .iter()
                .find(|k| obj.get(**k).is_some_and(Value::is_array) && !looks_like_article(&obj))
                .and_then(|k| obj.remove(*k));
            match wrapped {
                Some(Value::Array(items)) => {
                    let format = is_feed.then_some(Format::Feed);
                    read_items(items, &mut parsed, format);
                }
                _ => {
                    let article = article(&obj);
                    if is_empty(&article) {
                        return Err("no article fields (title, body, …) in the JSON object".into());
                    }
                    parsed.articles.push(article);
                }
            }
        }
        _ => return Err("JSON is neither an object nor an array".into()),
    }
    Ok(parsed)
}

/// Reads a `.jsonl`/`.ndjson` file; a bad line is reported by number and the
/// rest still read. The item number is the line number.
pub fn parse_jsonl(text: &str) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(obj)) => push_article(&obj, line_no, &mut parsed, None),
            Ok(_) => parsed.problems.push(Problem::item(
                format!("line {line_no}"),
                "not a JSON object",
            )),
            Err(e) => parsed.problems.push(Problem::item(
                format!("line {line_no}"),
                format!("invalid JSON: {e}"),
            )),
        }
    }
    if parsed.articles.is_empty() && parsed.problems.is_empty() {
        return Err("no lines".into());
    }
    Ok(parsed)
}

fn read_items(items: Vec<Value>, parsed: &mut Parsed, format: Option<Format>) {
    for (i, item) in items.into_iter().enumerate() {
        let n = i + 1;
        match item {
            Value::Object(obj) => push_article(&obj, n, parsed, format),
            _ => parsed
                .problems
                .push(Problem::item(format!("item {n}"), "not a JSON object")),
        }
    }
}

fn push_article(obj: &Map<String, Value>, n: usize, parsed: &mut Parsed, format: Option<Format>) {
    let mut a = if is_csaf(obj) {
        csaf_article(obj)
    } else {
        article(obj)
    };
    if is_empty(&a) {
        let where_ = format!("item {n}");
        parsed
            .problems
            .push(Problem::item(where_, "no title and no text"));
        return;
    }
    a.item = n;
    if format.is_some() {
        a.format = format;
    }
    parsed.articles.push(a);
}

fn looks_like_article(obj: &Map<String, Value>) -> bool {
    fields::text_of(obj, fields::TITLE).is_some() && fields::text_of(obj, fields::BODY).is_some()
}

fn article(obj: &Map<String, Value>) -> RawArticle {
    fields::article_from_object(obj, fragment_to_text)
}

fn is_empty(a: &RawArticle) -> bool {
    a.title.is_none() && a.body.trim().is_empty()
}

fn is_csaf(obj: &Map<String, Value>) -> bool {
    obj.get("document")
        .and_then(Value::as_object)
        .is_some_and(|d| d.contains_key("csaf_version") || d.contains_key("tracking"))
}

fn path<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, k| v.get(k))
}

fn path_str(v: &Value, keys: &[&str]) -> Option<String> {
    path(v, keys).and_then(Value::as_str).map(str::to_string)
}

/// A CSAF 2.0 advisory: title, release date, publisher, and the notes (minus
/// legal boilerplate) plus vulnerability titles and CVE ids as the body.
fn csaf_article(obj: &Map<String, Value>) -> RawArticle {
    let root = Value::Object(obj.clone());
    let doc = &root["document"];
    let mut body = Vec::new();
    let mut categories = Vec::new();
    for note in doc["notes"].as_array().into_iter().flatten() {
        let category = note["category"].as_str().unwrap_or_default();
        let title = note["title"].as_str().unwrap_or_default();
        let text = note["text"].as_str().unwrap_or_default();
        if category == "legal_disclaimer" || title.ends_with("Disclaimer") || text.is_empty() {
            continue;
        }
        if title == "Critical infrastructure sectors" {
            categories.extend(
                text.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            );
        }
        body.push(format!("{title}: {text}"));
    }
    for vuln in root["vulnerabilities"].as_array().into_iter().flatten() {
        let cve = vuln["cve"].as_str().unwrap_or_default();
        let summary = vuln["notes"]
            .as_array()
            .and_then(|n| n.iter().find_map(|n| n["text"].as_str()))
            .unwrap_or_default();
        if !cve.is_empty() || !summary.is_empty() {
            body.push(format!("{cve} {summary}").trim().to_string());
        }
    }
    let url = doc["references"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["category"].as_str() == Some("self"))
        .filter_map(|r| r["url"].as_str())
        .find(|u| !u.ends_with(".json"))
        .map(str::to_string);
    RawArticle {
        extra_text: Some(csaf_credits(&root)).filter(|t| !t.is_empty()),
        title: path_str(doc, &["title"]),
        body: body.join("\n\n"),
        meta_date: path_str(doc, &["tracking", "initial_release_date"]),
        source: path_str(doc, &["publisher", "name"]),
        url,
        categories,
        lang: path_str(doc, &["lang"]),
        format: Some(Format::Csaf),
        ..RawArticle::default()
    }
}

/// The acknowledgments (of the document and of each vulnerability) and the
/// vendor names of a CSAF advisory, one per paragraph: tagged for agencies
/// and countries ("reporting … to the Federal Office for Information
/// Security (BSI, Germany)") but not shown.
fn csaf_credits(root: &Value) -> String {
    let mut parts = Vec::new();
    let vulnerabilities = root["vulnerabilities"].as_array().into_iter().flatten();
    let acknowledgments = std::iter::once(&root["document"])
        .chain(vulnerabilities)
        .flat_map(|v| v["acknowledgments"].as_array().into_iter().flatten());
    for ack in acknowledgments {
        let names = ack["names"].as_array().into_iter().flatten();
        let line: Vec<&str> = names
            .chain([&ack["organization"], &ack["summary"]])
            .filter_map(Value::as_str)
            .collect();
        parts.push(line.join(", "));
    }
    let mut branches: Vec<&Value> = vec![&root["product_tree"]];
    // Product trees nest vendor > product > version; a stack with a budget
    // keeps a hostile file from recursing without bound.
    let mut budget = 10_000usize;
    while let Some(node) = branches.pop() {
        for branch in node["branches"].as_array().into_iter().flatten() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                break;
            }
            if branch["category"].as_str() == Some("vendor") {
                if let Some(name) = branch["name"].as_str() {
                    parts.push(name.to_string());
                }
            }
            branches.push(branch);
        }
    }
    parts.dedup();
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_matched() {
        let p = parse_json(r#"{"headline":"H","articleBody":"<p>B</p>","datePublished":"2020-01-02","byline":["A","B"],"publisher":{"name":"P"},"link":"https://x.org/1"}"#)
            .expect("parses");
        let a = &p.articles[0];
        assert_eq!(a.title.as_deref(), Some("H"));
        assert_eq!(a.body.trim(), "B");
        assert_eq!(a.meta_date.as_deref(), Some("2020-01-02"));
        assert_eq!(a.author.as_deref(), Some("A, B"));
        assert_eq!(a.source.as_deref(), Some("P"));
        assert_eq!(a.url.as_deref(), Some("https://x.org/1"));
    }

    #[test]
    fn jsonl_reports_bad_lines_and_keeps_good_ones() {
        let p = parse_jsonl("{\"title\":\"a\",\"text\":\"x\"}\n{oops\n\n{\"title\":\"b\"}\n")
            .expect("parses");
        assert_eq!(
            p.articles.iter().map(|a| a.item).collect::<Vec<_>>(),
            [1, 4]
        );
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].location.as_deref() == Some("line 2"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse_json(&deep).is_err());
    }
}
