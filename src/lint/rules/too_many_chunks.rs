//! ZL104 too-many-chunks.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;

pub(crate) const RULE: Rule = Rule {
    id: "ZL104",
    name: "too-many-chunks",
    summary: "more read units in one array than dask handles well",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::ByProfile {
        analysis: "dask makes one task per chunk, and graphs this large schedule slowly",
        cloud: "every object is billed and listed as a request, and copying or deleting this many takes hours",
        visualization: "copying, listing or publishing this many objects is slow, even if a viewer reads only a few",
    },
    check: Check::Array(check),
    explanation: r#"## What it does
Counts the read units (chunks, or inner chunks when sharded) of one array: above `max-chunks`
(100,000) it warns, above `max-chunks-info` (10,000) it informs. Off in the visualization
profile.

## Why is this bad?
Default readers (`dask.array.from_zarr`, `xarray.open_zarr`) make one task per stored chunk;
"more than 10,000 or 100,000 chunks may start to perform poorly" (Dask blog), and every
operation multiplies the graph.

## Example
A 100,000×10,000 float32 array in 100×100 chunks: 100,000 chunks.

Use instead: 2,000×2,000 chunks (15 MiB): 250 chunks.

## How to fix
`zlint rechunk STORE OUT --auto`, or read with `chunks="auto"` to group stored chunks.

## Options
`max-chunks`, `max-chunks-info`.

## Known limitations
Sharded arrays with small inner chunks can be read with larger dask chunks; the count is of
stored read units all the same.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let t = cx.thresholds;
    let count = array.chunk_count();
    let (limit, severity) = if count > t.max_chunks {
        (t.max_chunks, Severity::Warning)
    } else if count > t.max_chunks_info {
        (t.max_chunks_info, Severity::Info)
    } else {
        return Vec::new();
    };
    let key = if severity == Severity::Warning {
        "max-chunks"
    } else {
        "max-chunks-info"
    };
    vec![
        Finding::new(
            &array.path,
            format!("{count} chunks, above {key} = {limit} (one dask task each)"),
        )
        .measured(count as f64, limit as f64)
        .severity(severity),
    ]
}
