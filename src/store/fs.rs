//! A filesystem store that reports what zarrs' `FilesystemStore` passes over, and does not read
//! through symbolic links that leave the store or loop.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::{ByteRange, ByteRangeIterator};
use zarrs::storage::{
    ListableStorageTraits, MaybeBytesIterator, ReadableStorageTraits, StorageError, StoreKey,
    StoreKeys, StoreKeysPrefixes, StorePrefix,
};

use crate::error::{Error, Result};

/// zarrs' [`FilesystemStore`] with a stricter directory listing: an unreadable directory is an
/// error rather than an empty listing, and a file name that is not UTF-8 is an error rather than
/// a panic. Symbolic links are followed only where they stay inside the store (unless opened
/// with [`super::OpenOptions::follow_links`]) and do not loop back to a directory above them; the links passed over
/// are kept for the scan to report ([`Self::links_not_followed`]). Whole objects are read from
/// the file opened as [`Self::open_key`] opens it; byte ranges are delegated to zarrs once
/// their path is known to stay inside.
#[derive(Debug)]
pub struct CheckedFilesystemStore {
    inner: FilesystemStore,
    base: PathBuf,
    /// `base`, resolved.
    root: PathBuf,
    follow_links: bool,
    /// Links not followed: key → why.
    skipped: Mutex<BTreeMap<String, String>>,
    /// Directories already resolved: whether they lie inside the store.
    inside: Mutex<HashMap<PathBuf, bool>>,
}

impl CheckedFilesystemStore {
    /// Opens the directory `base` as a store, reading through symbolic links that lead outside
    /// it when `follow_links` (links that loop are never followed).
    ///
    /// # Errors
    /// [`Error::Storage`] if zarrs cannot open the directory.
    pub fn new(base: &Path, follow_links: bool) -> Result<Self> {
        let inner = FilesystemStore::new(base)
            .map_err(|err| Error::storage(base.display().to_string(), err))?;
        let root = base.canonicalize().map_err(|source| Error::Io {
            path: base.to_path_buf(),
            source,
        })?;
        Ok(Self {
            inner,
            base: base.to_path_buf(),
            root,
            follow_links,
            skipped: Mutex::new(BTreeMap::new()),
            inside: Mutex::new(HashMap::new()),
        })
    }

    /// The path of the file of `key` (not checked: see [`Self::check_key`]).
    #[must_use]
    pub fn key_path(&self, key: &StoreKey) -> PathBuf {
        self.base.join(key.as_str())
    }

