//! How chunk keys are spelled, and reading a grid position back from a key.

use serde::{Deserialize, Serialize};

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

impl ChunkKeyEncoding {
    /// The grid position a chunk key spells, for an array of `rank` axes: `key` is relative to
    /// the array (`c/0/1`, `0.1`, `0/1`), the position in the key's own axis order (N5's
    /// fastest axis first). `None` when `key` is not one of this encoding's chunk keys.
    #[must_use]
    pub fn position(&self, key: &str, rank: usize) -> Option<Vec<u64>> {
        // With `.` the whole key is one file name in the array's own directory: a file in a
        // subdirectory is no chunk of it, whatever its name (readers look for `0.0`, never
        // `0/0`).
        if self.separator() == '.' && key.contains('/') {
            return None;
        }
        self.position_of_parts(key.split(self.separator()), rank)
    }

    /// [`Self::position`] of the key of the file `file` in the directories `dirs` (relative to
    /// the array), without joining them into one key.
    #[must_use]
    pub fn position_at(&self, dirs: &[String], file: &str, rank: usize) -> Option<Vec<u64>> {
        if self.separator() == '/' {
            let parts = dirs.iter().map(String::as_str);
            self.position_of_parts(parts.chain(std::iter::once(file)), rank)
        } else if dirs.is_empty() {
            self.position_of_parts(file.split(self.separator()), rank)
        } else {
            // A part holding a `/` is no number: no chunk key.
            None
        }
    }

    /// The character between a key's parts.
    fn separator(&self) -> char {
        match self {
            Self::Default { separator } | Self::V2 { separator } => *separator,
            Self::N5 => '/',
        }
    }

    /// The grid position the parts of a key spell (see [`Self::position`]).
    fn position_of_parts<'a>(
        &self,
        mut parts: impl Iterator<Item = &'a str>,
        rank: usize,
    ) -> Option<Vec<u64>> {
        let default_prefix = matches!(self, Self::Default { .. });
        if default_prefix && parts.next() != Some("c") {
            return None;
        }
        let mut position = Vec::with_capacity(rank);
        for part in parts {
            if position.len() > rank || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            position.push(part.parse().ok()?);
        }
        // A scalar array's single chunk is `0` in Zarr v2 and `c` in Zarr v3.
        if rank == 0 {
            let scalar =
                position.is_empty() && default_prefix || position == [0] && !default_prefix;
            return scalar.then(Vec::new);
        }
        (position.len() == rank).then_some(position)
    }

    /// The chunk key of the grid position `position` (C order: slowest axis first), relative
    /// to the array: the inverse of [`Self::position`] (N5 keys spell the fastest axis first).
    #[must_use]
    pub fn key(&self, position: &[u64]) -> String {
        let join = |separator: char, numbers: &mut dyn Iterator<Item = &u64>| {
            numbers
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(&separator.to_string())
        };
        match self {
            Self::Default { .. } if position.is_empty() => "c".to_string(),
            Self::Default { separator } => {
                format!("c{separator}{}", join(*separator, &mut position.iter()))
            }
            Self::V2 { .. } if position.is_empty() => "0".to_string(),
            Self::V2 { separator } => join(*separator, &mut position.iter()),
            Self::N5 => join('/', &mut position.iter().rev()),
        }
    }
}
