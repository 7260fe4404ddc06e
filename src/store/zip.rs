//! A store inside one zip file, read-only: zarr-python's `ZipStore`, zipped OME-Zarr (`.ozx`) and
//! any zip of a Zarr or N5 hierarchy. The central directory is read once; entries stored
//! uncompressed (as Zarr zips should be) are read by byte range straight from the file, and
//! deflated ones are inflated whole, never past the size the directory declares for them.
//!
//! A zip whose entries all sit in one top-level folder named like a store (`zip -r image.zip
//! image.zarr`) opens that folder as its root. Entry names that are absolute, climb out with `..` or are not
//! UTF-8 are not part of the store, and are reported like the links a directory store passes
//! over.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use zarrs::storage::byte_range::{ByteRange, ByteRangeIterator};
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytesIterator, ReadableStorageTraits, StorageError,
    StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
};
use zip::CompressionMethod;

use super::zip_checks;
use crate::error::{Error, Result};

/// The largest entry zlint inflates: a chunk or metadata document the zip compressed itself.
/// Zarr zips store their entries, so only hand-made zips meet this bound.
const MAX_INFLATED: u64 = 1 << 30;

/// How an entry's bytes are held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Stored,
    Deflated,
}

/// One entry of the central directory.
#[derive(Clone, Debug)]
struct Entry {
    /// Offset of the entry's data in the file.
    start: u64,
    /// Bytes the data takes in the file.
    compressed: u64,
    /// Bytes of the entry once inflated.
    size: u64,
    method: Method,
}

/// A read-only store over one zip file.
#[derive(Debug)]
pub struct ZipStore {
    path: PathBuf,
    file: File,
    /// Entries by store key (relative to the root folder, see the module documentation).
    entries: BTreeMap<String, Entry>,
    /// Per directory prefix (`""` for the root, `a/b/` below): its keys and child prefixes.
    dirs: BTreeMap<String, (Vec<String>, BTreeSet<String>)>,
    /// The folder inside the zip that holds the store (`""` for the zip's root).
    root: String,
    /// Entries that are not part of the store, with why.
    skipped: Vec<(String, String)>,
    /// See [`ZipStore::warnings`].
    warnings: Vec<String>,
}

/// Whether the file at `path` is a zip (by its first bytes: a local file header, or the end
/// of central directory record of an empty zip).
#[must_use]
pub fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06")
}

