//! Layout geometry and the layout predicates: what the lint rules flag and what the planner
//! avoids, written once. A rule formats a finding when a predicate holds; the planner accepts a
//! layout when none holds (see [`crate::plan::is_acceptable`]). Nothing here does I/O or knows
//! about stores.

mod geometry;
mod predicates;
mod roles;

pub use geometry::{degenerate_axes, next_in_box, padding_share, plane_axes, spatial_aspect_ratio};
pub use predicates::{AccessMismatch, LayoutView};
pub use roles::{AxisRole, axis_roles, role_of_name};

use serde::{Deserialize, Serialize};

/// A chunk layout: chunk shape and, for sharded Zarr v3, shard shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The chunk (read unit) shape.
    pub chunks: Vec<u64>,
    /// The shard shape, when sharded.
    pub shards: Option<Vec<u64>>,
}

impl Layout {
    /// The shape of one stored object: the shard when sharded, else the chunk.
    #[must_use]
    pub fn object(&self) -> &[u64] {
        self.shards.as_deref().unwrap_or(&self.chunks)
    }
}
