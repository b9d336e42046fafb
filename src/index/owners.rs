//! Which files claim each URL id. Articles with a canonical URL get the URL
//! as their id, so two files (a saved page and a feed item, say) can hold
//! the same article. The index keeps one document for it, and it stays
//! while any file that holds it remains: a document is deleted only when
//! the last file claiming its id is gone or no longer holds it. Ids without
//! a URL are `file key#item` and belong to exactly one file.

use std::collections::{BTreeMap, HashMap};

use super::manifest::FileEntry;

/// URL ids and the manifest keys of the files that hold them.
#[derive(Debug, Default)]
pub(crate) struct UrlOwners {
    by_id: HashMap<String, Vec<String>>,
}

/// True for ids taken from a canonical URL (only http(s) URLs count).
pub(crate) fn is_url_id(id: &str) -> bool {
    id.starts_with("http://") || id.starts_with("https://")
}

impl UrlOwners {
    /// The claims recorded in a manifest.
    pub(crate) fn from_manifest(files: &BTreeMap<String, FileEntry>) -> Self {
        let mut owners = UrlOwners::default();
        for (key, entry) in files {
            owners.claim(key, &entry.ids);
        }
        owners
    }

    /// True when a file other than `key` holds `id`.
    pub(crate) fn held_elsewhere(&self, id: &str, key: &str) -> bool {
        self.by_id
            .get(id)
            .is_some_and(|keys| keys.iter().any(|k| k != key))
    }

    /// Records that `key` holds these ids.
    pub(crate) fn claim(&mut self, key: &str, ids: &[String]) {
        for id in ids.iter().filter(|id| is_url_id(id)) {
            let keys = self.by_id.entry(id.clone()).or_default();
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_string());
            }
        }
    }

    /// `key` no longer holds `id`; true when no file holds it any more, so
    /// its document must be deleted.
    pub(crate) fn release(&mut self, id: &str, key: &str) -> bool {
        if !is_url_id(id) {
            return true;
        }
        let Some(keys) = self.by_id.get_mut(id) else {
            return true;
        };
        keys.retain(|k| k != key);
        if keys.is_empty() {
            self.by_id.remove(id);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_document_stays_while_any_file_holds_it() {
        let mut owners = UrlOwners::default();
        let url = "https://x.example/a".to_string();
        owners.claim("/c/a.html", std::slice::from_ref(&url));
        assert!(!owners.held_elsewhere(&url, "/c/a.html"));
        assert!(owners.held_elsewhere(&url, "/c/b.html"));
        owners.claim("/c/b.html", std::slice::from_ref(&url));
        assert!(!owners.release(&url, "/c/a.html"));
        assert!(owners.release(&url, "/c/b.html"));
        assert!(owners.release("/c/n.txt#0", "/c/n.txt"));
    }
}
