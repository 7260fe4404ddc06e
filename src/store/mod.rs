//! Opening a store: a location given by the user becomes a handle on zarrs' storage traits.
//!
//! Everything zlint reads goes through [`ReadableListableStorageTraits`], so object stores can be
//! added beside the filesystem without touching the scanner. Filesystem stores also keep their
//! root path, which the deep scan uses for a fast parallel directory walk.

pub mod atomic;
pub mod bounded;
mod fingerprint;
mod fs;
pub mod listing;
#[cfg(feature = "cloud")]
mod metadata_reads;
pub mod n5;
mod overlay;
#[cfg(feature = "cloud")]
pub mod remote;
#[cfg(not(feature = "cloud"))]
#[path = "remote_disabled.rs"]
pub mod remote;
mod target;
#[cfg(feature = "cloud")]
mod whole_reads;
pub mod zip;
mod zip_checks;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use zarrs::storage::ReadableListableStorageTraits;

use crate::error::{Error, Result};

pub use fingerprint::{Fingerprint, fingerprint};
pub use fs::CheckedFilesystemStore;
pub(crate) use fs::open_without_waiting;
pub use overlay::Overlay;
pub use remote::Remote;
pub use target::TargetStore;

/// URL schemes opened as object stores.
const SCHEMES: &[&str] = &[
    "s3", "s3a", "gs", "az", "adl", "azure", "abfs", "abfss", "http", "https",
];

/// Whether `location` is an object store URL (`s3://`, `gs://`, `az://`, `http(s)://`, …) rather
/// than a path or a `file://` URL.
#[must_use]
pub fn is_url(location: &str) -> bool {
    location
        .split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

/// `LOCATION/key`: a key of the store at `location`, as messages name it (`location` itself for
/// the empty key).
#[must_use]
pub fn located(location: &str, key: &str) -> String {
    let base = location.trim_end_matches('/');
    if key.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{key}")
    }
}

/// Whether `key` stays inside its store: no `.` or `..` segment and no empty one. Object stores
/// list keys such as `a/../../b` as they are; written to a directory, such a key would climb
/// out of it.
#[must_use]
pub fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A path given as a path or a `file://` URL.
#[must_use]
pub fn local_path(location: &str) -> &Path {
    Path::new(location.strip_prefix("file://").unwrap_or(location))
}

/// Metadata file names that mark a node in one of the supported formats.
pub const METADATA_KEYS: &[&str] = &[
    "zarr.json",
    ".zarray",
    ".zgroup",
    ".zattrs",
    ".zmetadata",
    "attributes.json",
];

/// An opened store.
pub struct OpenedStore {
    /// The location as the user gave it.
    pub location: String,
    /// Read and list access to the store's keys.
    pub storage: Arc<dyn ReadableListableStorageTraits>,
    /// What kind of store it is, with that kind's own handle (the same store as `storage`).
    pub backend: Backend,
    /// How it was opened: a store opened again for the same run (a check, a resumed part) is
    /// opened the same way.
    pub options: OpenOptions,
}

/// The kind of an [`OpenedStore`], with what only that kind can do.
#[derive(Clone)]
#[non_exhaustive]
pub enum Backend {
    /// A directory on the local filesystem.
    Local {
        /// The store's root directory.
        root: PathBuf,
        /// The filesystem store: what it passed over, files the kernel can copy.
        files: Arc<CheckedFilesystemStore>,
    },
    /// A zip file: the entries it could not read.
    Zip(Arc<zip::ZipStore>),
    /// An object store or web server behind a URL: listing, ranged reads, conditional writes.
    Remote(Arc<Remote>),
    /// Any other storage: in memory, or an output as it will be once written.
    Other,
}

impl OpenedStore {
    /// A store over `storage` at `location` that is none of the kinds zlint opens itself.
    #[must_use]
    pub fn other(location: String, storage: Arc<dyn ReadableListableStorageTraits>) -> Self {
        Self {
            location,
            storage,
            backend: Backend::Other,
            options: OpenOptions::default(),
        }
    }

