//! Issue 26: a rewrite keeps the whole store. Every file that is neither an array chunk nor node
//! metadata is carried byte for byte or left out by name (`--exclude`), on every target kind and
//! in split runs; `--verify` and `zlint verify` check it; OME-Zarr metadata of bioformats2raw
//! collections, plates and label images stays valid across 0.4 and 0.5. (The outputs are also
//! validated by ome-zarr-models and compared with ngff-zarr's RFC-9 writer in tests/interop.)
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const BF2RAW: &str = "fixtures/ome/bf2raw-v04.ome.zarr";

/// The files a bioformats2raw store holds beside its arrays and metadata.
const OTHER_FILES: [&str; 3] = ["OME/METADATA.ome.xml", "README.md", "0/provenance.json"];

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn fixture(key: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(BF2RAW).join(key)).unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn assert_carried(out: &Path) {
    for key in OTHER_FILES {
        assert_eq!(std::fs::read(out.join(key)).unwrap(), fixture(key), "{key}");
    }
}

#[test]
fn the_plan_names_every_file_it_carries_or_drops() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let out = out.to_str().unwrap();
    zlint()
        .args(["rechunk", BF2RAW, out, "--to", "zarr3", "--dry-run"])
        .args(["--exclude", "README.md"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "other files: 2 files carried byte for byte",
        ))
        .stdout(predicate::str::contains("  carry  OME/METADATA.ome.xml ("))
        .stdout(predicate::str::contains("  carry  0/provenance.json ("))
        .stdout(predicate::str::contains(
            "  drop   README.md (50 B): --exclude README.md",
        ));
    let output = zlint()
        .args([
            "rechunk",
            BF2RAW,
            out,
            "--to",
            "zarr2",
            "--dry-run",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let inventory = &plan["inventory"];
    assert_eq!(inventory["listed"], true);
    let carried: Vec<&str> = inventory["carried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        carried,
        ["0/provenance.json", "OME/METADATA.ome.xml", "README.md"]
    );
    assert_eq!(inventory["dropped"], serde_json::json!([]));
    // 8 chunks of s0 and 2 of s1; every .zgroup, .zattrs and .zarray of 3 groups and 2 arrays.
    assert_eq!(inventory["chunk_objects"], 10);
    assert_eq!(inventory["metadata_documents"], 10);
    // Nothing was written by the dry runs.
    assert!(!Path::new(out).exists());
}

#[test]
fn every_target_kind_carries_the_other_files_and_verify_checks_them() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("v3.zarr", &["--ome-version", "0.5"][..]),
        ("v2.zarr", &["--chunks", "1,1,1,32,32"][..]),
        (
            "sharded.zarr",
            &["--to", "zarr3", "--shards", "1,2,1,32,32"][..],
        ),
        ("out.n5", &["--to", "n5"][..]),
    ] {
        let out = dir.path().join(name);
        zlint()
            .args(["rechunk", BF2RAW, out.to_str().unwrap(), "-q", "--verify"])
            .args(args)
            .assert()
            .success()
            .stdout(predicate::str::contains("3 files carried byte for byte"));
        assert_carried(&out);
    }
    // A zip: the files are entries of it.
    let zip_path = dir.path().join("out.ozx");
    zlint()
        .args(["rechunk", BF2RAW, zip_path.to_str().unwrap(), "-q"])
        .args(["--ome-version", "0.5", "--verify"])
        .assert()
        .success();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    for key in OTHER_FILES {
        let mut entry = archive.by_name(key).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        assert_eq!(bytes, fixture(key), "{key}");
    }
    drop(archive);
    zlint()
        .args(["verify", BF2RAW, zip_path.to_str().unwrap(), "-q"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 files carried byte for byte"));

    // A carried file changed or gone in the output is a difference, named.
    let v3 = dir.path().join("v3.zarr");
    std::fs::write(v3.join("OME/METADATA.ome.xml"), b"<OME/>").unwrap();
    std::fs::remove_file(v3.join("README.md")).unwrap();
    zlint()
        .args(["verify", BF2RAW, v3.to_str().unwrap(), "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "OME/METADATA.ome.xml: file differs from the source's",
        ))
        .stderr(predicate::str::contains(
            "README.md: file missing from the target",
        ));
    // Unless the output was made without it.
    std::fs::write(
        v3.join("OME/METADATA.ome.xml"),
        fixture("OME/METADATA.ome.xml"),
    )
    .unwrap();
    zlint()
        .args(["verify", BF2RAW, v3.to_str().unwrap(), "-q"])
        .args(["--exclude", "*.md"])
        .assert()
        .success();
}

#[test]
fn a_split_run_carries_the_files_when_it_is_finalized() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("split.zarr");
    let out = out.to_str().unwrap();
    zlint()
        .args(["rechunk", BF2RAW, out, "--init", "--to", "zarr3"])
        .args(["--exclude", "0/*.json"])
        .assert()
        .success();
    for part in ["0/2", "1/2"] {
        zlint()
            .args(["rechunk", BF2RAW, out, "--part", part, "-q"])
            .assert()
            .success();
    }
    // Not before the output is complete.
    assert!(!Path::new(out).join("README.md").exists());
    zlint()
        .args(["rechunk", BF2RAW, out, "--finalize", "--verify", "-q"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(Path::new(out).join("README.md")).unwrap(),
        fixture("README.md")
    );
    assert!(!Path::new(out).join("0/provenance.json").exists());
}

#[test]
fn a_file_the_output_would_overwrite_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.zarr");
    common::copy_dir(&common::fixture("ome/bf2raw-v04.ome.zarr"), &src);
    // Not a chunk of the Zarr v2 array, but a Zarr v3 chunk key of it.
    std::fs::create_dir_all(src.join("0/s0/c/0/0/0/0")).unwrap();
    std::fs::write(src.join("0/s0/c/0/0/0/0/0"), b"stray").unwrap();
    let out = dir.path().join("out.zarr");
    zlint()
        .args(["rechunk", src.to_str().unwrap(), out.to_str().unwrap()])
        .args(["--to", "zarr3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "0/s0/c/0/0/0/0/0: the output writes its own object at this key; --exclude",
        ));
    zlint()
        .args(["rechunk", src.to_str().unwrap(), out.to_str().unwrap()])
        .args(["--to", "zarr3", "-q", "--exclude", "0/s0/c"])
        .assert()
        .success();
}

