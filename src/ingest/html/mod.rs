//! Saved HTML pages. Metadata comes from the tags publishers use (Open Graph,
//! `article:published_time`, JSON-LD, `<time datetime>`, the common date
//! meta tags); the body is the article's main text, found by the
//! rs-trafilatura extractor so navigation, banners, related links and footers
//! stay out.

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::document::RawArticle;

mod dates;
mod furniture;
mod main_text;

/// Pages nested deeper than this are read as flat text: tree algorithms on
/// hostile nesting could exhaust the stack.
const MAX_NESTING: usize = 400;

fn sel(s: &str) -> Selector {
    // Selectors are literals in this file; a typo is a bug caught by the tests.
    Selector::parse(s).unwrap_or_else(|_| panic!("invalid selector literal {s}"))
}

/// Reads one HTML page, believing no date after today (none known).
pub fn parse(html: &str) -> Result<Vec<RawArticle>, String> {
    parse_on(html, None)
}

/// Reads one HTML page on the day `today`: a date after it is not the
/// page's publication date.
pub fn parse_on(html: &str, today: Option<NaiveDate>) -> Result<Vec<RawArticle>, String> {
    if nesting_depth(html) > MAX_NESTING {
        let mut article = RawArticle {
            body: strip_tags(html),
            ..RawArticle::default()
        };
        article.warnings.push(format!(
            "HTML nested deeper than {MAX_NESTING} levels; read as flat text"
        ));
        if article.body.trim().is_empty() {
            return Err("no text".into());
        }
        return Ok(vec![article]);
    }
    let doc = Html::parse_document(html);
    let ld = json_ld_article(&doc);
    let mut article = RawArticle {
        title: page_title(&doc, ld.as_ref()),
        author: page_author(&doc, ld.as_ref()),
        source: page_source(&doc, ld.as_ref()),
        url: first_attr(&doc, &[r#"link[rel="canonical"]"#], "href")
            .or_else(|| meta(&doc, &[r#"meta[property="og:url"]"#])),
        lang: first_attr(&doc, &["html"], "lang"),
        categories: page_categories(&doc),
        ..RawArticle::default()
    };
    match dates::page_date(&doc, ld.as_ref(), today) {
        Some((d, dates::Found::Metadata)) => article.meta_date = Some(d.to_string()),
        Some((d, dates::Found::Url)) => article.url_date = Some(d.to_string()),
        Some((d, dates::Found::Text)) => article.text_date = Some(d.to_string()),
        None => {}
    }
    article.body = main_text(html, &doc, &mut article.warnings);
    if article.title.is_none() && article.body.trim().is_empty() {
        return Err("no title and no text".into());
    }
    Ok(vec![article])
}

/// Maximum element nesting, estimated from the tag stream without parsing.
fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "td", "th", "tr", "dt", "dd", "option", "param", "!doctype",
    ];
    // Their content is text, not tags: `"<div>"` in a script opens nothing.
    const RAW_TEXT: &[&str] = &["script", "style", "textarea", "xmp"];
    let (mut depth, mut max) = (0usize, 0usize);
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        i += off + 1;
        if bytes[i..].starts_with(b"!--") {
            match lower[i..].find("-->") {
                Some(end) => i += end + 3,
                None => break,
            }
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'!')
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &lower[start..start + name_len];
        let tag_end = bytes[start..]
            .iter()
            .position(|&b| b == b'>')
            .map(|e| start + e);
        let self_closing = tag_end.is_some_and(|e| e > start && bytes[e - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if RAW_TEXT.contains(&name) && !self_closing {
            let close = format!("</{name}");
            match lower[start..].find(&close) {
                Some(end) => i = start + end,
                None => break,
            }
        } else if !VOID.contains(&name) && !self_closing {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Text with every tag removed: the fallback for hostile pages.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
}

fn meta(doc: &Html, selectors: &[&str]) -> Option<String> {
    first_attr(doc, selectors, "content")
}

fn first_attr(doc: &Html, selectors: &[&str], attr: &str) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(&sel(s))
            .filter_map(|e| e.value().attr(attr))
            .map(str::trim)
            .find(|v| !v.is_empty())
            .map(str::to_string)
    })
}

fn element_text(e: ElementRef<'_>) -> String {
    e.text().collect::<Vec<_>>().join(" ")
}

/// The JSON-LD object that describes the article, if any.
fn json_ld_article(doc: &Html) -> Option<serde_json::Map<String, Value>> {
    let script = sel(r#"script[type="application/ld+json"]"#);
    for node in doc.select(&script) {
        let text: String = node.text().collect();
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let mut candidates = vec![value];
        while let Some(v) = candidates.pop() {
            match v {
                Value::Array(items) => candidates.extend(items),
                Value::Object(mut obj) => {
                    if let Some(graph) = obj.remove("@graph") {
                        candidates.push(graph);
                    }
                    if obj.contains_key("headline") || obj.contains_key("datePublished") {
                        return Some(obj);
                    }
                }
                _ => {}
            }
        }
    }
    None
}

fn ld_text(ld: Option<&serde_json::Map<String, Value>>, key: &str) -> Option<String> {
    super::fields::text_of(ld?, &[key])
}

fn page_title(doc: &Html, ld: Option<&serde_json::Map<String, Value>>) -> Option<String> {
    meta(
        doc,
        &[
            r#"meta[property="og:title"]"#,
            r#"meta[name="twitter:title"]"#,
        ],
    )
    .or_else(|| ld_text(ld, "headline"))
    .or_else(|| {
        doc.select(&sel("h1"))
            .map(element_text)
            .find(|t| !t.trim().is_empty())
    })
    .or_else(|| {
        doc.select(&sel("title"))
            .next()
            .map(element_text)
            .map(|t| strip_site_suffix(&t))
    })
}

/// "Article Title | Site" → "Article Title" (also " - Site", " — Site").
pub fn strip_site_suffix(title: &str) -> String {
    let title = title.trim();
    for sep in [" | ", " — ", " – ", " - ", " :: "] {
        if let Some((head, _)) = title.rsplit_once(sep) {
            if head.split_whitespace().count() >= 2 {
                return head.trim().to_string();
            }
        }
    }
    title.to_string()
}

fn page_author(doc: &Html, ld: Option<&serde_json::Map<String, Value>>) -> Option<String> {
    meta(doc, &[r#"meta[name="author"]"#, r#"meta[name="byl"]"#])
        .map(|a| {
            a.trim_start_matches("By ")
                .trim_start_matches("by ")
                .to_string()
        })
        .or_else(|| ld_text(ld, "author"))
        .or_else(|| {
            meta(doc, &[r#"meta[property="article:author"]"#]).filter(|a| !a.starts_with("http"))
        })
        .or_else(|| {
            doc.select(&sel(r#"[rel="author"], .author-name, .byline__name"#))
                .map(element_text)
                .map(|t| t.trim().to_string())
                .find(|t| !t.is_empty() && t.len() < 80)
        })
}

fn page_source(doc: &Html, ld: Option<&serde_json::Map<String, Value>>) -> Option<String> {
    meta(doc, &[r#"meta[property="og:site_name"]"#])
        .or_else(|| ld_text(ld, "publisher"))
        .or_else(|| meta(doc, &[r#"meta[name="application-name"]"#]))
        .or_else(|| {
            let title = doc.select(&sel("title")).next().map(element_text)?;
            let (_, site) = title.rsplit_once(" | ")?;
            Some(site.trim().to_string())
        })
}

fn page_categories(doc: &Html) -> Vec<String> {
    let mut out: Vec<String> = doc
        .select(&sel(
            r#"meta[property="article:section"], meta[property="article:tag"]"#,
        ))
        .filter_map(|e| e.value().attr("content"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if out.is_empty() {
        if let Some(k) = meta(doc, &[r#"meta[name="keywords"]"#]) {
            out = k
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
    }
    out
}

/// The article text: trafilatura's main-content extraction, falling back to
/// the `<article>`/`<main>`/`<body>` text when it finds nothing.
fn main_text(html: &str, doc: &Html, warnings: &mut Vec<String>) -> String {
    match rs_trafilatura::extract(html) {
        Ok(result) if !result.content_text.trim().is_empty() => {
            return paragraphs(&main_text::article_text(&result.content_text, html));
        }
        Ok(_) => {
            warnings.push("main-text extractor found no article text; used the page text".into())
        }
        Err(e) => warnings.push(format!(
            "main-text extractor failed ({e}); used the page text"
        )),
    }
    ["article", "main", "body"]
        .iter()
        .find_map(|s| doc.select(&sel(s)).next())
        .map(block_text)
        .unwrap_or_default()
}

/// Trafilatura separates blocks with single newlines; make them paragraphs.
fn paragraphs(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
    "pre",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "figcaption",
];
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "iframe", "svg",
];

/// Text of an element with blank lines at block boundaries, walking the tree
/// iteratively (no recursion, whatever the nesting).
fn block_text(root: ElementRef<'_>) -> String {
    use ego_tree::iter::Edge;
    let mut out = String::new();
    let mut skipping = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                scraper::Node::Element(e) => {
                    let name = e.name();
                    if SKIP_TAGS.contains(&name) {
                        skipping += 1;
                    } else if BLOCK_TAGS.contains(&name) {
                        out.push_str("\n\n");
                    }
                }
                scraper::Node::Text(t) if skipping == 0 => out.push_str(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let scraper::Node::Element(e) = node.value() {
                    if SKIP_TAGS.contains(&e.name()) {
                        skipping = skipping.saturating_sub(1);
                    } else if BLOCK_TAGS.contains(&e.name()) {
                        out.push_str("\n\n");
                    }
                }
            }
        }
    }
    out
}

/// Text of an HTML fragment (a feed description, a JSON `content_html`).
pub fn fragment_to_text(fragment: &str) -> String {
    if !looks_like_html(fragment) {
        return html_escape::decode_html_entities(fragment).into_owned();
    }
    if nesting_depth(fragment) > MAX_NESTING {
        return strip_tags(fragment);
    }
    let doc = Html::parse_fragment(fragment);
    block_text(doc.root_element())
}

/// True when the text contains something that looks like a tag.
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_suffix_is_removed() {
        assert_eq!(
            strip_site_suffix("CISA Warns Again | The Ledger"),
            "CISA Warns Again"
        );
        assert_eq!(strip_site_suffix("Only | Site"), "Only | Site");
    }

    #[test]
    fn fragments_become_text_with_paragraphs() {
        let t = fragment_to_text("<p>One &amp; two</p><p>Three <a href='x'>link</a></p>");
        let cleaned = crate::normalize::clean_body(&t);
        assert_eq!(cleaned, "One & two\n\nThree link");
    }

    #[test]
    fn deep_nesting_is_measured_without_parsing() {
        let deep = "<div>".repeat(1000);
        assert!(nesting_depth(&deep) > MAX_NESTING);
        assert_eq!(nesting_depth("<p>a<br>b</p><div><span>x</span></div>"), 2);
    }

    #[test]
    fn svg_icons_scripts_and_comments_do_not_count_as_nesting() {
        let icons = "<svg><path d='m0 0'/></svg>".repeat(500);
        let script = format!("<script>{}</script>", "'<div>'+".repeat(500));
        let comment = format!("<!-- {} -->", "<div>".repeat(500));
        for page in [icons, script, comment] {
            assert!(nesting_depth(&page) <= 2, "{}", &page[..40]);
        }
    }
}
