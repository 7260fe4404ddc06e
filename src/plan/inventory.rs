//! The inventory of a rechunk: every object of the source and what the output does with it.
//! Array chunks are rewritten (or repacked) and node metadata is translated, as the rest of the
//! plan says; every other file (a bioformats2raw store's `OME/METADATA.ome.xml`, a README, a
//! licence, provenance, thumbnails) is **carried** byte for byte, unless `--exclude` leaves it
//! out, and then the plan names it as dropped. Nothing is lost without a word.
//!
//! Pure: it sorts a listing made by [`crate::store::listing`].

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use super::RechunkPlan;
use crate::error::{Error, Param, Result};
use crate::model::{ArrayInfo, ChunkKeyEncoding, Format, NodePath, Store};
use crate::store::listing::Listed;

/// What the output does with the source's objects, beyond its arrays' values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Whether the source could be listed. A plain HTTP server cannot be: then only what the
    /// metadata names is known, and no other file is carried.
    pub listed: bool,
    /// Stored chunk (or shard) objects of the source's arrays: their values are rewritten.
    pub chunk_objects: u64,
    /// Their bytes.
    pub chunk_bytes: u64,
    /// Metadata documents of arrays and groups (`.zarray`, `.zgroup`, `.zattrs`,
    /// `.zmetadata`, `zarr.json`, N5 `attributes.json`): translated into the target's form.
    pub metadata_documents: u64,
    /// Files copied byte for byte, by key.
    pub carried: Vec<StoredFile>,
    /// Files the output leaves out, each with the reason.
    pub dropped: Vec<DroppedFile>,
}

/// A file of the source, by key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Its key, relative to the store's root (the same in the output).
    pub key: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A file of the source that the output leaves out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedFile {
    /// Its key, relative to the store's root.
    pub key: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Why: the `--exclude` pattern it matched, or a chunk key outside its array's grid.
    pub why: String,
}

impl Inventory {
    /// Bytes carried.
    #[must_use]
    pub fn carried_bytes(&self) -> u64 {
        self.carried.iter().map(|f| f.bytes).sum()
    }

    /// Bytes dropped.
    #[must_use]
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped.iter().map(|f| f.bytes).sum()
    }
}

/// Patterns of files to leave out (`--exclude`).
#[derive(Debug)]
pub struct Exclusions {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Exclusions {
    /// Compiles `patterns`: `*` and `?` stay within a path segment, `**` crosses them.
    ///
    /// # Errors
    /// [`Error::Usage`] naming a pattern that is not a glob.
    pub fn new(patterns: &[String]) -> Result<Self> {
        let mut set = GlobSetBuilder::new();
        for pattern in patterns {
            let glob: Glob = GlobBuilder::new(pattern.trim_matches('/'))
                .literal_separator(true)
                .build()
                .map_err(|e| Error::Usage(format!("{}: {e}", Param::Exclude.with(pattern))))?;
            set.add(glob);
        }
        Ok(Self {
            patterns: patterns.to_vec(),
            set: set
                .build()
                .map_err(|e| Error::Usage(format!("{}: {e}", Param::Exclude)))?,
        })
    }

    /// The pattern that leaves out `key`, matching the key itself or one of its folders.
    #[must_use]
    pub fn matching(&self, key: &str) -> Option<&str> {
        let mut candidate = key;
        loop {
            if let Some(&i) = self.set.matches(candidate).first() {
                return Some(&self.patterns[i]);
            }
            candidate = candidate.rsplit_once('/')?.0;
        }
    }
}

/// The metadata documents a node of `format` has in its folder.
fn metadata_names(format: Format) -> &'static [&'static str] {
    match format {
        Format::Zarr2 => &[".zarray", ".zgroup", ".zattrs", ".zmetadata"],
        Format::Zarr3 => &["zarr.json"],
        Format::N5 => &["attributes.json"],
    }
}

/// Zarr v2 documents a scan reports beside a `zarr.json` (see
/// [`crate::model::MixedMetadata`]): metadata too, not files to carry.
const ZARR2_NAMES: &[&str] = &[".zarray", ".zgroup", ".zattrs", ".zmetadata"];

