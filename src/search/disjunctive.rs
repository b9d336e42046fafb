//! Disjunctive facet counts: the counts a filter sidebar shows. A facet on
//! which the user has picked values is counted over the matches of every
//! *other* filter, so picking "CISA" still shows how many articles name
//! "FBI" and picking it too widens the result (values of one facet are ORed).
//! Facets nobody filtered on are counted over the full match set in one pass.

use super::{search_in, FacetField, Facets, SearchRequest};
use crate::error::Result;
use crate::index::Store;
use crate::normalize::Taxonomy;

/// Counts `wanted` facets for `request` the way a sidebar needs them.
pub fn disjunctive_facets(
    store: &Store,
    searcher: &tantivy::Searcher,
    taxonomy: &Taxonomy,
    request: &SearchRequest,
    wanted: &[FacetField],
) -> Result<Facets> {
    let (filtered, free): (Vec<FacetField>, Vec<FacetField>) = wanted
        .iter()
        .copied()
        .partition(|f| has_selection(request, *f));
    let mut facets = if free.is_empty() {
        Facets::default()
    } else {
        count(store, searcher, taxonomy, request.clone(), free)?
    };
    for field in filtered {
        let mut widened = request.clone();
        clear_selection(&mut widened, field);
        let counted = count(store, searcher, taxonomy, widened, vec![field])?;
        facets.take_from(counted, field);
    }
    Ok(facets)
}

fn count(
    store: &Store,
    searcher: &tantivy::Searcher,
    taxonomy: &Taxonomy,
    mut request: SearchRequest,
    fields: Vec<FacetField>,
) -> Result<Facets> {
    request.limit = 1;
    request.offset = 0;
    request.snippets = false;
    request.facets = true;
    request.facet_fields = fields;
    Ok(search_in(store, searcher, taxonomy, &request)?
        .facets
        .unwrap_or_default())
}

fn has_selection(request: &SearchRequest, field: FacetField) -> bool {
    match field {
        FacetField::Agency => !request.agencies.is_empty(),
        FacetField::Topic => !request.topics.is_empty(),
        FacetField::Country => !request.countries.is_empty(),
        FacetField::Source => !request.sources.is_empty(),
        FacetField::Year => request.year.is_some(),
    }
}

fn clear_selection(request: &mut SearchRequest, field: FacetField) {
    match field {
        FacetField::Agency => request.agencies.clear(),
        FacetField::Topic => request.topics.clear(),
        FacetField::Country => request.countries.clear(),
        FacetField::Source => request.sources.clear(),
        FacetField::Year => request.year = None,
    }
}

impl Facets {
    /// Moves one facet's counts from `other` into `self`.
    fn take_from(&mut self, other: Facets, field: FacetField) {
        match field {
            FacetField::Agency => self.agency = other.agency,
            FacetField::Topic => self.topic = other.topic,
            FacetField::Country => self.country = other.country,
            FacetField::Source => self.source = other.source,
            FacetField::Year => self.year = other.year,
        }
    }
}
