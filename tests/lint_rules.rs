//! Every rule against its fixtures: each fires on `fixtures/rules/<ID>-fires*` and stays quiet on
//! `<ID>-near-miss*` (fixtures/rules/EXPECTED.json, written by fixtures/generate.py).

mod common;

use std::collections::BTreeSet;

use common::{fixture, scan_fixture};
use serde_json::Value;
use zlint::lint::registry::RULES;
use zlint::lint::{LintReport, Settings, lint};
use zlint::model::NodePath;
use zlint::profile::Profile;
use zlint::progress::NoProgress;
use zlint::scan::{ScanOptions, scan};

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixture("rules/EXPECTED.json")).expect("EXPECTED.json");
    serde_json::from_str::<Value>(&text)
        .expect("JSON")
        .as_object()
        .expect("object")
        .clone()
}

/// Lints a rule fixture as `zlint STORE` would: its own zlint.toml when it has one.
fn lint_fixture(name: &str, deep: bool, profile: Option<Profile>) -> LintReport {
    let dir = fixture(&format!("rules/{name}"));
    let opened = zlint::store::open(dir.to_str().expect("utf-8")).expect("open");
    let settings = match Settings::discover(Some(&dir)) {
        Some(file) => Settings::from_file(&file, profile).expect("config"),
        None => Settings::for_profile(profile.unwrap_or_default()),
    };
    let store = scan(&opened, ScanOptions { deep }, &NoProgress).expect("scan");
    lint(&store, &settings)
}

/// Whether a fixture is linted with `--deep`.
fn is_deep(case: &Value) -> bool {
    case["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .any(|f| f == "--deep")
}

fn rules_of(report: &LintReport) -> BTreeSet<&'static str> {
    report.findings.iter().map(|d| d.rule).collect()
}

#[test]
fn each_rule_fires_on_its_fixture_and_not_on_its_near_miss() {
    for (name, case) in expected() {
        let Some(rule) = case["rule"].as_str() else {
            continue;
        };
        let deep = is_deep(&case);
        let report = lint_fixture(&name, deep, None);
        let fired = rules_of(&report).contains(rule);
        assert_eq!(
            fired,
            case["fires"] == true,
            "{name}: {rule} in {:?}",
            rules_of(&report)
        );
    }
}

#[test]
fn every_rule_has_a_firing_and_a_near_miss_fixture() {
    let cases = expected();
    for rule in RULES {
        let has = |fires: bool| {
            cases
                .values()
                .any(|c| c["rule"] == rule.id && c["fires"] == fires)
        };
        assert!(has(true), "{} has no firing fixture", rule.id);
        assert!(has(false), "{} has no near-miss fixture", rule.id);
    }
}

#[test]
fn good_stores_have_no_findings_in_every_profile_they_fit() {
    for (name, case) in expected() {
        let Some(profiles) = case.get("profiles").and_then(Value::as_array) else {
            continue;
        };
        for profile in profiles {
            let profile = match profile.as_str() {
                Some("analysis") => Profile::Analysis,
                Some("cloud") => Profile::Cloud,
                _ => Profile::Visualization,
            };
            let report = lint_fixture(&name, false, Some(profile));
            assert!(
                report.findings.is_empty(),
                "{name} ({profile}): {:?}",
                report.findings
            );
        }
    }
}

#[test]
fn a_badly_chunked_pyramid_level_is_the_only_node_reported() {
    let report = lint_fixture("ZL202-fires.ome.zarr", false, None);
    assert!(!report.findings.is_empty());
    for d in &report.findings {
        assert_eq!(d.path, NodePath::new("1"), "{d:?}");
    }
    // The recommendation keeps the pyramid's one chunk shape.
    let help = report
        .findings
        .iter()
        .find_map(|d| d.recommendation.as_ref())
        .expect("recommendation");
    assert_eq!(help.chunks, [64, 256, 256]);
}

