//! N5 metadata (`attributes.json`) → model, in C order.
//!
//! N5 lists the fastest-varying axis first, so `dimensions` and `blockSize` are reversed here,
//! as zarr-python 2 and n5py present them. Everything after the scan sees C order only.

use serde_json::{Map, Value};

use super::dtype;
use super::json::{as_object, check_grid, string, u64_vec};
use crate::model::{ArrayInfo, ChunkKeyEncoding, Codec, Format, GroupInfo, Node, NodePath};

/// Keys of a dataset's `attributes.json` that describe the dataset rather than user attributes.
const DATASET_KEYS: &[&str] = &[
    "dimensions",
    "blockSize",
    "dataType",
    "compression",
    "compressionType",
];

/// Whether an `attributes.json` document describes a dataset (as opposed to a group).
pub(crate) fn is_dataset(attributes: &Value) -> bool {
    attributes.get("dimensions").is_some()
}

/// Builds a dataset or a group from an `attributes.json` document.
pub(crate) fn node(path: NodePath, attributes_json: &Value) -> Result<Node, String> {
    let obj = as_object(attributes_json, "attributes.json")?;
    if !is_dataset(attributes_json) {
        return Ok(Node::Group(group(path, obj.clone(), false)));
    }
    let mut shape = u64_vec(obj, "dimensions")?;
    let mut chunk_shape = u64_vec(obj, "blockSize")?;
    check_grid(&shape, &chunk_shape, "`blockSize`")?;
    shape.reverse();
    chunk_shape.reverse();
    let native_dtype = string(obj, "dataType")?;
    let dtype = dtype::from_n5(native_dtype)?;
    let compression = match (obj.get("compression"), obj.get("compressionType")) {
        (Some(Value::Object(cfg)), _) => {
            let name = string(cfg, "type").map_err(|e| format!("`compression`: {e}"))?;
            Codec {
                name: name.to_string(),
                configuration: cfg
                    .iter()
                    .filter(|(k, _)| k.as_str() != "type")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }
        }
        (Some(_), _) => return Err("`compression` is not an object".into()),
        // N5 before 1.0 named the compression with a bare string.
        (None, Some(Value::String(name))) => Codec {
            name: name.clone(),
            configuration: Map::new(),
        },
        (None, _) => Codec {
            name: "raw".to_string(),
            configuration: Map::new(),
        },
    };
    let attributes: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| !DATASET_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let dimension_names = attributes
        .get("axes")
        .and_then(Value::as_array)
        .filter(|names| names.len() == shape.len())
        .and_then(|names| {
            names
                .iter()
                .rev()
                .map(|n| n.as_str().map(|s| Some(s.to_string())))
                .collect()
        });
    // The N5 codec list has no bytes-to-bytes meaning for `raw`; keep it visible anyway.
    Ok(Node::Array(Box::new(ArrayInfo {
        path,
        format: Format::N5,
        shape,
        dtype,
        native_dtype: native_dtype.to_string(),
        chunk_shape,
        shard_shape: None,
        codecs: vec![compression],
        // Absent N5 blocks read as zero.
        fill_value: Value::from(0),
        dimension_names,
        axes: None,
        chunk_key_encoding: ChunkKeyEncoding::N5,
        attributes,
        stored: None,
    })))
}

/// An N5 group; `implicit` for a directory without `attributes.json`.
pub(crate) fn group(path: NodePath, attributes: Map<String, Value>, implicit: bool) -> GroupInfo {
    GroupInfo {
        path,
        format: Format::N5,
        implicit,
        attributes,
        multiscales: Vec::new(),
        consolidated: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn datasets_are_presented_in_c_order() {
        let attrs = json!({
            "dimensions": [300, 200, 10], "blockSize": [64, 32, 5], "dataType": "uint16",
            "compression": {"type": "gzip", "level": -1, "useZlib": false},
            "resolution": [1, 1, 2]
        });
        let Node::Array(a) = node(NodePath::new("s0"), &attrs).unwrap() else {
            panic!("expected an array");
        };
        assert_eq!(a.shape, [10, 200, 300]);
        assert_eq!(a.chunk_shape, [5, 32, 64]);
        assert_eq!(a.codecs[0].name, "gzip");
        assert!(a.codecs[0].configuration.contains_key("useZlib"));
        assert_eq!(a.attributes.keys().collect::<Vec<_>>(), ["resolution"]);
    }

    #[test]
    fn attributes_without_dimensions_are_a_group() {
        let Node::Group(g) = node(NodePath::root(), &json!({"n5": "4.0.0"})).unwrap() else {
            panic!("expected a group");
        };
        assert!(!g.implicit);
    }

    #[test]
    fn old_style_compression_type_is_read() {
        let attrs = json!({"dimensions": [4], "blockSize": [2], "dataType": "int8",
                           "compressionType": "bzip2"});
        let Node::Array(a) = node(NodePath::root(), &attrs).unwrap() else {
            panic!("expected an array");
        };
        assert_eq!(a.codecs[0].name, "bzip2");
    }
}