    /// The root directory, for a store on the local filesystem.
    #[must_use]
    pub fn root_dir(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local { root, .. } => Some(root),
            _ => None,
        }
    }

    /// The filesystem store, for a store on the local filesystem.
    #[must_use]
    pub fn local(&self) -> Option<&Arc<CheckedFilesystemStore>> {
        match &self.backend {
            Backend::Local { files, .. } => Some(files),
            _ => None,
        }
    }

    /// The object store, for a store behind a URL.
    #[must_use]
    pub fn remote(&self) -> Option<&Arc<Remote>> {
        match &self.backend {
            Backend::Remote(remote) => Some(remote),
            _ => None,
        }
    }

    /// The zip store, for a store inside a zip file.
    #[must_use]
    pub fn zip(&self) -> Option<&Arc<zip::ZipStore>> {
        match &self.backend {
            Backend::Zip(zip) => Some(zip),
            _ => None,
        }
    }

    /// Whether the store is behind a URL (reads go over the network, in ranges).
    #[must_use]
    pub fn is_remote(&self) -> bool {
        matches!(self.backend, Backend::Remote(_))
    }

    /// The store with its whole-object reads bounded for an array whose stored objects
    /// (chunks, or shards) decode to `decoded` bytes (`None`: variable-length elements), and its
    /// metadata documents by [`bounded::max_metadata_bytes`] (see [`bounded`]).
    #[must_use]
    pub fn bounded_for(&self, decoded: Option<u64>) -> Arc<dyn ReadableListableStorageTraits> {
        Arc::new(bounded::Bounded::new(
            self.storage.clone(),
            bounded::max_object_bytes(decoded),
            self.is_remote(),
        ))
    }
}

impl std::fmt::Debug for OpenedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedStore")
            .field("location", &self.location)
            .field("root_dir", &self.root_dir())
            .finish_non_exhaustive()
    }
}

/// How a store is opened: the choices of one run, carried by the [`OpenedStore`] (no setting is
/// process-wide, so two runs in one process do not see each other's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Read through symbolic links that lead outside a store on a filesystem (`--follow-links`);
    /// by default they are not followed and are reported. Links that loop are never followed.
    pub follow_links: bool,
}

/// Opens the store at `location` with the default [`OpenOptions`] (see [`open_with`]).
///
/// # Errors
/// As [`open_with`].
pub fn open(location: &str) -> Result<OpenedStore> {
    open_with(location, OpenOptions::default())
}

/// Opens the store at `location`: a directory holding a hierarchy, a group or an array, or a zip
/// file holding one (see [`zip::ZipStore`]). A path to one of the metadata files (`zarr.json`,
/// `.zarray`, `attributes.json`, …) opens its directory.
///
/// An object store URL opens the store at its path.
///
/// # Errors
/// [`Error::Io`] if the path does not exist or is not a readable directory; [`Error::Storage`]
/// when an object store cannot be reached or holds nothing at the URL.
pub fn open_with(location: &str, options: OpenOptions) -> Result<OpenedStore> {
    if is_url(location) {
        let remote = Remote::open(location)?;
        remote.check_reachable(true)?;
        return Ok(OpenedStore {
            location: location.to_string(),
            storage: remote.storage().readable_listable(),
            backend: Backend::Remote(Arc::new(remote)),
            options,
        });
    }
    let path = local_path(location);
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() && zip::is_zip(path) {
        let store = Arc::new(zip::ZipStore::open(path)?);
        return Ok(OpenedStore {
            location: location.to_string(),
            storage: store.clone(),
            backend: Backend::Zip(store),
            options,
        });
    }
    let dir = if meta.is_dir() {
        path.to_path_buf()
    } else {
        let is_metadata = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| METADATA_KEYS.contains(&n));
        match path.parent() {
            Some(parent) if is_metadata => {
                if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                }
            }
            _ => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "not a directory",
                    ),
                });
            }
        }
    };
    // Reading the directory up front turns a permission problem into a clear error here rather
    // than an empty store later.
    std::fs::read_dir(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let storage = Arc::new(CheckedFilesystemStore::new(&dir, options.follow_links)?);
    // A metadata file names its directory: locations in messages are built from the directory.
    let location = if meta.is_dir() {
        location.to_string()
    } else {
        dir.display().to_string()
    };
    Ok(OpenedStore {
        location,
        storage: storage.clone(),
        backend: Backend::Local {
            root: dir,
            files: storage,
        },
        options,
    })
}
