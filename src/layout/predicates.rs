//! The layout predicates. Each one is the condition of a lint rule, named after it; the rule adds
//! the words, the planner accepts a layout only when none holds. Keeping them in one place is
//! what keeps `zlint --auto`'s output clean under `zlint`'s own lint.

use super::geometry::{degenerate_axes, padding_share, plane_axes, spatial_aspect_ratio};
use super::{AxisRole, Layout};
use crate::model::{ArrayInfo, Format, grid_count, product};
use crate::profile::{Access, Thresholds};

/// An array's shape and item size with one layout of it: what the predicates look at.
#[derive(Clone, Copy, Debug)]
pub struct LayoutView<'a> {
    /// Array shape.
    pub shape: &'a [u64],
    /// Bytes per element.
    pub item_size: u64,
    /// Chunk (read unit) shape.
    pub chunks: &'a [u64],
    /// Shard shape, when sharded.
    pub shards: Option<&'a [u64]>,
    /// Axis roles (may be shorter than the shape: missing roles count as [`AxisRole::Other`]).
    pub roles: &'a [AxisRole],
    /// The format the layout is (or would be) stored in.
    pub format: Format,
}

/// How a layout goes against the access pattern (ZL203).
#[derive(Clone, Debug, PartialEq)]
pub enum AccessMismatch {
    /// Chunk extent 1 along these free axes of length 64 or more, with chunks below the floor.
    Degenerate {
        /// The degenerate axes.
        axes: Vec<usize>,
    },
    /// Spatial chunk extents too unequal for volume access.
    AspectRatio {
        /// Longest to shortest spatial extent.
        ratio: u64,
    },
    /// A plane small enough to be one chunk is split, for plane access.
    PlaneSplit {
        /// Bytes of one plane.
        plane_bytes: u64,
        /// Chunks one plane is read from.
        chunks_per_plane: u64,
    },
}

impl<'a> LayoutView<'a> {
    /// The view of an existing array's layout; `None` for data types without a fixed size.
    #[must_use]
    pub fn of_array(array: &'a ArrayInfo, roles: &'a [AxisRole]) -> Option<Self> {
        Some(Self {
            shape: &array.shape,
            item_size: array.item_size()?,
            chunks: &array.chunk_shape,
            shards: array.shard_shape.as_deref(),
            roles,
            format: array.format,
        })
    }

    /// The view of an array's grid alone, for the predicates that weigh no bytes and read no
    /// axis roles (ZL106, ZL107, ZL201): any data type will do.
    #[must_use]
    pub fn of_grid(array: &'a ArrayInfo) -> Self {
        Self {
            shape: &array.shape,
            item_size: 1,
            chunks: &array.chunk_shape,
            shards: array.shard_shape.as_deref(),
            roles: &[],
            format: array.format,
        }
    }

    /// The view of `layout` over an array of `shape`.
    #[must_use]
    pub fn of_layout(
        shape: &'a [u64],
        item_size: u64,
        layout: &'a Layout,
        roles: &'a [AxisRole],
        format: Format,
    ) -> Self {
        Self {
            shape,
            item_size,
            chunks: &layout.chunks,
            shards: layout.shards.as_deref(),
            roles,
            format,
        }
    }

