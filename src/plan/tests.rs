//! Rechunk plans built from in-memory models: no store is opened.

use serde_json::json;

use super::rechunk_plan::*;
use crate::error::Param;
use crate::model::{ArrayInfo, Format, NodePath, Store};
use crate::model::{ChunkKeyEncoding, DataType};
use crate::plan::Targets;
use crate::plan::{CodecChoice, ShapeRequests};
use crate::profile::{Access, Profile};

/// A Zarr v3 array held in memory only, as a scan would have read it.
fn in_memory_store() -> Store {
    let metadata = json!({"zarr_format": 3, "node_type": "array", "shape": [100, 60],
        "data_type": "uint16", "fill_value": 0,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [10, 60]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 3, "checksum": false}}],
        "attributes": {"units": "nm"}});
    let array = ArrayInfo {
        path: NodePath::new("img"),
        format: Format::Zarr3,
        shape: vec![100, 60],
        dtype: DataType {
            name: "uint16".into(),
            item_size: Some(2),
        },
        native_dtype: "uint16".into(),
        chunk_shape: vec![10, 60],
        shard_shape: None,
        codecs: vec![],
        fill_value: json!(0),
        dimension_names: None,
        axes: None,
        chunk_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
        attributes: metadata["attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default(),
        stored: None,
        metadata: serde_json::to_vec(&metadata).expect("JSON").into(),
    };
    Store {
        location: "memory".into(),
        arrays: vec![array],
        ..Store::default()
    }
}

fn targets(chunks: &str, format: Option<Format>, codec: Option<&str>) -> Targets {
    Targets {
        chunks: ShapeRequests::parse(Param::Chunks, &[chunks.to_string()]).expect("chunks"),
        shards: ShapeRequests::default(),
        auto: false,
        profile: Profile::Analysis,
        access: Access::Auto,
        format,
        codec: codec.map(|c| CodecChoice::parse(c).expect("codec")),
        two_pass: true,
        exclude: Vec::new(),
    }
}

const BUDGET: Budget = Budget {
    max_mem_bytes: 1 << 30,
    threads: 2,
};

#[test]
fn plans_are_built_from_the_model_alone() {
    let store = in_memory_store();
    let plan = RechunkPlan::build(&store, "out".into(), &targets("20,30", None, None), BUDGET)
        .expect("plan");
    let array = &plan.arrays[0];
    assert_eq!(array.target.chunks, [20, 30]);
    assert_eq!(array.objects_after, 10);
    let (name, doc) = &array.target_metadata[0];
    assert_eq!(name, "zarr.json");
    assert_eq!(
        doc["codecs"][1],
        json!({"name": "zstd", "configuration": {"level": 3, "checksum": false}})
    );
    assert_eq!(doc["attributes"], json!({"units": "nm"}));
    // The implicit root becomes a group, so that Zarr v2 readers find the array.
    assert_eq!(plan.groups.len(), 1);
}

#[test]
fn target_documents_translate_codecs_between_formats() {
    let store = in_memory_store();
    let to = |format, codec| {
        RechunkPlan::build(
            &store,
            "out".into(),
            &targets("20,30", Some(format), codec),
            BUDGET,
        )
        .expect("plan")
        .arrays
        .remove(0)
        .target_metadata
    };
    let v2 = to(Format::Zarr2, None);
    assert_eq!(v2[0].0, ".zarray");
    assert_eq!(v2[0].1["compressor"], json!({"id": "zstd", "level": 3}));
    assert_eq!(v2[0].1["dtype"], "<u2");
    assert_eq!(v2[1].0, ".zattrs");
    let n5 = to(Format::N5, Some("blosc:lz4:4:bitshuffle"));
    assert_eq!(n5[0].0, "attributes.json");
    assert_eq!(n5[0].1["dimensions"], json!([60, 100]));
    assert_eq!(
        n5[0].1["compression"],
        json!({"type": "blosc", "cname": "lz4", "clevel": 4, "shuffle": 2, "blocksize": 0})
    );
}

#[test]
fn a_same_layout_rechunk_copies_encoded_chunks() {
    let store = in_memory_store();
    let plan = |format| {
        RechunkPlan::build(
            &store,
            "out".into(),
            &targets("10,60", format, None),
            BUDGET,
        )
        .expect("plan")
        .arrays
        .remove(0)
    };
    assert!(plan(None).repack);
    assert!(
        plan(Some(Format::Zarr2)).repack,
        "zstd decodes the same way in Zarr v2"
    );
    assert!(!plan(Some(Format::N5)).repack);
}

#[test]
fn shapes_are_read_with_commas_or_the_multiplication_signs_zlint_prints() {
    let values = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let parsed = ShapeRequests::parse(
        Param::Chunks,
        &values(&["64×256×256", "raw=8x60", "sub/x=1,2,3"]),
    )
    .expect("parses");
    assert_eq!(parsed.all, Some(vec![64, 256, 256]));
    assert_eq!(
        parsed.by_path,
        [
            (NodePath::new("raw"), vec![8, 60]),
            (NodePath::new("sub/x"), vec![1, 2, 3])
        ]
    );
    assert!(ShapeRequests::parse(Param::Chunks, &values(&["64×0"])).is_err());
    // Every item NAME=N: extents by axis name, the last of a name winning.
    let parsed = ShapeRequests::parse(Param::Chunks, &values(&["z=16,y=256,x=256", "x=128,c=1"]))
        .expect("axes");
    assert_eq!(
        parsed.by_axis,
        [
            ("z".to_string(), 16),
            ("y".to_string(), 256),
            ("x".to_string(), 128),
            ("c".to_string(), 1)
        ]
    );
    assert!(parsed.by_path.is_empty() && parsed.all.is_none());
    assert!(ShapeRequests::parse(Param::Chunks, &values(&["z=16,y=0"])).is_err());
    assert!(ShapeRequests::parse(Param::Chunks, &values(&["z=16,=4"])).is_err());
}

/// zarr-python 3 can neither write nor read NumPy records in shards: `--auto` does not shard them
/// where it shards a number array of the same shape.
#[test]
fn records_are_never_planned_in_shards() {
    let record = json!({"name": "structured",
                        "configuration": {"fields": [["a", "int32"], ["b", "float64"]]}});
    let auto = Targets {
        chunks: ShapeRequests::default(),
        auto: true,
        profile: Profile::Visualization,
        ..targets("1,1", Some(Format::Zarr3), None)
    };
    for (data_type, item_size, sharded) in [(json!("uint16"), 2, true), (record, 12, false)] {
        let mut store = in_memory_store();
        let array = &mut store.arrays[0];
        let mut metadata: serde_json::Value =
            serde_json::from_slice(&array.metadata).expect("JSON");
        metadata["shape"] = json!([4096, 4096]);
        metadata["data_type"] = data_type.clone();
        metadata["fill_value"] = if item_size == 12 {
            json!("AAAAAAAAAAAAAAAA")
        } else {
            json!(0)
        };
        metadata["codecs"] = json!([{"name": "bytes"}]);
        array.shape = vec![4096, 4096];
        array.chunk_shape = vec![64, 64];
        array.dtype = DataType {
            name: data_type["name"].as_str().unwrap_or("uint16").into(),
            item_size: Some(item_size),
        };
        array.fill_value = metadata["fill_value"].clone();
        array.metadata = serde_json::to_vec(&metadata).expect("JSON").into();
        let plan = RechunkPlan::build(&store, "out".into(), &auto, BUDGET).expect("plan");
        assert_eq!(
            plan.arrays[0].target.shards.is_some(),
            sharded,
            "{data_type}"
        );
    }
}
