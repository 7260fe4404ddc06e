//! Zarr v3 metadata (`zarr.json`) → model.

use serde_json::{Map, Value};
use zarrs::storage::Bytes;

use super::dtype;
use super::json::{as_object, check_grid, u64_vec, xarray_dimensions};
use crate::model::{ArrayInfo, ChunkKeyEncoding, Codec, Format, GroupInfo, Node, NodePath};

/// The name of the sharding codec.
const SHARDING: &str = "sharding_indexed";

/// Builds an array or a group from a `zarr.json` document.
pub(crate) fn node(path: NodePath, zarr_json: &Value, stored: Bytes) -> Result<Node, String> {
    let obj = as_object(zarr_json, "zarr.json")?;
    match obj.get("zarr_format") {
        Some(Value::Number(n)) if n.as_u64() == Some(3) => {}
        Some(Value::String(url)) if url.contains("zarr/spec/protocol/core/3.0") => {
            return Err(format!(
                "a pre-release draft of Zarr v3 (`zarr_format` is the URL {url}, as zarrita and \
                 zarr-python 2's experimental v3 wrote it), which zarr-python 3, tensorstore and zarrs do not open; \
                 rewrite it with the writer that made it into Zarr v2 or v3"
            ));
        }
        Some(other) => return Err(format!("`zarr_format` is {other}, expected 3")),
        None => return Err("missing `zarr_format`".into()),
    }
    let attributes = match obj.get("attributes") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(attrs)) => attrs.clone(),
        Some(_) => return Err("`attributes` is not an object".into()),
    };
    match obj.get("node_type").and_then(Value::as_str) {
        Some("group") => Ok(Node::Group(GroupInfo {
            path,
            format: Format::Zarr3,
            implicit: false,
            attributes,
            multiscales: Vec::new(),
            consolidated: None,
        })),
        Some("array") => array(path, obj, attributes, stored).map(|a| Node::Array(Box::new(a))),
        Some(other) => Err(format!(
            "`node_type` is \"{other}\", not \"array\" or \"group\""
        )),
        None => Err("missing `node_type`".into()),
    }
}

fn array(
    path: NodePath,
    obj: &Map<String, Value>,
    attributes: Map<String, Value>,
    stored: Bytes,
) -> Result<ArrayInfo, String> {
    let shape = u64_vec(obj, "shape")?;
    let raw_dtype = obj.get("data_type").ok_or("missing `data_type`")?;
    let dtype = dtype::from_zarr3(raw_dtype)?;

    let grid = as_object(
        obj.get("chunk_grid").ok_or("missing `chunk_grid`")?,
        "`chunk_grid`",
    )?;
    let grid_name = grid.get("name").and_then(Value::as_str).unwrap_or("");
    if grid_name != "regular" {
        return Err(format!(
            "unsupported chunk grid `{grid_name}` (only `regular` is read)"
        ));
    }
    let grid_config = as_object(
        grid.get("configuration").unwrap_or(&Value::Null),
        "`chunk_grid.configuration`",
    )?;
    let grid_shape = u64_vec(grid_config, "chunk_shape")?;
    check_grid(&shape, &grid_shape, "`chunk_grid` chunk_shape")?;

    let codec_list = obj
        .get("codecs")
        .and_then(Value::as_array)
        .ok_or("missing or non-list `codecs`")?;
    let mut codecs = parse_codecs(codec_list)?;
    let (chunk_shape, shard_shape) = match codecs.iter().position(|c| c.name == SHARDING) {
        Some(index) => {
            let sharding = codecs.remove(index);
            let inner = u64_vec(&sharding.configuration, "chunk_shape")
                .map_err(|e| format!("{SHARDING}: {e}"))?;
            check_grid(&shape, &inner, "sharding inner chunk_shape")?;
            let inner_codecs = sharding
                .configuration
                .get("codecs")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("{SHARDING}: missing `codecs`"))?;
            codecs = parse_codecs(inner_codecs)?;
            (inner, Some(grid_shape))
        }
        None => (grid_shape, None),
    };

    let chunk_key_encoding = key_encoding(obj.get("chunk_key_encoding"))?;
    let dimension_names = match obj.get("dimension_names") {
        None | Some(Value::Null) => xarray_dimensions(&attributes, shape.len()),
        Some(Value::Array(names)) => {
            if names.len() != shape.len() {
                return Err(format!(
                    "`dimension_names` has {} entries but the shape has {} dimensions",
                    names.len(),
                    shape.len()
                ));
            }
            Some(
                names
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect(),
            )
        }
        Some(_) => return Err("`dimension_names` is not a list".into()),
    };
    Ok(ArrayInfo {
        path,
        format: Format::Zarr3,
        shape,
        native_dtype: match raw_dtype {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        dtype,
        chunk_shape,
        shard_shape,
        codecs,
        fill_value: obj.get("fill_value").cloned().unwrap_or(Value::Null),
        dimension_names,
        axes: None,
        chunk_key_encoding,
        attributes,
        stored: None,
        metadata: stored,
    })
}