    /// The shape of one stored object: the shard when sharded, else the chunk.
    #[must_use]
    pub fn object(&self) -> &'a [u64] {
        self.shards.unwrap_or(self.chunks)
    }

    /// Uncompressed bytes of one chunk (read unit).
    #[must_use]
    pub fn chunk_bytes(&self) -> u64 {
        product(self.chunks).saturating_mul(self.item_size)
    }

    /// Uncompressed bytes of one stored object.
    #[must_use]
    pub fn object_bytes(&self) -> u64 {
        product(self.object()).saturating_mul(self.item_size)
    }

    /// Chunks (read units) in the grid.
    #[must_use]
    pub fn chunk_count(&self) -> u64 {
        grid_count(self.shape, self.chunks)
    }

    /// Stored objects in the grid.
    #[must_use]
    pub fn object_count(&self) -> u64 {
        grid_count(self.shape, self.object())
    }

    /// ZL101 chunk-too-small: objects below `chunk-min-bytes`, unless the array is one object
    /// or the whole array is below the floor (one object could not reach it either).
    #[must_use]
    pub fn object_too_small(&self, t: &Thresholds) -> bool {
        self.object_bytes() < t.chunk_min_bytes
            && self.object_count() > 1
            && product(self.shape).saturating_mul(self.item_size) >= t.chunk_min_bytes
    }

    /// ZL102 chunk-too-large: read units above `chunk-max-bytes`.
    #[must_use]
    pub fn read_unit_too_large(&self, t: &Thresholds) -> bool {
        self.chunk_bytes() > t.chunk_max_bytes
    }

    /// ZL103 inner-chunk-too-small: sharded, inner chunks below `inner-chunk-min-bytes`, unless
    /// the array is one inner chunk.
    #[must_use]
    pub fn inner_chunk_too_small(&self, t: &Thresholds) -> bool {
        self.shards.is_some()
            && self.chunk_bytes() < t.inner_chunk_min_bytes
            && self.chunk_count() > 1
    }

    /// ZL106 chunk-exceeds-shape: the axes whose chunk extent is larger than the array (a
    /// zero-length axis holds a chunk of 1).
    #[must_use]
    pub fn exceeding_axes(&self) -> Vec<usize> {
        self.shape
            .iter()
            .zip(self.chunks)
            .enumerate()
            .filter(|(_, (s, c))| **c > (**s).max(1))
            .map(|(i, _)| i)
            .collect()
    }

    /// ZL107 edge-waste: the share of stored elements that is padding, when above
    /// `edge-waste-max` (N5 stores end blocks clipped, and ZL106 covers chunks larger than the
    /// array).
    #[must_use]
    pub fn edge_waste(&self, t: &Thresholds) -> Option<f64> {
        if self.format == Format::N5 || !self.exceeding_axes().is_empty() || self.chunk_count() <= 1
        {
            return None;
        }
        let share = padding_share(self.shape, self.chunks);
        (share > t.edge_waste_max).then_some(share)
    }

    /// ZL201 shard-misaligned: shards that are not whole multiples of the inner chunks.
    #[must_use]
    pub fn shards_misaligned(&self) -> bool {
        self.shards.is_some_and(|shards| {
            !shards
                .iter()
                .zip(self.chunks)
                .all(|(&s, &c)| c > 0 && s >= c && s % c == 0)
        })
    }

    /// ZL203 access-pattern-mismatch: how the chunks go against `access`, if they do.
    #[must_use]
    pub fn access_mismatch(&self, access: Access, t: &Thresholds) -> Option<AccessMismatch> {
        let (shape, chunks) = (self.shape, self.chunks);
        let degenerate = degenerate_axes(shape, chunks, self.roles);
        if !degenerate.is_empty()
            && self.chunk_bytes() < t.chunk_min_bytes
            && self.object_count() > 1
        {
            return Some(AccessMismatch::Degenerate { axes: degenerate });
        }
        match access {
            Access::Volume => spatial_aspect_ratio(shape, chunks, self.roles)
                .filter(|&ratio| ratio > t.max_aspect_ratio)
                .map(|ratio| AccessMismatch::AspectRatio { ratio }),
            Access::Plane if shape.len() >= 2 && chunks.len() == shape.len() => {
                let (y, x) = plane_axes(shape.len(), self.roles);
                let plane_bytes = shape[y]
                    .saturating_mul(shape[x])
                    .saturating_mul(self.item_size);
                let split = chunks[y] < shape[y] || chunks[x] < shape[x];
                (split && plane_bytes <= t.target_chunk_bytes).then(|| AccessMismatch::PlaneSplit {
                    plane_bytes,
                    chunks_per_plane: grid_count(&[shape[y], shape[x]], &[chunks[y], chunks[x]]),
                })
            }
            _ => None,
        }
    }
}
