//! Planning: the recommended layout of an array (pure, no I/O).

pub mod recommend;

pub use recommend::{AxisRole, Layout, LayoutRequest, axis_roles, is_acceptable, recommend};