#[test]
fn findings_are_sorted_by_path_then_rule_and_carry_their_figures() {
    let report = lint_fixture("ZL101-fires.zarr", false, None);
    let d = &report.findings[0];
    assert_eq!((d.rule, d.name), ("ZL101", "chunk-too-small"));
    assert_eq!(d.measured, Some(65536.0));
    assert_eq!(d.threshold, Some(1048576.0));
    assert!(
        d.message
            .contains("64 KiB per chunk, below the 1 MiB floor for analysis (chunk-min-bytes)")
    );
    let recommended = d.recommendation.as_ref().expect("recommendation");
    let bytes: u64 = recommended.chunks.iter().product();
    assert!(bytes >= 1 << 20, "{recommended:?}");

    let report = lint_fixture("ZL202-fires.ome.zarr", false, None);
    let keys: Vec<_> = report
        .findings
        .iter()
        .map(|d| (d.path.clone(), d.rule))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn select_and_ignore_take_ids_prefixes_and_names() {
    let rule = &RULES[0];
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
    assert!(zlint::lint::is_selected(rule, &[], &[]));
    assert!(zlint::lint::is_selected(rule, &s(&["ZL1"]), &[]));
    assert!(zlint::lint::is_selected(
        rule,
        &s(&["chunk-too-small"]),
        &[]
    ));
    assert!(!zlint::lint::is_selected(rule, &s(&["ZL2"]), &[]));
    assert!(!zlint::lint::is_selected(rule, &[], &s(&["zl101"])));
    assert!(!zlint::lint::is_selected(rule, &s(&["ALL"]), &s(&["ZL10"])));
}

/// What one rule says about its firing fixture, as a user reads it: severity, path, message,
/// measured value and threshold, recommended layout.
fn rule_findings_text(report: &LintReport, rule: &str) -> String {
    report
        .findings
        .iter()
        .filter(|d| d.rule == rule)
        .map(|d| {
            let figures = match (d.measured, d.threshold) {
                (Some(m), Some(t)) => format!("\n  measured {m}, threshold {t}"),
                _ => String::new(),
            };
            let help = d
                .recommendation
                .as_ref()
                .map(|r| {
                    format!(
                        "\n  recommended chunks {:?}, shards {:?}",
                        r.chunks, r.shards
                    )
                })
                .unwrap_or_default();
            format!(
                "{} {} {:?} at {}: {}{figures}{help}",
                d.rule, d.name, d.severity, d.path, d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        // Messages naming files name them where the checkout is: not part of the snapshot.
        .replace(env!("CARGO_MANIFEST_DIR"), "<checkout>")
}

/// One snapshot per firing fixture of the messages of its rule: a change of wording is reviewed.
#[test]
fn each_rule_message_reads_as_snapshotted() {
    for (name, case) in expected() {
        let (Some(rule), true) = (case["rule"].as_str(), case["fires"] == true) else {
            continue;
        };
        let deep = is_deep(&case);
        let text = rule_findings_text(&lint_fixture(&name, deep, None), rule);
        assert!(!text.is_empty(), "{name}: no {rule} finding");
        insta::assert_snapshot!(format!("rule_message_{name}"), text);
    }
}

/// ZL503 names wells a plate lists but the store lacks, and a well without its `version`: the
/// ome-zarr-py plate fixture with one well's images removed and its metadata edited.
#[test]
fn ome_metadata_invalid_names_missing_wells_and_versions() {
    let store = scan_fixture("ome/plate-v04.ome.zarr", false);
    let settings = Settings::for_profile(Profile::Analysis);
    let clean: Vec<_> = lint(&store, &settings)
        .findings
        .into_iter()
        .filter(|d| d.rule == "ZL503")
        .collect();
    assert!(clean.is_empty(), "{clean:?}");

    let mut broken = store.clone();
    let gone = NodePath::new("A/2");
    broken
        .groups
        .retain(|g| !g.path.as_str().starts_with("A/2"));
    broken
        .arrays
        .retain(|a| !a.path.as_str().starts_with("A/2"));
    let well = broken
        .groups
        .iter_mut()
        .find(|g| g.path == NodePath::new("A/1"))
        .expect("well A/1");
    well.attributes
        .get_mut("well")
        .and_then(Value::as_object_mut)
        .expect("well metadata")
        .remove("version");
    let messages: Vec<String> = lint(&broken, &settings)
        .findings
        .into_iter()
        .filter(|d| d.rule == "ZL503")
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("lists the well `{}`", gone.as_str()))),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("A/1: `well` has no `version`")),
        "{messages:?}"
    );
}

/// ZL503 compares label images with their image and level arrays with their axes: the
/// ome-zarr-py plate fixture, with its label image shrunk along `x` and one image level given
/// a dimension too many.
#[test]
fn ome_metadata_invalid_compares_labels_and_axes_with_the_arrays() {
    let store = scan_fixture("ome/plate-v04.ome.zarr", false);
    let settings = Settings::for_profile(Profile::Analysis);
    let mut broken = store.clone();
    let label = NodePath::new("A/1/0/labels/cells/s0");
    let level = NodePath::new("A/2/0/s1");
    for array in &mut broken.arrays {
        if array.path == label {
            *array.shape.last_mut().expect("axes") -= 1;
        } else if array.path == level {
            array.shape.insert(0, 1);
        }
    }
    let messages: Vec<String> = lint(&broken, &settings)
        .findings
        .into_iter()
        .filter(|d| d.rule == "ZL503")
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("A/1/0/labels/cells: `image-label`")
                && m.contains("along `x` where its image `A/1/0`")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("A/2/0: `multiscales[0]` dataset `s1`: the array has")),
        "{messages:?}"
    );
}
