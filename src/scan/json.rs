//! Small helpers for reading metadata JSON with messages that name the offending key.

use serde_json::{Map, Value};

/// A JSON object, or a message saying what was found instead.
pub(crate) fn as_object<'a>(
    value: &'a Value,
    what: &str,
) -> Result<&'a Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))
}

/// The non-negative integer array at `key`.
pub(crate) fn u64_vec(obj: &Map<String, Value>, key: &str) -> Result<Vec<u64>, String> {
    let value = obj.get(key).ok_or_else(|| format!("missing `{key}`"))?;
    let items = value
        .as_array()
        .ok_or_else(|| format!("`{key}` is not an array of integers"))?;
    items
        .iter()
        .map(|item| {
            item.as_u64()
                .ok_or_else(|| format!("`{key}` holds {item}, not a non-negative integer"))
        })
        .collect()
}

/// The string at `key`.
pub(crate) fn string<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    obj.get(key)
        .ok_or_else(|| format!("missing `{key}`"))?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string"))
}

/// Checks that chunk extents match the shape's rank and are all positive.
pub(crate) fn check_grid(shape: &[u64], chunks: &[u64], what: &str) -> Result<(), String> {
    if shape.len() != chunks.len() {
        return Err(format!(
            "{what} has {} dimensions but the shape has {}",
            chunks.len(),
            shape.len()
        ));
    }
    if chunks.contains(&0) {
        return Err(format!("{what} {chunks:?} has a zero extent"));
    }
    Ok(())
}

/// The xarray `_ARRAY_DIMENSIONS` attribute, when present and well formed: a name per axis of
/// an array of `rank` axes (a list of another length names no axis: it is left an attribute).
pub(crate) fn xarray_dimensions(
    attributes: &Map<String, Value>,
    rank: usize,
) -> Option<Vec<Option<String>>> {
    let names = attributes
        .get("_ARRAY_DIMENSIONS")?
        .as_array()
        .filter(|names| names.len() == rank)?;
    names
        .iter()
        .map(|n| n.as_str().map(|s| Some(s.to_string())))
        .collect()
}
