//! ZL501 metadata-invalid.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::Store;

/// How many missing nodes a finding names; `zlint scan --json` has them all.
const NAMES_SHOWN: usize = 10;

pub(crate) const RULE: Rule = Rule {
    id: "ZL501",
    name: "metadata-invalid",
    summary: "metadata that cannot be read, is invalid, or disagrees with the store",
    severity: Severity::Error,
    deep: false,
    recommends: false,
    why: Why::Always("nothing else about the node can be read or judged"),
    check: Check::Store(check),
    explanation: r#"## What it does
Reports every node whose metadata could not be read: invalid JSON, missing or malformed keys,
shapes and chunks of different rank, unknown codecs, unreadable files. Also reports consolidated
metadata that lists nodes the store does not hold, and a zipped OME-Zarr (`.ozx`) whose archive
comment promises its `zarr.json` entries first (RFC-9's `jsonFirst`) when they are not (both
warnings: readers trusting them miss nodes).

## Why is this bad?
Readers refuse such nodes, or silently read something else than what is stored.

## Example
A `zarr.json` cut short by an interrupted write.

## How to fix
Repair or rewrite the metadata named in the message; re-consolidate stale metadata.

## Options
None.

## Known limitations
zlint reads metadata; it does not decode chunks to check them (use `zlint verify`).
"#,
};

fn check(store: &Store, _cx: &LintContext<'_>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = store
        .errors
        .iter()
        .map(|error| {
            Finding::new(
                &error.node,
                format!("{}: {}", error.location, error.message),
            )
        })
        .collect();
    findings.extend(store.warnings.iter().map(|warning| {
        Finding::new(
            &warning.node,
            format!("{}: {}", warning.location, warning.message),
        )
        .severity(Severity::Warning)
    }));
    for group in &store.groups {
        if let Some(consolidated) = &group.consolidated
            && !consolidated.missing_nodes.is_empty()
        {
            let missing = &consolidated.missing_nodes;
            let mut named: Vec<&str> = missing
                .iter()
                .take(NAMES_SHOWN)
                .map(|p| p.as_str())
                .collect();
            let more = format!(
                "and {} more (`zlint scan --json` lists them all)",
                missing.len().saturating_sub(NAMES_SHOWN)
            );
            if missing.len() > NAMES_SHOWN {
                named.push(&more);
            }
            findings.push(
                Finding::new(
                    &group.path,
                    format!(
                        "consolidated metadata lists {} node(s) the store does not hold: {}",
                        missing.len(),
                        named.join(", ")
                    ),
                )
                .severity(Severity::Warning),
            );
        }
    }
    findings
}
