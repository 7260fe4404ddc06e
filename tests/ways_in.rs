//! Issue 27: every way in is as safe as a local folder. A hierarchy too deep to walk, output
//! folders replaced by links, names that would drive the terminal, and worker counts no machine
//! has each end in a clear answer: no stack overflow, no write through a link, no raw control
//! character, no run that never ends.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// Zarr v2 groups nested `levels` deep (`g/g/g/…`), with an array at the bottom.
fn deep_store(root: &Path, levels: usize) {
    let mut dir = root.to_path_buf();
    for _ in 0..levels {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
        dir.push("g");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        Path::new(&fixture("zarr2/hierarchy.zarr")).join("raw/.zarray"),
        dir.join(".zarray"),
    )
    .unwrap();
}

#[test]
fn a_hierarchy_too_deep_to_walk_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("deep.zarr");
    // As deep as a path on Linux allows with one-letter names.
    deep_store(&store, 1_900);
    let store = store.to_str().unwrap();
    for args in [
        vec!["scan", store],
        vec![store],
        vec!["report", store, "-o"],
    ] {
        let mut cmd = zlint();
        cmd.args(&args);
        if args[0] == "report" {
            cmd.arg(dir.path().join("deep.html"));
        }
        let out = cmd.output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{args:?}: {:?}",
            out.status
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            all.contains("the hierarchy is deeper than 64 levels"),
            "{args:?}: {all}"
        );
    }
    // Within the limit, every node is read.
    let shallow = dir.path().join("shallow.zarr");
    deep_store(&shallow, 60);
    zlint()
        .args(["scan", shallow.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 array, 60 groups"));
}

#[test]
fn output_folders_that_are_links_are_refused_and_nothing_is_written_through_them() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    // A zip output's staging folder.
    let zip = dir.path().join("out.zip");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("out.zip.zlint-staging")).unwrap();
    zlint()
        .args([
            "rechunk",
            &fixture("zarr3/plain.zarr"),
            zip.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a symbolic link"));
    // A directory output's journal folder.
    let out = dir.path().join("out.zarr");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join(".zlint-rechunk")).unwrap();
    zlint()
        .args([
            "rechunk",
            &fixture("zarr3/plain.zarr"),
            out.to_str().unwrap(),
        ])
        .arg("--resume")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a symbolic link"));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!zip.exists());
}

#[test]
fn control_characters_in_names_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("names.zarr");
    let evil = "evil\u{1b}]0;pwned\u{7}\r\u{1b}[31m";
    std::fs::create_dir_all(store.join(evil)).unwrap();
    std::fs::write(store.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
    std::fs::copy(
        Path::new(&fixture("zarr2/hierarchy.zarr")).join("raw/.zarray"),
        store.join(evil).join(".zarray"),
    )
    .unwrap();
    // An attribute value and a broken child, whose error names it too.
    std::fs::write(
        store.join(evil).join(".zattrs"),
        r#"{"title": "\u001b[2J"}"#,
    )
    .unwrap();
    std::fs::create_dir_all(store.join("bad\u{1b}[1m")).unwrap();
    std::fs::write(store.join("bad\u{1b}[1m/.zarray"), "{not json").unwrap();
    let store = store.to_str().unwrap();
    let target = dir.path().join("out.zarr");
    for args in [
        vec!["scan", store],
        vec![store, "--color", "always"],
        vec!["rechunk", store, target.to_str().unwrap(), "--dry-run"],
    ] {
        let out = zlint().args(&args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("evil\\u{1b}") || text.contains("bad\\u{1b}"),
            "{args:?}: {text}"
        );
        // Only zlint's own colour sequences (`ESC[…m` around its words) may remain.
        let foreign = [
            "evil\u{1b}",
            "bad\u{1b}",
            "\u{7}",
            "\r",
            "\u{1b}]",
            "\u{1b}[2J",
            "\u{1b}[31m",
        ];
        for bad in foreign {
            assert!(!text.contains(bad), "{args:?}: raw {bad:?} in {text:?}");
        }
    }
}

#[test]
fn worker_counts_no_machine_has_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for j in ["10000", "1099511627776", "0"] {
        let started = Instant::now();
        zlint()
            .args(["rechunk", &fixture("zarr3/plain.zarr")])
            .arg(dir.path().join(format!("out-{j}.zarr")))
            .args(["-j", j, "--chunks", "10,10"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "-j {j}: worker threads go from 1 to 256"
            )));
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    zlint()
        .args([
            "verify",
            &fixture("zarr3/plain.zarr"),
            &fixture("zarr3/plain.zarr"),
        ])
        .args(["-j", "257"])
        .assert()
        .code(2);
    zlint()
        .args(["rechunk", &fixture("zarr3/plain.zarr")])
        .arg(dir.path().join("codec.zarr"))
        .args(["--codec", "zstd:99999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--codec zstd:99999: level 99999 is outside -131072 to 22",
        ));
}
