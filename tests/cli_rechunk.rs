//! `zlint rechunk` end to end: the plan (text and JSON), refusals and their exit codes, the
//! memory budget, the output's tidiness, and progress.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;
mod rechunk_support;

use std::path::Path;

use predicates::prelude::*;
use serde_json::{Value, json};

use rechunk_support::{files, stack, walkdir_names, zlint};

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let output = zlint()
        .args([
            "rechunk",
            "fixtures/zarr2/hierarchy.zarr",
            "target/never-written.zarr",
            "--to",
            "zarr3",
            "--chunks",
            "raw=8,60",
            "--max-mem",
            "64MiB",
            "-j",
            "2",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        !Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/never-written.zarr")
            .exists()
    );
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn dry_run_json_carries_the_plan() {
    let output = zlint()
        .args([
            "rechunk",
            "fixtures/zarr3/sharded.zarr",
            "target/never-written.zarr",
            "--chunks",
            "16,16",
            "--shards",
            "64,48",
            "--dry-run",
            "--format",
            "json",
            "--max-mem",
            "1GiB",
        ])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let array = &plan["arrays"][0];
    assert_eq!(
        array["target"],
        json!({"chunks": [16, 16], "shards": [64, 48]})
    );
    assert_eq!(array["objects_before"], 4);
    assert_eq!(array["objects_after"], 1);
    assert_eq!(array["write_groups"]["read_amplification"], 1.0);
    assert!(array["peak_memory_bytes"].as_u64().unwrap() <= 1 << 30);
}

#[test]
fn refusals_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
    let nonempty = dir.path().to_str().unwrap();
    for (args, reason) in [
        (vec!["fixtures/zarr3/plain.zarr", nonempty], "not empty"),
        (
            vec!["fixtures/zarr3/plain.zarr", "fixtures/zarr3/plain.zarr/out"],
            "inside",
        ),
        (
            vec![
                "fixtures/zarr3/plain.zarr",
                "target/x.zarr",
                "--chunks",
                "3",
            ],
            "dimensions",
        ),
        (
            vec![
                "fixtures/zarr3/plain.zarr",
                "target/x.zarr",
                "--shards",
                "40,64",
                "--chunks",
                "20,32",
                "--to",
                "zarr2",
            ],
            "Zarr v3",
        ),
        (
            vec![
                "fixtures/zarr3/plain.zarr",
                "target/x.zarr",
                "--codec",
                "lzw",
            ],
            "unknown codec",
        ),
        (
            vec![
                "fixtures/zarr3/plain.zarr",
                "target/x.zarr",
                "--max-mem",
                "10B",
            ],
            "cannot hold",
        ),
        (
            vec!["fixtures/broken/invalid-json.zarr", "target/x.zarr"],
            "unreadable",
        ),
    ] {
        zlint()
            .arg("rechunk")
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(reason));
    }
    assert!(dir.path().join("keep.txt").exists());
}

#[test]
fn a_small_budget_rechunks_in_two_passes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst, reference) = (
        dir.path().join("src.zarr"),
        dir.path().join("dst.zarr"),
        dir.path().join("ref.zarr"),
    );
    stack(&src, 32);
    let run = |out: &Path, max_mem: &str, extra: &[&str]| {
        zlint()
            .args(["rechunk", src.to_str().unwrap(), out.to_str().unwrap()])
            .args(["--chunks", "16,128,128", "--max-mem", max_mem, "-q"])
            .args(extra)
            .output()
            .unwrap()
    };
    // One plane is 512 KiB and an aligned group 16 planes (8 MiB): 6 MiB holds none, so the plan
    // goes through intermediate chunks aligned with both grids.
    let plan: Value =
        serde_json::from_slice(&run(&dst, "6MiB", &["--dry-run", "--format", "json"]).stdout)
            .unwrap();
    let array = &plan["arrays"][0];
    assert!(array["intermediate"]["chunks"].is_array(), "{array}");
    assert_eq!(array["write_groups"]["read_amplification"], 1.0);
    assert!(array["peak_memory_bytes"].as_u64().unwrap() <= 6 << 20);
    assert!(run(&dst, "6MiB", &["--verify"]).status.success());
    assert!(run(&reference, "1GiB", &[]).status.success());
    assert!(!dst.join(".zlint-rechunk").exists());
    assert_eq!(
        files(&dst),
        files(&reference),
        "two passes wrote other bytes than one"
    );
}

#[test]
fn a_budget_that_holds_fewer_threads_runs_on_fewer_and_one_below_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.zarr");
    stack(&src, 16);
    // A 512 KiB target block needs its 512 KiB planes decoded: two threads hold two planes
    // twice over (encoded and decoded), 2.5 MiB with the block; one thread 1.5 MiB.
    let plan = |max_mem: &str| {
        zlint()
            .args(["rechunk", src.to_str().unwrap()])
            .arg(dir.path().join("dst.zarr"))
            .args(["--chunks", "16,128,128", "--max-mem", max_mem, "-j", "2"])
            .args(["--dry-run"])
            .assert()
    };
    plan("3MiB")
        .success()
        .stdout(predicate::str::contains("--max-mem 3 MiB, 2 threads)"));
    plan("2MiB")
        .success()
        .stdout(predicate::str::contains("--max-mem 2 MiB, 1 thread)"));
    plan("1MiB")
        .code(2)
        .stderr(predicate::str::contains("(1.5 MiB on 1 thread)"));
}

