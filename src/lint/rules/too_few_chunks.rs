//! ZL105 too-few-chunks.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::{human_bytes, plural};

pub(crate) const RULE: Rule = Rule {
    id: "ZL105",
    name: "too-few-chunks",
    summary: "a large array in fewer chunks than twice the worker cores",
    severity: Severity::Info,
    deep: false,
    recommends: true,
    why: Why::ByProfile {
        analysis: "with fewer chunks than cores, cores sit idle",
        cloud: "with fewer objects than parallel requests, reads cannot overlap their latency",
        visualization: "with so few chunks a viewer downloads most of the array to show one tile",
    },
    check: Check::Array(check),
    explanation: r#"## What it does
For arrays of at least 256 MiB, checks that there are at least 2 × `cores` chunks, when the
array could be split that far with every chunk still above `chunk-min-bytes`.

## Why is this bad?
Dask needs at least as many chunks as worker cores, "or better, the number of worker cores
times 2", or workers sit idle (Dask blog).

## Example
A 2 GiB array stored as 2 chunks of 1 GiB, processed on 8 cores.

Use instead: 16 or more chunks of at most 128 MiB.

## How to fix
`zlint rechunk STORE OUT --auto`.

## Options
`cores` (default 8), `too-few-chunks-min-array-bytes` (256 MiB).

## Known limitations
zlint cannot know the cluster; set `cores` to the workers you use.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let t = cx.thresholds;
    let Some(size) = array.size_bytes() else {
        return Vec::new();
    };
    let wanted = 2 * t.cores;
    let count = array.chunk_count();
    let splittable = size >= wanted.saturating_mul(t.chunk_min_bytes);
    if size < t.too_few_chunks_min_array_bytes || count >= wanted || !splittable {
        return Vec::new();
    }
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} for {}, fewer than 2 × cores = {wanted}",
                plural(usize::try_from(count).unwrap_or(usize::MAX), "chunk"),
                human_bytes(size)
            ),
        )
        .measured(count as f64, wanted as f64),
    ]
}
