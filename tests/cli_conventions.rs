//! Issue 31: `zlint` behaves as the linters its users know (ruff, mypy): help when called alone,
//! several stores in one call with one exit code, `--exit-zero`, the colour conventions, and one
//! key for the version of every JSON document.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Fails `--fail-on warning` (the default): a chunk far too small.
const FIRES: &str = "fixtures/rules/ZL101-fires.zarr";
/// Lints clean.
const CLEAN: &str = "fixtures/rules/good-analysis.zarr";
/// Holds unreadable metadata.
const BROKEN: &str = "fixtures/broken/invalid-json.zarr";

fn json(args: &[&str]) -> (Value, i32) {
    let out = zlint().args(args).output().expect("run");
    let doc = serde_json::from_slice(&out.stdout).expect("one JSON document");
    (doc, out.status.code().expect("exit code"))
}

#[test]
fn zlint_alone_prints_its_help() {
    zlint()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage: zlint"))
        .stderr(predicate::str::contains("Commands:"))
        .stderr(predicate::str::contains("required arguments were not provided").not());
}

#[test]
fn several_stores_are_linted_in_turn_with_the_worst_exit_code() {
    let out = zlint().args([CLEAN, FIRES]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(CLEAN) && text.contains(FIRES), "{text}");
    assert!(
        text.find(CLEAN) < text.find(FIRES),
        "in the order given: {text}"
    );

    zlint().args([CLEAN, CLEAN]).assert().code(0);

    // One store that cannot be read does not stop the others; the exit code says it.
    let out = zlint()
        .args([FIRES, "fixtures/broken/not-a-store", CLEAN])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(text.contains(FIRES) && text.contains(CLEAN), "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not-a-store"),
        "the store at fault is named"
    );
}

#[test]
fn several_stores_give_one_json_array_and_one_sarif_log() {
    let (one, code) = json(&[FIRES, "--format", "json"]);
    assert_eq!(code, 1);
    assert!(one.is_object(), "one store: one document, as before");

    let (many, code) = json(&[FIRES, CLEAN, "--format", "json"]);
    assert_eq!(code, 1);
    let documents = many.as_array().expect("an array for several stores");
    assert_eq!(documents.len(), 2);
    assert_eq!(documents[0]["store"], FIRES);
    assert_eq!(documents[1]["store"], CLEAN);
    assert!(
        documents[0]["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    assert_eq!(documents[1]["findings"], Value::Array(Vec::new()));

    let (log, _) = json(&[FIRES, CLEAN, "--format", "sarif"]);
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2, "a SARIF run per store");
    assert!(runs[0]["results"].as_array().is_some_and(|r| !r.is_empty()));
    assert_eq!(runs[1]["results"], Value::Array(Vec::new()));
}

#[test]
fn exit_zero_passes_findings_but_not_unreadable_stores() {
    zlint().args([FIRES, "--exit-zero"]).assert().code(0);
    zlint()
        .args(["lint", FIRES, "--exit-zero"])
        .assert()
        .code(0);
    zlint().args([BROKEN, "--exit-zero"]).assert().code(2);
}

#[test]
fn every_json_document_gives_its_version_as_schema_version() {
    let (lint, _) = json(&[FIRES, "--format", "json"]);
    let (scan, _) = json(&["scan", FIRES, "--format", "json"]);
    let (plan, _) = json(&[
        "rechunk",
        FIRES,
        "target/unused.zarr",
        "--auto",
        "--dry-run",
        "--json",
    ]);
    for doc in [&lint, &scan, &plan] {
        assert!(doc["schema_version"].as_u64().is_some(), "{doc}");
    }
    assert_eq!(lint["version"], lint["schema_version"], "the old key stays");
}

#[test]
fn colour_follows_force_color_and_clicolor() {
    let escape = "\u{1b}[";
    let forced = zlint()
        .args([FIRES])
        .env_remove("NO_COLOR")
        .env("FORCE_COLOR", "1")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&forced.stdout).contains(escape));
    let plain = zlint()
        .args([FIRES])
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&plain.stdout).contains(escape));
    // On a terminal: colour, unless CLICOLOR=0.
    let unset = ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"];
    assert!(common::on_terminal(&[FIRES], &[("CLICOLOR", "1")], &unset).contains(escape));
    assert!(!common::on_terminal(&[FIRES], &[("CLICOLOR", "0")], &unset).contains(escape));
}

#[test]
fn codec_keep_keeps_each_arrays_codecs() {
    let plan = |extra: &[&str]| {
        let mut args = vec![
            "rechunk",
            "fixtures/zarr3/plain.zarr",
            "target/unused.zarr",
            "--chunks",
            "10,10",
            "--dry-run",
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&args)
    };
    let (kept, code) = plan(&["--codec", "keep"]);
    assert_eq!(code, 0);
    let (plain, _) = plan(&[]);
    assert_eq!(
        kept["arrays"][0]["target_metadata"],
        plain["arrays"][0]["target_metadata"]
    );
    let (zstd, _) = plan(&["--codec", "zstd:9"]);
    assert_ne!(
        zstd["arrays"][0]["target_metadata"],
        plain["arrays"][0]["target_metadata"]
    );
}

#[test]
fn scan_and_rules_take_format_json_and_json_still_works_with_a_warning() {
    for command in ["scan", "rules"] {
        let mut args = vec![command];
        if command == "scan" {
            args.push(FIRES);
        }
        let new = zlint()
            .args(&args)
            .args(["--format", "json"])
            .output()
            .expect("run");
        let old = zlint().args(&args).arg("--json").output().expect("run");
        assert!(new.status.success() && old.status.success(), "{command}");
        assert_eq!(new.stdout, old.stdout, "{command}: the same document");
        serde_json::from_slice::<Value>(&new.stdout).expect("JSON");
        assert!(new.stderr.is_empty(), "{command}");
        assert!(
            String::from_utf8_lossy(&old.stderr).contains("is now `--format json`"),
            "{command}"
        );
    }
}

#[test]
fn a_rechunk_that_changes_nothing_says_so_and_names_what_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.zarr");
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"))
        .stderr(predicate::str::contains("--chunks"))
        .stderr(predicate::str::contains("--auto"));
    assert!(!out.exists(), "nothing written");
    // The same format asked for: a copy, as it is.
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(&out)
        .args(["--to", "zarr3", "--verify", "-q"])
        .assert()
        .success();
    // Into a zip: packed as it is.
    zlint()
        .args(["rechunk", "fixtures/zarr3/plain.zarr"])
        .arg(dir.path().join("packed.zip"))
        .arg("-q")
        .assert()
        .success();
}

#[test]
fn the_help_of_deep_names_every_rule_it_enables() {
    let deep: Vec<&str> = zlint::lint::registry::RULES
        .iter()
        .filter(|rule| rule.deep)
        .map(|rule| rule.id)
        .collect();
    assert!(!deep.is_empty());
    for command in ["lint", "report"] {
        let out = zlint().args([command, "--help"]).output().expect("run");
        let help = String::from_utf8_lossy(&out.stdout);
        let line = help
            .lines()
            .skip_while(|l| !l.contains("--deep"))
            .take(3)
            .collect::<String>();
        for id in &deep {
            assert!(
                line.contains(id),
                "{command} --help, --deep: {id} missing: {line}"
            );
        }
    }
}
