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
        "--format",
        "json",
    ]);
    let (rules, _) = json(&["rules", "--format", "json"]);
    for doc in [&lint, &scan, &plan, &rules] {
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
        let new_doc: Value = serde_json::from_slice(&new.stdout).expect("JSON");
        let old_doc: Value = serde_json::from_slice(&old.stdout).expect("JSON");
        // `rules --json` keeps printing the bare list it printed; `--format json` puts it under
        // `rules`, beside the document's version.
        let expected = if command == "rules" {
            &new_doc["rules"]
        } else {
            &new_doc
        };
        assert!(old_doc == *expected, "{command}: the same content");
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

#[test]
fn every_error_is_one_error_line_with_its_advice_on_a_help_line() {
    let stderr = |args: &[&str]| {
        let out = zlint().args(args).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8(out.stderr).expect("UTF-8")
    };
    // zlint's own errors, with and without advice, and clap's usage errors look alike.
    let misspelt = stderr(&["explian", "ZL101"]);
    assert_eq!(
        misspelt,
        "error: `explian` is neither a store nor a command\nhelp: did you mean `zlint explain`?\n"
    );
    let unknown_rule = stderr(&[CLEAN, "--select", "ZL10l"]);
    assert!(unknown_rule.starts_with("error: "), "{unknown_rule}");
    assert!(
        unknown_rule.contains("\nhelp: did you mean `ZL101`?"),
        "{unknown_rule}"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("keep.txt"), "mine").expect("write");
    let target = tmp.path().to_str().expect("UTF-8 path");
    let not_empty = stderr(&["rechunk", CLEAN, target, "--chunks", "8"]);
    assert!(
        not_empty.starts_with("error: ") && not_empty.contains(": the target is not empty\n"),
        "{not_empty}"
    );
    assert!(
        not_empty.contains("help: use --overwrite to replace it"),
        "{not_empty}"
    );
    let clap = stderr(&["scan", "--no-such-flag"]);
    assert!(clap.starts_with("error: "), "{clap}");
    for text in [&misspelt, &unknown_rule, &not_empty, &clap] {
        assert!(!text.contains("zlint: error"), "{text}");
    }
}

#[test]
fn an_unknown_rule_in_a_config_file_is_named_with_its_file_and_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join("zlint.toml");
    let run = |text: &str| {
        std::fs::write(&config, text).expect("write");
        let out = zlint()
            .args([CLEAN, "--config", config.to_str().expect("UTF-8")])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).expect("UTF-8")
    };
    let file = config.display();
    let select = run("profile = \"analysis\"\n\nselect = [\"ZL1\",\n  \"ZL10l\"]\n");
    assert_eq!(
        select,
        format!(
            "error: {file}:4: `select`: unknown rule or prefix `ZL10l`\n\
             help: did you mean `ZL101`?\n"
        )
    );
    let severity = run("[severity]\nZL104 = \"error\"\nZL999 = \"info\"\n");
    assert!(
        severity.starts_with(&format!(
            "error: {file}:3: [severity]: unknown rule `ZL999`"
        )),
        "{severity}"
    );
    let overrides = run("[[overrides]]\npath = \"labels/\"\nignore = ['chunk-too-smal']\n");
    assert!(
        overrides.starts_with(&format!("error: {file}:3: [[overrides]] 1")),
        "{overrides}"
    );
    assert!(
        overrides.contains("help: did you mean `chunk-too-small`?"),
        "{overrides}"
    );
}

#[test]
fn zl101_does_what_its_explanation_says_of_small_arrays() {
    let explanation = zlint().args(["explain", "ZL101"]).output().expect("run");
    let explanation = String::from_utf8(explanation.stdout).expect("UTF-8");
    assert!(
        explanation.contains("or whose whole size is below the floor, is never flagged"),
        "{explanation}"
    );
    // 30 B in 3 chunks, 64 B in 4, 5.6 KiB in 18: small arrays split into small chunks.
    zlint()
        .args([
            "fixtures/zarr2/hierarchy.zarr",
            "--select",
            "ZL101",
            "--no-config",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("no findings"));
    // A 16 MiB array in 64 KiB chunks is flagged.
    zlint()
        .args([FIRES, "--select", "ZL101", "--no-config"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ZL101 chunk-too-small"));
}

#[test]
fn rechunk_takes_format_json_and_its_former_spellings_still_work_with_a_warning() {
    let rechunk = |extra: &[&str]| {
        let out = zlint()
            .args([
                "rechunk",
                FIRES,
                "target/unused.zarr",
                "--chunks",
                "512,512",
            ])
            .args(extra)
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8(out.stdout).expect("UTF-8"),
            String::from_utf8(out.stderr).expect("UTF-8"),
        )
    };
    let (code, json, warned) = rechunk(&["--dry-run", "--format", "json"]);
    assert_eq!(code, Some(0));
    let doc: Value = serde_json::from_str(&json).expect("one JSON document");
    assert_eq!(
        doc["arrays"][0]["target"]["chunks"],
        serde_json::json!([512, 512])
    );
    assert!(warned.is_empty(), "{warned}");
    let (_, old, warned) = rechunk(&["--dry-run", "--json"]);
    assert_eq!(old, json);
    assert!(
        warned.contains("warning: `rechunk --json` is now `--format json`"),
        "{warned}"
    );
    // `--format zarr2` was the output's store format: still so, with a warning.
    let (code, text, warned) = rechunk(&["--dry-run", "--format", "zarr2"]);
    assert_eq!(code, Some(0));
    assert!(text.contains("zarr2"), "{text}");
    assert!(warned.contains("the store format is `--to`"), "{warned}");
    // A run that writes prints what it did (docs/outcome-json.md).
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("out.zarr");
    let out = zlint()
        .args(["rechunk", FIRES])
        .arg(&target)
        .args(["--chunks", "512,512", "--format", "json", "-q"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let done: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(
        (done["schema_version"].clone(), done["complete"].clone()),
        (1.into(), true.into())
    );
}
