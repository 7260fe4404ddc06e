//! The scan against what the writing libraries reported (fixtures/EXPECTED.json, written by
//! fixtures/generate.py from zarr-python, tensorstore and ngff-zarr's own view of each array).

mod common;

use common::{copy_dir, fixture, scan_fixture};
use serde_json::Value;
use zlint::model::{NodePath, Store};

fn expected() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("EXPECTED.json")).expect("EXPECTED.json");
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    doc["arrays"].as_array().expect("arrays").clone()
}

fn u64s(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_u64().expect("an integer"))
        .collect()
}

#[test]
fn every_fixture_array_matches_what_its_writer_reported() {
    let records = expected();
    assert!(records.len() >= 20, "the generator records every array");
    let mut stores: std::collections::BTreeMap<String, Store> = Default::default();
    for record in &records {
        let store_rel = record["store"].as_str().expect("store");
        let store = stores
            .entry(store_rel.to_string())
            .or_insert_with(|| scan_fixture(store_rel, false));
        let path = NodePath::new(record["path"].as_str().expect("path"));
        let what = format!("{store_rel}/{path} ({})", record["writer"]);
        let array = store
            .array(&path)
            .unwrap_or_else(|| panic!("{what}: not found"));
        assert_eq!(array.format.as_str(), record["format"], "{what}: format");
        assert_eq!(array.shape, u64s(&record["shape"]), "{what}: shape");
        assert_eq!(array.dtype.name, record["dtype"], "{what}: dtype");
        assert_eq!(array.chunk_shape, u64s(&record["chunks"]), "{what}: chunks");
        let shards = (!record["shards"].is_null()).then(|| u64s(&record["shards"]));
        assert_eq!(array.shard_shape, shards, "{what}: shards");
        let codecs: Vec<&str> = array.codecs.iter().map(|c| c.name.as_str()).collect();
        let expected_codecs: Vec<&str> = record["codecs"]
            .as_array()
            .expect("codecs")
            .iter()
            .map(|c| c.as_str().expect("codec name"))
            .collect();
        assert_eq!(codecs, expected_codecs, "{what}: codecs");
        if let Some(names) = record["dimension_names"].as_array() {
            let names: Vec<Option<String>> = names
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect();
            assert_eq!(
                array.dimension_names.as_ref(),
                Some(&names),
                "{what}: dimension names"
            );
        }
    }
    for (rel, store) in &stores {
        if !rel.starts_with("broken/") {
            assert!(store.errors.is_empty(), "{rel}: {:?}", store.errors);
        }
    }
}

#[test]
fn ome_multiscales_are_linked_to_their_levels_with_scale_factors() {
    for (rel, version) in [("ome/v04.ome.zarr", "0.4"), ("ome/v05.ome.zarr", "0.5")] {
        let store = scan_fixture(rel, false);
        let root = store.group(&NodePath::root()).expect("root group");
        assert_eq!(root.multiscales.len(), 1, "{rel}");
        let ms = &root.multiscales[0];
        assert_eq!(ms.version.as_deref(), Some(version));
        let axes: Vec<&str> = ms.axes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(axes, ["z", "y", "x"]);
        assert_eq!(ms.levels.len(), 3);
        let records: Vec<Value> = expected()
            .into_iter()
            .filter(|r| r["store"] == rel)
            .collect();
        for (level, factor) in ms.levels.iter().zip([1.0, 2.0, 4.0]) {
            assert!(level.found, "{rel}: {} not found", level.path);
            assert_eq!(
                level.factors,
                Some(vec![factor; 3]),
                "{rel}: {}",
                level.path
            );
            let record = records
                .iter()
                .find(|r| r["path"] == level.dataset_path)
                .expect("recorded level");
            let scale: Vec<f64> = record["scale"]
                .as_array()
                .expect("scale")
                .iter()
                .map(|v| v.as_f64().expect("number"))
                .collect();
            assert_eq!(level.scale.as_ref(), Some(&scale));
            let array = store.array(&level.path).expect("level array");
            let axis_types: Vec<_> = array
                .axes
                .as_ref()
                .expect("axes on level arrays")
                .iter()
                .map(|a| a.axis_type.as_deref())
                .collect();
            assert_eq!(axis_types, [Some("space"); 3]);
        }
    }
}

#[test]
fn consolidated_metadata_is_recognised_and_checked() {
    let store = scan_fixture("zarr2/hierarchy.zarr", false);
    let root = store.group(&NodePath::root()).expect("root");
    let consolidated = root.consolidated.as_ref().expect("consolidated");
    assert_eq!(consolidated.kind, "zmetadata");
    assert!(consolidated.missing_nodes.is_empty());
    assert!(consolidated.unlisted_nodes.is_empty());
    assert_eq!(consolidated.entries, store.node_count() - 1);

    let store = scan_fixture("zarr3/consolidated.zarr", false);
    let root = store.group(&NodePath::root()).expect("root");
    assert_eq!(root.consolidated.as_ref().expect("inline").kind, "inline");
}

