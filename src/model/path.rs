//! Where a node is and what format it is in.

use std::fmt;

use serde::{Deserialize, Serialize};

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

    /// The prefix of the store keys below this node: `""` at the root, else the path and `/`.
    #[must_use]
    pub fn key_prefix(&self) -> String {
        if self.is_root() {
            String::new()
        } else {
            format!("{}/", self.0)
        }
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

    /// Whether no component is `.` or `..`: the path stays inside its store.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.0.split('/').all(|part| part != "." && part != "..")
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
