//! ZL102 chunk-too-large.

use crate::layout::{LayoutView, axis_roles};
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL102",
    name: "chunk-too-large",
    summary: "read units (chunks, or inner chunks when sharded) above the profile's ceiling",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::ByProfile {
        analysis: "a reader decodes the whole read unit to get one value, and dask holds about two per thread, so workers spill or run out of memory",
        cloud: "every read fetches and decodes the whole read unit, so small reads pay for far more bytes than they use",
        visualization: "a viewer fetches and decodes a whole read unit for each tile it draws, so browsing stalls on bytes it never shows",
    },
    check: Check::Array(check),
    explanation: r#"## What it does
Checks the uncompressed size of the read unit (the chunk, or the inner chunk when sharded)
against `chunk-max-bytes`: 1 GiB (analysis), 256 MiB (cloud), 8 MiB (visualization). Above
`chunk-hard-max-bytes` (2 GiB) it is an error.

## Why is this bad?
Reading one value decodes the whole read unit, and dask holds about two per thread in memory;
over 1–2 GB workers run out of memory or spill ("a LOT slower", Dask blog). Blosc cannot
compress buffers over 2 GiB and N5 blocks cannot exceed 2 GB (pangeo rechunker #75, #98).
Viewers want chunks of at most a few MiB (browser caches, fileglancer #430).

## Example
A 512×4096×4096 uint16 volume stored as one 16 GiB chunk.

Use instead: 64×1024×1024 chunks (128 MiB).

## How to fix
`zlint rechunk STORE OUT --auto`.

## Options
`chunk-max-bytes` (per profile), `chunk-hard-max-bytes`.

## Known limitations
None known.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let t = cx.thresholds;
    let roles = axis_roles(array);
    let Some(view) = LayoutView::of_array(array, &roles) else {
        return Vec::new();
    };
    let bytes = view.chunk_bytes();
    let unit = if array.shard_shape.is_some() {
        "inner chunk"
    } else {
        "chunk"
    };
    if bytes > t.chunk_hard_max_bytes {
        return vec![
            Finding::new(
                &array.path,
                format!(
                    "{} per {unit}, above the {} that Blosc and N5 can hold (chunk-hard-max-bytes)",
                    human_bytes(bytes),
                    human_bytes(t.chunk_hard_max_bytes)
                ),
            )
            .measured(bytes as f64, t.chunk_hard_max_bytes as f64)
            .severity(Severity::Error),
        ];
    }
    if !view.read_unit_too_large(t) {
        return Vec::new();
    }
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} per {unit}, above the {} ceiling for {} (chunk-max-bytes)",
                human_bytes(bytes),
                human_bytes(t.chunk_max_bytes),
                cx.profile
            ),
        )
        .measured(bytes as f64, t.chunk_max_bytes as f64),
    ]
}
