//! zlint's format-neutral view of a store: plain data built once by [`crate::scan`] and read by
//! everything after it. Nothing here does I/O.
//!
//! Shapes are always in C order (slowest axis first), for every format: N5's `dimensions` and
//! `blockSize` list the fastest axis first, so they are reversed when an N5 store is read, as
//! zarr-python 2 and n5py do.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The on-disk format of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Zarr v2 (`.zarray`, `.zgroup`, `.zattrs`).
    Zarr2,
    /// Zarr v3 (`zarr.json`).
    Zarr3,
    /// N5 (`attributes.json`).
    N5,
}

impl Format {
    /// The name used in output: `zarr2`, `zarr3` or `n5`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Zarr2 => "zarr2",
            Self::Zarr3 => "zarr3",
            Self::N5 => "n5",
        }
    }
}

impl Format {
    /// The file that holds an array's metadata: `.zarray`, `zarr.json` or `attributes.json`.
    #[must_use]
    pub const fn array_metadata_file(self) -> &'static str {
        match self {
            Self::Zarr2 => ".zarray",
            Self::Zarr3 => "zarr.json",
            Self::N5 => "attributes.json",
        }
    }

    /// The file that holds a group's metadata: `.zgroup`, `zarr.json` or `attributes.json`.
    #[must_use]
    pub const fn group_metadata_file(self) -> &'static str {
        match self {
            Self::Zarr2 => ".zgroup",
            Self::Zarr3 => "zarr.json",
            Self::N5 => "attributes.json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The path of a node inside a store: `/`-separated, relative to the store root, with no leading
/// or trailing slash. The root itself is the empty path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodePath(String);

impl NodePath {
    /// The root of the store.
    #[must_use]
    pub fn root() -> Self {
        Self(String::new())
    }

    /// A path from `/`-separated components; leading, trailing and doubled slashes are dropped.
    #[must_use]
    pub fn new(path: &str) -> Self {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        Self(parts.join("/"))
    }

    /// The path as a string (empty for the root).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the store root.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path with `child` appended (`child` may hold several components).
    #[must_use]
    pub fn join(&self, child: &str) -> Self {
        if self.is_root() {
            Self::new(child)
        } else {
            Self::new(&format!("{}/{child}", self.0))
        }
    }

    /// The last component, or `""` for the root.
    #[must_use]
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// Number of components (0 for the root).
    #[must_use]
    pub fn depth(&self) -> usize {
        if self.is_root() {
            0
        } else {
            self.0.split('/').count()
        }
    }

    /// The parent path, or `None` for the root.
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rsplit_once('/') {
            Some((parent, _)) => Self(parent.to_string()),
            None => Self::root(),
        })
    }
}

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            f.write_str("/")
        } else {
            f.write_str(&self.0)
        }
    }
}

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
    /// Whether this codec compresses (a bytes-to-bytes codec other than a checksum).
    #[must_use]
    pub fn compresses(&self) -> bool {
        const COMPRESSORS: &[&str] = &[
            "blosc", "zstd", "gzip", "zlib", "bz2", "bzip2", "lz4", "lzma", "xz", "zfpy", "zfp",
            "pcodec", "packbits", "gdeflate",
        ];
        let name = self.name.to_ascii_lowercase();
        let name = name.rsplit('.').next().unwrap_or(&name);
        COMPRESSORS.contains(&name)
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

/// How chunk keys are spelled in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChunkKeyEncoding {
    /// Zarr v3 `default`: `c/0/1` (or `c.0.1` with `.`).
    Default {
        /// `/` or `.`.
        separator: char,
    },
    /// Zarr v2 keys (and the v3 `v2` encoding): `0.1` (or `0/1` with `/`).
    V2 {
        /// `.` or `/`.
        separator: char,
    },
    /// N5 blocks: `0/1/2`, in N5's axis order (fastest axis first).
    N5,
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
    /// The metadata document as stored (`zarr.json`, `.zarray` or N5 `attributes.json`), which
    /// the planner translates into the target's documents (see
    /// [`crate::store::formats::SourceMetadata`]). Not part of the scan's JSON.
    #[serde(skip)]
    pub metadata: Value,
}