impl ZipStore {
    /// Opens the zip file at `path` and reads its central directory.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read or is not a zip (naming the path), or has an
    /// encrypted entry or one compressed other than stored or deflated.
    pub fn open(path: &Path) -> Result<Self> {
        let io = |source: std::io::Error| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let invalid = |why: String| io(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
        let file = File::open(path).map_err(io)?;
        let length = file.metadata().map_err(io)?.len();
        let mut archive = zip::ZipArchive::new(file.try_clone().map_err(io)?)
            .map_err(|e| invalid(format!("not a readable zip file: {e}")))?;
        // Every name of the directory in its order, duplicates included (the zip crate keeps
        // the last of each name, as Python's zipfile, and so zarr-python, reads it).
        let listed = zip_checks::central_names(&file, archive.central_directory_start(), length)
            .map_err(&invalid)?;
        let mut warnings = zip_checks::duplicate_names(&listed);
        if archive.has_duplicate_names() && warnings.is_empty() {
            warnings.push("the zip lists an entry name twice".into());
        }
        let mut named = BTreeMap::new();
        let mut skipped = Vec::new();
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|e| invalid(format!("zip entry {index}: {e}")))?;
            let Ok(name) = entry.name().map(|n| n.into_owned()) else {
                skipped.push((format!("entry {index}"), "its name is not UTF-8".into()));
                continue;
            };
            if entry.is_dir() {
                continue;
            }
            if let Some(why) = unsafe_name(&name) {
                skipped.push((name, why.into()));
                continue;
            }
            if entry.encrypted() {
                return Err(invalid(format!("zip entry `{name}` is encrypted")));
            }
            let method = match entry.compression() {
                CompressionMethod::Stored => Method::Stored,
                // Inflated here with flate2, bounded (see `ZipStore::inflate`).
                CompressionMethod::DEFLATE => Method::Deflated,
                other => {
                    return Err(invalid(format!(
                        "zip entry `{name}` is compressed with {other}: zlint reads stored and deflated entries"
                    )));
                }
            };
            let start = entry
                .data_start()
                .ok_or_else(|| invalid(format!("zip entry `{name}`: no data offset")))?;
            let compressed = entry.compressed_size();
            if start.checked_add(compressed).is_none_or(|end| end > length) {
                return Err(invalid(format!(
                    "zip entry `{name}` lies past the end of the file ({length} bytes)"
                )));
            }
            if method == Method::Stored && entry.size() != compressed {
                return Err(invalid(format!(
                    "zip entry `{name}` is stored but declares {} bytes in {compressed}",
                    entry.size()
                )));
            }
            zip_checks::check_local_header(&file, entry.header_start(), &name).map_err(&invalid)?;
            let entry = Entry {
                start,
                compressed,
                size: entry.size(),
                method,
            };
            // Readers disagree on which of two entries of one name they read: neither is.
            if named.insert(name.clone(), entry).is_some() {
                return Err(invalid(format!(
                    "zip entry `{name}` is listed twice (readers differ on which they read)"
                )));
            }
        }
        zip_checks::check_no_overlap(
            named
                .iter()
                .map(|(name, e)| (name.as_str(), e.start, e.compressed)),
        )
        .map_err(&invalid)?;
        warnings.extend(zip_checks::rfc9_order(archive.comment(), &listed));
        let root = root_folder(&named);
        let entries = under_root(named, &root, &mut skipped);
        let dirs = directories(&entries);
        Ok(Self {
            path: path.to_path_buf(),
            file,
            entries,
            dirs,
            root,
            skipped,
            warnings,
        })
    }

    /// What the directory does that readers may take differently, though zlint reads it: a
    /// name listed twice (the last entry is read, as zarr-python reads it), or an RFC-9 comment
    /// promising an order (`jsonFirst`: every `zarr.json` first, breadth-first from the root's)
    /// that the directory breaks (a reader trusting it misses what comes late).
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Entries that are not part of the store (unsafe names, outside the root folder), with why.
    #[must_use]
    pub fn skipped(&self) -> &[(String, String)] {
        &self.skipped
    }

    /// The folder inside the zip that holds the store (`""` for the zip's root).
    #[must_use]
    pub fn root_folder(&self) -> &str {
        &self.root
    }

    /// The keys under `prefix` with the bytes each holds (once inflated).
    #[must_use]
    pub fn list_sizes(&self, prefix: &str) -> Vec<(String, u64)> {
        self.entries
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, entry)| (key.clone(), entry.size))
            .collect()
    }

    /// Reads `length` bytes at `offset` of the file.
    fn read_at(&self, offset: u64, length: u64) -> std::io::Result<Vec<u8>> {
        let mut buffer = vec![0u8; usize::try_from(length).map_err(std::io::Error::other)?];
        read_exact_at(&self.file, &mut buffer, offset)?;
        Ok(buffer)
    }

    /// The whole inflated content of a deflated entry, refused if it inflates to anything but
    /// the size the central directory declares.
    fn inflate(&self, key: &str, entry: &Entry) -> Result<Vec<u8>, StorageError> {
        let fail = |why: String| {
            StorageError::Other(format!(
                "{}: zip entry `{}{key}`: {why}",
                self.path.display(),
                self.root
            ))
        };
        if entry.size > MAX_INFLATED {
            return Err(fail(format!(
                "declares {} bytes once inflated, more than zlint inflates ({MAX_INFLATED})",
                entry.size
            )));
        }
        let compressed = self
            .read_at(entry.start, entry.compressed)
            .map_err(|e| fail(e.to_string()))?;
        let mut out = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        flate2::read::DeflateDecoder::new(compressed.as_slice())
            .take(entry.size + 1)
            .read_to_end(&mut out)
            .map_err(|e| fail(format!("cannot inflate: {e}")))?;
        if out.len() as u64 != entry.size {
            return Err(fail(format!(
                "inflates to {}{} bytes where the zip declares {}",
                out.len(),
                if out.len() as u64 > entry.size {
                    " or more"
                } else {
                    ""
                },
                entry.size
            )));
        }
        Ok(out)
    }
}

/// Why an entry name cannot be a store key, if it cannot.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.starts_with('/') || name.contains('\\') || name.contains('\0') {
        Some("its name is absolute or holds `\\` or NUL")
    } else if name.split('/').any(|part| part == ".." || part == ".") {
        Some("its name holds `.` or `..`")
    } else if name.split('/').any(str::is_empty) {
        Some("its name has an empty part")
    } else {
        None
    }
}

