//! ZL101 chunk-too-small.

use crate::layout::{LayoutView, axis_roles};
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL101",
    name: "chunk-too-small",
    summary: "stored objects (chunks, or shards when sharded) below the profile's floor",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::ByProfile {
        analysis: "dask makes one task per chunk (about 1 ms of scheduling each), and tiny chunks spend their time on that overhead rather than on data",
        cloud: "each object is a request with tens of milliseconds of latency, and tiny ones spend their time waiting rather than transferring",
        visualization: "each object is a file or a request for a viewer, and tiny ones make every screenful wait on hundreds of them",
    },
    check: Check::Array(check),
    explanation: r#"## What it does
Checks the uncompressed size of each stored object (the chunk, or the shard when the array is
sharded) against `chunk-min-bytes`: 1 MiB (analysis), 8 MiB (cloud), 128 KiB (visualization).
An array stored as one object, or whose whole size is below the floor, is never flagged: one
object could not reach the floor either, and a few small objects of a small array (a label
image, a plate's thumbnail level) cost little.
Later levels of a multiscale pyramid chunked as its first level (clipped to their shape) are
judged through the first level: one chunk shape across a pyramid is what viewers want.

## Why is this bad?
Every object costs a task in dask (about 1 ms of scheduling each), a file on disk (inodes,
listing time on HPC file systems) or a request on an object store. "Chunk sizes below 1MB are
almost always bad" (Dask blog, "Choosing good chunk sizes in Dask").

## Example
A 1000×2048×2048 uint16 stack in chunks of 1×256×256 (128 KiB): 64,000 objects.

Use instead: chunks of 16×1024×1024 (32 MiB), or in the visualization profile keep small chunks
and add Zarr v3 shards.

## How to fix
`zlint rechunk STORE OUT --auto` writes the recommended layout shown with the finding.

## Options
`chunk-min-bytes` (per profile).

## Known limitations
Sizes are uncompressed; a highly compressible array stores much smaller objects.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    // A later pyramid level chunked as the first level is: small because the level is.
    if cx.store.follows_first_level(array) {
        return Vec::new();
    }
    let floor = cx.thresholds.chunk_min_bytes;
    let roles = axis_roles(array);
    let Some(view) = LayoutView::of_array(array, &roles) else {
        return Vec::new();
    };
    if !view.object_too_small(cx.thresholds) {
        return Vec::new();
    }
    let bytes = view.object_bytes();
    let unit = if array.shard_shape.is_some() {
        "shard"
    } else {
        "chunk"
    };
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} per {unit}, below the {} floor for {} (chunk-min-bytes), in {} {unit}s",
                human_bytes(bytes),
                human_bytes(floor),
                cx.profile,
                view.object_count()
            ),
        )
        .measured(bytes as f64, floor as f64),
    ]
}
