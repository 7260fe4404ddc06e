//! ZL106 chunk-exceeds-shape.

use crate::layout::{LayoutView, padding_share};
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{ArrayInfo, Format};

pub(crate) const RULE: Rule = Rule {
    id: "ZL106",
    name: "chunk-exceeds-shape",
    summary: "a chunk extent larger than the array along that axis",
    severity: Severity::Warning,
    deep: false,
    recommends: true,
    why: Why::Always("the padding beyond the array is stored or decoded for nothing"),
    check: Check::Array(check),
    explanation: r#"## What it does
Finds axes where the chunk is longer than the array. It warns when more than half of every
chunk is padding, and informs otherwise.

## Why is this bad?
Zarr stores border chunks at full size ("chunks at the border of an array always have the full
chunk size", Zarr v3 regular grid), so the excess is decoded and held in memory for nothing;
some writers (bioformats2raw) refuse such layouts.

## Example
A 10×2048×2048 array chunked 64×256×256: 84 % of each chunk is padding.

Use instead: 10×256×256 (clipping never changes the chunk count).

## How to fix
`zlint rechunk STORE OUT --auto`.

## Options
None.

## Known limitations
Arrays that will grow along an axis may be chunked beyond their current length on purpose;
ignore the rule for them with a per-path override. N5 stores end blocks clipped.
"#,
};

fn check(array: &ArrayInfo, _cx: &LintContext<'_>) -> Vec<Finding> {
    let view = LayoutView::of_grid(array);
    let axes: Vec<String> = view
        .exceeding_axes()
        .into_iter()
        .map(|i| {
            format!(
                "{}: chunk {} > shape {}",
                array.axis_label(i),
                array.chunk_shape[i],
                array.shape[i]
            )
        })
        .collect();
    if axes.is_empty() {
        return Vec::new();
    }
    let padding = padding_share(&array.shape, &array.chunk_shape);
    let severity = if padding > 0.5 && array.format != Format::N5 {
        Severity::Warning
    } else {
        Severity::Info
    };
    vec![
        Finding::new(
            &array.path,
            format!(
                "{}; {:.0} % of each stored chunk is padding",
                axes.join(", "),
                padding * 100.0
            ),
        )
        .measured(padding, 0.5)
        .severity(severity),
    ]
}
