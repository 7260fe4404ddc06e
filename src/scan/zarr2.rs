//! Zarr v2 metadata (`.zarray`, `.zgroup`, `.zattrs`, `.zmetadata`) → model.

use serde_json::{Map, Value};
use zarrs::storage::Bytes;

use super::dtype;
use super::json::{as_object, check_grid, string, u64_vec, xarray_dimensions};
use crate::model::{ArrayInfo, ChunkKeyEncoding, Codec, Format, GroupInfo, NodePath};

/// Builds an array from `.zarray` and the (possibly empty) `.zattrs`.
pub(crate) fn array(
    path: NodePath,
    zarray: &Value,
    attributes: Map<String, Value>,
    stored: Bytes,
) -> Result<ArrayInfo, String> {
    let obj = as_object(zarray, ".zarray")?;
    check_format(obj)?;
    let shape = u64_vec(obj, "shape")?;
    let chunk_shape = u64_vec(obj, "chunks")?;
    check_grid(&shape, &chunk_shape, "`chunks`")?;
    let mut codecs = Vec::new();
    match obj.get("filters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(filters)) => {
            for filter in filters {
                codecs.push(numcodec(filter, "filter")?);
            }
        }
        Some(_) => return Err("`filters` is neither null nor a list".into()),
    }
    match obj.get("compressor") {
        None | Some(Value::Null) => {}
        Some(compressor) => codecs.push(numcodec(compressor, "compressor")?),
    }
    let raw_dtype = obj.get("dtype").ok_or("missing `dtype`")?;
    let object_codec = codecs.first().map(|c| c.name.as_str());
    let dtype = dtype::from_zarr2(raw_dtype, object_codec)?;
    let separator = match obj.get("dimension_separator") {
        None | Some(Value::Null) => '.',
        Some(Value::String(s)) if s == "." => '.',
        Some(Value::String(s)) if s == "/" => '/',
        Some(other) => {
            return Err(format!(
                "`dimension_separator` is {other}, not \".\" or \"/\""
            ));
        }
    };
    match obj.get("order").and_then(Value::as_str) {
        Some("C" | "F") => {}
        _ => return Err("`order` is not \"C\" or \"F\"".into()),
    }
    let dimension_names = xarray_dimensions(&attributes, shape.len());
    Ok(ArrayInfo {
        path,
        format: Format::Zarr2,
        shape,
        native_dtype: match raw_dtype {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        dtype,
        chunk_shape,
        shard_shape: None,
        codecs,
        fill_value: obj.get("fill_value").cloned().unwrap_or(Value::Null),
        dimension_names,
        axes: None,
        chunk_key_encoding: ChunkKeyEncoding::V2 { separator },
        attributes,
        stored: None,
        metadata: stored,
    })
}

/// Builds a group from `.zgroup` and the (possibly empty) `.zattrs`.
pub(crate) fn group(
    path: NodePath,
    zgroup: &Value,
    attributes: Map<String, Value>,
) -> Result<GroupInfo, String> {
    check_format(as_object(zgroup, ".zgroup")?)?;
    Ok(GroupInfo {
        path,
        format: Format::Zarr2,
        implicit: false,
        attributes,
        multiscales: Vec::new(),
        consolidated: None,
    })
}

/// The node paths (relative to the group holding it) listed in a `.zmetadata` document.
pub(crate) fn consolidated_nodes(zmetadata: &Value) -> Result<Vec<NodePath>, String> {
    let metadata = zmetadata
        .get("metadata")
        .and_then(Value::as_object)
        .ok_or(".zmetadata has no `metadata` object")?;
    let mut nodes: Vec<NodePath> = metadata
        .keys()
        .filter_map(|key| {
            key.strip_suffix(".zarray")
                .or_else(|| key.strip_suffix(".zgroup"))
                .map(NodePath::new)
        })
        .collect();
    nodes.sort();
    nodes.dedup();
    Ok(nodes)
}

fn check_format(obj: &Map<String, Value>) -> Result<(), String> {
    match obj.get("zarr_format").and_then(Value::as_u64) {
        Some(2) => Ok(()),
        Some(other) => Err(format!("`zarr_format` is {other}, expected 2")),
        None => Err("missing `zarr_format`".into()),
    }
}

/// A numcodecs codec object (`{"id": "blosc", …}`) as a [`Codec`].
fn numcodec(value: &Value, what: &str) -> Result<Codec, String> {
    let obj = as_object(value, what)?;
    let name = string(obj, "id").map_err(|e| format!("{what}: {e}"))?;
    let configuration = obj
        .iter()
        .filter(|(key, _)| key.as_str() != "id")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Ok(Codec {
        name: name.to_string(),
        configuration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zarray() -> Value {
        json!({
            "zarr_format": 2, "shape": [10, 20], "chunks": [5, 5], "dtype": "<u2",
            "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
            "filters": [{"id": "delta", "dtype": "<u2"}], "fill_value": 0, "order": "C"
        })
    }

    #[test]
    fn reads_filters_then_compressor_and_defaults_to_dot_separator() {
        let a = array(NodePath::new("a"), &zarray(), Map::new(), Bytes::new()).unwrap();
        let names: Vec<&str> = a.codecs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["delta", "blosc"]);
        assert_eq!(
            a.chunk_key_encoding,
            ChunkKeyEncoding::V2 { separator: '.' }
        );
        assert_eq!(a.dtype.name, "uint16");
        assert_eq!(a.native_dtype, "<u2");
    }

    #[test]
    fn rejects_rank_mismatch_and_zero_chunks() {
        let mut bad = zarray();
        bad["chunks"] = json!([5]);
        let err = array(NodePath::root(), &bad, Map::new(), Bytes::new()).unwrap_err();
        assert!(err.contains("1 dimensions but the shape has 2"), "{err}");
        bad["chunks"] = json!([5, 0]);
        assert!(array(NodePath::root(), &bad, Map::new(), Bytes::new()).is_err());
    }

    #[test]
    fn xarray_dimension_names_come_from_attributes() {
        let attrs = json!({"_ARRAY_DIMENSIONS": ["y", "x"]});
        let a = array(
            NodePath::root(),
            &zarray(),
            attrs.as_object().unwrap().clone(),
            Bytes::new(),
        )
        .unwrap();
        assert_eq!(
            a.dimension_names,
            Some(vec![Some("y".to_string()), Some("x".to_string())])
        );
    }
}
