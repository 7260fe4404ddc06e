//! Issue 28: lint never proposes a rewrite that zlint then refuses. Every fixture store is
//! linted, and every `zlint rechunk …` command its findings print is planned as printed; an
//! array zlint cannot decode gets no command, and a rewrite of its store carries it over
//! unchanged (tests/cli_partial_rewrites.rs).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use assert_cmd::Command;
use common::{copy_dir, fixture_stores};

mod common;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The commands the text output's `help:` lines print, as words.
fn printed_fixes(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|line| line.split_once(": zlint rechunk "))
        .map(|(_, command)| shell_words(command))
        .collect()
}

/// `text` split as a shell splits it (words, and single-quoted words as zlint quotes them).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '\\' if !quoted => word.extend(chars.next()),
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn every_fix_the_linter_prints_is_planned_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut tried, mut stores) = (0, 0);
    for store in fixture_stores(false) {
        let out = zlint()
            .arg(&store)
            .args(["--no-config", "--show-all"])
            .output()
            .unwrap();
        // 0, 1 or 2 by the findings' severities; a failure to lint says `error:`.
        assert!(
            out.status.code().is_some_and(|c| c <= 2)
                && !String::from_utf8_lossy(&out.stderr).contains("error:"),
            "{}: lint exited {:?}: {}",
            store.display(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let fixes = printed_fixes(&String::from_utf8(out.stdout).unwrap());
        stores += usize::from(!fixes.is_empty());
        for mut words in fixes {
            tried += 1;
            let target = dir.path().join(format!("fix-{tried}.zarr"));
            // `zlint rechunk STORE OUT …`: the output goes to a fresh folder, planned only.
            assert_eq!(words[1], "OUT", "{words:?}");
            words[1] = target.display().to_string();
            let planned = zlint()
                .arg("rechunk")
                .args(&words)
                .arg("--dry-run")
                .output()
                .unwrap();
            assert!(
                planned.status.success(),
                "the fix `zlint rechunk {}` printed for {} is refused: {}",
                words.join(" "),
                store.display(),
                String::from_utf8_lossy(&planned.stderr)
            );
        }
    }
    // The fixtures hold findings with fixes in dozens of stores: a parser that found none
    // would pass vacuously.
    eprintln!("{tried} fixes in {stores} stores planned as printed");
    assert!(
        tried >= 30 && stores >= 20,
        "{tried} fixes in {stores} stores"
    );
}

#[test]
fn an_array_zlint_cannot_decode_gets_no_command() {
    // A copy of the mixed store with a `smooth` array compressed by numcodecs' ZFPY, which zlint
    // does not decode (metadata only: its chunks were never written).
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("mixed.zarr");
    copy_dir(Path::new("fixtures/zarr2/mixed-codecs.zarr"), &store);
    std::fs::create_dir(store.join("smooth")).unwrap();
    std::fs::write(
        store.join("smooth/.zarray"),
        r#"{"zarr_format": 2, "shape": [240, 600], "chunks": [4, 5], "dtype": "<f8",
            "compressor": {"id": "zfpy", "mode": 4, "tolerance": -1, "rate": -1,
                           "precision": -1},
            "filters": null, "fill_value": 0.0, "order": "C"}"#,
    )
    .unwrap();
    // `raw` is 1.4 KiB, too small for ZL101 at the default floor: the floor goes down to 1 KiB.
    let config = dir.path().join("zlint.toml");
    std::fs::write(&config, "[thresholds]\nchunk-min-bytes = \"1 KiB\"\n").unwrap();
    let out = zlint()
        .arg(&store)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let smooth: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("mixed.zarr/smooth:"))
        .take(3)
        .collect();
    assert!(
        smooth.iter().any(|l| l.contains(
            "help: use chunks 240×600 (zlint cannot rewrite this array: unsupported codec zfpy"
        )),
        "{text}"
    );
    assert!(
        text.contains("--chunks raw=24,30"),
        "the array zlint can rewrite keeps its command: {text}"
    );
    let json = zlint()
        .arg(&store)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let blocked: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("blocked").is_some())
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        !blocked.is_empty() && blocked.iter().all(|p| *p == "smooth"),
        "{blocked:?}"
    );
}
