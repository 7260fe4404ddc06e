//! ZL403 stray-objects (deep).

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::units::plural;

pub(crate) const RULE: Rule = Rule {
    id: "ZL403",
    name: "stray-objects",
    summary: "files under an array that are not its chunks (deep scan)",
    severity: Severity::Warning,
    deep: true,
    recommends: false,
    why: Why::Always("readers ignore these files, and copies carry them along"),
    check: Check::Array(check),
    explanation: r#"## What it does
With `--deep`, reports arrays with stored objects that are neither metadata nor chunk keys of
their grid, and names the first few.

## Why is this bad?
Readers never look at them: data written under keys the metadata does not spell is invisible,
and the chunks they were meant to be read as the fill value. The usual cause is a chunk key
separator that disagrees with the metadata: a Zarr v2 array written with nested keys (`0/0`) by
a writer that did not record `"dimension_separator": "/"` (zarr-python before 2.8), which every
reader then looks up as `0.0`. Other causes: chunks beyond the array's shape after it shrank,
and leftovers of interrupted writes.

## Example
A Zarr v2 array without `dimension_separator` whose only chunk file is `0/0`: one stray object,
one missing chunk, and every value reads as the fill value.

Use instead: `"dimension_separator": "/"` in `.zarray` when the keys are nested.

## How to fix
When the keys are nested, add `"dimension_separator": "/"` to the array's `.zarray`, then check
with `zlint --deep` that the objects are counted as chunks. Otherwise remove the stray files,
or rewrite the array with `zlint rechunk`, which writes only its chunks.

## Options
None.

## Known limitations
Needs `--deep`.
"#,
};

fn check(array: &ArrayInfo, _cx: &LintContext<'_>) -> Vec<Finding> {
    let Some(stored) = &array.stored else {
        return Vec::new();
    };
    if stored.stray_objects == 0 {
        return Vec::new();
    }
    let examples: Vec<String> = stored.stray_keys.iter().map(|k| format!("`{k}`")).collect();
    let more = if stored.stray_objects > examples.len() as u64 {
        ", …"
    } else {
        ""
    };
    let count = usize::try_from(stored.stray_objects).unwrap_or(usize::MAX);
    let verb = if count == 1 {
        "is not a chunk key"
    } else {
        "are not chunk keys"
    };
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} under the array {verb} of its grid ({}{more}); readers ignore {}",
                plural(count, "stored object"),
                examples.join(", "),
                if count == 1 { "it" } else { "them" }
            ),
        )
        .measured(stored.stray_objects as f64, 0.0),
    ]
}
