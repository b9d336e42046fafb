//! Human output: ranked hits with title, date, source, agencies, topics, a
//! highlighted snippet and the path; facet tables; stats; one document.
//! Colour is applied only when the caller asks for it.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use super::wrap::{wrap, Piece};
use super::{fragment_pieces, render_fragments, render_highlighted};
use crate::document::Document;
use crate::search::collapse::Copy;
use crate::search::stats::Stats;
use crate::search::{Counts, Facets, Hit, SearchResults};

/// "+2 similar: Harbor Times, Policy Wire": the copies folded into a hit,
/// named by source (or id when a copy has none), each source once.
pub fn similar_line(copies: &[Copy]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for c in copies {
        let name = c.source.as_deref().unwrap_or(&c.id);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("+{} similar: {}", copies.len(), names.join(", "))
}

const HIGHLIGHT: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const TITLE: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// The hit's id, which `cpsearch show` opens, and its path when the id
/// does not already hold it (a URL id).
fn handle_line(hit: &Hit) -> String {
    if hit.id.contains(&hit.path) {
        hit.id.clone()
    } else {
        format!("{} · {}", hit.id, hit.path)
    }
}

/// Terminal rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Human {
    /// Emit ANSI colour codes.
    pub color: bool,
    /// Wrap snippets at this many columns (None: one line per snippet).
    pub width: Option<usize>,
    /// Values shown per facet (None: [`DEFAULT_FACET_LIMIT`]; 0: all).
    pub facet_limit: Option<usize>,
}

/// Values shown per facet unless asked otherwise.
pub const DEFAULT_FACET_LIMIT: usize = 15;

/// Indent of the lines under a hit's title.
const INDENT: &str = "     ";

