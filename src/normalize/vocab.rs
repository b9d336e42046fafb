//! The vocabulary as a list for people: canonical names with full names,
//! aliases, parent, country and lineage, filtered by a piece of text. What
//! `cpsearch vocab` prints and what "did you mean" draws on.

use serde::Serialize;

use super::taxonomy::{Kind, Taxonomy};

/// One vocabulary entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    /// Agencies, countries or topics.
    pub kind: &'static str,
    /// Canonical name (the value stored in the index).
    pub name: String,
    /// Full name (agencies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Aliases that match in text (for topics: the evidence terms).
    pub aliases: Vec<String>,
    /// Parent agency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Country of an agency, ISO code of a country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Components (agencies whose parent this is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// Offices merged into this agency.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub predecessors: Vec<String>,
    /// The agency this office was merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
}

impl Entry {
    /// True when `needle` (lowercase) occurs in the name, full name,
    /// aliases, parent or country.
    fn mentions(&self, needle: &str) -> bool {
        let hit = |s: &str| s.to_lowercase().contains(needle);
        hit(&self.name)
            || self.full_name.as_deref().is_some_and(hit)
            || self.aliases.iter().any(|a| hit(a))
            || self.parent.as_deref().is_some_and(hit)
            || self.country.as_deref().is_some_and(hit)
    }
}

/// Every entry of the chosen vocabularies (all three when `kind` is None)
/// that mentions `filter` ignoring case (everything when it is empty), in
/// taxonomy order.
pub fn entries(taxonomy: &Taxonomy, kind: Option<Kind>, filter: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let wanted = |k: Kind| kind.is_none_or(|want| want == k);
    if wanted(Kind::Agency) {
        out.extend(taxonomy.agencies().iter().map(|a| {
            Entry {
                kind: "agency",
                name: a.name.clone(),
                full_name: a.full_name.clone(),
                aliases: a.aliases.clone(),
                parent: a.parent.clone(),
                country: a.country.clone(),
                children: taxonomy
                    .children(&a.name)
                    .into_iter()
                    .map(String::from)
                    .collect(),
                predecessors: taxonomy
                    .predecessors(&a.name)
                    .into_iter()
                    .map(String::from)
                    .collect(),
                successor: taxonomy.successor(&a.name).map(String::from),
            }
        }));
    }
    if wanted(Kind::Country) {
        out.extend(taxonomy.countries().iter().map(|c| Entry {
            kind: "country",
            name: c.name.clone(),
            full_name: None,
            aliases: c.aliases.clone(),
            parent: None,
            country: c.code.clone(),
            children: Vec::new(),
            predecessors: Vec::new(),
            successor: None,
        }));
    }
    if wanted(Kind::Topic) {
        out.extend(taxonomy.topics().iter().map(|t| Entry {
            kind: "topic",
            name: t.name.clone(),
            full_name: None,
            aliases: t.terms.keys().cloned().collect(),
            parent: None,
            country: None,
            children: Vec::new(),
            predecessors: Vec::new(),
            successor: None,
        }));
    }
    let needle = filter.trim().to_lowercase();
    if !needle.is_empty() {
        out.retain(|e| e.mentions(&needle));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_matches_aliases_and_lineage_is_shown() {
        let t = Taxonomy::builtin().expect("built-in");
        let found = entries(&t, Some(Kind::Agency), "emergency readiness");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].name, "US-CERT");
        assert_eq!(found[0].successor.as_deref(), Some("CISA"));
        let cisa = entries(&t, Some(Kind::Agency), "")
            .into_iter()
            .find(|e| e.name == "CISA")
            .expect("CISA listed");
        assert!(cisa.predecessors.contains(&"US-CERT".to_string()));
        assert!(entries(&t, Some(Kind::Topic), "ransom")
            .iter()
            .all(|e| e.kind == "topic"));
    }
}
