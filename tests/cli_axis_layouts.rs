//! Issue 26: layouts asked for by axis name (`--chunks z=16,y=256,x=256`, `[rechunk]` in
//! zlint.toml) apply to every array that has those axes, whatever its rank; channels and time
//! go one at a time, other axes keep their chunks, and extents clip to small levels.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const PLATE: &str = "fixtures/ome/plate-v04.ome.zarr";
const BF2RAW: &str = "fixtures/ome/bf2raw-v04.ome.zarr";

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Each array's target (chunks, shards) in the plan of `args`.
fn targets(args: &[&str]) -> Vec<(String, Value, Value)> {
    let output = zlint()
        .arg("rechunk")
        .args(args)
        .args(["--dry-run", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    plan["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_string(),
                a["target"]["chunks"].clone(),
                a["target"]["shards"].clone(),
            )
        })
        .collect()
}

fn of<'a>(targets: &'a [(String, Value, Value)], path: &str) -> &'a (String, Value, Value) {
    targets.iter().find(|(p, _, _)| p == path).unwrap()
}

#[test]
fn axis_names_reach_arrays_of_every_rank() {
    // c,y,x images and y,x labels of a plate alike.
    let got = targets(&[PLATE, "/tmp/unused.zarr", "--chunks", "y=8,x=8"]);
    assert_eq!(of(&got, "A/1/0/s0").1, serde_json::json!([1, 8, 8]));
    assert_eq!(
        of(&got, "A/2/0/labels/cells/s1").1,
        serde_json::json!([8, 8])
    );
    // t,c,z,y,x: channels and time one at a time, z as it was; extents clip to a level.
    let got = targets(&[BF2RAW, "/tmp/unused.zarr", "--chunks", "y=64,x=8"]);
    assert_eq!(of(&got, "0/s0").1, serde_json::json!([1, 1, 1, 32, 8]));
    assert_eq!(of(&got, "0/s1").1, serde_json::json!([1, 1, 1, 16, 8]));
    // Shards by axis name hold whole chunks, also where a level is smaller.
    let got = targets(&[
        BF2RAW,
        "/tmp/unused.zarr",
        "--to",
        "zarr3",
        "--chunks",
        "y=8,x=8",
        "--shards",
        "y=32,x=32",
    ]);
    assert_eq!(of(&got, "0/s0").2, serde_json::json!([1, 1, 1, 32, 32]));
    assert_eq!(of(&got, "0/s1").2, serde_json::json!([1, 1, 1, 16, 16]));
    // A path request still wins for its array; a lone NAME=N is an axis when no array has
    // that path.
    let got = targets(&[
        BF2RAW,
        "/tmp/unused.zarr",
        "--chunks",
        "x=16",
        "--chunks",
        "0/s1=1,2,1,16,16",
    ]);
    assert_eq!(of(&got, "0/s0").1, serde_json::json!([1, 1, 1, 16, 16]));
    assert_eq!(of(&got, "0/s1").1, serde_json::json!([1, 2, 1, 16, 16]));
}

#[test]
fn names_that_match_nothing_are_refused() {
    zlint()
        .args(["rechunk", PLATE, "/tmp/unused.zarr", "--chunks", "q=8,x=8"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--chunks q=…: no array has an axis `q` (axes here: c, x, y)",
        ));
    zlint()
        .args(["rechunk", PLATE, "/tmp/unused.zarr", "--chunks", "A/9=8,8"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the store has no array `A/9`"));
}

#[test]
fn a_rechunk_table_in_zlint_toml_gives_the_layout_by_axis_name() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("plate.zarr");
    common::copy_dir(&common::fixture("ome/plate-v04.ome.zarr"), &src);
    std::fs::write(
        dir.path().join("zlint.toml"),
        "[rechunk]\nchunks = { y = 16, x = 4 }\n",
    )
    .unwrap();
    let out = dir.path().join("out.zarr");
    zlint()
        .args([
            "rechunk",
            src.to_str().unwrap(),
            out.to_str().unwrap(),
            "-q",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("[rechunk]"));
    let zarray: Value =
        serde_json::from_slice(&std::fs::read(out.join("A/1/0/s0/.zarray")).unwrap()).unwrap();
    assert_eq!(zarray["chunks"], serde_json::json!([1, 16, 4]));
    // The command line wins over the file.
    let out = dir.path().join("cli.zarr");
    zlint()
        .args([
            "rechunk",
            src.to_str().unwrap(),
            out.to_str().unwrap(),
            "-q",
        ])
        .args(["--chunks", "y=8,x=8"])
        .assert()
        .success();
    let zarray: Value =
        serde_json::from_slice(&std::fs::read(out.join("A/1/0/s0/.zarray")).unwrap()).unwrap();
    assert_eq!(zarray["chunks"], serde_json::json!([1, 8, 8]));
    // A bad table is a config error naming the file.
    std::fs::write(
        dir.path().join("zlint.toml"),
        "[rechunk]\nchunks = { y = 0 }\n",
    )
    .unwrap();
    zlint()
        .args(["rechunk", src.to_str().unwrap()])
        .arg(dir.path().join("bad.zarr"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("zlint.toml"))
        .stderr(predicate::str::contains("`y` must be a positive extent"));
}
