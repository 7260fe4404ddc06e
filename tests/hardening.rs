//! Metadata that scans fine must not panic or hang lint or the planner (issue 14, item 3 and 4):
//! each case is a store made here from its metadata alone.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").expect("binary");
    // A hang is a failure, not a stuck CI run.
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn zarray(dir: &Path, shape: &str, chunks: &str) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(
        dir.join(".zarray"),
        format!(
            r#"{{"zarr_format":2,"shape":{shape},"chunks":{chunks},"dtype":"<u2","compressor":null,"fill_value":0,"order":"C","filters":null}}"#
        ),
    )
    .expect("write");
}

/// `_ARRAY_DIMENSIONS` with more or fewer names than the array has dimensions (a panic in
/// siblings-misaligned on 1170e00): such a list names no axis.
#[test]
fn dimension_name_lists_of_the_wrong_length_do_not_panic_lint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("s.zarr");
    std::fs::create_dir_all(&store).expect("dir");
    std::fs::write(store.join(".zgroup"), r#"{"zarr_format":2}"#).expect("write");
    for (name, names) in [("a", r#"["y","x","z"]"#), ("b", r#"["y"]"#)] {
        zarray(&store.join(name), "[100,100]", "[10,10]");
        std::fs::write(
            store.join(name).join(".zattrs"),
            format!(r#"{{"_ARRAY_DIMENSIONS":{names}}}"#),
        )
        .expect("write");
    }
    for access in ["auto", "plane", "volume", "timeseries"] {
        let out = zlint()
            .arg(&store)
            .args(["--access", access])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{access}: {out:?}");
    }
}

/// An array of 2^64 − 1 elements: lint answers (an overflow panic in the padding share on
/// 1170e00), and the plan is computed in closed form (it looped once per write group).
#[test]
fn the_largest_shape_lints_and_plans_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("big.zarr");
    zarray(&store, "[18446744073709551615]", "[1000]");
    let lint = zlint().arg(&store).output().expect("runs");
    assert!(matches!(lint.status.code(), Some(0 | 1)), "{lint:?}");
    let plan = zlint()
        .arg("rechunk")
        .arg(&store)
        .arg(dir.path().join("out.zarr"))
        .args(["--dry-run", "--chunks", "2000"])
        .output()
        .expect("runs");
    assert_eq!(plan.status.code(), Some(0), "{plan:?}");
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(text.contains("9223372036854776 objects"), "{text}");
}