/// The store's directories (`""` the root, else `a/b/`): each with its files and its child
/// directories, for listing.
fn directories(
    entries: &BTreeMap<String, Entry>,
) -> BTreeMap<String, (Vec<String>, BTreeSet<String>)> {
    let mut dirs: BTreeMap<String, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    dirs.entry(String::new()).or_default();
    for key in entries.keys() {
        let (dir, _) = key.rsplit_once('/').map_or(("", ""), |(d, f)| (d, f));
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        dirs.entry(dir.clone()).or_default().0.push(key.clone());
        // Each directory is a child of its parent, up to the root.
        let mut child = dir;
        while !child.is_empty() {
            let trimmed = child.trim_end_matches('/');
            let parent = trimmed
                .rsplit_once('/')
                .map_or(String::new(), |(p, _)| format!("{p}/"));
            if !dirs.entry(parent.clone()).or_default().1.insert(child) {
                break;
            }
            child = parent;
        }
    }
    dirs
}

/// The entries under the store's folder `root`, keyed without it; the others are `skipped`.
fn under_root(
    named: BTreeMap<String, Entry>,
    root: &str,
    skipped: &mut Vec<(String, String)>,
) -> BTreeMap<String, Entry> {
    let mut entries = BTreeMap::new();
    for (name, entry) in named {
        if let Some(key) = name.strip_prefix(root) {
            entries.insert(key.to_string(), entry);
        } else {
            skipped.push((name, format!("outside the store's folder `{root}`")));
        }
    }
    entries
}

/// The folder that holds the store: the one top-level folder all entries share when it is
/// named like a store (`*.zarr`, `*.n5`), as zipping a store's directory makes it; else the
/// zip's root.
fn root_folder(entries: &BTreeMap<String, Entry>) -> String {
    let top_level = |name: &str| name.split_once('/').map(|(first, _)| first.to_string());
    let mut folders: BTreeSet<Option<String>> = entries.keys().map(|k| top_level(k)).collect();
    match (folders.len(), folders.pop_first()) {
        (1, Some(Some(folder)))
            if [".zarr", ".n5"]
                .iter()
                .any(|ext| folder.to_ascii_lowercase().ends_with(ext)) =>
        {
            format!("{folder}/")
        }
        _ => String::new(),
    }
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
pub(super) fn read_exact_at(
    file: &File,
    mut buffer: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

impl ReadableStorageTraits for ZipStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let Some(entry) = self.entries.get(key.as_str()) else {
            return Ok(None);
        };
        let ranges: Vec<ByteRange> = byte_ranges.collect();
        // Byte ranges come from untrusted data (a shard index): checked before anything is read.
        for range in &ranges {
            let past_end = match range {
                ByteRange::FromStart(offset, length) => offset
                    .checked_add(length.unwrap_or(0))
                    .is_none_or(|end| end > entry.size),
                ByteRange::Suffix(length) => *length > entry.size,
            };
            if past_end {
                return Err(StorageError::Other(format!(
                    "byte range {range} lies outside the object's {} bytes",
                    entry.size
                )));
            }
        }
        let parts: Vec<Result<Bytes, StorageError>> = match entry.method {
            Method::Stored => ranges
                .iter()
                .map(|range| {
                    let r = range.to_range(entry.size);
                    self.read_at(entry.start + r.start, r.end - r.start)
                        .map(Bytes::from)
                        .map_err(|e| {
                            StorageError::Other(format!("{}: {key}: {e}", self.path.display()))
                        })
                })
                .collect(),
            Method::Deflated => {
                let whole = Bytes::from(self.inflate(key.as_str(), entry)?);
                ranges
                    .iter()
                    .map(|range| Ok(whole.slice(range.to_range_usize(entry.size))))
                    .collect()
            }
        };
        Ok(Some(Box::new(parts.into_iter())))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        Ok(self.entries.get(key.as_str()).map(|e| e.size))
    }

    fn supports_get_partial(&self) -> bool {
        true
    }
}

impl ListableStorageTraits for ZipStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.entries
            .keys()
            .map(|k| StoreKey::new(k.clone()).map_err(StorageError::from))
            .collect()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.list_sizes(prefix.as_str())
            .into_iter()
            .map(|(k, _)| StoreKey::new(k).map_err(StorageError::from))
            .collect()
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let Some((keys, children)) = self.dirs.get(prefix.as_str()) else {
            return Ok(StoreKeysPrefixes::new(vec![], vec![]));
        };
        let keys = keys
            .iter()
            .map(|k| StoreKey::new(k.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let prefixes = children
            .iter()
            .map(|p| StorePrefix::new(p.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StoreKeysPrefixes::new(keys, prefixes))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        Ok(self
            .list_sizes(prefix.as_str())
            .iter()
            .map(|(_, size)| size)
            .sum())
    }
}
