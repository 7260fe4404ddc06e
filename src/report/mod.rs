//! Renderers: the only code that formats results for people or programs.

pub mod github;
pub mod html;
pub mod lint_json;
pub mod lint_text;
pub mod outcome_json;
pub mod plan_text;
pub mod sarif;
pub mod scan_json;
pub mod scan_text;

pub use crate::units::{human_bytes, plural, shape_text};
