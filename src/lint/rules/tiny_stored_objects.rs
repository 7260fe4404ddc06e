//! ZL402 tiny-stored-objects (deep).

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::profile::Profile;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL402",
    name: "tiny-stored-objects",
    summary: "the median stored (compressed) object is tiny (deep scan)",
    severity: Severity::Info,
    deep: true,
    recommends: true,
    why: Why::Always("each stored object costs a request, however small compression made it"),
    check: Check::Array(check),
    explanation: r#"## What it does
With `--deep`, flags arrays of more than one stored object whose median stored object is
smaller than `min-stored-object-bytes` (64 KiB). A warning in the cloud profile.

## Why is this bad?
Compression can make objects that look fine uncompressed tiny on disk: files below the file
system's block size waste space, and object-store requests under ~512 KB are dominated by
latency.

## Example
1 MiB chunks of a label image that compress to 2 KiB each.

Use instead: larger chunks, or shards.

## How to fix
`zlint rechunk STORE OUT --auto`.

## Options
`min-stored-object-bytes`.

## Known limitations
Needs `--deep`.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let limit = cx.thresholds.min_stored_object_bytes;
    let Some(stored) = &array.stored else {
        return Vec::new();
    };
    if stored.stored_objects <= 1 || stored.median_object_bytes >= limit {
        return Vec::new();
    }
    let severity = cx.warning_in(Profile::Cloud);
    vec![
        Finding::new(
            &array.path,
            format!(
                "median stored object {}, below the {} floor (min-stored-object-bytes)",
                human_bytes(stored.median_object_bytes),
                human_bytes(limit)
            ),
        )
        .measured(stored.median_object_bytes as f64, limit as f64)
        .severity(severity),
    ]
}
