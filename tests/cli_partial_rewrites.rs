//! Issue 28: a rewrite of a store where some arrays use a codec zlint cannot decode rewrites the
//! others and carries those over unchanged, saying so in the plan, on stderr and (with
//! `--strict`) in the exit status. The fixture `zarr2/mixed-codecs.zarr` is zarr-python 2's:
//! `raw` (zlib) and `labels` (numcodecs' Categorize of Python objects, which zlint does not
//! decode). The
//! corpus (tests/corpus) reads such outputs back with zarr-python.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const MIXED: &str = "fixtures/zarr2/mixed-codecs.zarr";

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    files.sort();
    files
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn auto_rewrites_what_it_can_and_carries_the_rest_byte_for_byte() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(MIXED);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    // The plan names the carried array and why.
    zlint()
        .args(["rechunk", MIXED])
        .arg(&out)
        .args(["--auto", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "labels: carried over unchanged (metadata and stored objects as they are): zlint \
             cannot decode it: unsupported Zarr V2 array: codec `categorize`",
        ))
        .stdout(predicate::str::contains("raw: 24×30 int16"));
    let plan = zlint()
        .args(["rechunk", MIXED])
        .arg(&out)
        .args(["--auto", "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["carried_arrays"][0]["path"], "labels");
    assert_eq!(plan["arrays"].as_array().unwrap().len(), 1);
    assert!(!out.exists(), "a dry run writes nothing");
    // The run warns, rewrites `raw` (its 1.4 KiB are below every floor, so --auto would keep
    // its layout: the test names one), and carries `labels` byte for byte.
    zlint()
        .args(["rechunk", MIXED])
        .arg(&out)
        .args(["--chunks", "raw=24,30", "--verify", "-q"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: fixtures/zarr2/mixed-codecs.zarr/labels: unsupported Zarr V2 array: \
             codec `categorize`",
        ))
        .stderr(predicate::str::contains(
            "carried over unchanged (--strict refuses)",
        ))
        .stdout(predicate::str::contains("36 files carried byte for byte"));
    let labels = files(&source.join("labels"));
    assert_eq!(files(&out.join("labels")), labels);
    for key in &labels {
        if key.starts_with('.') {
            // Metadata is written again with the same content.
            assert_eq!(
                json(&out.join("labels").join(key)),
                json(&source.join("labels").join(key))
            );
        } else {
            assert_eq!(
                std::fs::read(out.join("labels").join(key)).unwrap(),
                std::fs::read(source.join("labels").join(key)).unwrap(),
                "{key}"
            );
        }
    }
    assert_eq!(
        json(&out.join("raw/.zarray"))["chunks"],
        serde_json::json!([24, 30])
    );
    assert_eq!(files(&out.join("raw")), [".zarray", ".zattrs", "0/0"]);
    // `zlint verify` compares the carried array byte for byte, and finds a changed object.
    zlint()
        .args(["verify", MIXED])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("files carried byte for byte"));
    std::fs::write(out.join("labels/0.0"), b"changed").unwrap();
    zlint()
        .args(["verify", MIXED])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("labels/0.0: file differs"));
}

#[test]
fn strict_a_format_change_or_a_request_by_name_refuse_instead() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    for (args, message) in [
        (
            vec!["--auto", "--strict"],
            "--strict: 1 array cannot be rewritten, and would be carried over unchanged",
        ),
        // The output's format cannot hold the array as it is.
        (
            vec!["--auto", "--to", "zarr3"],
            "labels: unsupported Zarr V2 array: codec `categorize`",
        ),
        // The user asked for this array by name.
        (
            vec!["--chunks", "labels=24,30"],
            "labels: unsupported Zarr V2 array: codec `categorize`",
        ),
        // A codec for every array: the carried array could not have it.
        (
            vec!["--auto", "--codec", "zstd:3"],
            "labels: unsupported Zarr V2 array: codec `categorize`",
        ),
    ] {
        zlint()
            .args(["rechunk", MIXED])
            .arg(&out)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
        assert!(!out.exists(), "{args:?} wrote something");
    }
}