    /// The length of the file of `key`, `None` when there is none. Anything but a regular file
    /// there (a named pipe, a device, a socket, a folder) is refused by name: opening a pipe
    /// would wait for a writer for ever, and a device could be read without end.
    ///
    /// # Errors
    /// [`StorageError::Other`] naming the path.
    fn file_size(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        let path = self.key_path(key);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
            Ok(_) => Err(not_a_file(&path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, &e)),
        }
    }

    fn dir_path(&self, prefix: &StorePrefix) -> PathBuf {
        self.base.join(prefix.as_str())
    }

    /// Whether links that lead outside the store are followed (`--follow-links`).
    #[must_use]
    pub fn follows_links(&self) -> bool {
        self.follow_links
    }

    /// The symbolic links listing passed over, with why: `(key, reason)`.
    #[must_use]
    pub fn links_not_followed(&self) -> Vec<(String, String)> {
        let skipped = self.skipped.lock().unwrap_or_else(|p| p.into_inner());
        skipped
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn skip(&self, key: String, why: String) {
        let mut skipped = self.skipped.lock().unwrap_or_else(|p| p.into_inner());
        skipped.insert(key, why);
    }

    /// Why the symbolic link at `path` (a directory entry listed under `prefix`) is not
    /// followed, if it is not: it leads outside the store, or back to a directory the listing
    /// came through.
    fn link_refused(&self, path: &Path, prefix: &StorePrefix) -> Option<String> {
        let Ok(target) = path.canonicalize() else {
            return None; // A dangling link: read as missing.
        };
        if !self.follow_links && !target.starts_with(&self.root) {
            return Some(format!(
                "a symbolic link leads outside the store, to {}: not followed (--follow-links \
                 follows it)",
                target.display()
            ));
        }
        // Every directory the listing came through, as the filesystem resolves it.
        let mut logical = String::new();
        let mut through = vec![self.root.clone()];
        for part in prefix.as_str().split('/').filter(|p| !p.is_empty()) {
            logical.push_str(part);
            logical.push('/');
            if let Ok(dir) = self.base.join(&logical).canonicalize() {
                through.push(dir);
            }
        }
        through.iter().any(|dir| dir.starts_with(&target)).then(|| {
            format!(
                "a symbolic link loops back to {}: not followed",
                target.display()
            )
        })
    }

    /// Refuses to read `key` when its path leads outside the store through a symbolic link
    /// (unless links are followed). Every read checks this; so must any code that opens a
    /// store's files itself (or opens them with [`Self::open_key`]).
    ///
    /// # Errors
    /// [`StorageError::Other`] saying where the link leads.
    pub fn check_key(&self, key: &StoreKey) -> Result<(), StorageError> {
        if self.follow_links {
            return Ok(());
        }
        let path = self.key_path(key);
        self.check_parent(&path)?;
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
            && let Ok(target) = path.canonicalize()
            && !target.starts_with(&self.root)
        {
            return Err(outside(&target));
        }
        Ok(())
    }

    /// Opens the file of `key` for reading, with the checks of [`Self::check_key`] but fewer
    /// system calls (the last component is opened without following a link, and only a link
    /// is looked at further), and its length. `None` when no file holds `key`.
    ///
    /// # Errors
    /// [`StorageError::Other`] saying where a link leads, or naming the file that cannot be
    /// opened.
    pub fn open_key(&self, key: &StoreKey) -> Result<Option<(std::fs::File, u64)>, StorageError> {
        let path = self.key_path(key);
        let opened = if self.follow_links {
            open_without_waiting(&path)
        } else {
            self.check_parent(&path)?;
            match open_not_following(&path) {
                // A link (or, where links cannot be told apart when opening, anything): the
                // full check, then an ordinary open.
                Err(_) if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) => {
                    self.check_key(key)?;
                    open_without_waiting(&path)
                }
                opened => opened,
            }
        };
        match opened {
            Ok(file) => {
                let meta = file.metadata().map_err(|e| io_error(&path, &e))?;
                if !meta.is_file() {
                    return Err(not_a_file(&path));
                }
                Ok(Some((file, meta.len())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, &e)),
        }
    }

    /// Refuses a path whose directory resolves outside the store (each directory resolved once).
    fn check_parent(&self, path: &Path) -> Result<(), StorageError> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        let cached = {
            let inside = self.inside.lock().unwrap_or_else(|p| p.into_inner());
            inside.get(parent).copied()
        };
        let inside = match cached {
            Some(inside) => inside,
            None => match parent.canonicalize() {
                Ok(dir) => {
                    let inside = dir.starts_with(&self.root);
                    let mut cache = self.inside.lock().unwrap_or_else(|p| p.into_inner());
                    cache.insert(parent.to_path_buf(), inside);
                    if !inside {
                        return Err(outside(&dir));
                    }
                    inside
                }
                // A directory that does not exist holds nothing to read.
                Err(_) => true,
            },
        };
        if inside { Ok(()) } else { Err(outside(parent)) }
    }
}

/// The refusal of a read through a link that leads to `target`, outside the store.
fn outside(target: &Path) -> StorageError {
    StorageError::Other(format!(
        "a symbolic link leads outside the store, to {}: not read (--follow-links reads through \
         it)",
        target.display()
    ))
}

/// Opens `path` for reading, failing if its last component is a symbolic link.
#[cfg(target_os = "linux")]
fn open_not_following(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        // Not blocking: a named pipe is opened at once (then refused), not waited on.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// Opens `path` for reading, failing if its last component is a symbolic link.
#[cfg(not(target_os = "linux"))]
fn open_not_following(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) {
        return Err(std::io::Error::other("a symbolic link"));
    }
    open_without_waiting(path)
}

/// Opens `path` for reading without waiting for a writer, should it be a named pipe.
pub(crate) fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The refusal of something other than a regular file where a stored object should be.
fn not_a_file(path: &Path) -> StorageError {
    StorageError::Other(format!(
        "{}: not a regular file (a named pipe, device, socket or folder); zlint reads stored objects from files only",
        path.display()
    ))
}

fn io_error(path: &Path, err: &std::io::Error) -> StorageError {
    StorageError::Other(format!("{}: {err}", path.display()))
}

