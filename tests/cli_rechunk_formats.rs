//! `zlint rechunk` across formats: OME-NGFF pyramids with `--auto`, OME-NGFF 0.4 ⇄ 0.5 with the
//! Zarr version, N5 pyramids, and stored zip outputs.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod rechunk_support;

use std::path::Path;

use predicates::prelude::*;
use serde_json::{Value, json};

use rechunk_support::{json_file, zlint};

#[test]
fn an_ome_pyramid_rechunked_with_auto_stays_valid_and_lints_clean() {
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("image.ome.zarr");
    let src = "fixtures/rules/ZL202-fires.ome.zarr";
    zlint()
        .args([
            "rechunk",
            src,
            dst.to_str().unwrap(),
            "--auto",
            "--verify",
            "-q",
        ])
        .assert()
        .success();
    zlint()
        .arg(dst.to_str().unwrap())
        .assert()
        .success()
        .stdout(predicate::str::contains("no findings"));
    let scan = |path: &str| -> Value {
        let out = zlint()
            .args(["scan", path, "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (before, after) = (scan(src), scan(dst.to_str().unwrap()));
    assert_eq!(
        before["groups"][0]["attributes"],
        after["groups"][0]["attributes"]
    );
    let levels = |doc: &Value| doc["groups"][0]["multiscales"][0]["levels"].clone();
    assert_eq!(
        levels(&before),
        levels(&after),
        "same levels, scales and factors"
    );
    for level in levels(&after).as_array().unwrap() {
        assert_eq!(level["found"], true);
    }
}

/// Issue 15: an OME-NGFF 0.4 image rewritten as Zarr v3 becomes OME-NGFF 0.5 (under `ome`, one
/// version, dimension names on every level), and back to Zarr v2 becomes 0.4 again; the plan
/// says so, and `zlint verify` accepts both outputs.
#[test]
fn ome_metadata_follows_the_zarr_version() {
    let dir = tempfile::tempdir().unwrap();
    let v3 = dir.path().join("v3.zarr");
    let v2 = dir.path().join("v2.zarr");
    let source = "fixtures/ome/v04.ome.zarr";
    zlint()
        .args([
            "rechunk",
            source,
            v3.to_str().unwrap(),
            "--to",
            "zarr3",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "OME-NGFF 0.4 → 0.5: multiscales moved under `ome`",
        ));
    zlint()
        .args([
            "rechunk",
            source,
            v3.to_str().unwrap(),
            "--to",
            "zarr3",
            "-q",
        ])
        .args(["--verify"])
        .assert()
        .success();
    let group = json_file(&v3.join("zarr.json"));
    let ome = &group["attributes"]["ome"];
    assert_eq!(ome["version"], "0.5", "{group}");
    assert!(group["attributes"].get("multiscales").is_none(), "{group}");
    let multiscale = &ome["multiscales"][0];
    assert!(multiscale.get("version").is_none(), "{multiscale}");
    for dataset in multiscale["datasets"].as_array().unwrap() {
        let level = v3.join(dataset["path"].as_str().unwrap()).join("zarr.json");
        assert_eq!(json_file(&level)["dimension_names"], json!(["z", "y", "x"]));
    }
    zlint()
        .args([
            "rechunk",
            v3.to_str().unwrap(),
            v2.to_str().unwrap(),
            "--to",
            "zarr2",
        ])
        .args(["-q", "--verify"])
        .assert()
        .success();
    let attrs = json_file(&v2.join(".zattrs"));
    assert!(attrs.get("ome").is_none(), "{attrs}");
    assert_eq!(attrs["multiscales"][0]["version"], "0.4", "{attrs}");
    assert_eq!(attrs, json_file(&Path::new(source).join(".zattrs")));
    zlint()
        .args(["verify", source, v3.to_str().unwrap()])
        .assert()
        .success();
}

/// Issue 15: an N5 pyramid (n5-viewer `scales` and `pixelResolution`) rewritten as Zarr v3
/// becomes an OME-NGFF 0.5 image with voxel sizes from `pixelResolution` and dimension names on
/// every level; that image rewritten as N5 gets the n5-viewer metadata back; the scanner sees a
/// multiscale in each, and `zlint verify` accepts them.
#[test]
fn pyramids_cross_between_n5_and_ome_zarr() {
    let dir = tempfile::tempdir().unwrap();
    let zarr = dir.path().join("pyramid.zarr");
    let n5 = dir.path().join("again.n5");
    let source = "fixtures/n5/pyramid.n5";
    zlint()
        .args(["rechunk", source, zarr.to_str().unwrap(), "--to", "zarr3"])
        .args(["--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "N5 pyramid → OME-NGFF 0.5 multiscales (axes z, y, x)",
        ));
    zlint()
        .args(["rechunk", source, zarr.to_str().unwrap(), "--to", "zarr3"])
        .args(["-q", "--verify"])
        .assert()
        .success();
    let attributes = &json_file(&zarr.join("zarr.json"))["attributes"];
    assert!(attributes.get("n5").is_none(), "{attributes}");
    let multiscale = &attributes["ome"]["multiscales"][0];
    assert_eq!(multiscale["axes"][2]["unit"], "micrometer", "{multiscale}");
    // pixelResolution [0.5, 0.5, 2] (x, y, z) times the factors of s1, [2, 2, 1].
    assert_eq!(
        multiscale["datasets"][1]["coordinateTransformations"][0]["scale"],
        json!([2, 1, 1])
    );
    for level in ["s0", "s1", "s2"] {
        let doc = json_file(&zarr.join(level).join("zarr.json"));
        assert_eq!(doc["dimension_names"], json!(["z", "y", "x"]), "{level}");
    }
    zlint()
        .args(["rechunk", zarr.to_str().unwrap(), n5.to_str().unwrap()])
        .args(["--to", "n5", "-q", "--verify"])
        .assert()
        .success();
    let n5_attributes = json_file(&n5.join("attributes.json"));
    let original = json_file(&Path::new(source).join("attributes.json"));
    for key in ["scales", "pixelResolution", "multiScale"] {
        assert_eq!(n5_attributes[key], original[key], "{key}");
    }
    let scan = zlint()
        .args(["scan", n5.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let scan: Value = serde_json::from_slice(&scan.stdout).unwrap();
    let root = &scan["groups"][0];
    assert_eq!(root["path"], "", "{root}");
    assert_eq!(
        root["multiscales"][0]["levels"].as_array().unwrap().len(),
        3
    );
}

/// Issue 15: `--ome-version` picks the Zarr version its specification stores it in, and a
/// `--format` that contradicts it is refused before anything is written.
#[test]
fn ome_version_sets_the_zarr_version_and_refuses_contradictions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let source = "fixtures/ome/v04.ome.zarr";
    zlint()
        .args([
            "rechunk",
            source,
            out.to_str().unwrap(),
            "--ome-version",
            "0.5",
        ])
        .args(["--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("OME-NGFF 0.4 → 0.5"));
    for (version, format) in [("0.5", "zarr2"), ("0.4", "zarr3"), ("0.4", "n5")] {
        zlint()
            .args(["rechunk", source, out.to_str().unwrap()])
            .args(["--ome-version", version, "--format", format])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--ome-version {version} cannot be written as {format}"
            )));
        assert!(!out.exists(), "{version} {format}");
    }
}

/// Issue 15: `zlint rechunk SRC OUT.ozx` writes a zip: every entry stored, the root metadata
/// first and all metadata before the chunks, no staging directory left; the zip verifies
/// against the source and lints; an existing zip is refused without --overwrite, and the
/// source is never the target.
#[test]
fn rechunk_writes_a_stored_zip_with_the_root_metadata_first() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("image.ozx");
    let source = "fixtures/ome/v04.ome.zarr";
    let target = zip_path.to_str().unwrap();
    zlint()
        .args([
            "rechunk", source, target, "--to", "zarr3", "--shards", "32,64,64",
        ])
        .args(["-q", "--verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("entries into"));
    let staging = dir.path().join("image.ozx.zlint-staging");
    assert!(!staging.exists());
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
        names.push(entry.name().unwrap().into_owned());
    }
    assert_eq!(names[0], "zarr.json", "{names:?}");
    let is_metadata = |n: &String| n.ends_with("zarr.json");
    let first_chunk = names.iter().position(|n| !is_metadata(n)).unwrap();
    assert!(
        names[first_chunk..].iter().all(|n| !is_metadata(n)),
        "{names:?}"
    );
    zlint().args(["verify", source, target]).assert().success();
    zlint()
        .args(["scan", target])
        .assert()
        .success()
        .stdout(predicate::str::contains("OME-NGFF 0.5 multiscale"));
    zlint()
        .args(["rechunk", source, target])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the target exists"));
    zlint()
        .args(["rechunk", target, target, "--overwrite"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the target is the source"));
    // RFC-9: the comment declares the order, as ngff-zarr writes it.
    assert_eq!(
        String::from_utf8_lossy(archive.comment()),
        r#"{"ome": {"version": "0.5", "zipFile": {"centralDirectory": {"jsonFirst": true}}}}"#
    );
    // An .ozx holds OME-Zarr 0.5, so Zarr v3 only (issue 26); Zarr v2 goes into a .zip.
    zlint()
        .args([
            "rechunk",
            source,
            target,
            "--overwrite",
            "-q",
            "--to",
            "zarr2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --ome-version 0.5"));
    let zip_path = dir.path().join("image.zip");
    zlint()
        .args([
            "rechunk",
            source,
            zip_path.to_str().unwrap(),
            "-q",
            "--to",
            "zarr2",
        ])
        .assert()
        .success();
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    assert!(
        archive
            .file_names()
            .any(|n| n.is_ok_and(|n| n == ".zattrs"))
    );
    assert!(archive.comment().is_empty(), "a .zip gets no RFC-9 comment");
}
