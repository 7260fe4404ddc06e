//! Planning: the recommended layout of an array (pure, no I/O).

pub mod parts;
pub mod rechunk_plan;
pub mod recommend;
pub mod write_groups;

pub use recommend::{LayoutRequest, is_acceptable, recommend, reuse_layout};
