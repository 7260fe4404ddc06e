//! The JSON Schema files of docs/schemas/ hold for what zlint prints: the lint, scan and plan
//! documents of every fixture store (broken ones included), the rules document, and the outcome
//! and verification documents of runs that succeed and of one that finds differences. A field
//! added without its schema, or a type changed, fails here (the schemas forbid unknown fields).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The validator of `docs/schemas/NAME.schema.json`.
fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(format!("{name}.schema.json"));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    jsonschema::draft202012::new(&doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fails naming `what` and every error when `doc` does not hold to `validator`.
fn check(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

/// The JSON document `zlint ARGS` prints (whatever its exit code).
fn printed(args: &[&str]) -> Value {
    let out = zlint().args(args).output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn lint_scan_and_plan_documents_of_every_fixture_hold_to_their_schemas() {
    let (lint, scan, plan) = (schema("lint"), schema("scan"), schema("plan"));
    let dir = tempfile::tempdir().unwrap();
    let mut plans = 0;
    let stores = common::fixture_stores(true);
    assert!(stores.len() > 50, "{} stores", stores.len());
    for store in &stores {
        let path = store.to_str().unwrap();
        check(
            &lint,
            &printed(&[path, "--no-config", "--format", "json"]),
            path,
        );
        check(
            &scan,
            &printed(&["scan", path, "--deep", "--format", "json"]),
            path,
        );
        let out = zlint()
            .args(["rechunk", path])
            .arg(dir.path().join("plan-out.zarr"))
            .args(["--auto", "--dry-run", "--format", "json"])
            .output()
            .unwrap();
        if out.status.success() {
            check(&plan, &serde_json::from_slice(&out.stdout).unwrap(), path);
            plans += 1;
        }
    }
    assert!(plans > 30, "only {plans} stores planned");
    // Several stores: an array of lint documents.
    let both = printed(&[
        "fixtures/zarr2/hierarchy.zarr",
        "fixtures/rules/ZL101-fires.zarr",
        "--format",
        "json",
    ]);
    for doc in both.as_array().unwrap() {
        check(&lint, doc, "two stores");
    }
    // The plans with an intermediate pass and notes: tests/cli_rechunk.rs
    // (`the_plan_json_is_versioned_and_documented`) checks them against the schema.
}

#[test]
fn rules_outcome_and_verification_documents_hold_to_their_schemas() {
    check(
        &schema("rules"),
        &printed(&["rules", "--format", "json"]),
        "rules",
    );
    let outcome = schema("outcome");
    let dir = tempfile::tempdir().unwrap();
    let source = "fixtures/zarr3/plain.zarr";
    let out = dir.path().join("out.zarr");
    let out_path = out.to_str().unwrap();
    let run = printed(&[
        "rechunk", source, out_path, "--chunks", "8,8", "--verify", "--format", "json", "-q",
    ]);
    check(&outcome, &run, "a verified run");
    assert_eq!(run["verification"]["identical"], true);
    let same = printed(&["verify", source, out_path, "--format", "json", "-q"]);
    check(&outcome, &same, "an identical verification");
    // A chunk replaced by another (both valid, different values): the verification lists it.
    let mut chunks: Vec<PathBuf> = walkdir::WalkDir::new(out.join("c"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.is_file())
        .collect();
    chunks.sort();
    let (first, other) = (
        &chunks[0],
        chunks
            .iter()
            .rev()
            .find(|p| std::fs::read(p).unwrap() != std::fs::read(&chunks[0]).unwrap())
            .unwrap(),
    );
    std::fs::copy(other, first).unwrap();
    let differs = zlint()
        .args(["verify", source, out_path, "--format", "json", "-q"])
        .output()
        .unwrap();
    let differs: Value = serde_json::from_slice(&differs.stdout).unwrap();
    check(&outcome, &differs, "a verification with differences");
    assert_eq!(differs["identical"], false);
    // A split run's steps.
    let split = dir.path().join("split.zarr");
    let split = split.to_str().unwrap();
    let steps: [&[&str]; 2] = [&["--part", "0/1"], &["--finalize", "--verify"]];
    printed(&[
        "rechunk", source, split, "--chunks", "8,8", "--init", "--format", "json",
    ]);
    for step in steps {
        let mut args = vec!["rechunk", source, split, "--format", "json", "-q"];
        args.extend_from_slice(step);
        check(&outcome, &printed(&args), &format!("{step:?}"));
    }
}
