//! `zlint verify`, alone and after a rechunk: exit codes, its memory check, and what a
//! difference report names.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod rechunk_support;

use predicates::prelude::*;
use serde_json::json;

use rechunk_support::{json_file, zlint};

#[test]
fn verify_exits_2_on_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out.zarr");
    zlint()
        .args([
            "rechunk",
            "fixtures/zarr3/plain.zarr",
            dst.to_str().unwrap(),
            "--chunks",
            "25,35",
            "-q",
        ])
        .assert()
        .success();
    zlint()
        .args(["verify", "fixtures/zarr3/plain.zarr", dst.to_str().unwrap()])
        .assert()
        .success();
    let chunk = dst.join("c/0/0");
    std::fs::remove_file(&chunk).unwrap();
    zlint()
        .args(["verify", "fixtures/zarr3/plain.zarr", dst.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("values differ in region"));
}

/// Issue 16: --verify's memory is checked with the plan, before anything is written (and with
/// --dry-run too), and the message says how much to ask for.
#[test]
fn verify_memory_is_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let base = [
        "rechunk",
        "fixtures/ome/v05.ome.zarr",
        out.to_str().unwrap(),
        "--to",
        "zarr3",
        "--shards",
        "32,64,64",
        "--max-mem",
        "600KiB",
    ];
    for extra in [&["--verify"][..], &["--verify", "--dry-run"][..]] {
        zlint()
            .args(base)
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "--verify compares one target object",
            ))
            .stderr(predicate::str::contains("give --max-mem"));
        assert!(!out.exists(), "{extra:?}");
    }
    // The same budget without --verify rechunks.
    zlint().args(base).arg("-q").assert().success();
}

/// Issue 16: `zlint verify` compares values even when attributes differ, and names how many
/// values differ and where the first one is.
#[test]
fn verify_reports_attributes_and_values_with_the_first_differing_element() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy.zarr");
    let source = "fixtures/zarr3/plain.zarr";
    zlint()
        .args([
            "rechunk",
            source,
            out.to_str().unwrap(),
            "--codec",
            "none",
            "-q",
        ])
        .assert()
        .success();
    let mut doc = json_file(&out.join("zarr.json"));
    doc["attributes"]["extra"] = json!(1);
    std::fs::write(out.join("zarr.json"), doc.to_string()).unwrap();
    // The second float64 of chunk (0, 0) (chunks are 20×32, stored raw, little-endian).
    let chunk = out.join("c/0/0");
    let mut bytes = std::fs::read(&chunk).unwrap();
    bytes[8] ^= 0xff;
    std::fs::write(&chunk, bytes).unwrap();
    zlint()
        .args(["verify", source, out.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/: attributes differ"))
        .stderr(predicate::str::contains(
            "1 of 2560 values differ in region [0..40, 0..64], the first at [0, 1] (in the target's chunk [0, 0])",
        ));
    // A second difference, in the last chunk: --max-diffs 2 prints two, and says one more.
    let last = out.join("c/2/2");
    let mut bytes = std::fs::read(&last).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&last, bytes).unwrap();
    let output = zlint()
        .args(["verify", source, out.to_str().unwrap(), "--max-diffs", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
    assert!(
        stderr.contains("… and 1 more\nhelp: `--max-diffs 3` shows them all"),
        "{stderr}"
    );
    // As one JSON document: every difference, whatever --max-diffs, and nothing on stderr.
    let output = zlint()
        .args(["verify", source, out.to_str().unwrap(), "--format", "json"])
        .args(["--max-diffs", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stderr.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["identical"], false);
    assert_eq!(doc["mismatches"].as_array().unwrap().len(), 3, "{doc}");
    assert_eq!(doc["mismatches"][0]["path"], "/", "{doc}");
}

/// `rechunk --format json` prints what the run did, and the same document for a split run's
/// steps (docs/outcome-json.md).
#[test]
fn rechunk_outcomes_are_json_documents_too() {
    let dir = tempfile::tempdir().unwrap();
    let source = "fixtures/zarr3/plain.zarr";
    let run = |target: &std::path::Path, args: &[&str]| -> serde_json::Value {
        let output = zlint()
            .args([
                "rechunk",
                source,
                target.to_str().unwrap(),
                "--format",
                "json",
                "-q",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        serde_json::from_slice(&output.stdout).expect("one JSON document")
    };
    let whole = dir.path().join("whole.zarr");
    let doc = run(&whole, &["--chunks", "8,8", "--verify"]);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["summary"]["arrays"], 1);
    assert_eq!(doc["verification"]["identical"], true);
    assert_eq!(doc["target"], whole.to_str().unwrap());
    let split = dir.path().join("split.zarr");
    let plan = run(&split, &["--chunks", "8,8", "--init"]);
    assert!(plan["arrays"].is_array(), "--init prints the plan: {plan}");
    let part = run(&split, &["--part", "0/1"]);
    assert_eq!(
        (part["complete"].clone(), part["summary"]["arrays"].clone()),
        (json!(false), json!(1))
    );
    let finalized = run(&split, &["--finalize", "--verify"]);
    assert_eq!(finalized["complete"], true);
    assert_eq!(finalized["summary"], serde_json::Value::Null);
    assert_eq!(finalized["verification"]["identical"], true);
}
