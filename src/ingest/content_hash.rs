//! The hash of a file's bytes, as the manifest remembers it.
//!
//! Kept as 32 bytes rather than its 64-character hex text: at a million
//! files that is about 70 MB less held through a whole index run. On disk
//! it is still the hex text, so manifests written before read unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// blake3 of a file's content; all zeros (written as "") when unknown.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The hash of these bytes.
    pub fn of(bytes: &[u8]) -> Self {
        ContentHash(*blake3::hash(bytes).as_bytes())
    }

    fn is_unknown(&self) -> bool {
        self.0 == [0; 32]
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_unknown() {
            return Ok(());
        }
        f.write_str(blake3::Hash::from_bytes(self.0).to_hex().as_str())
    }
}

impl std::fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

impl Serialize for ContentHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        if text.is_empty() {
            return Ok(ContentHash::default());
        }
        blake3::Hash::from_hex(text.as_bytes())
            .map(|h| ContentHash(*h.as_bytes()))
            .map_err(|e| serde::de::Error::custom(format!("content hash {text:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_hex_text_and_read_back() {
        let hash = ContentHash::of(b"Treasury sanctions a ransomware group");
        let json = serde_json::to_string(&hash).expect("serializes");
        assert_eq!(json.len(), 64 + 2);
        assert_eq!(
            json,
            format!(
                "\"{}\"",
                blake3::hash(b"Treasury sanctions a ransomware group").to_hex()
            )
        );
        assert_eq!(
            serde_json::from_str::<ContentHash>(&json).expect("reads"),
            hash
        );
    }

    #[test]
    fn unknown_is_the_empty_text() {
        assert_eq!(
            serde_json::to_string(&ContentHash::default()).expect("serializes"),
            "\"\""
        );
        assert_eq!(
            serde_json::from_str::<ContentHash>("\"\"").expect("reads"),
            ContentHash::default()
        );
        assert!(serde_json::from_str::<ContentHash>("\"not hex\"").is_err());
    }
}
