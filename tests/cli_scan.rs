//! `zlint scan` end to end: the binary, its output formats and its exit codes.

mod common;

use assert_cmd::Command;
use common::fixture;
use predicates::prelude::*;
use serde_json::Value;

fn zlint() -> Command {
    Command::cargo_bin("zlint").expect("binary")
}

fn scan_json(rel: &str, extra: &[&str]) -> (Value, i32) {
    let output = zlint()
        .arg("scan")
        .arg(fixture(rel))
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("run");
    let doc = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    (doc, output.status.code().expect("exit code"))
}

#[test]
fn json_output_carries_every_documented_array_field() {
    let records: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("EXPECTED.json")).expect("EXPECTED.json"),
    )
    .expect("JSON");
    for record in records["arrays"].as_array().expect("arrays") {
        let rel = record["store"].as_str().expect("store");
        let (doc, code) = scan_json(rel, &[]);
        assert_eq!(code, 0, "{rel}");
        assert_eq!(doc["schema_version"], 1);
        let array = doc["arrays"]
            .as_array()
            .expect("arrays")
            .iter()
            .find(|a| a["path"] == record["path"])
            .unwrap_or_else(|| panic!("{rel}: {} missing", record["path"]));
        for key in ["format", "shape", "dtype", "chunks", "shards"] {
            assert_eq!(array[key], record[key], "{rel}/{}: {key}", record["path"]);
        }
        for key in [
            "codecs",
            "fill_value",
            "dimension_names",
            "chunk_bytes",
            "chunk_count",
        ] {
            assert!(array.get(key).is_some(), "{rel}: `{key}` missing");
        }
    }
}

#[test]
fn json_groups_list_attributes_and_multiscale_levels() {
    let (doc, _) = scan_json("ome/v05.ome.zarr", &[]);
    let root = &doc["groups"][0];
    assert_eq!(root["path"], "");
    let levels = root["multiscales"][0]["levels"].as_array().expect("levels");
    let paths: Vec<&str> = levels
        .iter()
        .map(|l| l["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["scale0/image", "scale1/image", "scale2/image"]);
    assert_eq!(levels[2]["factors"], serde_json::json!([4.0, 4.0, 4.0]));
    assert!(root["attributes"]["ome"].is_object());
}

#[test]
fn sharded_json_reports_inner_chunks_and_counts() {
    let (doc, _) = scan_json("zarr3/sharded.zarr", &[]);
    let a = &doc["arrays"][0];
    assert_eq!(a["chunks"], serde_json::json!([8, 8]));
    assert_eq!(a["shards"], serde_json::json!([32, 32]));
    assert_eq!(a["chunk_count"], 8 * 6);
    assert_eq!(a["shard_count"], 2 * 2);
    assert_eq!(a["chunk_bytes"], 8 * 8 * 2);
}

#[test]
fn deep_json_has_stored_figures() {
    let (doc, code) = scan_json("zarr2/hierarchy.zarr", &["--deep"]);
    assert_eq!(code, 0);
    let labels = doc["arrays"]
        .as_array()
        .expect("arrays")
        .iter()
        .find(|a| a["path"] == "labels")
        .expect("labels");
    assert_eq!(labels["stored"]["stored_objects"], 1);
    assert_eq!(labels["stored"]["missing_objects"], 2);
}

#[test]
fn text_table_of_a_hierarchy() {
    let output = zlint()
        .arg("scan")
        .arg("fixtures/zarr2/hierarchy.zarr")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "no progress bar when piped");
    insta::assert_snapshot!(String::from_utf8(output.stdout).expect("utf-8"));
}

#[test]
fn text_table_of_a_sharded_array() {
    zlint()
        .arg("scan")
        .arg(fixture("zarr3/sharded.zarr"))
        .assert()
        .success()
        .stdout(predicate::str::contains("64×48"))
        .stdout(predicate::str::contains("8×8"))
        .stdout(predicate::str::contains("32×32"))
        .stdout(predicate::str::contains("blosc(zstd,5,shuffle)"));
}

#[test]
fn broken_nodes_exit_2_and_name_the_file() {
    for (rel, file, message) in [
        ("broken/invalid-json.zarr", "bad/zarr.json", "invalid JSON"),
        (
            "broken/rank-mismatch.zarr",
            ".zarray",
            "has 1 dimensions but the shape has 2",
        ),
        (
            "broken/unknown-codec.zarr",
            "zarr.json",
            "unknown codec `mystery`",
        ),
        ("broken/bad-attributes.n5", "vol/attributes.json", "\"ten\""),
    ] {
        zlint()
            .arg("scan")
            .arg(fixture(rel))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{rel}/{file}: ")))
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn good_siblings_of_a_broken_node_are_still_listed() {
    zlint()
        .arg("scan")
        .arg(fixture("broken/invalid-json.zarr"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("good"));
}

#[test]
fn not_a_store_and_missing_paths_exit_2() {
    zlint()
        .arg("scan")
        .arg(fixture("broken/not-a-store"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a Zarr or N5 store"));
    zlint()
        .args(["scan", "/nonexistent/store.zarr"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/store.zarr"));
}