impl ArrayInfo {
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

    /// The multiscale image that has the array at `path` as one of its levels, if any.
    #[must_use]
    pub fn multiscale_of(&self, path: &NodePath) -> Option<&Multiscale> {
        self.groups
            .iter()
            .flat_map(|g| &g.multiscales)
            .find(|m| m.levels.iter().any(|l| &l.path == path))
    }

    /// Number of arrays and groups.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.arrays.len() + self.groups.len()
    }
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
mod tests {
    use super::*;

    fn array(shape: &[u64], chunks: &[u64], shards: Option<&[u64]>) -> ArrayInfo {
        ArrayInfo {
            path: NodePath::new("a"),
            format: Format::Zarr3,
            shape: shape.to_vec(),
            dtype: DataType {
                name: "uint16".into(),
                item_size: Some(2),
            },
            native_dtype: "uint16".into(),
            chunk_shape: chunks.to_vec(),
            shard_shape: shards.map(<[u64]>::to_vec),
            codecs: vec![],
            fill_value: Value::from(0),
            dimension_names: None,
            axes: None,
            chunk_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
            attributes: Map::new(),
            stored: None,
            metadata: Value::Null,
        }
    }

    #[test]
    fn derived_figures_of_an_unsharded_array() {
        let a = array(&[100, 200], &[30, 64], None);
        assert_eq!(a.chunk_bytes(), Some(30 * 64 * 2));
        assert_eq!(a.chunk_count(), 4 * 4);
        assert_eq!(a.object_count(), 16);
        assert_eq!(a.shard_count(), None);
        assert_eq!(a.size_bytes(), Some(100 * 200 * 2));
    }

    #[test]
    fn derived_figures_of_a_sharded_array() {
        let a = array(&[128, 128], &[16, 16], Some(&[64, 128]));
        assert_eq!(a.chunk_count(), 64);
        assert_eq!(a.shard_count(), Some(2));
        assert_eq!(a.object_count(), 2);
        assert_eq!(a.object_bytes(), Some(64 * 128 * 2));
        assert_eq!(a.chunk_bytes(), Some(16 * 16 * 2));
    }

    #[test]
    fn scalar_array_has_one_chunk() {
        let a = array(&[], &[], None);
        assert_eq!(a.chunk_count(), 1);
        assert_eq!(a.chunk_bytes(), Some(2));
    }

    #[test]
    fn zero_chunk_extent_does_not_divide_by_zero() {
        assert_eq!(grid_count(&[10], &[0]), 10);
    }

    #[test]
    fn node_paths_normalise_and_join() {
        assert_eq!(NodePath::new("/a//b/").as_str(), "a/b");
        assert_eq!(NodePath::root().join("x/y").as_str(), "x/y");
        assert_eq!(NodePath::new("a").join("b").as_str(), "a/b");
        assert_eq!(NodePath::new("a/b").parent(), Some(NodePath::new("a")));
        assert_eq!(NodePath::new("a").parent(), Some(NodePath::root()));
        assert_eq!(NodePath::root().to_string(), "/");
        assert_eq!(NodePath::new("a/b").depth(), 2);
    }

    #[test]
    fn codec_summaries_are_short() {
        let blosc = Codec {
            name: "blosc".into(),
            configuration: serde_json::from_str(r#"{"cname":"zstd","clevel":5,"shuffle":1}"#)
                .unwrap(),
        };
        assert_eq!(blosc.summary(), "blosc(zstd,5,1)");
        assert!(blosc.compresses());
        let bytes = Codec {
            name: "bytes".into(),
            configuration: Map::new(),
        };
        assert!(!bytes.compresses());
        assert_eq!(bytes.summary(), "bytes");
    }
}
