//! Issue 27: every way in is as safe as a local folder. A hierarchy too deep to walk, output
//! folders replaced by links, names that would drive the terminal, and worker counts no machine
//! has each end in a clear answer: no stack overflow, no write through a link, no raw control
//! character, no run that never ends.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

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
    // A split into more parts than any scheduler runs (each part has its own entry in memory).
    let out = dir.path().join("split.zarr");
    zlint()
        .args(["rechunk", &fixture("zarr3/plain.zarr")])
        .arg(&out)
        .args(["--chunks", "10,10", "--init"])
        .assert()
        .success();
    let started = Instant::now();
    zlint()
        .args(["rechunk", &fixture("zarr3/plain.zarr")])
        .arg(&out)
        .args(["--part", "0/1000000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--part 0/1000000000000: 1000000000000 parts are more than the 100000",
        ));
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A copy of the Zarr v3 fixture `zarr3/plain.zarr` in `dir`, and the path and key of one of
/// its chunk files.
fn plain_copy(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let to = dir.join("plain.zarr");
    common::copy_dir(&common::fixture("zarr3/plain.zarr"), &to);
    let chunk = walkdir::WalkDir::new(to.join("c"))
        .into_iter()
        .map(|e| e.unwrap())
        .find(|e| e.file_type().is_file())
        .unwrap()
        .into_path();
    let key = chunk.strip_prefix(&to).unwrap().display().to_string();
    (to, chunk, key)
}

/// Makes `path` a sparse file of `size` bytes (no disk, no memory).
fn sparse(path: &Path, size: u64) {
    std::fs::File::create(path).unwrap().set_len(size).unwrap();
}

