//! Scanning a store: metadata → [`Store`], and optionally the stored objects (`--deep`).

mod codecs;
mod deep;
mod discover;
mod dtype;
mod heads;
mod presence;

mod json;
mod n5;
mod named;
mod ome;
mod zarr2;
mod zarr3;

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Consolidated, NodeError, NodePath, Store, Unlisted};
use crate::progress::Progress;
use crate::store::{Backend, OpenedStore};
use discover::{Found, Walker};

/// The data type `name` names, when it has a fixed element size: a Zarr v3 or N5 name
/// (`uint16`, `float32`) or a NumPy type string as Zarr v2 stores it (`<u2`, `|u1`).
#[must_use]
pub fn data_type(name: &str) -> Option<crate::model::DataType> {
    let value = serde_json::Value::String(name.to_string());
    dtype::from_zarr3(&value)
        .ok()
        .filter(|d| d.item_size.is_some())
        .or_else(|| dtype::from_zarr2(&value, None).ok())
        .filter(|d| d.item_size.is_some())
}

/// What a scan reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanOptions {
    /// Also read the stored chunk objects (count, bytes, missing, compression ratio).
    pub deep: bool,
}

/// Scans an opened store. Nodes that cannot be read are collected in [`Store::errors`]; the scan
/// goes on with the others.
///
/// # Errors
/// [`Error::NotAStore`] if nothing below the location is a Zarr or N5 node;
/// [`Error::Storage`] if a deep scan is asked of a store that is not on the local filesystem.
pub fn scan(opened: &OpenedStore, options: ScanOptions, progress: &dyn Progress) -> Result<Store> {
    let walker = Walker {
        storage: opened.storage.as_ref(),
        location: &opened.location,
        listable: opened.remote().is_none_or(|remote| remote.listable()),
        ranged: opened.is_remote(),
        max_metadata: crate::store::bounded::max_metadata_bytes(),
        named: std::sync::Mutex::default(),
    };
    let mut store = Store {
        location: opened.location.clone(),
        ..Store::default()
    };
    let mut consolidated = Vec::new();
    for found in walker.visit(&NodePath::root(), None) {
        match found {
            Found::Array(array) => store.arrays.push(*array),
            Found::Group {
                group,
                consolidated: listed,
            } => {
                if let Some((kind, nodes)) = listed {
                    consolidated.push((group.path.clone(), kind, nodes));
                }
                store.groups.push(group);
            }
            Found::Error(error) => store.errors.push(error),
            Found::Mixed(mixed) => store.mixed_metadata.push(mixed),
        }
    }
    said_not_read(opened, &mut store);
    if !walker.listable {
        let mut named = walker
            .named
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        named.sort_by(|a, b| a.path.cmp(&b.path));
        store.unlisted = Some(Unlisted {
            named,
            ..Unlisted::default()
        });
    }
    if store.node_count() == 0 && store.errors.is_empty() {
        return Err(Error::NotAStore(opened.location.clone().into()));
    }
    store.arrays.sort_by(|a, b| a.path.cmp(&b.path));
    store.groups.sort_by(|a, b| a.path.cmp(&b.path));
    store.mixed_metadata.sort_by(|a, b| a.node.cmp(&b.node));
    for (group, kind, listed) in consolidated {
        let info = check_consolidated(&store, &group, kind, listed);
        if let Ok(i) = store.groups.binary_search_by(|g| g.path.cmp(&group)) {
            store.groups[i].consolidated = Some(info);
        }
    }
    ome::link(&mut store);
    let unknown: Vec<_> = store
        .arrays
        .iter()
        .flat_map(|array| codecs::unknown(array, &opened.location))
        .collect();
    store.errors.extend(unknown);

    if options.deep {
        scan_objects(opened, &mut store, progress)?;
    }
    store
        .errors
        .sort_by(|a, b| a.node.cmp(&b.node).then(a.location.cmp(&b.location)));
    Ok(store)
}

