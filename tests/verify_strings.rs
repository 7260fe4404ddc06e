//! Issue 28: `zlint verify` does not trust zlint's own decoding alone for arrays of strings. The
//! source here is a Zarr v2 `|O` array with the `vlen-utf8` filter and `"fill_value": 0`, as
//! zarr-python 2 writes it, holding one of its two chunks; zarr-python 3 reads the missing
//! elements as `"0"` (tests/corpus reads such rewrites back with it).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn zlint() -> Command {
    Command::cargo_bin("zlint").unwrap()
}

/// numcodecs' VLenUTF8 encoding of `items`: the count, then each length and its bytes.
fn vlen_utf8(items: &[&str]) -> Vec<u8> {
    let mut out = (items.len() as u32).to_le_bytes().to_vec();
    for item in items {
        out.extend((item.len() as u32).to_le_bytes());
        out.extend(item.as_bytes());
    }
    out
}

/// A Zarr v2 string array of shape [4] in chunks of 2 with `fill`, storing only chunk `0`.
fn source(dir: &Path, fill: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let zarray = format!(
        r#"{{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "|O",
            "compressor": null, "filters": [{{"id": "vlen-utf8"}}],
            "fill_value": {fill}, "order": "C"}}"#
    );
    std::fs::write(dir.join(".zarray"), zarray).unwrap();
    std::fs::write(dir.join("0"), vlen_utf8(&["a", "bc"])).unwrap();
}

#[test]
fn missing_chunks_of_a_string_array_are_checked_against_zarr_pythons_fill() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src.zarr"), tmp.path().join("dst.zarr"));
    // 1e20 reads as "1e+20" in zarr-python (Python's text of the number), not as JSON writes it.
    source(&src, "1e20");
    zlint()
        .arg("rechunk")
        .args([&src, &dst])
        .args(["--chunks", "4", "--to", "zarr2", "--verify", "-q"])
        .assert()
        .success();
    let written = std::fs::read(dst.join("0")).unwrap();
    let tail: Vec<u8> = vlen_utf8(&["a", "bc", "1e+20", "1e+20"]);
    assert_eq!(
        written, tail,
        "the missing elements are written as zarr-python reads them"
    );
    let v3 = tmp.path().join("v3.zarr");
    zlint()
        .arg("rechunk")
        .args([&src, &v3])
        .args(["--chunks", "2", "--to", "zarr3", "--verify", "-q"])
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(v3.join("zarr.json")).unwrap()).unwrap();
    assert_eq!(doc["fill_value"], "1e+20", "{doc}");

    // A target whose elements where the source stores nothing are not the fill value: the
    // check names the chunk the source lacks and what zarr-python reads there.
    std::fs::write(dst.join("0"), vlen_utf8(&["a", "bc", "", ""])).unwrap();
    zlint()
        .arg("verify")
        .args([&src, &dst])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("the source stores no chunk 1")
                .and(predicate::str::contains("\"1e+20\"")),
        );
}