#[test]
fn documents_and_chunks_larger_than_the_metadata_allows_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // An 8 GiB `.zarray`: refused by name, not read (it would abort on allocation).
    let store = dir.path().join("huge-metadata.zarr");
    std::fs::create_dir_all(store.join("a")).unwrap();
    std::fs::write(store.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
    sparse(&store.join("a/.zarray"), 8 << 30);
    zlint()
        .args(["scan", store.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a/.zarray"))
        .stderr(predicate::str::contains(
            "more than the 67108864 its metadata allows",
        ));
    // An 8 GiB file where a chunk of a few KiB belongs: verify and rechunk name it.
    let (plain, chunk, key) = plain_copy(dir.path());
    sparse(&chunk, 8 << 30);
    for args in [
        vec!["verify", plain.to_str().unwrap(), plain.to_str().unwrap()],
        vec![
            "rechunk",
            plain.to_str().unwrap(),
            "OUT",
            "--chunks",
            "10,10",
        ],
        vec!["rechunk", plain.to_str().unwrap(), "OUT2", "--to", "zarr3"],
    ] {
        let mut cmd = zlint();
        cmd.current_dir(dir.path()).args(&args);
        cmd.assert()
            .code(2)
            .stderr(predicate::str::contains(key.as_str()))
            .stderr(predicate::str::contains("8589934592 bytes, more than the"));
    }
    assert!(!dir.path().join("OUT/zarr.json").exists());
}

/// A stored zip laid out by hand so that its central directory can lie: `local` entries (name,
/// bytes) in the file, then `central` entries (name, index of the local entry they point at).
fn lying_zip(path: &Path, local: &[(&str, &[u8])], central: &[(&str, usize)]) {
    let header = |name: &str, data: &[u8], offset: Option<u32>| {
        let mut h = Vec::new();
        h.extend(
            if offset.is_some() {
                0x0201_4b50u32
            } else {
                0x0403_4b50
            }
            .to_le_bytes(),
        );
        if offset.is_some() {
            h.extend(20u16.to_le_bytes());
        }
        h.extend([20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date
        h.extend(0u32.to_le_bytes()); // crc-32
        h.extend((data.len() as u32).to_le_bytes());
        h.extend((data.len() as u32).to_le_bytes());
        h.extend((name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes());
        if let Some(offset) = offset {
            h.extend([0u8; 10]);
            h.extend(offset.to_le_bytes());
        }
        h.extend(name.as_bytes());
        h
    };
    let mut body = Vec::new();
    let mut offsets = Vec::new();
    for (name, data) in local {
        offsets.push(body.len() as u32);
        body.extend(header(name, data, None));
        body.extend(*data);
    }
    let mut directory = Vec::new();
    for (name, i) in central {
        directory.extend(header(name, local[*i].1, Some(offsets[*i])));
    }
    let mut zip = body.clone();
    zip.extend(&directory);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    zip.extend([0u8; 4]);
    zip.extend((central.len() as u16).to_le_bytes());
    zip.extend((central.len() as u16).to_le_bytes());
    zip.extend((directory.len() as u32).to_le_bytes());
    zip.extend((body.len() as u32).to_le_bytes());
    zip.extend(0u16.to_le_bytes());
    std::fs::write(path, zip).unwrap();
}

#[test]
fn zip_directories_that_lie_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let metadata = br#"{"zarr_format":3,"node_type":"array","shape":[4],"data_type":"uint8","chunk_grid":{"name":"regular","configuration":{"chunk_shape":[1]}},"chunk_key_encoding":{"name":"default"},"fill_value":0,"codecs":[{"name":"bytes"}]}"#;
    let region = vec![7u8; 1 << 20];
    // Four chunk entries pointing at one 1 MiB region: 4 MiB out of a 1 MiB zip.
    lying_zip(
        &dir.path().join("overlap.zip"),
        &[("zarr.json", metadata), ("c/0", &region)],
        &[
            ("zarr.json", 0),
            ("c/0", 1),
            ("c/1", 1),
            ("c/2", 1),
            ("c/3", 1),
        ],
    );
    // Two entries of one name: readers differ on which they read.
    lying_zip(
        &dir.path().join("twice.zip"),
        &[("zarr.json", metadata), ("c/0", b"\x01"), ("c/0", b"\x02")],
        &[("zarr.json", 0), ("c/0", 1), ("c/0", 2)],
    );
    zlint()
        .current_dir(dir.path())
        .args(["scan", "overlap.zip"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("overlap.zip"))
        .stderr(predicate::str::contains("its local header names `c/0`"));
    // A name listed twice is read as zarr-python reads it (its ZipStore writes the root's
    // zarr.json twice): the last entry, and said.
    zlint()
        .current_dir(dir.path())
        .args(["twice.zip", "--select", "ZL501", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "the zip lists `c/0` 2 times: zlint reads the last",
        ));
    let verify = zlint()
        .current_dir(dir.path())
        .args(["rechunk", "twice.zip", "out.zarr", "--to", "zarr3", "-q"])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");
    assert_eq!(
        std::fs::read(dir.path().join("out.zarr/c/0")).unwrap(),
        b"\x02"
    );
}

#[test]
fn a_repack_refuses_a_chunk_cut_short_or_padded_with_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, chunk, key) = plain_copy(dir.path());
    let good = std::fs::read(&chunk).unwrap();
    // Cut short (its zstd header still whole), then with garbage after its frame.
    let mut padded = good.clone();
    padded.extend(b"garbage!");
    for (bytes, out) in [(&good[..good.len() - 10], "cut"), (&padded[..], "padded")] {
        std::fs::write(&chunk, bytes).unwrap();
        for target in [format!("{out}.zarr"), format!("{out}.zip")] {
            // The same format, no other change: encoded chunks are copied as they are (a
            // repack).
            zlint()
                .current_dir(dir.path())
                .args([
                    "rechunk",
                    plain.to_str().unwrap(),
                    &target,
                    "--to",
                    "zarr3",
                    "-q",
                ])
                .assert()
                .code(2)
                .stderr(predicate::str::contains(key.as_str()))
                .stderr(predicate::str::contains(
                    "its zstd data is cut short or corrupt",
                ));
            assert!(!dir.path().join(&target).join("zarr.json").exists());
            assert!(!dir.path().join(&target).is_file());
        }
    }
}

#[test]
fn a_chunk_that_is_a_link_out_of_the_store_is_reported_by_a_deep_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, chunk, key) = plain_copy(dir.path());
    let outside = dir.path().join("outside.bin");
    std::fs::rename(&chunk, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &chunk).unwrap();
    for args in [vec!["scan", "--deep"], vec!["--deep", "--select", "ZL501"]] {
        let out = zlint().args(&args).arg(&plain).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains(&key) && text.contains("a symbolic link leads outside the store"),
            "{args:?}: {text}"
        );
    }
    // Followed when asked: then it counts as the chunk it is.
    zlint()
        .args(["scan", "--deep", "--follow-links"])
        .arg(&plain)
        .assert()
        .success()
        .stdout(predicate::str::contains("symbolic").not());
}

/// Consolidated metadata 5,000 levels deep, every level missing from the store: read without
/// recursion, and the finding names ten of them, not megabytes of paths.
#[test]
fn deep_consolidated_metadata_is_walked_flat_and_reported_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("deep.zarr");
    std::fs::create_dir_all(&store).unwrap();
    let mut metadata = serde_json::Map::new();
    metadata.insert(".zgroup".into(), serde_json::json!({"zarr_format": 2}));
    let mut path = String::from("g");
    for _ in 0..5_000 {
        metadata.insert(
            format!("{path}/.zgroup"),
            serde_json::json!({"zarr_format": 2}),
        );
        path.push_str("/g");
    }
    let document = serde_json::json!({"zarr_consolidated_format": 1, "metadata": metadata});
    std::fs::write(store.join(".zmetadata"), document.to_string()).unwrap();
    std::fs::write(store.join(".zgroup"), r#"{"zarr_format": 2}"#).unwrap();
    let out = zlint()
        .arg(&store)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("lists 5000 node(s) the store does not hold: g, g/g,")
            && out.contains("and 4990 more"),
        "{}",
        &out[..out.len().min(2_000)]
    );
    assert!(out.len() < 4_000, "{} bytes of output", out.len());
}
