//! ZL107 edge-waste.

use crate::layout::LayoutView;
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;

pub(crate) const RULE: Rule = Rule {
    id: "ZL107",
    name: "edge-waste",
    summary: "a large share of stored bytes is padding in partial edge chunks",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::Always("padding in edge chunks is decoded and held in memory like data"),
    check: Check::Array(check),
    explanation: r#"## What it does
Computes the share of stored elements that are padding in the partial chunks at the array's
edges, `1 − Π shape / Π (ceil(shape/chunk) · chunk)`, and flags it above `edge-waste-max`
(25 %). Chunks longer than the array are ZL106's; Zarr only (N5 stores end blocks clipped).
Later levels of a multiscale pyramid chunked as its first level (clipped to their shape) are
judged through the first level: one chunk shape across a pyramid is what viewers want.

## Why is this bad?
Zarr stores edge chunks at full size: the padding is written, read, decoded and held in memory.
Padding usually compresses well, so the cost is mostly in decoding and memory.

## Example
A 1025×1025 array in 1024×1024 chunks: 75 % of the stored elements are padding.

Use instead: 513×513 chunks (a balanced split, as dask's `balance=True`).

## How to fix
`zlint rechunk STORE OUT --auto`.

## Options
`edge-waste-max` (0.25).

## Known limitations
None known.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    // A later pyramid level chunked as the first level is: small because the level is.
    if cx.store.follows_first_level(array) {
        return Vec::new();
    }
    let limit = cx.thresholds.edge_waste_max;
    let view = LayoutView::of_grid(array);
    let Some(share) = view.edge_waste(cx.thresholds) else {
        return Vec::new();
    };
    vec![
        Finding::new(
            &array.path,
            format!(
                "{:.0} % of stored elements are edge padding, above edge-waste-max = {:.0} %",
                share * 100.0,
                limit * 100.0
            ),
        )
        .measured(share, limit),
    ]
}
