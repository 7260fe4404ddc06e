//! The plan as a JSON document (`zlint rechunk --dry-run --json`, Python's `Plan.to_dict()`),
//! described field by field in `docs/plan-json.md`.

use serde_json::{Map, Value};

use super::RechunkPlan;

/// The version of the plan document's layout; raised when a field changes meaning or goes.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

impl RechunkPlan {
    /// The plan as a document: its schema version and zlint's, then the plan's fields.
    #[must_use]
    pub fn document(&self) -> Value {
        let mut document = Map::new();
        document.insert("schema_version".into(), PLAN_SCHEMA_VERSION.into());
        document.insert("zlint_version".into(), env!("CARGO_PKG_VERSION").into());
        if let Ok(Value::Object(fields)) = serde_json::to_value(self) {
            document.extend(fields);
        }
        Value::Object(document)
    }
}
