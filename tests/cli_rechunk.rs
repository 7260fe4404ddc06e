//! `zlint rechunk` and `zlint verify` end to end: the plan, exit codes, a crash and its resume,
//! and an OME-Zarr pyramid rechunked with `--auto`.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};
use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::filesystem::FilesystemStore;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A Zarr v3 uint16 stack of `planes` 512×512 planes, one plane per chunk, gzip.
fn stack(dir: &Path, planes: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let doc = json!({"zarr_format": 3, "node_type": "array", "shape": [planes, 512, 512],
        "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, 512, 512]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                    {"name": "gzip", "configuration": {"level": 1}}],
        "attributes": {"note": "crash test"}, "dimension_names": ["z", "y", "x"]});
    std::fs::write(dir.join("zarr.json"), doc.to_string()).unwrap();
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    let array = Array::new_with_metadata(store, "/", serde_json::from_value(doc).unwrap()).unwrap();
    let plane: Vec<u8> = (0..512u32 * 512)
        .flat_map(|i| ((i.wrapping_mul(2_654_435_761) >> 20) as u16).to_le_bytes())
        .collect();
    for z in 0..planes {
        let subset = ArraySubset::new_with_ranges(&[z..z + 1, 0..512, 0..512]);
        array
            .store_array_subset(&subset, ArrayBytes::new_flen(plane.clone()))
            .unwrap();
    }
}

