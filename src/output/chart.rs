//! Terminal charts: a timeline as one bar per bucket (or one sparkline per
//! series when split), and co-mention pairs as a table with lift. Bars are
//! Unicode block characters, so they survive a pipe; colour is only added
//! when the caller asks for it.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::search::cooccur::Cooccurrence;
use crate::search::timeline::{Bucket, Interval, Timeline};

const BAR: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
const OTHER: Style = Style::new().dimmed();
const HEAD: Style = Style::new().bold();

/// Widest bar, in character cells.
const BAR_WIDTH: usize = 40;
/// Eighths of a cell, from empty to full.
const EIGHTHS: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
/// Sparkline levels.
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Terminal chart options.
#[derive(Debug, Clone, Copy)]
pub struct Chart {
    /// Emit ANSI colour codes.
    pub color: bool,
}

/// A bar of `value / max` of [`BAR_WIDTH`] cells, in eighths.
pub fn bar(value: f64, max: f64) -> String {
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max) * (BAR_WIDTH * 8) as f64).round().max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    s
}

/// One character per value, scaled to the largest; a space for zero.
pub fn sparkline(values: &[f64]) -> String {
    let max = values.iter().copied().fold(0.0, f64::max);
    values
        .iter()
        .map(|&v| {
            if v <= 0.0 || max <= 0.0 {
                ' '
            } else {
                let level = ((v / max) * (SPARKS.len() - 1) as f64).round() as usize;
                SPARKS[level.min(SPARKS.len() - 1)]
            }
        })
        .collect()
}

/// A bucket's start as people write it: 2021, 2021-Q3, 2021-08, 2021-08-16.
pub fn bucket_label(by: Interval, b: &Bucket) -> String {
    use chrono::Datelike;
    match by {
        Interval::Year => b.start.format("%Y").to_string(),
        Interval::Quarter => format!("{}-Q{}", b.start.year(), (b.start.month() - 1) / 3 + 1),
        Interval::Month => b.start.format("%Y-%m").to_string(),
        Interval::Week | Interval::Day => b.start.format("%Y-%m-%d").to_string(),
    }
}

fn noun(by: Interval) -> &'static str {
    match by {
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
        Interval::Quarter => "quarter",
        Interval::Year => "year",
    }
}

impl Chart {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    /// Writes a timeline: a heading, then bars or sparklines, then notes on
    /// undated matches and the partial bucket.
    pub fn write_timeline(&self, out: &mut impl Write, t: &Timeline) -> std::io::Result<()> {
        let shown = if t.query.trim().is_empty() {
            "all articles"
        } else {
            t.query.as_str()
        };
        let span = match (t.buckets.first(), t.buckets.last()) {
            (Some(a), Some(b)) => {
                format!(", {} to {}", bucket_label(t.by, a), bucket_label(t.by, b))
            }
            _ => String::new(),
        };
        let heading = format!(
            "{shown}: {} {} by {}{span}",
            t.total,
            if t.total == 1 { "match" } else { "matches" },
            noun(t.by)
        );
        writeln!(out, "{}", self.paint(HEAD, &heading))?;
        if t.buckets.is_empty() {
            writeln!(out, "(no dated matches)")?;
        } else if t.series.is_empty() {
            self.write_bars(out, t)?;
        } else {
            self.write_sparklines(out, t)?;
        }
        if t.undated > 0 {
            writeln!(out, "{} undated (not in any {})", t.undated, noun(t.by))?;
        }
        if t.buckets.iter().any(|b| b.partial) {
            writeln!(out, "* this {} is not over yet", noun(t.by))?;
        }
        Ok(())
    }

