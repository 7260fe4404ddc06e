//! A filesystem store whose every object is written whole: to a temporary name beside it, then
//! renamed into place, so a crash never leaves a half-written object under a real key.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits,
    StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix, WritableStorageTraits,
};

use crate::error::{Error, Result};

/// Prefix of temporary file names; such files are never valid keys of a store.
pub const TEMP_PREFIX: &str = ".zlint-tmp-";

/// zarrs' [`FilesystemStore`] with atomic whole-object writes.
#[derive(Debug)]
pub struct AtomicFilesystemStore {
    inner: FilesystemStore,
    base: PathBuf,
}

impl AtomicFilesystemStore {
    /// Opens the directory `base` as a writable store; directories are created as objects are
    /// written.
    ///
    /// # Errors
    /// [`Error::Storage`] if zarrs refuses the path.
    pub fn new(base: &Path) -> Result<Self> {
        let inner = FilesystemStore::new(base)
            .map_err(|err| Error::storage(base.display().to_string(), err))?;
        Ok(Self {
            inner,
            base: base.to_path_buf(),
        })
    }

    /// The store's directory.
    #[must_use]
    pub fn base(&self) -> &Path {
        &self.base
    }
}

/// The process id, asked once (each `std::process::id()` is a system call).
fn pid() -> u32 {
    static PID: OnceLock<u32> = OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// The error `err` with `path` in its message.
fn at(path: &Path, err: std::io::Error) -> std::io::Error {
    std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

/// An error when `path` is a symbolic link: zlint writes the files and folders of its outputs
/// itself and never through a link, which could point anywhere (outside the target included).
///
/// # Errors
/// [`std::io::ErrorKind::InvalidInput`] naming the path.
pub fn refuse_link(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{}: is a symbolic link; zlint writes its outputs' files and folders itself, \
                 never through a link (remove it)",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// A new file at `path`, never an existing one nor through a link: what was there by that name
/// (a temporary file of a run that died) is removed first, a link itself rather than its target.
///
/// # Errors
/// Any I/O error.
pub fn create_fresh(path: &Path) -> std::io::Result<File> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    File::options().write(true).create_new(true).open(path)
}

/// Fills a temporary file beside `path` with `fill`, then renames it into place; on failure the
/// temporary file is removed. Errors from creating the file or its directory, or renaming it,
/// name `path`; `fill` names what it reads itself.
fn replace_via_temp(
    path: &Path,
    unique: u64,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("object");
    let temp = parent.join(format!("{TEMP_PREFIX}{}-{unique}-{name}", pid()));
    // Most objects go into a directory that exists already: the directories are made only when
    // creating the file says they are missing.
    let mut file = match create_fresh(&temp) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(parent).map_err(|e| at(path, e))?;
            create_fresh(&temp).map_err(|e| at(path, e))?
        }
        Err(err) => return Err(at(path, err)),
    };
    let result = fill(&mut file).and_then(|()| {
        drop(file);
        std::fs::rename(&temp, path).map_err(|e| at(path, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Writes `bytes` to `path` whole: a temporary file in the same directory, then a rename.
///
/// # Errors
/// Any I/O error, with the path at fault in its message.
pub fn write_atomic(path: &Path, bytes: &[u8], unique: u64) -> std::io::Result<()> {
    write_parts_atomic(path, &[bytes], unique)
}

/// Writes `parts` one after another to `path` whole, as [`write_atomic`] writes one buffer: an
/// object made of pieces (a shard of inner chunks and its index) is not first copied into one.
///
/// # Errors
/// Any I/O error, with the path at fault in its message.
pub fn write_parts_atomic(path: &Path, parts: &[&[u8]], unique: u64) -> std::io::Result<()> {
    replace_via_temp(path, unique, |file| {
        parts
            .iter()
            .try_for_each(|part| file.write_all(part))
            .map_err(|e| at(path, e))
    })
}

/// The file that holds `key` in the store directory `base`, for writing it: every write of a
/// key into a local target, through [`AtomicFilesystemStore`] or beside it (shard files, files
/// repacked), resolves its path here.
///
/// # Errors
/// [`std::io::ErrorKind::InvalidInput`] naming the key and `base` when the key has an empty,
/// `.` or `..` part: it would name a file outside `base`.
pub(crate) fn target_path(base: &Path, key: &str) -> std::io::Result<PathBuf> {
    if super::is_plain_key(key) {
        return Ok(base.join(key));
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{key}: a key with an empty, `.` or `..` part would be written outside {}",
            base.display()
        ),
    ))
}

/// A number for the temporary file of an atomic write, distinct for each write of this
/// process, whether made through a store or beside it (see [`write_parts_atomic`]).
pub(crate) fn unique() -> u64 {
    static UNIQUE: AtomicU64 = AtomicU64::new(0);
    UNIQUE.fetch_add(1, Ordering::Relaxed)
}

/// Copies the open file `from`, from its current position, to `path` whole (in the kernel where
/// the filesystem allows: `copy_file_range` on Linux): a temporary file beside `path`, then a
/// rename. `from_path` names the source in errors.
///
/// # Errors
/// Any I/O error, with the path at fault in its message.
pub fn copy_file_atomic(
    from: &mut File,
    from_path: &Path,
    path: &Path,
    unique: u64,
) -> std::io::Result<()> {
    replace_via_temp(path, unique, |to| {
        std::io::copy(from, to)
            .map(|_| ())
            .map_err(|e| at(from_path, e))
    })
}

/// Packs the open chunk files `chunks` (the inner chunks of a Zarr v3 shard in C order, each
/// `(file, path)` or `None` for an absent chunk) into a `sharding_indexed` shard at `path`,
/// whole: each chunk copied in the kernel where the filesystem allows, then the index (offset
/// and length per chunk, little-endian `u64`, `u64::MAX` twice when absent) and its crc32c.
/// `Ok(false)`, and nothing written, when no chunk exists.
///
/// # Errors
/// Any I/O error, with the path at fault in its message.
pub fn pack_shard_files(
    chunks: &mut [Option<(File, PathBuf)>],
    path: &Path,
    unique: u64,
) -> std::io::Result<bool> {
    if chunks.iter().all(Option::is_none) {
        return Ok(false);
    }
    replace_via_temp(path, unique, |out| {
        let mut spans = Vec::with_capacity(chunks.len());
        let mut offset = 0u64;
        for chunk in chunks.iter_mut() {
            let Some((from, from_path)) = chunk else {
                spans.push(None);
                continue;
            };
            let length = std::io::copy(from, out).map_err(|e| at(from_path, e))?;
            spans.push(Some((offset, length)));
            offset += length;
        }
        out.write_all(&shard_index(&spans)).map_err(|e| at(path, e))
    })
    .map(|()| true)
}

/// The index a `sharding_indexed` shard ends with: per inner chunk (C order) its offset and
/// length as little-endian `u64`s, `u64::MAX` twice when absent, then the crc32c of all that.
pub(crate) fn shard_index(spans: &[Option<(u64, u64)>]) -> Vec<u8> {
    let mut index = Vec::with_capacity(spans.len() * 16 + 4);
    for span in spans {
        let (offset, length) = span.unwrap_or((u64::MAX, u64::MAX));
        index.extend_from_slice(&offset.to_le_bytes());
        index.extend_from_slice(&length.to_le_bytes());
    }
    let checksum = crc32c::crc32c(&index);
    index.extend_from_slice(&checksum.to_le_bytes());
    index
}

impl ReadableStorageTraits for AtomicFilesystemStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.inner.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl ListableStorageTraits for AtomicFilesystemStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.inner.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.inner.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.inner.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}

impl WritableStorageTraits for AtomicFilesystemStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let path = target_path(&self.base, key.as_str()).map_err(|err| {
            StorageError::Other(err.to_string()) // the message names the key and the store
        })?;
        write_atomic(&path, &value, unique())
            .map_err(|err| StorageError::IOError(std::sync::Arc::new(err)))
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        _offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        Err(StorageError::Unsupported(format!(
            "{key}: partial writes are not atomic and not used by zlint"
        )))
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_land_whole_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b/0");
        write_atomic(&path, b"first", 1).expect("write");
        write_atomic(&path, b"second", 2).expect("overwrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        assert_eq!(names(&dir.path().join("a/b")), ["0"]);
    }

    #[test]
    fn keys_that_climb_out_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = AtomicFilesystemStore::new(&dir.path().join("out")).expect("store");
        for key in ["a/../../evil", "../evil", "a/./b"] {
            let key = StoreKey::new(key).expect("zarrs accepts the key");
            let err = store
                .set(&key, Bytes::from_static(b"x"))
                .expect_err(key.as_str());
            assert!(err.to_string().contains("outside"), "{err}");
        }
        assert!(!dir.path().join("evil").exists());
        store
            .set(
                &StoreKey::new("a/b").expect("key"),
                Bytes::from_static(b"x"),
            )
            .expect("a plain key is written");
    }

    #[test]
    fn files_written_beside_the_store_resolve_keys_by_the_same_rule() {
        let base = Path::new("/data/out.zarr");
        for key in ["", "a//b", "a/..", "../evil", "./c/0", "c/0/"] {
            let err = target_path(base, key).expect_err(key);
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{key}");
            assert!(err.to_string().contains("/data/out.zarr"), "{err}");
        }
        assert_eq!(
            target_path(base, "s0/c/1/0").expect("plain"),
            base.join("s0/c/1/0")
        );
    }

    #[test]
    fn a_failed_write_names_the_path_and_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A file where a directory must go.
        std::fs::write(dir.path().join("a"), b"x").expect("write");
        let err = write_atomic(&dir.path().join("a/0"), b"y", 1).expect_err("refused");
        assert!(err.to_string().contains("a/0"), "{err}");
        assert_eq!(names(dir.path()), ["a"]);
    }

    #[test]
    fn copies_go_into_missing_directories_and_name_the_source() {
        let dir = tempfile::tempdir().expect("tempdir");
        let from = dir.path().join("from");
        std::fs::write(&from, b"chunk").expect("write");
        let mut file = File::open(&from).expect("open");
        let to = dir.path().join("a/b/to");
        copy_file_atomic(&mut file, &from, &to, 1).expect("copied");
        assert_eq!(std::fs::read(&to).expect("read"), b"chunk");
        assert_eq!(names(&dir.path().join("a/b")), ["to"]);
        // A source that cannot be read (a directory): the error names it, nothing is left.
        let mut unreadable = File::open(dir.path().join("a")).expect("open");
        let err = copy_file_atomic(&mut unreadable, Path::new("the-source"), &to, 2)
            .expect_err("refused");
        assert!(err.to_string().contains("the-source"), "{err}");
        assert_eq!(names(&dir.path().join("a/b")), ["to"]);
    }

    #[test]
    fn packed_shards_hold_their_chunks_and_a_checked_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let open = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            Some((File::open(&path).expect("open"), path))
        };
        let mut chunks = [open("c0", b"aaa"), None, open("c2", b"bb")];
        let shard = dir.path().join("shard");
        assert!(pack_shard_files(&mut chunks, &shard, 1).expect("packed"));
        let bytes = std::fs::read(&shard).expect("read");
        assert_eq!(&bytes[..5], b"aaabb");
        let index = &bytes[5..];
        assert_eq!(index.len(), 3 * 16 + 4);
        let word = |i: usize| u64::from_le_bytes(index[i * 8..i * 8 + 8].try_into().expect("8"));
        assert_eq!((word(0), word(1)), (0, 3));
        assert_eq!((word(2), word(3)), (u64::MAX, u64::MAX));
        assert_eq!((word(4), word(5)), (3, 2));
        let crc = u32::from_le_bytes(index[48..].try_into().expect("4"));
        assert_eq!(crc, crc32c::crc32c(&index[..48]));
        // No chunk at all: no shard.
        let mut none = [None];
        assert!(!pack_shard_files(&mut none, &dir.path().join("empty"), 2).expect("nothing"));
        assert!(!dir.path().join("empty").exists());
    }
}