/// What the store passed over is said: symbolic links it did not follow (outside the store,
/// or looping), and zip entries that cannot be store keys (absolute names, `..`).
fn said_not_read(opened: &OpenedStore, store: &mut Store) {
    // Symbolic links the store did not follow (outside the store, or looping) are said.
    if let Some(local) = opened.local() {
        for (key, why) in local.links_not_followed() {
            let parent = key.rsplit_once('/').map_or("", |(parent, _)| parent);
            store.errors.push(NodeError {
                node: NodePath::new(parent),
                location: crate::store::located(&opened.location, &key),
                message: why,
            });
        }
    }
    // So are zip entries that cannot be store keys (absolute names, `..`).
    if let Some(zip) = opened.zip() {
        for warning in zip.warnings() {
            store.warnings.push(NodeError {
                node: NodePath::root(),
                location: opened.location.clone(),
                message: warning.clone(),
            });
        }
        for (name, why) in zip.skipped() {
            store.errors.push(NodeError {
                node: NodePath::root(),
                location: format!("{}!{name}", opened.location),
                message: format!("zip entry not read: {why}"),
            });
        }
    }
}

/// `--deep`: every array's stored objects, from a listing (a directory walk on disk), or from a
/// HEAD request per chunk key on a web server that cannot be listed.
fn scan_objects(opened: &OpenedStore, store: &mut Store, progress: &dyn Progress) -> Result<()> {
    if let Some(remote) = opened.remote().filter(|r| !r.listable()) {
        // As many requests in flight as the metadata walk has threads (`-j`).
        let in_flight = rayon::current_num_threads();
        let unchecked = heads::scan_arrays(remote, &mut store.arrays, in_flight, progress)?;
        store.errors.extend(unchecked.errors);
        if let Some(unlisted) = &mut store.unlisted {
            unlisted.deep_by_head = true;
            unlisted.unchecked_arrays = unchecked.arrays;
        }
    } else {
        progress.begin(
            "objects",
            Some(store.arrays.iter().map(|a| a.object_count()).sum()),
        );
        let errors: Vec<_> = store
            .arrays
            .par_iter_mut()
            .flat_map_iter(|array| match &opened.backend {
                Backend::Local { root, .. } => {
                    let follow = opened.options.follow_links;
                    deep::scan_array((root, follow), array, &opened.location, progress)
                }
                Backend::Remote(remote) => deep::scan_array_listed(
                    &|prefix| remote.list_sizes(prefix),
                    array,
                    &opened.location,
                    progress,
                ),
                Backend::Zip(zip) => deep::scan_array_listed(
                    &|prefix| Ok(zip.list_sizes(prefix)),
                    array,
                    &opened.location,
                    progress,
                ),
                _ => Vec::new(),
            })
            .collect();
        progress.end();
        store.errors.extend(errors);
    }
    Ok(())
}

/// Compares the nodes consolidated metadata lists with the nodes found below its group.
fn check_consolidated(
    store: &Store,
    group: &NodePath,
    kind: String,
    listed: Vec<NodePath>,
) -> Consolidated {
    let relative = |path: &NodePath| -> Option<NodePath> {
        if group.is_root() {
            (!path.is_root()).then(|| path.clone())
        } else {
            path.as_str()
                .strip_prefix(group.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .map(NodePath::new)
        }
    };
    let found: BTreeSet<NodePath> = store
        .arrays
        .iter()
        .map(|a| &a.path)
        .chain(store.groups.iter().filter(|g| !g.implicit).map(|g| &g.path))
        .filter_map(relative)
        .collect();
    let listed_set: BTreeSet<NodePath> = listed.iter().filter(|p| !p.is_root()).cloned().collect();
    Consolidated {
        kind,
        entries: listed_set.len(),
        missing_nodes: listed_set
            .difference(&found)
            .map(|p| group.join(p.as_str()))
            .collect(),
        unlisted_nodes: found
            .difference(&listed_set)
            .map(|p| group.join(p.as_str()))
            .collect(),
    }
}
