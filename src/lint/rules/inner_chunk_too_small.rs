//! ZL103 inner-chunk-too-small.

use crate::layout::{LayoutView, axis_roles};
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL103",
    name: "inner-chunk-too-small",
    summary: "inner chunks of a sharded array below 16 KiB",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::ByProfile {
        analysis: "every inner chunk costs an index entry and a codec call, so reading a shard spends its time on overhead",
        cloud: "every inner chunk read is its own range request, and tiny ones pay the request latency over and over",
        visualization: "a viewer makes one range request per inner chunk, and tiny ones make every tile slow to appear",
    },
    check: Check::Array(check),
    explanation: r#"## What it does
For sharded Zarr v3 arrays, checks the uncompressed inner chunk size against
`inner-chunk-min-bytes` (16 KiB).
Later levels of a multiscale pyramid chunked as its first level (clipped to their shape) are
judged through the first level: one chunk shape across a pyramid is what viewers want.

## Why is this bad?
Each inner chunk costs a 16-byte index entry, a codec call and, on object stores, a range
request; dask's and xarray's default readers make one task per inner chunk. webKnossos' default
32³ uint8 inner chunks (32 KiB) are fine.

## Example
Shards of 1024³ uint8 with inner chunks of 8×8×8 (512 B): 2 million inner chunks per shard.

Use instead: inner chunks of 64×64×64 (256 KiB) in the same shards.

## How to fix
`zlint rechunk STORE OUT --auto --to zarr3`.

## Options
`inner-chunk-min-bytes`.

## Known limitations
None known.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    // A later pyramid level chunked as the first level is: small because the level is.
    if cx.store.follows_first_level(array) {
        return Vec::new();
    }
    let floor = cx.thresholds.inner_chunk_min_bytes;
    let roles = axis_roles(array);
    let Some(view) = LayoutView::of_array(array, &roles) else {
        return Vec::new();
    };
    if !view.inner_chunk_too_small(cx.thresholds) {
        return Vec::new();
    }
    let bytes = view.chunk_bytes();
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} per inner chunk, below the {} floor (inner-chunk-min-bytes)",
                human_bytes(bytes),
                human_bytes(floor)
            ),
        )
        .measured(bytes as f64, floor as f64),
    ]
}