#[test]
fn stale_consolidated_metadata_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture("zarr2/hierarchy.zarr"), dir.path());
    std::fs::remove_dir_all(dir.path().join("labels")).expect("remove");
    let opened = zlint::store::open(dir.path().to_str().expect("utf-8")).expect("open");
    let store =
        zlint::scan::scan(&opened, Default::default(), &zlint::progress::NoProgress).expect("scan");
    let consolidated = store.groups[0].consolidated.as_ref().expect("consolidated");
    assert_eq!(consolidated.missing_nodes, [NodePath::new("labels")]);
}

/// Chunk files counted by a plain directory walk, independent of zlint's key parsing.
fn count_chunk_files(dir: &std::path::Path) -> (u64, u64) {
    let metadata = [
        "zarr.json",
        ".zarray",
        ".zattrs",
        "attributes.json",
        ".zgroup",
    ];
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .filter(|e| !metadata.contains(&e.file_name().to_str().unwrap_or("")))
        .fold((0, 0), |(n, bytes), e| {
            (n + 1, bytes + e.metadata().expect("stat").len())
        })
}

#[test]
fn deep_scan_counts_stored_objects_in_every_format() {
    for rel in [
        "zarr2/hierarchy.zarr",
        "zarr3/sharded.zarr",
        "zarr3/consolidated.zarr",
        "n5/tensorstore.n5",
        "n5/zarr2.n5",
    ] {
        let store = scan_fixture(rel, true);
        assert!(store.errors.is_empty(), "{rel}: {:?}", store.errors);
        for array in &store.arrays {
            let stored = array.stored.as_ref().expect("deep figures");
            let (files, bytes) = count_chunk_files(&fixture(rel).join(array.path.as_str()));
            let what = format!("{rel}/{}", array.path);
            assert_eq!(stored.stored_objects, files, "{what}: objects");
            assert_eq!(stored.stored_bytes, bytes, "{what}: bytes");
            assert_eq!(stored.stray_objects, 0, "{what}: strays");
            assert_eq!(
                stored.stored_objects + stored.missing_objects,
                array.object_count(),
                "{what}: grid"
            );
        }
    }
}

#[test]
fn deep_scan_sees_missing_chunks_and_compression() {
    let store = scan_fixture("zarr2/hierarchy.zarr", true);
    // The generator wrote only the first of three chunks of `labels` (the rest is fill value).
    let labels = store.array(&NodePath::new("labels")).expect("labels");
    let stored = labels.stored.as_ref().expect("deep");
    assert_eq!((stored.stored_objects, stored.missing_objects), (1, 2));
    assert_eq!(stored.compression_ratio, Some(1.0));
    // Raw N5 blocks hold the whole block plus a 16-byte header (mode, rank, three extents).
    let n5 = scan_fixture("n5/tensorstore.n5", true);
    let raw = n5.array(&NodePath::new("raw")).expect("raw");
    let stored = raw.stored.as_ref().expect("deep");
    assert_eq!(
        stored.stored_bytes,
        stored.stored_objects * (16 * 8 * 5 + 16)
    );
    let ratio = stored.compression_ratio.expect("ratio");
    assert!((0.97..1.0).contains(&ratio), "{ratio}");
}

#[test]
fn stray_files_are_not_counted_as_chunks() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture("zarr3/sharded.zarr"), dir.path());
    std::fs::write(dir.path().join("c").join("notes.txt"), "x").expect("write");
    std::fs::write(dir.path().join("c").join("99"), "x").expect("write");
    let opened = zlint::store::open(dir.path().to_str().expect("utf-8")).expect("open");
    let options = zlint::scan::ScanOptions { deep: true };
    let store = zlint::scan::scan(&opened, options, &zlint::progress::NoProgress).expect("scan");
    let stored = store.arrays[0].stored.as_ref().expect("deep");
    assert_eq!(stored.stray_objects, 2);
}

#[test]
fn broken_nodes_are_reported_with_their_path_and_the_rest_is_scanned() {
    let store = scan_fixture("broken/invalid-json.zarr", false);
    assert!(store.array(&NodePath::new("good")).is_some());
    assert_eq!(store.errors.len(), 1);
    assert!(store.errors[0].location.ends_with("bad/zarr.json"));
    assert!(store.errors[0].message.contains("invalid JSON"));

    let store = scan_fixture("broken/unknown-codec.zarr", false);
    assert!(store.errors[0].message.contains("unknown codec `mystery`"));

    let store = scan_fixture("broken/bad-attributes.n5", false);
    assert!(store.errors[0].location.ends_with("vol/attributes.json"));
}