    fn write_bars(&self, out: &mut impl Write, t: &Timeline) -> std::io::Result<()> {
        let share = t.buckets.iter().any(|b| b.share.is_some());
        let value = |b: &Bucket| {
            if share {
                b.share.unwrap_or(0.0)
            } else {
                b.count as f64
            }
        };
        let max = t.buckets.iter().map(value).fold(0.0, f64::max);
        let label_width = t
            .buckets
            .iter()
            .map(|b| bucket_label(t.by, b).len())
            .max()
            .unwrap_or(4);
        let count_width = t.max_count().to_string().len();
        for b in &t.buckets {
            let bar = bar(value(b), max);
            let mut line = format!(
                "{:<label_width$}  {}{}  {:>count_width$}",
                bucket_label(t.by, b),
                self.paint(BAR, &bar),
                " ".repeat(BAR_WIDTH + 1 - bar.chars().count()),
                b.count
            );
            if let (Some(s), Some(all)) = (b.share, b.all) {
                line.push_str(&format!(" of {all:<6} {:>6.2}%", s * 100.0));
            }
            if b.partial {
                line.push_str(" *");
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    fn write_sparklines(&self, out: &mut impl Write, t: &Timeline) -> std::io::Result<()> {
        let share = t.buckets.iter().any(|b| b.share.is_some());
        let name_width = t
            .series
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut rows: Vec<(String, Vec<f64>, u64)> = t
            .series
            .iter()
            .map(|name| {
                let values = t
                    .buckets
                    .iter()
                    .map(|b| {
                        if share {
                            b.series_share.get(name).copied().unwrap_or(0.0)
                        } else {
                            b.series.get(name).copied().unwrap_or(0) as f64
                        }
                    })
                    .collect();
                let total = t
                    .buckets
                    .iter()
                    .map(|b| b.series.get(name).copied().unwrap_or(0))
                    .sum();
                (name.clone(), values, total)
            })
            .collect();
        let all: Vec<f64> = t
            .buckets
            .iter()
            .map(|b| {
                if share {
                    b.share.unwrap_or(0.0)
                } else {
                    b.count as f64
                }
            })
            .collect();
        rows.push(("total".into(), all, t.total - t.undated));
        let first = t
            .buckets
            .first()
            .map(|b| bucket_label(t.by, b))
            .unwrap_or_default();
        let last = t
            .buckets
            .last()
            .map(|b| bucket_label(t.by, b))
            .unwrap_or_default();
        let width = t.buckets.len();
        let axis = if width > first.len() + last.len() + 1 {
            format!(
                "{first}{}{last}",
                " ".repeat(width - first.len() - last.len())
            )
        } else {
            format!("{first} … {last}")
        };
        writeln!(out, "{:<name_width$}  {axis}", "")?;
        for (name, values, total) in rows {
            let style = if name == crate::search::timeline::OTHER || name == "total" {
                OTHER
            } else {
                BAR
            };
            writeln!(
                out,
                "{name:<name_width$}  {}  {total}",
                self.paint(style, &sparkline(&values))
            )?;
        }
        if share {
            writeln!(
                out,
                "(each line scaled to its own largest share of all articles)"
            )?;
        }
        Ok(())
    }

    /// Writes co-mention pairs as a table.
    pub fn write_pairs(&self, out: &mut impl Write, c: &Cooccurrence) -> std::io::Result<()> {
        let heading = format!("{} × {} over {} matches", c.facet, c.with, c.total);
        writeln!(out, "{}", self.paint(HEAD, &heading))?;
        if c.pairs.is_empty() {
            writeln!(out, "(no pairs)")?;
            return Ok(());
        }
        let aw = c
            .pairs
            .iter()
            .map(|p| p.a.chars().count())
            .max()
            .unwrap_or(1)
            .max(c.facet.len());
        let bw = c
            .pairs
            .iter()
            .map(|p| p.b.chars().count())
            .max()
            .unwrap_or(1)
            .max(c.with.len());
        writeln!(
            out,
            "{:<aw$}  {:<bw$}  {:>6}  {:>7}  {:>6}",
            c.facet, c.with, "both", "lift", "pmi"
        )?;
        for p in &c.pairs {
            writeln!(
                out,
                "{:<aw$}  {:<bw$}  {:>6}  {:>7.2}  {:>6.2}",
                p.a, p.b, p.count, p.lift, p.pmi
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_sparklines_scale_to_the_largest_value() {
        assert_eq!(bar(10.0, 10.0).chars().count(), BAR_WIDTH);
        assert_eq!(bar(0.0, 10.0), "");
        assert_eq!(bar(0.01, 10.0), "▏", "a nonzero count is never invisible");
        assert_eq!(sparkline(&[0.0, 1.0, 8.0]), " ▂█");
    }
}
