//! zlint's format-neutral view of a store: plain data built once by [`crate::scan`] and read by
//! everything after it. Nothing here does I/O.
//!
//! Shapes are always in C order (slowest axis first), for every format: N5's `dimensions` and
//! `blockSize` list the fastest axis first, so they are reversed when an N5 store is read, as
//! zarr-python 2 and n5py do.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use zarrs::storage::Bytes;

mod keys;
pub mod known_codecs;
mod labels;
mod path;
mod unlisted;

pub use keys::ChunkKeyEncoding;

pub use path::{Format, NodePath};
pub use unlisted::{NamedNode, Unlisted};

/// An element data type, named as Zarr v3 names it for every format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataType {
    /// The Zarr v3 name: `uint16`, `float32`, `bool`, `complex64`, `string`, `r16`, …
    pub name: String,
    /// Bytes per element, or `None` for variable-length types (strings, objects).
    pub item_size: Option<u64>,
}

/// One codec (or Zarr v2 filter / compressor, or N5 compression) as written in the metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Codec {
    /// The codec's name or id: `blosc`, `zstd`, `gzip`, `bytes`, `transpose`, `raw`, …
    pub name: String,
    /// The codec's configuration object, as stored (an empty object when there is none).
    pub configuration: Map<String, Value>,
}

impl Codec {
    /// Whether this codec compresses (see [`known_codecs::Role::Compressor`]).
    #[must_use]
    pub fn compresses(&self) -> bool {
        known_codecs::known_anywhere(&self.name)
            .is_some_and(|c| c.role == known_codecs::Role::Compressor)
    }

    /// A short human form: `blosc(zstd,5,shuffle)`, `zstd(3)`, `gzip(6)`, `bytes(little)`.
    #[must_use]
    pub fn summary(&self) -> String {
        let cfg = &self.configuration;
        let get = |key: &str| cfg.get(key).map(value_brief);
        let args: Vec<String> = match self.name.as_str() {
            "blosc" => [get("cname"), get("clevel"), get("shuffle")]
                .into_iter()
                .flatten()
                .collect(),
            "zstd" | "gzip" | "zlib" | "bz2" | "bzip2" | "xz" | "lzma" => {
                get("level").into_iter().collect()
            }
            "lz4" => get("acceleration").into_iter().collect(),
            "bytes" => get("endian").into_iter().collect(),
            "transpose" => get("order").into_iter().collect(),
            _ => Vec::new(),
        };
        if args.is_empty() {
            self.name.clone()
        } else {
            format!("{}({})", self.name, args.join(","))
        }
    }
}

fn value_brief(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_brief).collect::<Vec<_>>().join("."),
        other => other.to_string(),
    }
}

/// An axis of an OME-NGFF multiscale image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Axis {
    /// The axis name (`t`, `c`, `z`, `y`, `x`, …).
    pub name: String,
    /// `time`, `channel`, `space` or a custom type; `None` when not given.
    #[serde(rename = "type")]
    pub axis_type: Option<String>,
    /// The physical unit (`micrometer`, `second`, …), when given.
    pub unit: Option<String>,
}

/// Figures from reading the stored chunk objects of one array (`--deep`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StoredStats {
    /// Stored objects that are chunks (or shards) of this array's grid.
    pub stored_objects: u64,
    /// Their total size in bytes, as stored (compressed).
    pub stored_bytes: u64,
    /// Grid positions with no stored object (read as the fill value).
    pub missing_objects: u64,
    /// Other files under the array that are neither metadata nor chunk keys of its grid.
    pub stray_objects: u64,
    /// The first few of them by key, relative to the array (at most five).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stray_keys: Vec<String>,
    /// Mean stored object size in bytes (0 when nothing is stored).
    pub mean_object_bytes: f64,
    /// Median stored object size in bytes (0 when nothing is stored).
    pub median_object_bytes: u64,
    /// Uncompressed bytes of the stored objects divided by their stored bytes (`None` when
    /// nothing is stored). Zarr stores edge chunks at full size, N5 stores them clipped.
    pub compression_ratio: Option<f64>,
    /// The directory under the array holding the most entries, relative to the store root.
    pub largest_dir: Option<String>,
    /// The number of entries in [`Self::largest_dir`].
    pub largest_dir_entries: u64,
    /// Stored objects by size: entry `i` counts sizes from 2^i bytes up to 2^(i+1) (entry 0
    /// also counts empty objects); no entries past the largest.
    pub size_histogram: Vec<u64>,
    /// Where the stored objects are.
    #[serde(skip)]
    pub presence: Option<Presence>,
}

