//! A filesystem store that reports what zarrs' `FilesystemStore` passes over.

use std::path::{Path, PathBuf};

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::{ByteRange, ByteRangeIterator};
use zarrs::storage::{
    ListableStorageTraits, MaybeBytesIterator, ReadableStorageTraits, StorageError, StoreKey,
    StoreKeys, StoreKeysPrefixes, StorePrefix,
};

use crate::error::{Error, Result};

/// zarrs' [`FilesystemStore`] with a stricter directory listing: an unreadable directory is an
/// error rather than an empty listing, and a file name that is not UTF-8 is an error rather than
/// a panic. Reads are delegated unchanged.
#[derive(Debug)]
pub struct CheckedFilesystemStore {
    inner: FilesystemStore,
    base: PathBuf,
}

impl CheckedFilesystemStore {
    /// Opens the directory `base` as a store.
    ///
    /// # Errors
    /// [`Error::Storage`] if zarrs cannot open the directory.
    pub fn new(base: &Path) -> Result<Self> {
        let inner = FilesystemStore::new(base)
            .map_err(|err| Error::storage(base.display().to_string(), err))?;
        Ok(Self {
            inner,
            base: base.to_path_buf(),
        })
    }

    fn dir_path(&self, prefix: &StorePrefix) -> PathBuf {
        self.base.join(prefix.as_str())
    }
}

fn io_error(path: &Path, err: &std::io::Error) -> StorageError {
    StorageError::Other(format!("{}: {err}", path.display()))
}

impl ReadableStorageTraits for CheckedFilesystemStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        // Byte ranges come from untrusted data (a shard index): one past the end of the file, or
        // of an absurd length, is refused here, before anything is allocated for it.
        let ranges: Vec<ByteRange> = byte_ranges.collect();
        let Some(size) = self.inner.size_key(key)? else {
            return Ok(None);
        };
        for range in &ranges {
            let past_end = match range {
                ByteRange::FromStart(offset, length) => offset
                    .checked_add(length.unwrap_or(0))
                    .is_none_or(|end| end > size),
                ByteRange::Suffix(length) => *length > size,
            };
            if past_end {
                // The caller names the object.
                return Err(StorageError::Other(format!(
                    "byte range {range} lies outside the object's {size} bytes"
                )));
            }
        }
        self.inner
            .get_partial_many(key, Box::new(ranges.into_iter()))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl ListableStorageTraits for CheckedFilesystemStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.inner.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.inner.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let dir = self.dir_path(prefix);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StoreKeysPrefixes::new(vec![], vec![]));
            }
            Err(err) => return Err(io_error(&dir, &err)),
        };
        let mut keys = Vec::new();
        let mut prefixes = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|err| io_error(&dir, &err))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(StorageError::Other(format!(
                    "{}: file name is not UTF-8",
                    entry.path().display()
                )));
            };
            // Follow symbolic links, as a reader of the store would.
            let is_dir = match entry.file_type() {
                Ok(kind) if kind.is_symlink() => entry.path().is_dir(),
                Ok(kind) => kind.is_dir(),
                Err(err) => return Err(io_error(&entry.path(), &err)),
            };
            let path = format!("{}{name}", prefix.as_str());
            if is_dir {
                prefixes.push(StorePrefix::new(path + "/")?);
            } else {
                keys.push(StoreKey::new(path)?);
            }
        }
        keys.sort();
        prefixes.sort();
        Ok(StoreKeysPrefixes::new(keys, prefixes))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}
