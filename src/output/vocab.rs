//! The vocabulary and whole-index listings for a terminal: `vocab`
//! entries, every facet value of `stats --all`, and agency facets rolled up
//! into trees of parent and components.

use std::io::Write;

use crate::normalize::hierarchy::Rolled;
use crate::normalize::vocab::Entry;
use crate::search::stats::Stats;
use crate::search::Counts;

/// Writes vocabulary entries, one block each.
pub fn write_entries(out: &mut impl Write, entries: &[Entry]) -> std::io::Result<()> {
    for e in entries {
        match &e.full_name {
            Some(full) if full != &e.name => writeln!(out, "{} ({}): {full}", e.name, e.kind)?,
            _ => writeln!(out, "{} ({})", e.name, e.kind)?,
        }
        let aliases: Vec<&str> = e
            .aliases
            .iter()
            .map(String::as_str)
            .filter(|a| *a != e.name && Some(*a) != e.full_name.as_deref())
            .collect();
        if !aliases.is_empty() {
            let label = if e.kind == "topic" {
                "terms"
            } else {
                "aliases"
            };
            writeln!(out, "  {label}: {}", aliases.join(", "))?;
        }
        let lines = [
            ("parent", e.parent.clone()),
            ("country", e.country.clone()),
            (
                "components",
                (!e.children.is_empty()).then(|| e.children.join(", ")),
            ),
            (
                "predecessors",
                (!e.predecessors.is_empty()).then(|| e.predecessors.join(", ")),
            ),
            ("now part of", e.successor.clone()),
        ];
        for (label, value) in lines {
            if let Some(v) = value {
                writeln!(out, "  {label}: {v}")?;
            }
        }
    }
    writeln!(
        out,
        "{} {}",
        entries.len(),
        if entries.len() == 1 {
            "entry"
        } else {
            "entries"
        }
    )
}

/// Writes the index statistics with every value of every facet.
pub fn write_stats_all(out: &mut impl Write, s: &Stats) -> std::io::Result<()> {
    writeln!(out, "documents: {}", s.documents)?;
    if let (Some(a), Some(b)) = (s.first_date, s.last_date) {
        writeln!(out, "dates:     {a} to {b}")?;
    }
    let f = &s.facets;
    for (name, counts) in [
        ("agency", &f.agency),
        ("topic", &f.topic),
        ("country", &f.country),
        ("year", &f.year),
        ("source", &f.source),
    ] {
        if let Some(Counts(values)) = counts {
            writeln!(out)?;
            writeln!(out, "{name} ({} values)", values.len())?;
            for (value, count) in values {
                writeln!(out, "  {count:>6}  {value}")?;
            }
        }
    }
    Ok(())
}

/// Writes agency counts as trees, components indented under their parent.
pub fn write_rolled(out: &mut impl Write, trees: &[Rolled]) -> std::io::Result<()> {
    fn walk(out: &mut impl Write, node: &Rolled, depth: usize) -> std::io::Result<()> {
        writeln!(
            out,
            "  {:>6}  {}{}",
            node.count,
            "  ".repeat(depth),
            node.name
        )?;
        for child in &node.children {
            walk(out, child, depth + 1)?;
        }
        Ok(())
    }
    writeln!(out, "agency (components under their parent)")?;
    for tree in trees {
        walk(out, tree, 0)?;
    }
    Ok(())
}
