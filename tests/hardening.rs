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
        // 2 MB in chunks of 200 B: ZL101 fires on both.
        zarray(&store.join(name), "[1000,1000]", "[10,10]");
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

/// Symbolic links that loop (`loop -> .`, `up -> ..`, two directories linking to each other)
/// or lead outside the store are reported and not followed (issue 14, item 6: 41 arrays and a
/// walk of the parent directory); `--follow-links` follows those that leave it, never loops.
#[cfg(unix)]
#[test]
fn symbolic_links_that_loop_or_leave_the_store_are_reported_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("g.zarr");
    std::fs::create_dir_all(store.join("x")).expect("dir");
    std::fs::create_dir_all(store.join("y")).expect("dir");
    std::fs::write(store.join(".zgroup"), r#"{"zarr_format":2}"#).expect("write");
    zarray(&store.join("a"), "[4,4]", "[2,2]");
    let outside = dir.path().join("outside");
    zarray(&outside.join("b"), "[4,4]", "[2,2]");
    symlink(".", store.join("loop")).expect("link");
    symlink("..", store.join("up")).expect("link");
    symlink("../y", store.join("x/to_y")).expect("link");
    symlink("../x", store.join("y/to_x")).expect("link");
    symlink(&outside, store.join("elsewhere")).expect("link");
    let scan = zlint().arg("scan").arg(&store).output().expect("runs");
    let stdout = String::from_utf8_lossy(&scan.stdout);
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert_eq!(scan.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stdout.contains("1 array"), "only `a`: {stdout}");
    for link in ["loop", "up", "elsewhere", "to_x", "to_y"] {
        assert!(stderr.contains(link), "{link} reported: {stderr}");
    }
    assert!(stderr.contains("leads outside the store"), "{stderr}");
    assert!(stderr.contains("loops back"), "{stderr}");
    let followed = zlint()
        .args(["scan", "--follow-links"])
        .arg(&store)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&followed.stdout);
    assert!(
        stdout.contains("2 arrays"),
        "`a` and `elsewhere/b`: {stdout}"
    );
}

/// A chunk that is a symbolic link to a file outside the store is not read by rechunk, repack
/// or verify (issue 14, item 5: it was copied into the output with exit 0).
#[cfg(unix)]
#[test]
fn a_chunk_linked_outside_the_store_is_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("a.zarr");
    zarray(&store, "[4]", "[2]");
    std::fs::write(dir.path().join("secret"), [1u8, 2, 3, 4]).expect("write");
    std::os::unix::fs::symlink(dir.path().join("secret"), store.join("0")).expect("link");
    let out = dir.path().join("out.zarr");
    for args in [
        vec!["verify", "a.zarr", "a.zarr"],
        vec!["rechunk", "a.zarr", "out.zarr", "--chunks", "4"],
        // The same chunks in Zarr v3: encoded chunks would be copied as they are.
        vec![
            "rechunk",
            "a.zarr",
            "out.zarr",
            "--to",
            "zarr3",
            "--overwrite",
        ],
    ] {
        let run = zlint()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("a.zarr/0"), "{args:?}: {stderr}");
        assert!(stderr.contains("outside the store"), "{args:?}: {stderr}");
        assert!(!out.join("zarr.json").exists() && !out.join(".zarray").exists());
    }
}