/// Every file under `dir` with its bytes, by relative path.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    all.sort();
    all
}

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
            "--json",
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
fn a_killed_rechunk_resumes_to_the_same_result_as_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst, reference) = (
        dir.path().join("src.zarr"),
        dir.path().join("dst.zarr"),
        dir.path().join("ref.zarr"),
    );
    stack(&src, 48);
    // The budget holds no group aligned to both grids: two passes of small groups, many journal
    // entries to stop between.
    let args = |out: &Path| -> Vec<String> {
        [
            "rechunk",
            src.to_str().unwrap(),
            out.to_str().unwrap(),
            "--chunks",
            "16,128,128",
            "--max-mem",
            "6MiB",
            "-j",
            "1",
            "--quiet",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
    };
    let bin = assert_cmd::cargo::cargo_bin("zlint");
    let mut child = std::process::Command::new(&bin)
        .args(args(&dst))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_lines(
        &dst.join(".zlint-rechunk/done/part-0-of-1.log"),
        2,
        &mut child,
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !dst.join("zarr.json").exists(),
        "an interrupted output has no metadata"
    );
    zlint()
        .args(["scan", dst.to_str().unwrap()])
        .assert()
        .code(2);

    let mut resume = args(&dst);
    resume.push("--resume".into());
    zlint()
        .args(&resume)
        .assert()
        .success()
        .stdout(predicate::str::contains("write groups resumed"));
    zlint().args(args(&reference)).assert().success();
    zlint()
        .args(["verify", src.to_str().unwrap(), dst.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        files(&dst),
        files(&reference),
        "resumed output differs from an uninterrupted one"
    );
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
        serde_json::from_slice(&run(&dst, "6MiB", &["--dry-run", "--json"]).stdout).unwrap();
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

/// Waits until `log` has `lines` lines, while `child` runs.
fn wait_for_lines(log: &Path, lines: usize, child: &mut std::process::Child) {
    let started = Instant::now();
    while std::fs::read_to_string(log).map_or(0, |t| t.lines().count()) < lines {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no progress to interrupt"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn four_parts_at_once_with_one_killed_and_resumed_give_the_single_process_output() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst, reference) = (
        dir.path().join("src.zarr"),
        dir.path().join("dst.zarr"),
        dir.path().join("ref.zarr"),
    );
    stack(&src, 64);
    let (src_s, dst_s) = (src.to_str().unwrap(), dst.to_str().unwrap());
    let options = ["--chunks", "16,128,128", "--max-mem", "6MiB", "-q"];
    zlint()
        .args(["rechunk", src_s, dst_s, "--init"])
        .args(options)
        .assert()
        .success()
        .stdout(predicate::str::contains("write groups"));
    // Target options belong to --init only.
    zlint()
        .args([
            "rechunk", src_s, dst_s, "--part", "0/4", "--chunks", "8,8,8",
        ])
        .assert()
        .code(2);

    let bin = assert_cmd::cargo::cargo_bin("zlint");
    let part = |i: u64, extra: &[&str]| {
        std::process::Command::new(&bin)
            .args([
                "rechunk",
                src_s,
                dst_s,
                "--part",
                &format!("{i}/4"),
                "-j",
                "1",
                "-q",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut children: Vec<_> = (0..4).map(|i| part(i, &[])).collect();
    wait_for_lines(
        &dst.join(".zlint-rechunk/done/part-2-of-4.log"),
        2,
        &mut children[2],
    );
    children[2].kill().unwrap(); // SIGKILL
    for (i, child) in children.into_iter().enumerate() {
        let status = child.wait_with_output().unwrap().status;
        assert_eq!(status.success(), i != 2, "part {i}/4: {status}");
    }
    assert!(!dst.join("zarr.json").exists());
    zlint()
        .args(["rechunk", src_s, dst_s, "--finalize"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("incomplete").and(predicate::str::contains("part 2/4")));
    assert!(
        !dst.join("zarr.json").exists(),
        "an incomplete output got metadata"
    );
    zlint()
        .args(["rechunk", src_s, dst_s, "--part", "2/4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--resume"));
    // The same part twice at once: the second is refused while the first holds its log.
    let log = std::fs::OpenOptions::new()
        .append(true)
        .open(dst.join(".zlint-rechunk/done/part-2-of-4.log"))
        .unwrap();
    log.lock().unwrap();
    zlint()
        .args(["rechunk", src_s, dst_s, "--part", "2/4", "--resume"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already running"));
    drop(log);
    let resumed = part(2, &["--resume"]).wait_with_output().unwrap();
    assert!(resumed.status.success());
    zlint()
        .args(["rechunk", src_s, dst_s, "--finalize", "--verify", "-q"])
        .assert()
        .success()
        .stdout(predicate::str::contains("identical"));
    assert!(!dst.join(".zlint-rechunk").exists());

    zlint()
        .args(["rechunk", src_s, reference.to_str().unwrap()])
        .args(options)
        .assert()
        .success();
    assert_eq!(
        files(&dst),
        files(&reference),
        "the output of four parts differs from a single run"
    );
}

#[test]
fn part_auto_reads_the_slurm_array_variables() {
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out.zarr");
    let dst_s = dst.to_str().unwrap();
    let src = "fixtures/zarr3/plain.zarr";
    zlint()
        .args(["rechunk", src, dst_s, "--chunks", "10,16", "--init"])
        .assert()
        .success();
    for id in 1..=3 {
        zlint()
            .args(["rechunk", src, dst_s, "--part", "auto", "-q"])
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("part {}/3", id - 1)));
    }
    zlint()
        .args(["rechunk", src, dst_s, "--part", "auto"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SLURM_ARRAY_TASK_ID"));
    zlint()
        .args(["rechunk", src, dst_s, "--finalize"])
        .assert()
        .success();
    zlint().args(["verify", src, dst_s]).assert().success();
}

#[test]
fn verify_exits_2_on_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out.zarr");
    zlint()
        .args([
            "rechunk",
            "fixtures/zarr3/plain.zarr",
            dst.to_str().unwrap(),
            "--chunks",
            "25,35",
            "-q",
        ])
        .assert()
        .success();
    zlint()
        .args(["verify", "fixtures/zarr3/plain.zarr", dst.to_str().unwrap()])
        .assert()
        .success();
    let chunk = dst.join("c/0/0");
    std::fs::remove_file(&chunk).unwrap();
    zlint()
        .args(["verify", "fixtures/zarr3/plain.zarr", dst.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("values differ in region"));
}

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
        let out = zlint().args(["scan", path, "--json"]).output().unwrap();
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

/// `--resume` with another `-j` continues the output (issue 14, item 9): the thread count shapes
/// the write groups, so the run adopts the groups of the journal it continues.
#[test]
fn resume_with_another_thread_count_continues_with_the_journals_groups() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let args = ["--chunks", "10,10", "--max-mem", "64KiB", "--quiet"];
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&out)
        .args(args)
        .args(["-j", "1", "--init"])
        .assert()
        .success();
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&out)
        .args(args)
        .args(["-j", "2", "--resume", "--verify"])
        .assert()
        .success();
    // Another budget is another plan, still refused.
    let again = dir.path().join("again.zarr");
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&again)
        .args(args)
        .args(["-j", "1", "--init"])
        .assert()
        .success();
    let refused = zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&again)
        .args(["--chunks", "10,10", "--max-mem", "16KiB", "--resume"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another plan"));
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

fn walkdir_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            names.extend(walkdir_names(&path));
        } else {
            names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    names
}

/// A run started from one source and resumed, continued by a part, or finalized after the source
/// changed (same shape, other values, same sizes) is refused (issue 14, item 8: it finished with
/// a mix of both sources).
#[test]
fn a_source_changed_since_the_output_began_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (src, out) = (dir.path().join("src.zarr"), dir.path().join("out.zarr"));
    stack(&src, 4);
    let args = ["--chunks", "2,256,256", "--quiet"];
    let run = |extra: &[&str]| {
        zlint()
            .arg("rechunk")
            .arg(&src)
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    let mut init = args.to_vec();
    init.push("--init");
    assert!(run(&init).status.success());
    assert!(run(&["--part", "0/2"]).status.success());
    // Another plane 3, of the same compressed size: only the times and bytes differ.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let chunk = src.join("c/3/0/0");
    let bytes = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &bytes).unwrap();
    for step in [
        vec!["--part", "1/2"],
        vec!["--finalize", "--verify"],
        args.iter().copied().chain(["--resume"]).collect::<Vec<_>>(),
    ] {
        let refused = run(&step);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{step:?}: {stderr}");
        assert!(stderr.contains("the source changed"), "{step:?}: {stderr}");
        assert!(!out.join("zarr.json").exists());
    }
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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
        .args(["scan", n5.to_str().unwrap(), "--json"])
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

/// Issue 15: a zip output interrupted before it was packed is continued with --resume from its
/// staging directory (here one a split run's --init left), then packed; without --resume the
/// staging directory is refused, named.
#[test]
fn an_interrupted_zip_output_resumes_from_its_staging_directory() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("out.zip");
    let staging = dir.path().join("out.zip.zlint-staging");
    let source = "fixtures/ome/v05.ome.zarr";
    let (zip_arg, staging_arg) = (zip_path.to_str().unwrap(), staging.to_str().unwrap());
    zlint()
        .args([
            "rechunk",
            source,
            staging_arg,
            "--init",
            "--chunks",
            "8,16,16",
        ])
        .assert()
        .success();
    zlint()
        .args(["rechunk", source, zip_arg, "--chunks", "8,16,16"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "out.zip.zlint-staging: the target is not empty",
        ));
    zlint()
        .args([
            "rechunk", source, zip_arg, "--chunks", "8,16,16", "--resume", "--verify",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("entries into"));
    assert!(!staging.exists());
    zlint().args(["verify", source, zip_arg]).assert().success();
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
        .stderr(predicate::str::contains("`rechunk --format` is now `--to`"));
    assert!(old.join(".zarray").exists());
}

/// Issue 16: the `--dry-run --json` plan carries its schema version, and every field it has
/// (at every level, with an intermediate pass and notes too) is documented in
/// docs/plan-json.md.
#[test]
fn the_plan_json_is_versioned_and_documented() {
    let docs = std::fs::read_to_string("docs/plan-json.md").unwrap();
    let documented = |field: &str| docs.contains(&format!("`{field}`"));
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
            .args(["rechunk", args[0], "plan-out.zarr", "--dry-run", "--json"])
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

/// Issue 16: --verify's memory is checked with the plan, before anything is written (and with
/// --dry-run too), and the message says how much to ask for.
#[test]
fn verify_memory_is_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let base = [
        "rechunk",
        "fixtures/ome/v05.ome.zarr",
        out.to_str().unwrap(),
        "--to",
        "zarr3",
        "--shards",
        "32,64,64",
        "--max-mem",
        "600KiB",
    ];
    for extra in [&["--verify"][..], &["--verify", "--dry-run"][..]] {
        zlint()
            .args(base)
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "--verify compares one target object",
            ))
            .stderr(predicate::str::contains("give --max-mem"));
        assert!(!out.exists(), "{extra:?}");
    }
    // The same budget without --verify rechunks.
    zlint().args(base).arg("-q").assert().success();
}

/// Issue 16: `zlint verify` compares values even when attributes differ, and names how many
/// values differ and where the first one is.
#[test]
fn verify_reports_attributes_and_values_with_the_first_differing_element() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy.zarr");
    let source = "fixtures/zarr3/plain.zarr";
    zlint()
        .args([
            "rechunk",
            source,
            out.to_str().unwrap(),
            "--codec",
            "none",
            "-q",
        ])
        .assert()
        .success();
    let mut doc = json_file(&out.join("zarr.json"));
    doc["attributes"]["extra"] = json!(1);
    std::fs::write(out.join("zarr.json"), doc.to_string()).unwrap();
    // The second float64 of chunk (0, 0) (chunks are 20×32, stored raw, little-endian).
    let chunk = out.join("c/0/0");
    let mut bytes = std::fs::read(&chunk).unwrap();
    bytes[8] ^= 0xff;
    std::fs::write(&chunk, bytes).unwrap();
    zlint()
        .args(["verify", source, out.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/: attributes differ"))
        .stderr(predicate::str::contains(
            "1 of 2560 values differ in region [0..40, 0..64], the first at [0, 1] (in the target's chunk [0, 0])",
        ));
    // A second difference, in the last chunk: --max-diffs 2 prints two, and says one more.
    let last = out.join("c/2/2");
    let mut bytes = std::fs::read(&last).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&last, bytes).unwrap();
    let output = zlint()
        .args(["verify", source, out.to_str().unwrap(), "--max-diffs", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
    assert!(
        stderr.contains("… and 1 more (--max-diffs 3 shows them)"),
        "{stderr}"
    );
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