/// Where an array's stored objects are, over the image plane of its object grid (see
/// `scan::presence`); filled by a deep scan, drawn by `zlint report --deep`. Not in the scan
/// JSON document (it can hold thousands of numbers per array).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presence {
    /// The map's axes (rows, columns); equal for a 1-D array, whose map is one row.
    pub axes: (usize, usize),
    /// Grid positions per cell along each of them (1: a cell is one stored object).
    pub cell: (u64, u64),
    /// Cells down.
    pub rows: u64,
    /// Cells across.
    pub cols: u64,
    /// Stored objects in each cell, row by row.
    pub stored: Vec<u64>,
    /// Grid positions in each cell, row by row (stored or missing).
    pub capacity: Vec<u64>,
}

/// One array of the store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArrayInfo {
    /// Path inside the store.
    pub path: NodePath,
    /// On-disk format.
    pub format: Format,
    /// Shape, in C order.
    pub shape: Vec<u64>,
    /// Element type.
    pub dtype: DataType,
    /// The data type as the format spells it (`<u2`, `uint16`, …).
    pub native_dtype: String,
    /// The read unit: the chunk shape, or the inner chunk shape when sharded.
    pub chunk_shape: Vec<u64>,
    /// The shard shape for sharded Zarr v3 arrays, else `None`.
    pub shard_shape: Option<Vec<u64>>,
    /// Codecs applied to each read unit, in order (Zarr v2: filters, then the compressor; N5: the
    /// compression; sharded Zarr v3: the inner codecs).
    pub codecs: Vec<Codec>,
    /// The fill value as stored in the metadata (`null` where the format has none).
    pub fill_value: Value,
    /// Names of the dimensions: Zarr v3 `dimension_names`, xarray `_ARRAY_DIMENSIONS`, or the
    /// OME-NGFF axes of the multiscale this array is a level of.
    pub dimension_names: Option<Vec<Option<String>>>,
    /// OME-NGFF axes, when the array is a level of a multiscale image.
    pub axes: Option<Vec<Axis>>,
    /// How chunk keys are spelled.
    pub chunk_key_encoding: ChunkKeyEncoding,
    /// User attributes.
    pub attributes: Map<String, Value>,
    /// Stored-object figures, filled by a deep scan.
    pub stored: Option<StoredStats>,
    /// The metadata document as stored, its bytes (`zarr.json`, `.zarray` or N5
    /// `attributes.json`), which the planner translates into the target's documents (see
    /// [`crate::formats::SourceMetadata`]); kept as read, shared, not parsed again until
    /// then. Not part of the scan's JSON.
    #[serde(skip)]
    pub metadata: Bytes,
}

impl ArrayInfo {
    /// How messages name axis `i`: by its dimension name where the store gives one (`` `z` ``),
    /// else by position (`axis 0`).
    #[must_use]
    pub fn axis_label(&self, i: usize) -> String {
        match self
            .dimension_names
            .as_ref()
            .and_then(|names| names.get(i))
            .and_then(Option::as_deref)
        {
            Some(name) if !name.is_empty() => format!("`{name}`"),
            _ => format!("axis {i}"),
        }
    }

    /// Bytes per element (`None` for variable-length types).
    #[must_use]
    pub fn item_size(&self) -> Option<u64> {
        self.dtype.item_size
    }

    /// Uncompressed bytes of one read unit (chunk, or inner chunk when sharded).
    #[must_use]
    pub fn chunk_bytes(&self) -> Option<u64> {
        Some(product(&self.chunk_shape).saturating_mul(self.item_size()?))
    }

    /// The shape of one stored object: the shard when sharded, else the chunk.
    #[must_use]
    pub fn object_shape(&self) -> &[u64] {
        self.shard_shape.as_deref().unwrap_or(&self.chunk_shape)
    }

    /// Uncompressed bytes of one stored object (shard or chunk).
    #[must_use]
    pub fn object_bytes(&self) -> Option<u64> {
        Some(product(self.object_shape()).saturating_mul(self.item_size()?))
    }

    /// Number of read units in the grid (logical chunk count).
    #[must_use]
    pub fn chunk_count(&self) -> u64 {
        grid_count(&self.shape, &self.chunk_shape)
    }

    /// Number of shards in the grid, for sharded arrays.
    #[must_use]
    pub fn shard_count(&self) -> Option<u64> {
        self.shard_shape
            .as_ref()
            .map(|shard| grid_count(&self.shape, shard))
    }