fn parse_codecs(list: &[Value]) -> Result<Vec<Codec>, String> {
    list.iter()
        .map(|codec| match codec {
            Value::String(name) => Ok(Codec {
                name: name.clone(),
                configuration: Map::new(),
            }),
            Value::Object(obj) => {
                let name = obj
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or("a codec has no `name`")?;
                let configuration = match obj.get("configuration") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(cfg)) => cfg.clone(),
                    Some(_) => {
                        return Err(format!("codec `{name}`: configuration is not an object"));
                    }
                };
                Ok(Codec {
                    name: name.to_string(),
                    configuration,
                })
            }
            _ => Err("a codec is neither a name nor an object".into()),
        })
        .collect()
}

fn key_encoding(value: Option<&Value>) -> Result<ChunkKeyEncoding, String> {
    let Some(value) = value else {
        return Err("missing `chunk_key_encoding`".into());
    };
    let (name, configuration) = match value {
        Value::String(name) => (name.as_str(), None),
        Value::Object(obj) => (
            obj.get("name").and_then(Value::as_str).unwrap_or(""),
            obj.get("configuration"),
        ),
        _ => return Err("`chunk_key_encoding` is neither a name nor an object".into()),
    };
    let separator = configuration
        .and_then(|c| c.get("separator"))
        .and_then(Value::as_str);
    let separator = |default: char| match separator {
        None => Ok(default),
        Some(".") => Ok('.'),
        Some("/") => Ok('/'),
        Some(other) => Err(format!(
            "chunk key separator \"{other}\" is not \".\" or \"/\""
        )),
    };
    match name {
        "default" => Ok(ChunkKeyEncoding::Default {
            separator: separator('/')?,
        }),
        "v2" => Ok(ChunkKeyEncoding::V2 {
            separator: separator('.')?,
        }),
        other => Err(format!("unsupported chunk key encoding `{other}`")),
    }
}

/// The node paths (relative to the group) listed in inline consolidated metadata, if any.
pub(crate) fn consolidated_nodes(zarr_json: &Value) -> Option<Vec<NodePath>> {
    let metadata = zarr_json
        .get("consolidated_metadata")?
        .get("metadata")?
        .as_object()?;
    let mut nodes: Vec<NodePath> = metadata.keys().map(|k| NodePath::new(k)).collect();
    nodes.sort();
    Some(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sharded() -> Value {
        json!({
            "zarr_format": 3, "node_type": "array", "shape": [64, 64], "data_type": "uint16",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [32, 64]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0,
            "codecs": [{"name": "sharding_indexed", "configuration": {
                "chunk_shape": [16, 16],
                "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                           {"name": "zstd", "configuration": {"level": 3, "checksum": false}}],
                "index_codecs": ["bytes", "crc32c"], "index_location": "end"}}],
            "dimension_names": ["y", null]
        })
    }

    #[test]
    fn sharded_arrays_report_inner_chunks_and_inner_codecs() {
        let Node::Array(a) = node(NodePath::root(), &sharded(), Bytes::new()).unwrap() else {
            panic!("expected an array");
        };
        assert_eq!(a.chunk_shape, [16, 16]);
        assert_eq!(a.shard_shape, Some(vec![32, 64]));
        let names: Vec<&str> = a.codecs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["bytes", "zstd"]);
        assert_eq!(a.dimension_names, Some(vec![Some("y".into()), None]));
    }

    #[test]
    fn dimension_names_must_match_rank() {
        let mut bad = sharded();
        bad["dimension_names"] = json!(["y"]);
        assert!(
            node(NodePath::root(), &bad, Bytes::new())
                .unwrap_err()
                .contains("dimension_names")
        );
    }

    #[test]
    fn unknown_node_type_and_grid_are_errors() {
        let mut bad = sharded();
        bad["chunk_grid"]["name"] = json!("rectilinear");
        assert!(
            node(NodePath::root(), &bad, Bytes::new())
                .unwrap_err()
                .contains("rectilinear")
        );
        bad["node_type"] = json!("thing");
        assert!(node(NodePath::root(), &bad, Bytes::new()).is_err());
    }
}
