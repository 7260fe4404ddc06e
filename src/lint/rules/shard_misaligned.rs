//! ZL201 shard-misaligned.

use crate::layout::LayoutView;
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::shape_text;

pub(crate) const RULE: Rule = Rule {
    id: "ZL201",
    name: "shard-misaligned",
    summary: "a shard shape that is not a whole multiple of the inner chunk shape",
    severity: Severity::Error,
    deep: false,
    recommends: true,
    why: Why::Always(
        "the Zarr sharding specification requires whole inner chunks in a shard, and readers refuse the array",
    ),
    check: Check::Array(check),
    explanation: r#"## What it does
For sharded Zarr v3 arrays, checks that the shard shape is a whole multiple of the inner chunk
shape along every axis.

## Why is this bad?
The sharding codec requires it: the inner chunk shape "must evenly divide" the shard shape
(Zarr v3 sharding specification); readers refuse the array.

## Example
Shards of 100×100 with inner chunks of 32×32.

Use instead: shards of 128×128 (or 96×96).

## How to fix
`zlint rechunk STORE OUT --auto`.

## Options
None.

## Known limitations
None known.
"#,
};

fn check(array: &ArrayInfo, _cx: &LintContext<'_>) -> Vec<Finding> {
    let Some(shards) = &array.shard_shape else {
        return Vec::new();
    };
    let view = LayoutView::of_grid(array);
    if !view.shards_misaligned() {
        return Vec::new();
    }
    vec![Finding::new(
        &array.path,
        format!(
            "shard shape {} is not a whole multiple of inner chunk shape {}",
            shape_text(shards),
            shape_text(&array.chunk_shape)
        ),
    )]
}
