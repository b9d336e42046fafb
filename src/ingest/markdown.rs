//! Markdown articles: YAML (`---`) or TOML (`+++`) front matter gives the
//! metadata; without it the first `#` heading is the title. Markdown syntax
//! is removed from the body.

use gray_matter::engine::{TOML, YAML};
use gray_matter::Matter;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_json::Value;

use super::fields;
use crate::document::RawArticle;

/// Front matter larger than this is not parsed (it is not an article header).
const MAX_FRONT_MATTER: usize = 64 * 1024;

/// Reads one Markdown article.
pub fn parse(text: &str) -> Result<Vec<RawArticle>, String> {
    let mut warnings = Vec::new();
    let (meta, content) = split_front_matter(text, &mut warnings);
    let (heading, body) = markdown_to_text(content);
    let mut article = match &meta {
        Some(obj) => fields::article_from_object(obj, |s| s.to_string()),
        None => RawArticle::default(),
    };
    article.body = body;
    if article.title.is_none() {
        article.title = heading;
    }
    article.warnings = warnings;
    if article.title.is_none() && article.body.trim().is_empty() {
        return Err("no title and no text".into());
    }
    Ok(vec![article])
}

/// Returns the parsed front matter (if any parses) and the rest of the text.
fn split_front_matter<'a>(
    text: &'a str,
    warnings: &mut Vec<String>,
) -> (Option<serde_json::Map<String, Value>>, &'a str) {
    let delimiter = if text.starts_with("---") {
        "---"
    } else if text.starts_with("+++") {
        "+++"
    } else {
        return (None, text);
    };
    let after_open = &text[3..];
    let Some(close) = after_open.find(&format!("\n{delimiter}")) else {
        warnings.push("front matter is not closed; read as text".into());
        return (None, text);
    };
    let raw = &after_open[..close];
    let rest_start = 3 + close + 1 + delimiter.len();
    let content = text[rest_start..].trim_start_matches(['-', '+']);
    if raw.len() > MAX_FRONT_MATTER || looks_like_yaml_alias_bomb(raw) {
        warnings.push("front matter too large or uses YAML anchors; ignored".into());
        return (None, content);
    }
    let block = format!("{delimiter}\n{}\n{delimiter}\n", raw.trim());
    let parsed: Result<Value, String> = if delimiter == "+++" {
        let mut m = Matter::<TOML>::new();
        m.delimiter = "+++".into();
        m.parse::<Value>(&block)
            .map_err(|e| e.to_string())
            .map(|p| p.data.unwrap_or(Value::Null))
    } else {
        Matter::<YAML>::new()
            .parse::<Value>(&block)
            .map_err(|e| e.to_string())
            .map(|p| p.data.unwrap_or(Value::Null))
    };
    match parsed {
        Ok(Value::Object(obj)) => (Some(obj), content),
        Ok(_) => {
            warnings.push("front matter is not a mapping; ignored".into());
            (None, content)
        }
        Err(e) => {
            warnings.push(format!("front matter does not parse ({e}); ignored"));
            (None, content)
        }
    }
}

/// Anchors and aliases can expand exponentially; articles never need them.
fn looks_like_yaml_alias_bomb(raw: &str) -> bool {
    raw.lines().any(|l| {
        let l = l.trim_start_matches([' ', '-']);
        let value = l.split_once(':').map_or(l, |(_, v)| v).trim_start();
        value.starts_with('&') || value.starts_with('*') || value.starts_with("[*")
    })
}

/// Plain text of Markdown, and the text of the first level-1 heading (which
/// is left out of the body).
pub fn markdown_to_text(md: &str) -> (Option<String>, String) {
    let mut out = String::with_capacity(md.len());
    let mut heading: Option<String> = None;
    let mut in_first_h1 = false;
    let mut first_h1_seen = false;
    let mut current_h1 = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::Heading { level, .. })
                if level == pulldown_cmark::HeadingLevel::H1 && !first_h1_seen =>
            {
                in_first_h1 = true;
            }
            Event::End(TagEnd::Heading(_)) if in_first_h1 => {
                in_first_h1 = false;
                first_h1_seen = true;
                heading = Some(current_h1.trim().to_string());
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) if in_first_h1 => {
                current_h1.push_str(&t);
            }
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow,
            ) => out.push_str("\n\n"),
            Event::Start(Tag::Item) => {}
            _ => {}
        }
    }
    (heading.filter(|h| !h.is_empty()), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_and_markdown_stripped() {
        let md = "---\ntitle: Hello\ndate: 2019-06-04\ntags: [a, b]\n---\n# Heading\n\nSome **bold** and [a link](http://x).\n\n- item one\n";
        let a = &parse(md).expect("parses")[0];
        assert_eq!(a.title.as_deref(), Some("Hello"));
        assert_eq!(a.meta_date.as_deref(), Some("2019-06-04"));
        assert_eq!(a.categories, ["a", "b"]);
        assert!(a.body.contains("Some bold and a link."), "{}", a.body);
        assert!(a.body.contains("item one"));
        assert!(!a.body.contains("**"));
    }

    #[test]
    fn toml_front_matter() {
        let md = "+++\ntitle = \"T\"\ndate = 2019-05-15\n+++\nBody.";
        let a = &parse(md).expect("parses")[0];
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.meta_date.as_deref(), Some("2019-05-15"));
    }

    #[test]
    fn heading_is_title_without_front_matter() {
        let a = &parse("# The Title\n\nText.").expect("parses")[0];
        assert_eq!(a.title.as_deref(), Some("The Title"));
        assert_eq!(a.body.trim(), "Text.");
    }

    #[test]
    fn broken_front_matter_is_a_warning() {
        let a = &parse("---\ntitle: [unclosed\n---\n# T\n\nBody").expect("parses")[0];
        assert_eq!(a.title.as_deref(), Some("T"));
        assert!(a.warnings[0].contains("front matter"), "{:?}", a.warnings);
    }
}
