//! Where a rechunk writes: a directory (every object written to a temporary name and renamed into
//! place) or a prefix of an object store (every object one PUT). Either way an object is whole or
//! absent.

use std::path::PathBuf;
use std::sync::Arc;

use zarrs::storage::{ReadableWritableListableStorageTraits, StoreKey, StorePrefix};

use super::atomic::AtomicFilesystemStore;
use super::{Remote, is_url, local_path};
use crate::error::{Error, Result};

/// A rechunk's output store.
pub struct TargetStore {
    /// The location as the user gave it.
    pub location: String,
    /// Read, write and list access; every write is atomic.
    pub storage: Arc<dyn ReadableWritableListableStorageTraits>,
    /// The directory, for outputs on the local filesystem.
    pub dir: Option<PathBuf>,
    /// The object store, for outputs behind a URL.
    pub remote: Option<Arc<Remote>>,
}

impl std::fmt::Debug for TargetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl TargetStore {
    /// Opens `location` for writing. Nothing is created until something is written; an object
    /// store must answer (its bucket must exist).
    ///
    /// # Errors
    /// [`Error::Storage`] when the object store cannot be reached or configured.
    pub fn open(location: &str) -> Result<Self> {
        if is_url(location) {
            let remote = Remote::open(location)?;
            remote.check_reachable(false)?;
            return Ok(Self {
                location: location.to_string(),
                storage: remote.storage(),
                dir: None,
                remote: Some(Arc::new(remote)),
            });
        }
        let dir = local_path(location).to_path_buf();
        Ok(Self {
            location: location.to_string(),
            storage: Arc::new(AtomicFilesystemStore::new(&dir)?),
            dir: Some(dir),
            remote: None,
        })
    }

    /// `LOCATION/key`, for messages.
    #[must_use]
    pub fn key_location(&self, key: &str) -> String {
        super::located(&self.location, key)
    }

    fn store_key(&self, key: &str) -> Result<StoreKey> {
        StoreKey::new(key).map_err(|e| self.error(key, e))
    }

    fn error(&self, key: &str, err: impl Into<crate::error::Cause>) -> Error {
        Error::storage(self.key_location(key), err)
    }

    /// Writes the object `key` whole.
    ///
    /// # Errors
    /// [`Error::Storage`] naming the object.
    pub fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.storage
            .set(&self.store_key(key)?, bytes.into())
            .map_err(|e| self.error(key, e))
    }

    /// Reads the object `key`, `None` when absent.
    ///
    /// # Errors
    /// [`Error::Storage`] naming the object.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.storage
            .get(&self.store_key(key)?)
            .map(|bytes| bytes.map(|b| b.to_vec()))
            .map_err(|e| self.error(key, e))
    }

    /// Removes the object `key` (nothing when absent).
    ///
    /// # Errors
    /// [`Error::Storage`] naming the object.
    pub fn erase(&self, key: &str) -> Result<()> {
        self.storage
            .erase(&self.store_key(key)?)
            .map_err(|e| self.error(key, e))
    }

    /// Keys under `prefix` (`a/b/`, or `""` for all).
    ///
    /// # Errors
    /// [`Error::Storage`] naming the prefix.
    pub fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let store_prefix = StorePrefix::new(prefix).map_err(|e| self.error(prefix, e))?;
        if let Some(dir) = &self.dir
            && !dir.join(prefix).is_dir()
        {
            return Ok(Vec::new());
        }
        self.storage
            .list_prefix(&store_prefix)
            .map(|keys| keys.iter().map(|k| k.as_str().to_string()).collect())
            .map_err(|e| self.error(prefix, e))
    }

    /// Whether nothing is stored in the target.
    ///
    /// # Errors
    /// [`Error::Io`] when its directory cannot be read; [`Error::Storage`] when it cannot be
    /// listed.
    pub fn is_empty(&self) -> Result<bool> {
        match (&self.dir, &self.remote) {
            // A directory that does not exist yet is empty; one that cannot be read is an
            // error, not "empty" (which would let a rechunk write into it).
            (Some(dir), _) => match std::fs::read_dir(dir) {
                Ok(mut entries) => Ok(entries.next().is_none()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
                Err(source) => Err(Error::Io {
                    path: dir.clone(),
                    source,
                }),
            },
            (None, Some(remote)) => remote.is_empty(),
            (None, None) => Ok(self.list("")?.is_empty()),
        }
    }

    /// Removes everything stored in the target (`--overwrite`).
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Storage`] naming the target.
    pub fn clear(&self) -> Result<()> {
        if let Some(dir) = &self.dir {
            if dir.exists() {
                std::fs::remove_dir_all(dir).map_err(|source| Error::Io {
                    path: dir.clone(),
                    source,
                })?;
            }
            return Ok(());
        }
        self.storage
            .erase_prefix(&StorePrefix::root())
            .map_err(|e| self.error("", e))
    }

    /// Removes the temporary files that writes killed midway left in a directory target (see
    /// [`super::atomic::TEMP_PREFIX`]); returns how many. Only safe when nothing writes to the
    /// target meanwhile. Object stores have none: each object is one PUT.
    ///
    /// # Errors
    /// [`Error::Io`] naming a file that cannot be removed.
    pub fn remove_temporary_files(&self) -> Result<u64> {
        let Some(dir) = &self.dir else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .flatten()
        {
            let temporary = entry.file_type().is_file()
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| name.starts_with(super::atomic::TEMP_PREFIX));
            if temporary {
                std::fs::remove_file(entry.path()).map_err(|source| Error::Io {
                    path: entry.path().to_path_buf(),
                    source,
                })?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_target_puts_gets_lists_and_clears() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("out.zarr");
        let target = TargetStore::open(root.to_str().expect("utf-8")).expect("open");
        assert!(
            target.is_empty().expect("empty"),
            "a missing directory is empty"
        );
        target.put("a/zarr.json", b"{}".to_vec()).expect("put");
        target.put("a/c/0", b"x".to_vec()).expect("put");
        assert!(!target.is_empty().expect("not empty"));
        assert_eq!(target.get("a/c/0").expect("get"), Some(b"x".to_vec()));
        assert_eq!(target.get("a/c/1").expect("get"), None);
        let mut listed = target.list("a/").expect("list");
        listed.sort();
        assert_eq!(listed, ["a/c/0", "a/zarr.json"]);
        target.erase("a/c/0").expect("erase");
        assert_eq!(target.get("a/c/0").expect("get"), None);
        target.clear().expect("clear");
        assert!(target.is_empty().expect("empty again"));
        assert_eq!(
            target.key_location("k"),
            format!("{}/k", root.to_str().expect("utf-8"))
        );
    }
}
