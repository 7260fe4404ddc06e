//! Planning: the recommended layout of an array and the rechunk plan. Pure: plans are built from
//! the scanned model, with no I/O (`tests` build them from in-memory stores).

pub mod carried_arrays;
mod consolidate;
mod document;
mod group_plans;
mod intermediate;
pub mod inventory;
pub mod parts;
pub mod rechunk_plan;
pub mod recommend;
pub mod request;
mod target_layout;
mod verification;
pub use target_layout::target_layouts;
pub mod write_groups;

pub use document::PLAN_SCHEMA_VERSION;
pub use rechunk_plan::{
    ArrayPlan, Budget, GroupPlan, IntermediatePass, RechunkPlan, VARIABLE_ITEM_ESTIMATE,
};
pub use recommend::{
    LayoutRequest, is_acceptable, is_acceptable_as_level, level_layout, recommend, recommend_new,
    reuse_layout,
};
pub use request::{CodecChoice, ShapeRequests, Targets};

#[cfg(test)]
mod tests;
