//! What each axis of an array stands for.

use serde::Serialize;

use crate::model::ArrayInfo;

/// What an axis stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AxisRole {
    /// Time (`t`).
    Time,
    /// Channel (`c`).
    Channel,
    /// Space: `z`, `y` or `x` (or an OME-NGFF axis of type `space`).
    Space,
    /// Anything else, or unknown.
    Other,
}

/// The role an axis name says: `t`/`time`, `c`/`channel`/`ch`, `z`/`y`/`x` (any case), else
/// [`AxisRole::Other`].
#[must_use]
pub fn role_of_name(name: &str) -> AxisRole {
    match name.to_ascii_lowercase().as_str() {
        "t" | "time" => AxisRole::Time,
        "c" | "channel" | "ch" => AxisRole::Channel,
        "z" | "y" | "x" => AxisRole::Space,
        _ => AxisRole::Other,
    }
}

/// The roles of an array's axes, from OME-NGFF axis types, then dimension names.
#[must_use]
pub fn axis_roles(array: &ArrayInfo) -> Vec<AxisRole> {
    let from_name = role_of_name;
    if let Some(axes) = &array.axes {
        return axes
            .iter()
            .map(|axis| match axis.axis_type.as_deref() {
                Some("time") => AxisRole::Time,
                Some("channel") => AxisRole::Channel,
                Some("space") => AxisRole::Space,
                _ => from_name(&axis.name),
            })
            .collect();
    }
    match &array.dimension_names {
        Some(names) => names
            .iter()
            .map(|name| name.as_deref().map_or(AxisRole::Other, from_name))
            .collect(),
        None => vec![AxisRole::Other; array.shape.len()],
    }
}