impl Human {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn highlighter(&self, base: Style) -> impl Fn(&str, bool) -> String + '_ {
        move |text, highlighted| {
            if highlighted {
                if self.color {
                    self.paint(HIGHLIGHT, text)
                } else {
                    format!("[{text}]")
                }
            } else {
                self.paint(base, text)
            }
        }
    }

    /// A hit's snippet, wrapped at the width when there is one.
    fn snippet(&self, fragments: &[crate::search::snippet::Fragment]) -> String {
        let Some(width) = self.width else {
            return render_fragments(fragments, self.highlighter(Style::new()));
        };
        let pieces: Vec<Piece> = fragment_pieces(fragments);
        let extra = if self.color { 0 } else { 2 };
        wrap(
            &pieces,
            width,
            INDENT,
            extra,
            self.highlighter(Style::new()),
        )
    }

    /// Writes a page of results, then facets when present.
    /// Hits are numbered from `offset + 1`.
    pub fn write_results(
        &self,
        out: &mut impl Write,
        r: &SearchResults,
        took_ms: f64,
        offset: usize,
    ) -> std::io::Result<()> {
        let noun = if r.total_hits == 1 {
            "match"
        } else {
            "matches"
        };
        if let Some(better) = &r.did_you_mean {
            writeln!(out, "Showing results for {better}")?;
        }
        match r.total_stories {
            Some(stories) if stories != r.total_hits => writeln!(
                out,
                "{} {noun}, {stories} {} ({took_ms:.1} ms)",
                r.total_hits,
                if stories == 1 { "story" } else { "stories" }
            )?,
            _ => writeln!(out, "{} {noun} ({took_ms:.1} ms)", r.total_hits)?,
        }
        for (i, hit) in r.hits.iter().enumerate() {
            let title =
                render_highlighted(&hit.title, &hit.title_highlights, self.highlighter(TITLE));
            writeln!(out)?;
            writeln!(out, "{:>3}. {title}", offset + i + 1)?;
            let mut meta = vec![hit.date.map_or("undated".to_string(), |d| d.to_string())];
            meta.extend(hit.source.clone());
            if !hit.agencies.is_empty() {
                meta.push(hit.agencies.join(", "));
            }
            if !hit.topics.is_empty() {
                meta.push(hit.topics.join(", "));
            }
            writeln!(out, "     {}", self.paint(DIM, &meta.join(" · ")))?;
            if !hit.fragments.is_empty() {
                writeln!(out, "{INDENT}{}", self.snippet(&hit.fragments))?;
            }
            writeln!(out, "     {}", self.paint(DIM, &handle_line(hit)))?;
            if !hit.copies.is_empty() {
                writeln!(out, "     {}", similar_line(&hit.copies))?;
            }
        }
        if let Some(f) = &r.facets {
            writeln!(out)?;
            self.write_facets(out, f)?;
        }
        Ok(())
    }

    /// Writes facet counts as short tables.
    pub fn write_facets(&self, out: &mut impl Write, f: &Facets) -> std::io::Result<()> {
        let groups = [
            ("agency", &f.agency),
            ("topic", &f.topic),
            ("country", &f.country),
            ("year", &f.year),
            ("source", &f.source),
        ];
        for (name, counts) in groups {
            if let Some(counts) = counts {
                self.write_counts(out, name, counts)?;
            }
        }
        Ok(())
    }

    fn write_counts(
        &self,
        out: &mut impl Write,
        name: &str,
        counts: &Counts,
    ) -> std::io::Result<()> {
        writeln!(out, "{}", self.paint(TITLE, name))?;
        if counts.0.is_empty() {
            writeln!(out, "  (none)")?;
        }
        let limit = match self.facet_limit.unwrap_or(DEFAULT_FACET_LIMIT) {
            0 => usize::MAX,
            n => n,
        };
        for (value, count) in counts.0.iter().take(limit) {
            writeln!(out, "  {count:>6}  {value}")?;
        }
        if counts.0.len() > limit {
            let more = counts.0.len() - limit;
            writeln!(out, "  {:>6}  …{more} more (--facet-limit 0 lists all)", "")?;
        }
        Ok(())
    }

    /// Writes index statistics.
    pub fn write_stats(&self, out: &mut impl Write, s: &Stats) -> std::io::Result<()> {
        writeln!(out, "documents: {}", s.documents)?;
        let span = match (s.first_date, s.last_date) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "no dated documents".into(),
        };
        writeln!(out, "dates:     {span}")?;
        writeln!(
            out,
            "size:      {:.1} MB on disk, {} segment{}",
            s.size_bytes as f64 / 1_048_576.0,
            s.segments,
            if s.segments == 1 { "" } else { "s" }
        )?;
        writeln!(out)?;
        self.write_facets(out, &s.facets)
    }

    /// Writes a document's near-duplicate copies (`show --copies`).
    pub fn write_copies(&self, out: &mut impl Write, copies: &[Copy]) -> std::io::Result<()> {
        writeln!(out)?;
        if copies.is_empty() {
            return writeln!(out, "{}", self.paint(TITLE, "copies: none"));
        }
        writeln!(
            out,
            "{}",
            self.paint(TITLE, &format!("copies: {}", copies.len()))
        )?;
        for c in copies {
            let mut parts = vec![c.id.clone()];
            parts.push(c.date.map_or("undated".to_string(), |d| d.to_string()));
            parts.extend(c.source.clone());
            parts.extend(c.url.clone().filter(|u| *u != c.id));
            writeln!(out, "  {}", parts.join(" · "))?;
        }
        Ok(())
    }

    /// Writes one stored document in full.
    pub fn write_document(&self, out: &mut impl Write, d: &Document) -> std::io::Result<()> {
        writeln!(out, "{}", self.paint(TITLE, &d.title))?;
        let field = |name: &str, value: String| format!("{:<10} {value}", format!("{name}:"));
        writeln!(out, "{}", field("id", d.id.clone()))?;
        writeln!(
            out,
            "{}",
            field("path", format!("{} (item {})", d.path, d.item))
        )?;
        writeln!(
            out,
            "{}",
            field("date", d.date.map_or("unknown".into(), |x| x.to_string()))
        )?;
        for (name, value) in [
            ("source", &d.source),
            ("author", &d.author),
            ("url", &d.url),
        ] {
            if let Some(v) = value {
                writeln!(out, "{}", field(name, v.clone()))?;
            }
        }
        for (name, values) in [
            ("agencies", &d.agencies),
            ("topics", &d.topics),
            ("countries", &d.countries),
        ] {
            writeln!(out, "{}", field(name, values.join(", ")))?;
        }
        writeln!(out)?;
        writeln!(out, "{}", d.body)
    }
}