#[test]
fn ome_metadata_of_collections_plates_and_labels_stays_valid_across_versions() {
    let dir = tempfile::tempdir().unwrap();
    let rechunk = |source: &str, name: &str, version: &str| {
        let out = dir.path().join(name);
        zlint()
            .args(["rechunk", source, out.to_str().unwrap(), "-q", "--verify"])
            .args(["--ome-version", version])
            .assert()
            .success();
        out
    };
    // bioformats2raw: the layout on the root and the OME group's `series` under `ome`.
    let v3 = rechunk(BF2RAW, "bf2raw.zarr", "0.5");
    let root = json(&v3.join("zarr.json"));
    assert_eq!(root["attributes"]["ome"]["bioformats2raw.layout"], 3);
    assert_eq!(root["attributes"]["ome"]["version"], "0.5");
    let ome = json(&v3.join("OME/zarr.json"));
    assert_eq!(ome["attributes"]["ome"]["series"], serde_json::json!(["0"]));
    let back = rechunk(v3.to_str().unwrap(), "bf2raw-back.zarr", "0.4");
    assert_eq!(
        json(&back.join("OME/.zattrs"))["series"],
        serde_json::json!(["0"])
    );
    assert_eq!(json(&back.join(".zattrs"))["bioformats2raw.layout"], 3);

    // A 0.4 plate keeps a `version` in `plate` (as ome-zarr-py's 0.5 writer does).
    let plate = rechunk("fixtures/ome/plate-v04.ome.zarr", "plate.zarr", "0.5");
    let attrs = &json(&plate.join("zarr.json"))["attributes"]["ome"];
    assert_eq!(attrs["plate"]["version"], "0.5");

    // ome-zarr-py's 0.5 labels group has no `ome.version`: 0.5 gets one, 0.4 gets `labels`.
    let labels = "fixtures/ome/labels-v05.ome.zarr";
    let v3 = rechunk(labels, "labels.zarr", "0.5");
    let group = json(&v3.join("labels/zarr.json"));
    assert_eq!(group["attributes"]["ome"]["version"], "0.5");
    let v2 = rechunk(labels, "labels-v2.zarr", "0.4");
    let group = json(&v2.join("labels/.zattrs"));
    assert_eq!(group, serde_json::json!({"labels": ["cells"]}));
}

#[test]
fn a_label_pyramid_shorter_than_its_image_is_a_finding_and_a_plan_warning() {
    let source = "fixtures/ome/label-levels-v04.ome.zarr";
    zlint()
        .args([source, "--select", "ZL207"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "labels/nuclei: ZL207 label-pyramid-mismatch [warning] the label image has 2 levels where its image `/` has 3",
        ));
    zlint()
        .args(["rechunk", source, "out.zarr", "--to", "zarr3", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(ZL207); the output carries this as it is, and OME-NGFF 0.5 validators refuse it",
        ));
}

