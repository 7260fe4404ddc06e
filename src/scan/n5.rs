//! N5 metadata (`attributes.json`) → model, in C order.
//!
//! N5 lists the fastest-varying axis first, so `dimensions` and `blockSize` are reversed here,
//! as zarr-python 2 and n5py present them. Everything after the scan sees C order only.

use serde_json::{Map, Value};
use zarrs::storage::Bytes;

use super::dtype;
use super::json::{as_object, check_grid};
use crate::formats::N5Attributes;
use crate::model::{ArrayInfo, ChunkKeyEncoding, Codec, Format, GroupInfo, Node, NodePath};

pub(crate) use crate::formats::n5::is_dataset;

/// Builds a dataset or a group from an `attributes.json` document.
pub(crate) fn node(path: NodePath, attributes_json: &Value, stored: Bytes) -> Result<Node, String> {
    let obj = as_object(attributes_json, "attributes.json")?;
    if !is_dataset(attributes_json) {
        return Ok(Node::Group(group(path, obj.clone(), false)));
    }
    let parsed = N5Attributes::parse(attributes_json).map_err(|e| e.to_string())?;
    // Checked in N5's own axis order, so that messages show the extents as stored.
    let stored_order = |v: &[u64]| v.iter().rev().copied().collect::<Vec<_>>();
    check_grid(
        &stored_order(&parsed.shape),
        &stored_order(&parsed.block_shape),
        "`blockSize`",
    )?;
    let dtype = dtype::from_n5(&parsed.data_type)?;
    let compression = Codec {
        name: parsed.compression_type().to_string(),
        configuration: parsed
            .compression
            .iter()
            .filter(|(k, _)| k.as_str() != "type")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let N5Attributes {
        shape,
        block_shape: chunk_shape,
        data_type: native_dtype,
        user: attributes,
        ..
    } = parsed;
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
        native_dtype,
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
        metadata: stored,
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
        let Node::Array(a) = node(NodePath::new("s0"), &attrs, Bytes::new()).unwrap() else {
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
        let Node::Group(g) = node(NodePath::root(), &json!({"n5": "4.0.0"}), Bytes::new()).unwrap()
        else {
            panic!("expected a group");
        };
        assert!(!g.implicit);
    }

    #[test]
    fn old_style_compression_type_is_read() {
        let attrs = json!({"dimensions": [4], "blockSize": [2], "dataType": "int8",
                           "compressionType": "bzip2"});
        let Node::Array(a) = node(NodePath::root(), &attrs, Bytes::new()).unwrap() else {
            panic!("expected an array");
        };
        assert_eq!(a.codecs[0].name, "bzip2");
    }
}