#[test]
fn a_zarr3_array_without_a_fill_value_is_named_unreadable() {
    // As zarrita.js writes an array it is given no fill value for (tests/corpus/zarrita).
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = r#"{"zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "float32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "fill_value": null, "attributes": {}}"#;
    std::fs::write(dir.path().join("zarr.json"), doc).expect("write");
    let opened = zlint::store::open(dir.path().to_str().expect("utf-8")).expect("open");
    let store =
        zlint::scan::scan(&opened, Default::default(), &zlint::progress::NoProgress).expect("scan");
    assert_eq!(store.arrays.len(), 1, "its layout is still linted");
    assert_eq!(store.errors.len(), 1);
    assert!(store.errors[0].location.ends_with("zarr.json"));
    assert!(store.errors[0].message.contains("`fill_value` is null"));
}

#[test]
fn a_folder_without_metadata_is_not_a_store() {
    let opened =
        zlint::store::open(fixture("broken/not-a-store").to_str().expect("utf-8")).expect("open");
    let err = zlint::scan::scan(&opened, Default::default(), &zlint::progress::NoProgress)
        .expect_err("not a store");
    assert!(matches!(err, zlint::Error::NotAStore(_)));
}

#[test]
fn a_group_or_metadata_file_inside_a_store_can_be_scanned_alone() {
    let store = scan_fixture("zarr2/hierarchy.zarr/sub", false);
    let paths: Vec<&str> = store.arrays.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["deeper/complex", "deeper/mask", "slashes"]);
    let store = scan_fixture("zarr3/plain.zarr/zarr.json", false);
    assert_eq!(store.arrays.len(), 1);
    assert!(
        store.location.ends_with("zarr3/plain.zarr"),
        "{}",
        store.location
    );
}

/// Issue 15: an n5-viewer pyramid (zarr-python 2's N5Store, with `scales` in N5 order) is linked
/// as a multiscale image in C order, so the multiscale rules judge it.
#[test]
fn n5_viewer_pyramids_are_linked_as_multiscales() {
    let store = scan_fixture("n5/pyramid.n5", false);
    let root = store.group(&NodePath::root()).expect("root group");
    assert_eq!(root.multiscales.len(), 1, "{:?}", root.multiscales);
    let levels = &root.multiscales[0].levels;
    let paths: Vec<&str> = levels.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths, ["s0", "s1", "s2"]);
    assert!(levels.iter().all(|l| l.found));
    assert_eq!(levels[1].factors, Some(vec![1.0, 2.0, 2.0]));
    assert_eq!(levels[2].factors, Some(vec![1.0, 4.0, 4.0]));
    let report = zlint::lint::lint(
        &store,
        &zlint::lint::Settings::for_profile(zlint::profile::Profile::Analysis),
    );
    let at = |rule: &str, path: &str| {
        report
            .findings
            .iter()
            .any(|d| d.rule == rule && d.path.as_str() == path)
    };
    assert!(at("ZL202", "s2"), "{:?}", report.findings);
    assert!(
        !at("ZL202", "s1") && !at("ZL101", "s1"),
        "{:?}",
        report.findings
    );
}

/// Issue 29: following links is a choice of one opening, not of the process: a store opened
/// with `follow_links` and one opened without it, in one process, each keep their own.
#[test]
fn following_links_is_a_choice_of_each_opening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("plain.zarr");
    copy_dir(&fixture("zarr3/plain.zarr"), &store);
    let chunk = store.join("c").join("0").join("0");
    let outside = dir.path().join("outside.bin");
    std::fs::rename(&chunk, &outside).expect("move");
    std::os::unix::fs::symlink(&outside, &chunk).expect("link");
    let location = store.to_str().expect("utf-8");
    let deep = zlint::scan::ScanOptions { deep: true };
    let scanned = |options| {
        let opened = zlint::store::open_with(location, options).expect("open");
        zlint::scan::scan(&opened, deep, &zlint::progress::NoProgress).expect("scan")
    };
    let follow = zlint::store::OpenOptions { follow_links: true };
    assert!(scanned(follow).errors.is_empty(), "followed when asked");
    let default = scanned(zlint::store::OpenOptions::default());
    assert!(
        default
            .errors
            .iter()
            .any(|e| e.message.contains("leads outside the store")),
        "{:?}",
        default.errors
    );
    assert!(scanned(follow).errors.is_empty(), "and again");
}
