//! Agency hierarchy and history: which agencies are components of which
//! (the `parent` of each agency entry) and which offices were merged into a
//! successor (the `[[lineage]]` section of the taxonomy).
//!
//! Searching expands an agency with [`Taxonomy::expand_agency`]: a plain
//! name brings its predecessors (asking for CISA finds US-CERT's advisories
//! too, since CISA took over that work); a trailing `+` (`DHS+`) also brings
//! every component, recursively, with their predecessors. Expansion is kept
//! apart from matching text: tagging an article never rolls a component up
//! into its parent, so facet counts stay what the article says.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::taxonomy::{Agency, Kind, Taxonomy};

/// An agency and the offices whose work it took over.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Lineage {
    /// Canonical name of the successor.
    pub agency: String,
    /// Canonical names of the predecessors.
    pub predecessors: Vec<String>,
    /// What happened, for `vocab`.
    #[serde(default)]
    pub note: Option<String>,
}

/// One agency with the agencies under it, for rolled-up facet output.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rolled {
    /// Canonical name.
    pub name: String,
    /// Articles naming this agency (not its components).
    pub count: u64,
    /// Components with at least one article, largest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Rolled>,
}

/// The suffix that asks for an agency's components too.
pub const WITH_CHILDREN: char = '+';

/// Checks that parents and lineage name known agencies and that no agency
/// is its own ancestor (which would make expansion loop).
pub(super) fn check(agencies: &[Agency], lineage: &[Lineage]) -> Result<(), String> {
    let known = |n: &str| agencies.iter().any(|a| a.name == n);
    for l in lineage {
        for name in std::iter::once(&l.agency).chain(&l.predecessors) {
            if !known(name) {
                return Err(format!("lineage names unknown agency {name:?}"));
            }
        }
    }
    for agency in agencies {
        let mut at = agency.parent.as_deref();
        let mut steps = 0;
        while let Some(parent) = at {
            if parent == agency.name || steps > agencies.len() {
                return Err(format!("agency {} is its own ancestor", agency.name));
            }
            steps += 1;
            at = agencies
                .iter()
                .find(|a| a.name == parent)
                .and_then(|a| a.parent.as_deref());
        }
    }
    Ok(())
}

impl Taxonomy {
    /// The agency entry with this canonical name.
    pub fn agency(&self, name: &str) -> Option<&Agency> {
        self.agencies().iter().find(|a| a.name == name)
    }