/// Sorts `listing` (every object of `store`'s source, `None` when it cannot be listed) into
/// chunks, metadata, files to carry and files to drop. The stored objects of the arrays
/// `carried_arrays` are carried byte for byte, whatever `exclusions` say (see
/// [`super::carried_arrays`]).
#[must_use]
pub fn take_inventory(
    store: &Store,
    listing: Option<Vec<Listed>>,
    exclusions: &Exclusions,
    carried_arrays: &[NodePath],
) -> Inventory {
    let Some(mut listing) = listing else {
        return Inventory::default();
    };
    listing.sort();
    let mut inventory = Inventory {
        listed: true,
        ..Inventory::default()
    };
    for Listed { key, size, .. } in listing {
        match sort_key(store, &key, carried_arrays) {
            Kind::Metadata => inventory.metadata_documents += 1,
            Kind::Chunk => {
                inventory.chunk_objects += 1;
                inventory.chunk_bytes += size;
            }
            Kind::OtherSeparator(array) => inventory.dropped.push(DroppedFile {
                key,
                bytes: size,
                why: format!(
                    "a chunk key of `{array}` spelled with the other separator (no reader \
                     following the metadata sees it, ZL403; set `dimension_separator` in the \
                     source to rewrite it as a chunk)"
                ),
            }),
            Kind::OutsideGrid(array) => inventory.dropped.push(DroppedFile {
                key,
                bytes: size,
                why: format!(
                    "a chunk key outside the grid of `{array}` (left by an earlier, larger shape; \
                     no reader sees it)"
                ),
            }),
            Kind::Carried => inventory.carried.push(StoredFile { key, bytes: size }),
            Kind::Other if !crate::store::is_plain_key(&key) => {
                inventory.dropped.push(DroppedFile {
                    key,
                    bytes: size,
                    why: "a key with an empty, `.` or `..` part (written to a folder, it would \
                          land outside the output)"
                        .into(),
                });
            }
            Kind::Other => match exclusions.matching(&key) {
                Some(pattern) => inventory.dropped.push(DroppedFile {
                    key,
                    bytes: size,
                    why: format!("--exclude {pattern}"),
                }),
                None => inventory.carried.push(StoredFile { key, bytes: size }),
            },
        }
    }
    inventory
}

impl RechunkPlan {
    /// Gives the plan its `inventory`, refusing one whose files to carry would land on a key
    /// the output writes itself (a chunk or metadata document of the target).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the file and `--exclude`.
    pub fn set_inventory(&mut self, inventory: Inventory) -> Result<()> {
        let written = written_keys(self);
        if let Some(file) = inventory
            .carried
            .iter()
            .find(|file| written.iter().any(|w| w.collides(&file.key)))
        {
            return Err(Error::refused(
                crate::store::located(&self.source, &file.key),
                format!(
                    "the output writes its own object at this key; {} leaves the source's \
                 file out",
                    Param::Exclude.with(&file.key),
                ),
            ));
        }
        // A carried file is read whole, so it must fit the memory budget.
        if let Some(file) = inventory
            .carried
            .iter()
            .find(|file| file.bytes > self.budget.max_mem_bytes)
        {
            return Err(Error::refused(
                crate::store::located(&self.source, &file.key),
                format!(
                    "{} to carry byte for byte, more than {}: raise {}, or {} leaves it out",
                    crate::units::human_bytes(file.bytes),
                    Param::MaxMem.with(crate::units::human_bytes(self.budget.max_mem_bytes)),
                    Param::MaxMem,
                    Param::Exclude.with(&file.key),
                ),
            ));
        }
        self.inventory = inventory;
        Ok(())
    }
}

enum Kind {
    Metadata,
    Chunk,
    /// An object of an array carried over unchanged.
    Carried,
    /// A chunk key of the array under the other separator (`0/0` for `0.0`).
    OtherSeparator(NodePath),
    OutsideGrid(NodePath),
    Other,
}