#[test]
fn ome_06_images_are_read_and_written_as_04_only_when_nothing_is_lost() {
    let output = zlint()
        .args(["scan", "fixtures/ome/v06.ome.zarr", "--format", "json"])
        .output()
        .unwrap();
    let scan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let s1 = scan["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "s1")
        .unwrap();
    let axes: Vec<&str> = s1["axes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(axes, ["z", "y", "x"]);
    zlint()
        .args(["scan", "fixtures/ome/v06.ome.zarr"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "OME-NGFF 0.6 multiscale, 2 levels, axes zyx",
        ));
    let dir = tempfile::tempdir().unwrap();
    let v2 = dir.path().join("v04.zarr");
    zlint()
        .args(["rechunk", "fixtures/ome/v06.ome.zarr", v2.to_str().unwrap()])
        .args(["--ome-version", "0.4", "-q", "--verify"])
        .assert()
        .success();
    let attrs = json(&v2.join(".zattrs"));
    let ms = &attrs["multiscales"][0];
    assert_eq!(ms["version"], "0.4");
    assert_eq!(ms["axes"][0]["name"], "z");
    assert_eq!(
        ms["datasets"][1]["coordinateTransformations"],
        serde_json::json!([
            {"type": "scale", "scale": [2.0, 1.0, 1.0]},
            {"type": "translation", "translation": [0.0, 0.25, 0.25]}
        ])
    );
    // Two coordinate systems have no 0.4 form: refused, naming the store and the multiscale.
    zlint()
        .args(["rechunk", "fixtures/ome/v06-two-systems.ome.zarr"])
        .arg(dir.path().join("no.zarr"))
        .args(["--to", "zarr2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "v06-two-systems.ome.zarr: multiscales[0]: 2 coordinate systems",
        ));
    assert!(!dir.path().join("no.zarr").exists());
}

#[test]
fn an_ozx_whose_comment_promises_an_order_it_does_not_keep_is_read_and_warned_about() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ozx");
    zlint()
        .args([
            "rechunk",
            "fixtures/ome/v05.ome.zarr",
            good.to_str().unwrap(),
            "-q",
        ])
        .assert()
        .success();
    // The same entries with the chunks first, under the same comment.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
    let comment = archive.comment().to_vec();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        entries.push((entry.name().unwrap().into_owned(), bytes));
    }
    entries.sort_by_key(|(name, _)| name.ends_with("zarr.json"));
    let bad = dir.path().join("bad.ozx");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in &entries {
        writer.start_file(name.as_str(), stored).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.set_raw_comment(comment.into_boxed_slice()).unwrap();
    writer.finish().unwrap();
    zlint()
        .args([good.to_str().unwrap(), "--select", "ZL501"])
        .assert()
        .success();
    // Every node is still read (zlint reads the whole directory), and the broken promise is a
    // warning.
    zlint()
        .args([
            bad.to_str().unwrap(),
            "--select",
            "ZL501",
            "--fail-on",
            "warning",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ZL501 metadata-invalid [warning]"))
        .stdout(predicate::str::contains(
            "promises every zarr.json first (jsonFirst)",
        ));
    zlint()
        .args([
            "verify",
            "fixtures/ome/v05.ome.zarr",
            bad.to_str().unwrap(),
            "-q",
        ])
        .assert()
        .success();
    // A store that is no OME-Zarr gets no OME comment, even in an .ozx.
    let plain = dir.path().join("plain.ozx");
    zlint()
        .args([
            "rechunk",
            "fixtures/zarr3/plain.zarr",
            plain.to_str().unwrap(),
            "-q",
        ])
        .assert()
        .success();
    let archive = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    assert!(archive.comment().is_empty());
}

#[test]
fn an_n5_pyramids_units_per_axis_are_carried_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("pyramid.n5");
    common::copy_dir(&common::fixture("n5/pyramid.n5"), &src);
    // n5-viewer's per-axis units, fastest axis first: x in nm, y in s, z in µm.
    let mut attrs = json(&src.join("attributes.json"));
    attrs["units"] = serde_json::json!(["nm", "s", "um"]);
    std::fs::write(src.join("attributes.json"), attrs.to_string()).unwrap();
    let out = dir.path().join("out.zarr");
    zlint()
        .args(["rechunk", src.to_str().unwrap(), out.to_str().unwrap()])
        .args(["--to", "zarr3", "-q"])
        .assert()
        .success();
    let root = json(&out.join("zarr.json"));
    let units: Vec<&Value> = root["attributes"]["ome"]["multiscales"][0]["axes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["unit"])
        .collect();
    assert_eq!(
        units,
        [
            &serde_json::json!("micrometer"),
            &serde_json::json!("second"),
            &serde_json::json!("nanometer")
        ]
    );
}
