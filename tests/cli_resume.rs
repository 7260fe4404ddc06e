//! `zlint rechunk` interrupted and continued: a killed run resumed, split runs (`--init`,
//! `--part`, `--finalize`), and the refusals that keep an output from mixing two sources.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod rechunk_support;

use std::path::Path;
use std::process::Stdio;

use predicates::prelude::*;

use rechunk_support::{files, stack, wait_for_lines, zlint};

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
