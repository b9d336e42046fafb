//! Markdown for briefings: one list item per hit with the linked title,
//! date and source, and the snippet as plain text beneath.

use std::io::Write;

use super::csv::plain_snippet;
use crate::search::SearchResults;

/// Escapes the characters that would end or restyle link text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\' | '*' | '_' | '`' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Writes `- [Title](url) — 2021-05-08, Source` per hit (the title unlinked
/// when the article has no URL), then the snippet indented under it.
pub fn write_hits(out: &mut impl Write, r: &SearchResults) -> std::io::Result<()> {
    for hit in &r.hits {
        let title = escape(if hit.title.is_empty() {
            &hit.id
        } else {
            &hit.title
        });
        let linked = match &hit.url {
            Some(url) => format!("[{title}](<{}>)", url.replace(['<', '>'], "")),
            None => format!("**{title}**"),
        };
        let mut meta = vec![hit.date.map_or("undated".to_string(), |d| d.to_string())];
        meta.extend(hit.source.as_deref().map(escape));
        writeln!(out, "- {linked} — {}", meta.join(", "))?;
        let snippet = plain_snippet(hit);
        if !snippet.is_empty() {
            writeln!(out, "  {}", escape(&snippet))?;
        }
    }
    Ok(())
}