/// What the source object at `key` is.
fn sort_key(store: &Store, key: &str, carried_arrays: &[NodePath]) -> Kind {
    let (dir, name) = key.rsplit_once('/').unwrap_or(("", key));
    let dir = NodePath::new(dir);
    let mixed = |path: &NodePath| store.mixed_metadata.iter().any(|m| &m.node == path);
    let node_format = store
        .array(&dir)
        .map(|a| a.format)
        .or_else(|| store.group(&dir).map(|g| g.format));
    if let Some(format) = node_format
        && (metadata_names(format).contains(&name) || mixed(&dir) && ZARR2_NAMES.contains(&name))
    {
        return Kind::Metadata;
    }
    // The array whose folder holds the key, if any: the nearest of the key's folders that is one.
    let mut folder = Some(dir.as_str());
    while let Some(path) = folder {
        if let Some(array) = store.array(&NodePath::new(path)) {
            if carried_arrays.contains(&array.path) {
                return Kind::Carried;
            }
            let relative = key[path.len()..].trim_start_matches('/');
            return match chunk_inside_grid(array, relative) {
                Some(true) => Kind::Chunk,
                Some(false) => Kind::OutsideGrid(array.path.clone()),
                None if other_separator(array, relative) => {
                    Kind::OtherSeparator(array.path.clone())
                }
                None => Kind::Other,
            };
        }
        folder = (!path.is_empty()).then(|| path.rsplit_once('/').map_or("", |(up, _)| up));
    }
    Kind::Other
}

/// Whether `relative` (a key under `array`'s folder) would be one of its chunk keys with the
/// other separator: what a writer that did not record its separator leaves (see ZL403).
fn other_separator(array: &ArrayInfo, relative: &str) -> bool {
    let other = match array.chunk_key_encoding {
        ChunkKeyEncoding::V2 { separator } => ChunkKeyEncoding::V2 {
            separator: if separator == '.' { '/' } else { '.' },
        },
        ChunkKeyEncoding::Default { separator } => ChunkKeyEncoding::Default {
            separator: if separator == '.' { '/' } else { '.' },
        },
        ChunkKeyEncoding::N5 => return false,
    };
    other.position(relative, array.shape.len()).is_some()
}

/// Whether `relative` (a key under `array`'s folder) is one of its chunk keys inside its grid
/// (`Some(false)`: a chunk key outside it); `None` when it is no chunk key at all.
fn chunk_inside_grid(array: &ArrayInfo, relative: &str) -> Option<bool> {
    let mut position = array
        .chunk_key_encoding
        .position(relative, array.shape.len())?;
    if array.format == Format::N5 {
        position.reverse();
    }
    let grid = array.object_shape();
    Some(
        position
            .iter()
            .zip(array.shape.iter().zip(grid))
            .all(|(i, (extent, chunk))| *i < extent.div_ceil((*chunk).max(1))),
    )
}

/// A key, or a family of keys, the output writes itself.
enum Written<'a> {
    /// A metadata document.
    Document(String),
    /// A chunk key of a target array.
    Chunk(&'a super::ArrayPlan),
}

impl Written<'_> {
    fn collides(&self, key: &str) -> bool {
        match self {
            Self::Document(document) => document == key,
            Self::Chunk(array) => {
                let prefix = array.path.as_str();
                let relative = if prefix.is_empty() {
                    Some(key)
                } else {
                    key.strip_prefix(prefix)
                        .and_then(|rest| rest.strip_prefix('/'))
                };
                relative.is_some_and(|relative| {
                    array
                        .target_key_encoding
                        .position(relative, array.shape.len())
                        .is_some()
                })
            }
        }
    }
}

/// The keys `plan` writes: its metadata documents and its arrays' chunk keys.
fn written_keys(plan: &RechunkPlan) -> Vec<Written<'_>> {
    plan.documents()
        .map(|(key, _)| Written::Document(key))
        .chain(plan.arrays.iter().map(Written::Chunk))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_match_a_key_or_one_of_its_folders() {
        let ex =
            Exclusions::new(&["*.png".into(), "OME".into(), "docs/**/*.md".into()]).expect("globs");
        assert_eq!(ex.matching("thumb.png"), Some("*.png"));
        // `*` stays within a folder.
        assert_eq!(ex.matching("img/thumb.png"), None);
        assert_eq!(ex.matching("OME/METADATA.ome.xml"), Some("OME"));
        assert_eq!(ex.matching("docs/a/b/readme.md"), Some("docs/**/*.md"));
        assert_eq!(ex.matching("README.md"), None);
        assert!(Exclusions::new(&["a[".into()]).is_err());
    }
}