/// Temporary files that a killed run left behind are gone once a resumed run completes the
/// output (issue 14, item 11): the output holds only its objects.
#[test]
fn a_completed_output_holds_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let args = ["--chunks", "10,10", "--quiet"];
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&out)
        .args(args)
        .arg("--init")
        .assert()
        .success();
    // What a write killed between creating its temporary file and renaming it leaves.
    let left = out.join("c/0/.zlint-tmp-4242-7-0");
    std::fs::create_dir_all(left.parent().unwrap()).unwrap();
    std::fs::write(&left, b"half a chunk").unwrap();
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&out)
        .args(args)
        .args(["--resume", "--verify"])
        .assert()
        .success();
    assert!(!left.exists());
    let temporary = walkdir_names(&out)
        .into_iter()
        .filter(|n| n.starts_with(".zlint-tmp-"))
        .count();
    assert_eq!(temporary, 0);
}

/// Issue 15: the layout `--auto` writes lints clean, and `--auto` on its output plans no
/// change and says so (for an OME-NGFF 0.4 image migrated to 0.5 on the way, and for a plate).
#[test]
fn auto_again_plans_no_change_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    for (source, extra) in [
        ("fixtures/ome/v04.ome.zarr", &["--ome-version", "0.5"][..]),
        ("fixtures/ome/plate-v04.ome.zarr", &[][..]),
    ] {
        let out = dir.path().join(Path::new(source).file_name().unwrap());
        let out = out.to_str().unwrap();
        zlint()
            .args(["rechunk", source, out, "--auto", "-q"])
            .args(extra)
            .assert()
            .success();
        zlint()
            .args([out, "--fail-on", "warning"])
            .assert()
            .success();
        zlint()
            .args(["rechunk", out, "again.zarr", "--auto", "--dry-run"])
            .assert()
            .success()
            .stdout(predicate::str::contains("no change: every array keeps"));
    }
}

/// Issue 16: the store format of a rechunk is `--to`; the former `--format` still works for one
/// release, with a warning naming the new spelling.
#[test]
fn the_store_format_flag_is_to_and_format_is_a_deprecated_alias() {
    let dir = tempfile::tempdir().unwrap();
    let source = "fixtures/zarr3/plain.zarr";
    let new = dir.path().join("new.zarr");
    zlint()
        .args([
            "rechunk",
            source,
            new.to_str().unwrap(),
            "--to",
            "zarr2",
            "-q",
        ])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    assert!(new.join(".zarray").exists());
    let old = dir.path().join("old.zarr");
    zlint()
        .args([
            "rechunk",
            source,
            old.to_str().unwrap(),
            "--format",
            "zarr2",
            "-q",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("the store format is `--to`"));
    assert!(old.join(".zarray").exists());
}

/// Issue 16: the `--dry-run --json` plan carries its schema version, and every field it has
/// (at every level, with an intermediate pass and notes too) is documented in
/// docs/plan-json.md.
#[test]
fn the_plan_json_is_versioned_and_documented() {
    let docs = std::fs::read_to_string("docs/plan-json.md").unwrap();
    let documented = |field: &str| docs.contains(&format!("`{field}`"));
    let schema: Value =
        serde_json::from_slice(&std::fs::read("docs/schemas/plan.schema.json").unwrap()).unwrap();
    let schema = jsonschema::draft202012::new(&schema).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("stack.zarr");
    stack(&src, 32);
    for args in [
        vec!["fixtures/ome/v04.ome.zarr", "--to", "zarr3"],
        // As in `a_small_budget_rechunks_in_two_passes_to_the_same_bytes`: two passes.
        vec![
            src.to_str().unwrap(),
            "--chunks",
            "16,128,128",
            "--max-mem",
            "6MiB",
        ],
    ] {
        let out = zlint()
            .args([
                "rechunk",
                args[0],
                "plan-out.zarr",
                "--dry-run",
                "--format",
                "json",
            ])
            .args(&args[1..])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(plan["schema_version"], 1);
        let errors: Vec<String> = schema.iter_errors(&plan).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "docs/schemas/plan.schema.json: {errors:?}"
        );
        fn keys(value: &Value, skip: &[&str], seen: &mut std::collections::BTreeSet<String>) {
            match value {
                Value::Object(map) => {
                    for (k, v) in map {
                        seen.insert(k.clone());
                        if !skip.contains(&k.as_str()) {
                            keys(v, skip, seen);
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|v| keys(v, skip, seen)),
                _ => {}
            }
        }
        // Metadata documents are the formats' own, not the plan's.
        keys(&plan, &["target_metadata", "metadata"], &mut seen);
    }
    assert!(
        seen.contains("intermediate") && seen.contains("notes"),
        "{seen:?}"
    );
    let missing: Vec<&String> = seen.iter().filter(|k| !documented(k)).collect();
    assert!(missing.is_empty(), "not in docs/plan-json.md: {missing:?}");
}

/// Issue 16: on a terminal, `--verify` draws two bars named by their phase, each counting
/// chunks as well as bytes; piped, no bar is drawn.
#[test]
fn progress_bars_name_their_phase_and_count_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let args = [
        "rechunk",
        "fixtures/rules/ZL101-fires.zarr",
        out.to_str().unwrap(),
        "--chunks",
        "512,512",
        "--verify",
    ];
    let shown = common::on_terminal(&args, &[], &[]);
    // Frames are drawn at most 20 times a second: the first (0/64) is sure, the last is not.
    for (phase, last) in [("rechunk", "/64 chunks"), ("verify ", "/64 chunks")] {
        let frames: Vec<&str> = shown
            .split(['\r', '\n'])
            .filter(|line| line.contains(phase) && line.contains(" chunks"))
            .collect();
        assert!(
            frames.iter().any(|f| f.contains(last)),
            "{phase}: {shown:?}"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
    let piped = zlint().args(args).output().unwrap();
    assert!(piped.status.success());
    assert!(!String::from_utf8_lossy(&piped.stderr).contains(" chunks"));
}