impl CheckedFilesystemStore {
    /// The length of the file of `key` with the checks of [`Self::check_key`], `None` when
    /// there is none: one look at the path itself when it is a regular file (no link) or
    /// nothing (its directory is checked all the same); a link is checked in full.
    ///
    /// # Errors
    /// As [`Self::check_key`] and [`Self::file_size`].
    fn checked_size(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        if !self.follow_links {
            let path = self.key_path(key);
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    self.check_parent(&path)?;
                    return Ok(Some(meta.len()));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.check_parent(&path)?;
                    return Ok(None);
                }
                _ => {}
            }
        }
        self.check_key(key)?;
        self.file_size(key)
    }

    /// The whole object at `key`, opened as [`Self::open_key`] opens it (no more system calls
    /// than the open, a status and the read). A file that grows while it is read is refused
    /// rather than read past the length it had when opened.
    fn get_whole(&self, key: &StoreKey) -> Result<MaybeBytesIterator<'_>, StorageError> {
        use std::io::Read;
        let Some((file, len)) = self.open_key(key)? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        let path = self.key_path(key);
        file.take(len.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&path, &e))?;
        if bytes.len() as u64 > len {
            return Err(StorageError::Other(format!(
                "{}: grew while it was read (from {len} bytes)",
                path.display()
            )));
        }
        let bytes = zarrs::storage::Bytes::from(bytes);
        Ok(Some(Box::new(std::iter::once(Ok(bytes)))))
    }
}

impl ReadableStorageTraits for CheckedFilesystemStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let ranges: Vec<ByteRange> = byte_ranges.collect();
        if let [ByteRange::FromStart(0, None)] = ranges.as_slice() {
            return self.get_whole(key);
        }
        // Byte ranges come from untrusted data (a shard index): one past the end of the file, or
        // of an absurd length, is refused here, before anything is allocated for it.
        let Some(size) = self.checked_size(key)? else {
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
        self.checked_size(key)
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
            let path = format!("{}{name}", prefix.as_str());
            // Follow symbolic links as a reader of the store would, unless they leave the store
            // or loop.
            let is_dir = match entry.file_type() {
                Ok(kind) if kind.is_symlink() => {
                    if let Some(why) = self.link_refused(&entry.path(), prefix) {
                        self.skip(path, why);
                        continue;
                    }
                    entry.path().is_dir()
                }
                Ok(kind) => kind.is_dir(),
                Err(err) => return Err(io_error(&entry.path(), &err)),
            };
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

#[cfg(test)]
mod tests {
    use zarrs::storage::{ReadableStorageTraits, StoreKey};

    use super::CheckedFilesystemStore;

    #[cfg(unix)]
    #[test]
    fn sizes_and_whole_reads_keep_the_link_and_file_rules() {
        let outside = tempfile::tempdir().expect("tempdir");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/folder")).expect("mkdir");
        std::fs::write(root.join("a/zarr.json"), b"{\"zarr_format\": 3}").expect("write");
        std::fs::write(outside.path().join("secret"), b"not the store's").expect("write");
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("a/out")).expect("ln");
        std::os::unix::fs::symlink(root.join("a/zarr.json"), root.join("a/in")).expect("ln");
        let key = |k: &str| StoreKey::new(k).expect("key");
        let store = CheckedFilesystemStore::new(root, false).expect("store");
        for name in ["a/zarr.json", "a/in"] {
            assert_eq!(
                store.size_key(&key(name)).expect("size"),
                Some(18),
                "{name}"
            );
            let bytes = store.get(&key(name)).expect("read").expect("there");
            assert_eq!(&bytes[..], b"{\"zarr_format\": 3}", "{name}");
        }
        assert_eq!(store.size_key(&key("a/missing")).expect("size"), None);
        assert!(store.get(&key("a/missing")).expect("read").is_none());
        for name in ["a/out", "a/folder"] {
            let size = store.size_key(&key(name)).expect_err(name).to_string();
            let read = store.get(&key(name)).expect_err(name).to_string();
            let expected = if name == "a/out" {
                "outside the store"
            } else {
                "folder"
            };
            assert!(size.contains(expected), "{name}: {size}");
            assert!(read.contains(expected), "{name}: {read}");
        }
        let following = CheckedFilesystemStore::new(root, true).expect("store");
        assert_eq!(following.size_key(&key("a/out")).expect("size"), Some(15));
        let bytes = following.get(&key("a/out")).expect("read").expect("there");
        assert_eq!(&bytes[..], b"not the store's");
    }
}