    /// Canonical names of the agencies whose `parent` is `name`.
    pub fn children(&self, name: &str) -> Vec<&str> {
        self.agencies()
            .iter()
            .filter(|a| a.parent.as_deref() == Some(name))
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Canonical names of the offices merged into `name`.
    pub fn predecessors(&self, name: &str) -> Vec<&str> {
        self.lineage
            .iter()
            .filter(|l| l.agency == name)
            .flat_map(|l| l.predecessors.iter().map(String::as_str))
            .collect()
    }

    /// The successor of a merged office, if any.
    pub fn successor(&self, name: &str) -> Option<&str> {
        self.lineage
            .iter()
            .find(|l| l.predecessors.iter().any(|p| p == name))
            .map(|l| l.agency.as_str())
    }

    /// The lineage section as loaded.
    pub fn lineage(&self) -> &[Lineage] {
        &self.lineage
    }

    /// The agencies a filter value stands for, or None when `spec` names no
    /// agency of the vocabulary. `CISA` gives CISA and its predecessors;
    /// `DHS+` gives DHS, all its components (recursively) and their
    /// predecessors. Sorted, without duplicates.
    pub fn expand_agency(&self, spec: &str) -> Option<Vec<String>> {
        let spec = spec.trim();
        let (name, with_children) = match spec.strip_suffix(WITH_CHILDREN) {
            Some(rest) => (rest.trim_end(), true),
            None => (spec, false),
        };
        let root = self.canonical(Kind::Agency, name)?;
        let mut out = BTreeSet::new();
        let mut todo = vec![root];
        // `check` rules out cycles in parents; lineage is one level deep,
        // and `out` stops anything from being visited twice.
        while let Some(next) = todo.pop() {
            if !out.insert(next.clone()) {
                continue;
            }
            todo.extend(self.predecessors(&next).into_iter().map(str::to_string));
            if with_children {
                todo.extend(self.children(&next).into_iter().map(str::to_string));
            }
        }
        Some(out.into_iter().collect())
    }

    /// Arranges agency facet counts as trees: each agency under its nearest
    /// ancestor that has a count of its own, roots largest first. Counts are
    /// not summed (an article naming both DHS and CISA would count twice);
    /// the tree only shows what belongs together.
    pub fn roll_up(&self, counts: &[(String, u64)]) -> Vec<Rolled> {
        let count_of = |n: &str| counts.iter().find(|(v, _)| v == n).map(|(_, c)| *c);
        let shown_parent = |name: &str| -> Option<String> {
            let mut at = self.agency(name)?.parent.clone();
            let mut steps = 0;
            while let Some(p) = at {
                if count_of(&p).is_some() {
                    return Some(p);
                }
                steps += 1;
                if steps > self.agencies().len() {
                    return None;
                }
                at = self.agency(&p).and_then(|a| a.parent.clone());
            }
            None
        };
        fn build(
            name: &str,
            count: u64,
            counts: &[(String, u64)],
            parent_of: &dyn Fn(&str) -> Option<String>,
            depth: usize,
        ) -> Rolled {
            let children = if depth > 16 {
                Vec::new()
            } else {
                counts
                    .iter()
                    .filter(|(v, _)| parent_of(v).as_deref() == Some(name))
                    .map(|(v, c)| build(v, *c, counts, parent_of, depth + 1))
                    .collect()
            };
            Rolled {
                name: name.to_string(),
                count,
                children,
            }
        }
        counts
            .iter()
            .filter(|(v, _)| shown_parent(v).is_none())
            .map(|(v, c)| build(v, *c, counts, &shown_parent, 0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Taxonomy {
        Taxonomy::builtin().expect("built-in taxonomy")
    }

    #[test]
    fn plain_name_brings_predecessors_and_plus_brings_components() {
        let t = builtin();
        let cisa = t.expand_agency("cisa").expect("known");
        for name in ["CISA", "US-CERT", "ICS-CERT", "NCCIC"] {
            assert!(cisa.contains(&name.to_string()), "{cisa:?}");
        }
        assert!(!cisa.contains(&"DHS".to_string()));
        let dhs = t.expand_agency("DHS+").expect("known");
        for name in [
            "DHS",
            "CISA",
            "TSA",
            "Secret Service",
            "US-CERT",
            "ICS-CERT",
        ] {
            assert!(dhs.contains(&name.to_string()), "{dhs:?}");
        }
        assert_eq!(t.expand_agency("DHS").expect("known"), ["DHS"]);
        assert_eq!(t.expand_agency("Nowhere+"), None);
    }

    #[test]
    fn lineage_naming_an_unknown_agency_is_refused() {
        let text = r#"
[topics]
threshold = 3
[[agency]]
name = "A"
aliases = ["A"]
[[lineage]]
agency = "A"
predecessors = ["B"]
[[country]]
name = "X"
aliases = ["X"]
[[topic]]
name = "t"
terms = { "t" = 1 }
"#;
        let err = Taxonomy::from_toml(text, "test").expect_err("unknown predecessor");
        assert!(err.to_string().contains("\"B\""), "{err}");
    }

    #[test]
    fn roll_up_nests_components_under_the_nearest_counted_ancestor() {
        let t = builtin();
        let counts = vec![
            ("DHS".to_string(), 5),
            ("CISA".to_string(), 4),
            ("NCCIC".to_string(), 1),
            ("FBI".to_string(), 3),
        ];
        let rolled = t.roll_up(&counts);
        let names: Vec<&str> = rolled.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["DHS", "FBI"]);
        assert_eq!(rolled[0].children[0].name, "CISA");
        assert_eq!(rolled[0].children[0].children[0].name, "NCCIC");
    }
}
