//! Every object a store holds under a prefix, with its size: what a fingerprint digests and a
//! rechunk's inventory sorts (see [`crate::plan::inventory`]).

use std::time::UNIX_EPOCH;

use super::{Backend, OpenedStore};
use crate::error::{Error, Result};

/// One stored object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    /// Its key, relative to the store's root.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its last modification in nanoseconds since the epoch, or 0 where the store gives none.
    pub modified: u128,
}

/// Every object under `prefix` (`""`: the whole store) of `opened`, in no set order; `None`
/// when the store cannot be listed (a plain HTTP server). Directories are not objects; a
/// symbolic link is listed as itself, never followed.
///
/// # Errors
/// [`Error::Io`] or [`Error::Storage`] when the store cannot be listed.
pub fn list_objects(opened: &OpenedStore, prefix: &str) -> Result<Option<Vec<Listed>>> {
    let mut objects = Vec::new();
    match &opened.backend {
        Backend::Local { root, .. } => {
            let dir = root.join(prefix);
            if !dir.exists() {
                return Ok(Some(objects));
            }
            for entry in walkdir::WalkDir::new(&dir).follow_links(false) {
                let entry = entry.map_err(|e| Error::Io {
                    path: e.path().unwrap_or(&dir).to_path_buf(),
                    source: e.into(),
                })?;
                if entry.file_type().is_dir() {
                    continue;
                }
                let meta = entry.metadata().map_err(|e| Error::Io {
                    path: entry.path().to_path_buf(),
                    source: e.into(),
                })?;
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let key = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                objects.push(Listed {
                    key,
                    size: meta.len(),
                    modified,
                });
            }
        }
        Backend::Remote(remote) if !remote.listable() => return Ok(None),
        Backend::Remote(remote) => {
            for (key, size, modified) in remote.list_stamped(prefix)? {
                objects.push(Listed {
                    key,
                    size,
                    modified,
                });
            }
        }
        _ => {
            let listed = opened
                .storage
                .list()
                .map_err(|e| Error::storage(opened.location.clone(), e))?;
            for key in listed {
                if !key.as_str().starts_with(prefix) {
                    continue;
                }
                let size = opened
                    .storage
                    .size_key(&key)
                    .map_err(|e| Error::storage(opened.location.clone(), e))?
                    .unwrap_or(0);
                objects.push(Listed {
                    key: key.as_str().to_string(),
                    size,
                    modified: 0,
                });
            }
        }
    }
    Ok(Some(objects))
}