    /// Number of stored objects the grid can hold (shards when sharded, else chunks).
    #[must_use]
    pub fn object_count(&self) -> u64 {
        grid_count(&self.shape, self.object_shape())
    }

    /// Uncompressed size of the whole array in bytes.
    #[must_use]
    pub fn size_bytes(&self) -> Option<u64> {
        Some(product(&self.shape).saturating_mul(self.item_size()?))
    }

    /// Whether any codec compresses the data.
    #[must_use]
    pub fn is_compressed(&self) -> bool {
        self.codecs.iter().any(Codec::compresses)
    }
}

/// A level of an OME-NGFF multiscale image.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MultiscaleLevel {
    /// The dataset path as declared in the `multiscales` metadata.
    pub dataset_path: String,
    /// The level's array path inside the store.
    pub path: NodePath,
    /// The `scale` coordinate transformation, when given.
    pub scale: Option<Vec<f64>>,
    /// The `translation` coordinate transformation, when given.
    pub translation: Option<Vec<f64>>,
    /// Downsampling factor per axis relative to the first level (from `scale`, or from the
    /// shapes when no scale is given). `None` when neither is known.
    pub factors: Option<Vec<f64>>,
    /// Whether an array exists at [`Self::path`].
    pub found: bool,
}

/// An OME-NGFF `multiscales` entry of a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Multiscale {
    /// The NGFF version (`0.4`, `0.5`, …), when given.
    pub version: Option<String>,
    /// The multiscale's name, when given.
    pub name: Option<String>,
    /// The declared axes.
    pub axes: Vec<Axis>,
    /// The levels, largest first as declared.
    pub levels: Vec<MultiscaleLevel>,
}

/// Consolidated metadata found at a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consolidated {
    /// `zmetadata` (Zarr v2 `.zmetadata`) or `inline` (Zarr v3 `consolidated_metadata`).
    pub kind: String,
    /// Number of nodes it lists.
    pub entries: usize,
    /// Node paths it lists that were not found in the store (stale metadata).
    pub missing_nodes: Vec<NodePath>,
    /// Node paths found in the store below this group that it does not list.
    pub unlisted_nodes: Vec<NodePath>,
}

/// One group of the store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupInfo {
    /// Path inside the store.
    pub path: NodePath,
    /// On-disk format.
    pub format: Format,
    /// `true` for a directory with no group metadata of its own (Zarr v3 implicit group, N5
    /// group without `attributes.json`, or a plain folder holding nodes).
    pub implicit: bool,
    /// User attributes.
    pub attributes: Map<String, Value>,
    /// OME-NGFF multiscale images declared on this group.
    pub multiscales: Vec<Multiscale>,
    /// Consolidated metadata stored at this group, if any.
    pub consolidated: Option<Consolidated>,
}

/// A node: an array or a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "node_type", rename_all = "lowercase")]
pub enum Node {
    /// An array.
    Array(Box<ArrayInfo>),
    /// A group.
    Group(GroupInfo),
}

impl Node {
    /// The node's path.
    #[must_use]
    pub fn path(&self) -> &NodePath {
        match self {
            Self::Array(array) => &array.path,
            Self::Group(group) => &group.path,
        }
    }
}

/// A node that could not be read, with the on-disk path or key at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeError {
    /// The node's path inside the store.
    pub node: NodePath,
    /// The file (or key) at fault, as the user would find it.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Zarr v2 metadata stored beside a node's `zarr.json`, as an in-place conversion leaves it.
/// Readers disagree on which to read: Zarr v3 readers (and zlint) take `zarr.json`, Zarr v2
/// readers the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MixedMetadata {
    /// The node's path inside the store.
    pub node: NodePath,
    /// The Zarr v2 documents found beside `zarr.json` (`.zarray`, `.zgroup`, `.zattrs`).
    pub zarr2_documents: Vec<String>,
    /// Attributes in `.zattrs` (OME-NGFF metadata taken in its Zarr v3 form) that `zarr.json`
    /// lacks or holds otherwise: what a Zarr v3 reader misses.
    pub attributes_only_in_zarr2: Vec<String>,
}

