//! `zlint STORE` end to end: formats (snapshots), SARIF schema, exit codes, configuration.

mod common;

use assert_cmd::Command;
use common::{copy_dir, fixture};
use predicates::prelude::*;

fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Output of `zlint ARGS` with the version made stable.
fn run(args: &[&str]) -> (String, i32) {
    let output = zlint().args(args).output().expect("run");
    let stdout = String::from_utf8(output.stdout)
        .expect("utf-8")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    (stdout, output.status.code().expect("exit code"))
}

const MIXED: &str = "fixtures/zarr2/hierarchy.zarr";

#[test]
fn text_output() {
    let (stdout, code) = run(&[MIXED]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn json_output() {
    let (stdout, code) = run(&[MIXED, "--format", "json"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn sarif_output() {
    let (stdout, _) = run(&[MIXED, "--format", "sarif"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn github_output() {
    let (stdout, _) = run(&[MIXED, "--format", "github"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema_text =
        std::fs::read_to_string(fixture("../tests/data/sarif-2.1.0-rtm.5.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::draft4::new(&schema).expect("valid schema");
    for store in [
        MIXED,
        "fixtures/rules/ZL202-fires.ome.zarr",
        "fixtures/broken/invalid-json.zarr",
    ] {
        // As printed (`run` would make the version in `helpUri` a placeholder).
        let stdout = zlint()
            .args([store, "--format", "sarif"])
            .output()
            .expect("run")
            .stdout;
        let log: serde_json::Value = serde_json::from_slice(&stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{store}: {errors:#?}");
        assert!(
            !log["runs"][0]["results"]
                .as_array()
                .expect("results")
                .is_empty()
        );
    }
    // A log that breaks the schema is refused, so the check above can fail.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn json_findings_carry_the_documented_fields() {
    let (stdout, _) = run(&["fixtures/rules/ZL101-fires.zarr", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["version"], 1);
    let finding = &doc["findings"][0];
    assert_eq!(finding["rule"], "ZL101");
    assert_eq!(finding["name"], "chunk-too-small");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["path"], "");
    assert!(
        finding["message"]
            .as_str()
            .expect("message")
            .contains("chunk-min-bytes")
    );
    assert!(finding["recommendation"]["chunks"].is_array());
    assert!(finding["recommendation"].get("shards").is_some());
    assert_eq!(doc["summary"]["warnings"], 1);
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(run(&["fixtures/rules/ZL101-near-miss.zarr"]).1, 0);
    assert_eq!(run(&["fixtures/rules/ZL101-fires.zarr"]).1, 1);
    assert_eq!(
        run(&["fixtures/rules/ZL101-fires.zarr", "--fail-on", "error"]).1,
        0
    );
    // ZL105 is info: it fails the run only with --fail-on info.
    assert_eq!(run(&["fixtures/rules/ZL105-fires.zarr"]).1, 0);
    assert_eq!(
        run(&["fixtures/rules/ZL105-fires.zarr", "--fail-on", "info"]).1,
        1
    );
    // Unreadable nodes: ZL501 findings and exit 2.
    let (stdout, code) = run(&["fixtures/broken/invalid-json.zarr"]);
    assert_eq!(code, 2);
    assert!(stdout.contains("ZL501"), "{stdout}");
    assert!(stdout.contains("bad/zarr.json"), "{stdout}");
    // Not a store, and usage errors: exit 2.
    assert_eq!(run(&["fixtures/broken/not-a-store"]).1, 2);
    assert_eq!(run(&[MIXED, "--select", "ZL999"]).1, 2);
    assert_eq!(run(&[MIXED, "--profile", "fast"]).1, 2);
}

#[test]
fn select_and_ignore_on_the_command_line() {
    let (stdout, _) = run(&[MIXED, "--select", "ZL107", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules, ["ZL107"]);
    let (stdout, code) = run(&[MIXED, "--ignore", "ZL1"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("no findings"));
}

#[test]
fn config_file_sets_severity_fail_on_and_per_path_ignores() {
    let config = "tests/config/ignore-path/zlint.toml";
    let (stdout, code) = run(&[MIXED, "--config", config, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let findings = doc["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .all(|f| !f["path"].as_str().expect("path").starts_with("sub/"))
    );
    assert!(
        findings.iter().all(|f| f["severity"] == "info"),
        "{findings:?}"
    );
    assert!(!findings.is_empty());
    assert_eq!(code, 0, "fail-on = error and only info findings");
}

#[test]
fn a_config_file_with_an_unknown_key_is_an_error_naming_it() {
    zlint()
        .args([MIXED, "--config", "tests/config/bad-key/zlint.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tests/config/bad-key/zlint.toml"))
        .stderr(predicate::str::contains("chunk-min-byte"));
}

#[test]
fn a_config_file_in_the_store_is_found() {
    // ZL303-fires.zarr carries `profile = "cloud"`; without it ZL303 stays quiet.
    let rules = |args: &[&str]| -> (String, Vec<String>) {
        let (stdout, _) = run(args);
        let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
        let rules = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["rule"].as_str().expect("rule").to_string())
            .collect();
        (doc["profile"].as_str().expect("profile").to_string(), rules)
    };
    let (profile, found) = rules(&["fixtures/rules/ZL303-fires.zarr", "--format", "json"]);
    assert_eq!(profile, "cloud");
    assert!(found.contains(&"ZL303".to_string()));
    let (profile, found) = rules(&[
        "fixtures/rules/ZL303-fires.zarr",
        "--no-config",
        "--format",
        "json",
    ]);
    assert_eq!(profile, "analysis");
    assert!(!found.contains(&"ZL303".to_string()));
}

#[test]
fn rules_and_explain() {
    let (stdout, code) = run(&["rules"]);
    assert_eq!(code, 0);
    for rule in zlint::lint::registry::RULES {
        assert!(
            stdout.contains(rule.id) && stdout.contains(rule.name),
            "{}",
            rule.id
        );
    }
    let (stdout, _) = run(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(rules["schema_version"], 1);
    assert_eq!(
        rules["rules"].as_array().expect("list").len(),
        zlint::lint::registry::RULES.len()
    );
    let (stdout, code) = run(&["explain", "chunk-too-small"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# ZL101 chunk-too-small"));
    assert!(stdout.contains("## Why is this bad?"));
    assert_eq!(run(&["explain", "ZL999"]).1, 2);
}

#[test]
fn rule_table_of_docs_lint_matches_the_registry() {
    let path = fixture("../docs/lint.md");
    let doc = std::fs::read_to_string(&path).expect("docs/lint.md");
    let table = zlint::lint::registry::markdown_table();
    if std::env::var_os("ZLINT_UPDATE_DOCS").is_some() {
        let start = doc.find("<!-- rules:start -->").expect("start marker");
        let end = doc.find("<!-- rules:end -->").expect("end marker");
        let updated = format!(
            "{}<!-- rules:start -->\n{table}{}",
            &doc[..start],
            &doc[end..]
        );
        std::fs::write(&path, updated).expect("write docs/lint.md");
        return;
    }
    assert!(
        doc.contains(&format!("<!-- rules:start -->\n{table}<!-- rules:end -->")),
        "the rule table of docs/lint.md is stale: run ZLINT_UPDATE_DOCS=1 cargo test rule_table"
    );
}

/// The ome-zarr-py plate fixture copied into `dir` with its well A/2 copied again as A/3: three
/// fields with the same layout, so their ZL101 findings repeat. Its images are 4 KiB, too small
/// for ZL101 at the default floor: a `zlint.toml` beside it lowers the floor to 2 KiB.
fn plate_of_three_wells(dir: &std::path::Path) -> std::path::PathBuf {
    let plate = dir.join("plate.ome.zarr");
    copy_dir(
        std::path::Path::new("fixtures/ome/plate-v04.ome.zarr"),
        &plate,
    );
    copy_dir(&plate.join("A/2"), &plate.join("A/3"));
    std::fs::write(
        dir.join("zlint.toml"),
        "[thresholds]\nchunk-min-bytes = \"2 KiB\"\n",
    )
    .expect("write zlint.toml");
    plate
}

/// Issue 15: a finding repeated on three or more paths (the same field layout in every well
/// of a plate) is one line of text output with the count and two example paths; --show-all
/// lists each, and JSON always does.
#[test]
fn repeated_findings_are_grouped_in_text_output() {
    let dir = tempfile::tempdir().unwrap();
    let plate = plate_of_three_wells(dir.path());
    let plate = plate.to_str().unwrap();
    let (grouped, code) = run(&[plate, "--color", "never"]);
    assert_eq!(code, 1, "{grouped}");
    let lines: Vec<&str> = grouped.lines().filter(|l| l.contains("ZL101")).collect();
    assert_eq!(lines.len(), 1, "{grouped}");
    assert!(
        lines[0].contains(
            "ZL101 chunk-too-small [warning] in 3 paths (A/1/0/s0, A/2/0/s0, …): 512 B per chunk"
        ),
        "{grouped}"
    );
    assert!(grouped.contains("--show-all lists each one"), "{grouped}");
    assert!(grouped.contains("3 findings"), "{grouped}");
    let (all, _) = run(&[plate, "--color", "never", "--show-all"]);
    let paths: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("ZL101"))
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["A/1/0/s0", "A/2/0/s0", "A/3/0/s0"].map(|p| format!("{plate}/{p}")),
        "{all}"
    );
    let (json, _) = run(&[plate, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 3, "{json}");
}

/// Issue 16: a `help:` line's command runs as printed (with OUT replaced) and writes the layout
/// it names: the finding is gone from the output.
#[test]
fn help_commands_run_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    let (text, _) = run(&["fixtures/rules/ZL101-fires.zarr", "--color", "never"]);
    let help = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("help: "))
        .expect("a help line");
    let command = help.split_once(": ").expect("a command").1;
    let words: Vec<String> = command
        .split_whitespace()
        .map(|w| w.replace("OUT", out.to_str().unwrap()))
        .collect();
    assert_eq!(&words[..2], ["zlint", "rechunk"], "{help}");
    zlint().args(&words[1..]).arg("-q").assert().success();
    let (after, code) = run(&[out.to_str().unwrap(), "--select", "ZL101"]);
    assert_eq!(code, 0, "{after}");
}

/// Issue 16: `--statistics` counts findings by rule, most first; NO_COLOR wins over
/// CLICOLOR_FORCE, which colours output that is not a terminal.
#[test]
fn statistics_and_colour_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let plate = plate_of_three_wells(dir.path());
    let (stats, code) = run(&[plate.to_str().unwrap(), "--statistics"]);
    assert_eq!(code, 1, "{stats}");
    assert!(
        stats.starts_with("3  ZL101  chunk-too-small [warning]\n"),
        "{stats}"
    );
    let coloured = |env: &[(&str, &str)]| {
        let mut cmd = zlint();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.arg("fixtures/rules/ZL101-fires.zarr").output().unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(!coloured(&[]));
    assert!(coloured(&[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
}

/// Issue 16: a finding says why it matters for the profile it was judged by.
#[test]
fn why_depends_on_the_profile() {
    let mut seen = Vec::new();
    for (profile, words) in [
        ("analysis", "dask makes one task per chunk"),
        ("cloud", "latency"),
        ("visualization", "viewer"),
    ] {
        let (text, code) = run(&["fixtures/rules/ZL101-fires.zarr", "--profile", profile]);
        assert_eq!(code, 1, "{text}");
        let why = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("why: "))
            .unwrap_or_else(|| panic!("no why in {text}"))
            .to_string();
        assert!(why.contains(words), "{profile}: {why}");
        assert!(!seen.contains(&why), "{profile} repeats {why}");
        seen.push(why);
    }
}

/// Issue 16: on a terminal, text is coloured unless `NO_COLOR` or `--color never` says not.
#[test]
fn a_terminal_gets_colour_unless_told_not_to() {
    let store = "fixtures/rules/ZL101-fires.zarr";
    let plain = ["NO_COLOR", "CLICOLOR_FORCE"];
    let shown = common::on_terminal(&[store], &[], &plain);
    assert!(shown.contains("\u{1b}[1;33mwarning"), "{shown:?}");
    assert!(shown.contains("ZL101"), "{shown:?}");
    for (args, env) in [
        (&[store][..], &[("NO_COLOR", "1")][..]),
        (&[store, "--color", "never"], &[]),
    ] {
        let shown = common::on_terminal(args, env, &plain);
        assert!(shown.contains("ZL101"), "{shown:?}");
        assert!(!shown.contains('\u{1b}'), "{args:?} {env:?}: {shown:?}");
    }
}

/// Issue 16: misspelled commands, rules and config keys get a suggestion (exit 2); unknown keys
/// and rules in `[[overrides]]` are errors naming the file.
#[test]
fn typos_get_did_you_mean() {
    let says = |args: &[&str], text: &str| {
        let out = zlint().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(text), "{args:?}: {stderr}");
        assert_eq!(stderr.matches("error: ").count(), 1, "said once: {stderr}");
    };
    says(&["explian", "ZL101"], "did you mean `zlint explain`?");
    says(&["rule"], "did you mean `zlint rules`?");
    says(&["explain", "ZL1O1"], "did you mean `ZL101`?");
    says(
        &["explain", "chunk-to-small"],
        "did you mean `chunk-too-small`?",
    );
    says(
        &[MIXED, "--select", "chunk-to-small"],
        "did you mean `chunk-too-small`?",
    );
    let dir = tempfile::tempdir().unwrap();
    for (config, text) in [
        (
            "[[overrides]]\npath = \"raw\"\nignor = [\"ZL101\"]\n",
            "unknown field `ignor`",
        ),
        (
            "[[overrides]]\npath = \"raw\"\nignore = [\"ZL999\"]\n",
            "unknown rule `ZL999`",
        ),
        (
            "[thresholds]\nchunk-min-byte = 5\n",
            "did you mean `chunk-min-bytes`?",
        ),
    ] {
        let path = dir.path().join("zlint.toml");
        std::fs::write(&path, config).unwrap();
        says(&[MIXED, "--config", path.to_str().unwrap()], text);
        says(&[MIXED, "--config", path.to_str().unwrap()], "zlint.toml");
    }
}

/// Issue 16: shell completions and man pages come from the same definitions as `--help`.
#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = zlint().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("rechunk") && script.contains("ome-version"),
            "{shell}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    zlint()
        .args(["man", "--out-dir", dir.path().to_str().unwrap()])
        .assert()
        .success();
    let page = std::fs::read_to_string(dir.path().join("zlint-rechunk.1")).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH zlint-rechunk"),
        "{page}"
    );
    assert!(page.contains("ome\\-version"), "{page}");
    let main = zlint().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&main.stdout).contains(".TH zlint"));
}

/// Issue 16: every rule's explanation links its section of docs/guidance.md, and the section
/// exists (as GitHub and rustdoc make anchors of `### ZL101 chunk-too-small` headings) and links
/// sources; SARIF's `helpUri` is the same section on docs.rs.
#[test]
fn every_rule_links_an_existing_guidance_section() {
    let guidance = std::fs::read_to_string("docs/guidance.md").unwrap();
    let anchor = |heading: &str| {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
            .collect::<String>()
            .replace(' ', "-")
    };
    let anchors: Vec<String> = guidance
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect();
    let rules: serde_json::Value =
        serde_json::from_str(&run(&["rules", "--format", "json"]).0).unwrap();
    let sarif = run(&["fixtures/rules/ZL101-fires.zarr", "--format", "sarif"]).0;
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let sarif_rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .clone();
    for rule in rules["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let (text, code) = run(&["explain", id]);
        assert_eq!(code, 0);
        let (link, online) = text
            .lines()
            .find_map(|l| l.strip_prefix("docs/guidance.md#"))
            .and_then(|l| l.split_once(" (online: "))
            .unwrap_or_else(|| panic!("{id}: no link in\n{text}"));
        assert!(
            anchors.iter().any(|a| a == link),
            "{id}: no section `{link}`"
        );
        // The same section where docs.rs renders it (the `zlint::guidance` module), for SARIF.
        let uri = format!("https://docs.rs/chunklint/[VERSION]/zlint/guidance/index.html#{link}");
        assert_eq!(online.strip_suffix(')'), Some(uri.as_str()), "{id}");
        let descriptor = sarif_rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in SARIF"));
        assert_eq!(descriptor["helpUri"], uri.as_str(), "{id}");
        assert!(
            !text.contains("GUIDANCE.md"),
            "{id} cites a file not in the project"
        );
    }
    assert!(guidance.contains("https://blog.dask.org/2021/11/02/choosing-dask-chunk-sizes"));
}

/// Issue 16: the config is found upward from the store (the nearest `zlint.toml`, or
/// `pyproject.toml` with `[tool.zlint]`); a `pyproject.toml` without the table is passed over;
/// `--extend-select` adds to the selection.
#[test]
fn config_discovery_goes_upward_and_reads_pyproject() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let store = project.join("data/raw/hierarchy.zarr");
    copy_dir(std::path::Path::new(MIXED), &store);
    let profile = |extra: &[&str]| -> (String, Vec<String>) {
        let out = zlint()
            .current_dir(dir.path())
            .arg(&store)
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let rules = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        (doc["profile"].as_str().unwrap().to_string(), rules)
    };
    assert_eq!(profile(&[]).0, "analysis");
    std::fs::write(project.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    assert_eq!(profile(&[]).0, "analysis");
    std::fs::write(
        project.join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.zlint]\nprofile = \"cloud\"\nselect = [\"ZL107\"]\n\n\
         [tool.zlint.thresholds]\nchunk-min-bytes = \"2 KiB\"\n",
    )
    .unwrap();
    let (found_profile, rules) = profile(&[]);
    assert_eq!(found_profile, "cloud");
    assert!(rules.iter().all(|r| r == "ZL107"), "{rules:?}");
    let (_, extended) = profile(&["--extend-select", "ZL101"]);
    assert!(extended.iter().any(|r| r == "ZL101"), "{extended:?}");
    // A zlint.toml nearer the store wins.
    std::fs::write(
        project.join("data/zlint.toml"),
        "profile = \"visualization\"\n",
    )
    .unwrap();
    assert_eq!(profile(&[]).0, "visualization");
    // Unknown keys in [tool.zlint] are errors naming the file.
    std::fs::remove_file(project.join("data/zlint.toml")).unwrap();
    std::fs::write(
        project.join("pyproject.toml"),
        "[tool.zlint]\nprofil = \"cloud\"\n",
    )
    .unwrap();
    let out = zlint().arg(&store).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pyproject.toml") && stderr.contains("profil"),
        "{stderr}"
    );
}

/// Issue 32: every rule has its page in docs/rules/, the same text `zlint explain` prints (one
/// source: the registry); `ZLINT_UPDATE_DOCS=1 cargo test rule_pages` writes them.
#[test]
fn rule_pages_are_what_explain_prints() {
    let dir = fixture("../docs/rules");
    for rule in zlint::lint::registry::RULES {
        let page = rule.page();
        let path = dir.join(format!("{}.md", rule.id));
        if std::env::var_os("ZLINT_UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(&dir).expect("docs/rules");
            std::fs::write(&path, &page).expect("write the page");
            continue;
        }
        let written = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{}: missing; run ZLINT_UPDATE_DOCS=1", path.display()));
        assert_eq!(written, page, "{} is stale", path.display());
        let (explained, code) = run(&["explain", rule.id]);
        assert_eq!(code, 0);
        // `run` writes the version as [VERSION] (the guidance link names it).
        let page = page.replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
        assert_eq!(explained, page, "zlint explain {}", rule.id);
    }
    let pages = std::fs::read_dir(&dir).expect("docs/rules").count();
    assert_eq!(
        pages,
        zlint::lint::registry::RULES.len(),
        "a page of no rule"
    );
}
