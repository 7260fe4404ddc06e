//! A store seen with documents that are not written yet: an output in progress read as it will
//! be once its metadata is written, so that it can be verified before it becomes a store.

use std::collections::BTreeMap;
use std::sync::Arc;

use zarrs::storage::byte_range::{ByteRangeIterator, extract_byte_ranges};
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytesIterator, ReadableListableStorageTraits,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
};

/// `inner` with the objects of `documents` (key → bytes) added, in memory.
pub struct Overlay {
    inner: Arc<dyn ReadableListableStorageTraits>,
    documents: BTreeMap<String, Bytes>,
}

impl Overlay {
    /// `inner` seen with `documents` in it.
    #[must_use]
    pub fn new(
        inner: Arc<dyn ReadableListableStorageTraits>,
        documents: BTreeMap<String, Bytes>,
    ) -> Self {
        Self { inner, documents }
    }

    fn document(&self, key: &StoreKey) -> Option<&Bytes> {
        self.documents.get(key.as_str())
    }
}

impl std::fmt::Debug for Overlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overlay")
            .field("documents", &self.documents.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl ReadableStorageTraits for Overlay {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let Some(bytes) = self.document(key) else {
            return self.inner.get_partial_many(key, byte_ranges);
        };
        let parts = extract_byte_ranges(bytes, byte_ranges)
            .map_err(|e| StorageError::Other(e.to_string()))?;
        Ok(Some(Box::new(
            parts.into_iter().map(|p| Ok(Bytes::from(p))),
        )))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        match self.document(key) {
            Some(bytes) => Ok(Some(bytes.len() as u64)),
            None => self.inner.size_key(key),
        }
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl ListableStorageTraits for Overlay {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.list_prefix(&StorePrefix::root())
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        let mut keys = self.inner.list_prefix(prefix)?;
        for key in self.documents.keys() {
            if key.starts_with(prefix.as_str()) {
                keys.push(StoreKey::new(key.clone())?);
            }
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let listed = self.inner.list_dir(prefix)?;
        let mut keys = listed.keys().clone();
        let mut prefixes = listed.prefixes().clone();
        for key in self.documents.keys() {
            let Some(rest) = key.strip_prefix(prefix.as_str()) else {
                continue;
            };
            match rest.split_once('/') {
                None => keys.push(StoreKey::new(key.clone())?),
                Some((child, _)) => {
                    prefixes.push(StorePrefix::new(format!("{}{child}/", prefix.as_str()))?);
                }
            }
        }
        keys.sort();
        keys.dedup();
        prefixes.sort();
        prefixes.dedup();
        Ok(StoreKeysPrefixes::new(keys, prefixes))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        let documents: u64 = self
            .documents
            .iter()
            .filter(|(key, _)| key.starts_with(prefix.as_str()))
            .map(|(_, bytes)| bytes.len() as u64)
            .sum();
        Ok(self.inner.size_prefix(prefix)? + documents)
    }
}

#[cfg(test)]
mod tests {
    use zarrs::storage::WritableStorageTraits;
    use zarrs::storage::store::MemoryStore;

    use super::*;

    #[test]
    fn documents_are_read_and_listed_beside_the_store() {
        let inner = Arc::new(MemoryStore::new());
        let chunk = StoreKey::new("a/c/0").expect("key");
        inner
            .set(&chunk, Bytes::from_static(b"chunk"))
            .expect("set");
        let documents = BTreeMap::from([
            ("zarr.json".to_string(), Bytes::from_static(b"{}")),
            ("a/zarr.json".to_string(), Bytes::from_static(b"{\"x\":1}")),
            ("b/zarr.json".to_string(), Bytes::from_static(b"{}")),
        ]);
        let overlay = Overlay::new(inner, documents);
        let doc = StoreKey::new("a/zarr.json").expect("key");
        assert_eq!(
            overlay.get(&doc).expect("get").as_deref(),
            Some(&b"{\"x\":1}"[..])
        );
        assert_eq!(
            overlay.get(&chunk).expect("get").as_deref(),
            Some(&b"chunk"[..])
        );
        let root = overlay.list_dir(&StorePrefix::root()).expect("list");
        let names: Vec<&str> = root.prefixes().iter().map(StorePrefix::as_str).collect();
        assert_eq!(names, ["a/", "b/"]);
        assert_eq!(root.keys().len(), 1);
        let a = overlay
            .list_dir(&StorePrefix::new("a/").expect("prefix"))
            .expect("list");
        assert_eq!(a.keys().len(), 1, "a/zarr.json");
        assert_eq!(a.prefixes().len(), 1, "a/c/");
    }
}
