//! ZL303 no-consolidated-metadata.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{Format, NodePath, Store};
use crate::profile::Profile;

pub(crate) const RULE: Rule = Rule {
    id: "ZL303",
    name: "no-consolidated-metadata",
    summary: "a large Zarr hierarchy without consolidated metadata (cloud profile)",
    severity: Severity::Info,
    deep: false,
    recommends: false,
    why: Why::Always(
        "opening the hierarchy reads one metadata document per node, slow on object stores",
    ),
    check: Check::Store(check),
    explanation: r#"## What it does
In the cloud profile, flags a Zarr hierarchy of more than `consolidated-min-nodes` (100) nodes
whose root has no consolidated metadata (`.zmetadata`, or `consolidated_metadata` in the root
`zarr.json`).

## Why is this bad?
Without it, opening the hierarchy costs one request per node; on object stores that is seconds
to minutes (Pangeo and ESIP cloud guides).

## Example
A Zarr v2 hierarchy of 500 arrays on S3 without `.zmetadata`.

Use instead: consolidate the metadata (`zarr.consolidate_metadata`).

## How to fix
Run `zarr.consolidate_metadata(store)` after writing.

## Options
`consolidated-min-nodes`.

## Known limitations
Consolidated metadata is not yet part of the Zarr v3 specification.
"#,
};

fn check(store: &Store, cx: &LintContext<'_>) -> Vec<Finding> {
    if cx.profile != Profile::Cloud {
        return Vec::new();
    }
    let Some(root) = store.group(&NodePath::root()) else {
        return Vec::new();
    };
    let nodes = store.node_count();
    if root.format == Format::N5
        || root.consolidated.is_some()
        || nodes <= cx.thresholds.consolidated_min_nodes
    {
        return Vec::new();
    }
    vec![
        Finding::new(
            &root.path,
            format!(
                "{nodes} nodes and no consolidated metadata, which hierarchies of more than {} nodes need (consolidated-min-nodes)",
                cx.thresholds.consolidated_min_nodes
            ),
        )
        .measured(nodes as f64, cx.thresholds.consolidated_min_nodes as f64),
    ]
}