/// Everything a scan found in a store: its arrays and groups (sorted by path) and the nodes that
/// could not be read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Store {
    /// The store's location as given by the user.
    pub location: String,
    /// Arrays, sorted by path.
    pub arrays: Vec<ArrayInfo>,
    /// Groups, sorted by path.
    pub groups: Vec<GroupInfo>,
    /// Nodes that could not be read, sorted by path.
    pub errors: Vec<NodeError>,
    /// Nodes with Zarr v2 metadata beside their `zarr.json`, sorted by path.
    pub mixed_metadata: Vec<MixedMetadata>,
    /// What reading found wrong without stopping any node from being read: a zipped OME-Zarr
    /// whose archive comment promises an order of entries the archive does not keep.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<NodeError>,
    /// How the store was read when it cannot be listed (a web server); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlisted: Option<Unlisted>,
}

impl Store {
    /// The array at `path`, if any.
    #[must_use]
    pub fn array(&self, path: &NodePath) -> Option<&ArrayInfo> {
        self.arrays
            .binary_search_by(|a| a.path.cmp(path))
            .ok()
            .map(|i| &self.arrays[i])
    }

    /// The group at `path`, if any.
    #[must_use]
    pub fn group(&self, path: &NodePath) -> Option<&GroupInfo> {
        self.groups
            .binary_search_by(|g| g.path.cmp(path))
            .ok()
            .map(|i| &self.groups[i])
    }

    /// The arrays directly inside the group at `group` (found by their sorted paths, without
    /// a pass over every array).
    pub fn child_arrays<'a>(&'a self, group: &NodePath) -> impl Iterator<Item = &'a ArrayInfo> {
        let prefix = if group.is_root() {
            String::new()
        } else {
            format!("{}/", group.as_str())
        };
        let start = self
            .arrays
            .partition_point(|a| a.path.as_str() < prefix.as_str());
        let skip = prefix.len();
        self.arrays[start..]
            .iter()
            .take_while(move |a| a.path.as_str().starts_with(prefix.as_str()))
            .filter(move |a| {
                let rest = &a.path.as_str()[skip..];
                !rest.is_empty() && !rest.contains('/')
            })
    }

    /// The multiscale image that has the array at `path` as one of its levels, if any.
    #[must_use]
    pub fn multiscale_of(&self, path: &NodePath) -> Option<&Multiscale> {
        // A level's path is its group's joined with the dataset path, so the group is one of
        // the array's ancestors: looking only there keeps a plate of thousands of images linear.
        let mut ancestor = path.parent();
        while let Some(group_path) = ancestor {
            if let Some(found) = self.group(&group_path).and_then(|g| {
                g.multiscales
                    .iter()
                    .find(|m| m.levels.iter().any(|l| &l.path == path))
            }) {
                return Some(found);
            }
            ancestor = group_path.parent();
        }
        None
    }

    /// Whether `array` is a level of a multiscale image after the first, chunked as the first
    /// level is (clipped to its own shape): the one chunk shape a pyramid shares. Rules on the
    /// size of objects, inner chunks and edge chunks judge such a level through the first one.
    #[must_use]
    pub fn follows_first_level(&self, array: &ArrayInfo) -> bool {
        let Some(first) = self
            .multiscale_of(&array.path)
            .and_then(|m| m.levels.first())
            .filter(|first| first.path != array.path)
            .and_then(|first| self.array(&first.path))
        else {
            return false;
        };
        let clip = |chunks: &[u64]| -> Vec<u64> {
            chunks
                .iter()
                .zip(&array.shape)
                .map(|(&c, &s)| c.min(s))
                .collect()
        };
        first.chunk_shape.len() == array.chunk_shape.len()
            && clip(&first.chunk_shape) == clip(&array.chunk_shape)
    }

    /// Number of arrays and groups.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.arrays.len() + self.groups.len()
    }
}

/// The OME-NGFF value `key` of a node's `attributes`: under `ome` (0.5 and later), or at the
/// top (0.4).
#[must_use]
pub fn ome_value<'a>(attributes: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    attributes
        .get("ome")
        .and_then(|ome| ome.get(key))
        .or_else(|| attributes.get(key))
}

/// Product of a shape's extents (1 for a scalar).
#[must_use]
pub fn product(shape: &[u64]) -> u64 {
    shape.iter().fold(1u64, |acc, &n| acc.saturating_mul(n))
}

/// Number of grid cells of size `cell` covering `shape` (`ceil` per axis). A zero-sized cell
/// axis counts as one cell, so malformed metadata cannot divide by zero.
#[must_use]
pub fn grid_count(shape: &[u64], cell: &[u64]) -> u64 {
    shape.iter().zip(cell).fold(1u64, |acc, (&s, &c)| {
        acc.saturating_mul(s.div_ceil(c.max(1)))
    })
}

#[cfg(test)]
pub(crate) mod tests;
