//! ZL401 sparse-chunks (deep).

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;

pub(crate) const RULE: Rule = Rule {
    id: "ZL401",
    name: "sparse-chunks",
    summary: "most chunks of an array are absent (deep scan)",
    severity: Severity::Info,
    deep: true,
    recommends: false,
    why: Why::Always("absent chunks are often intended, but can be an interrupted write"),
    check: Check::Array(check),
    explanation: r#"## What it does
With `--deep`, reports arrays where more than `sparse-max` (50 %) of the grid positions have no
stored object (they read as the fill value), and, as a warning, a multiscale level with no
stored chunk at all.

## Why is this bad?
Sparse arrays are fine by design (N5, `write_empty_chunks=False`), but a level or array with no
data at all is usually a failed or interrupted write (ScrollPrize villa #1756).

## Example
A pyramid level whose metadata exists but whose chunks were never written.

Use instead: rewrite the level.

## How to fix
Re-run the writer for that array; `zlint rechunk` keeps absent chunks absent.

## Options
`sparse-max`.

## Known limitations
Needs `--deep`.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let Some(stored) = &array.stored else {
        return Vec::new();
    };
    let total = array.object_count();
    if total == 0 {
        return Vec::new();
    }
    let share = stored.missing_objects as f64 / total as f64;
    let is_level = cx.store.multiscale_of(&array.path).is_some();
    if stored.stored_objects == 0 && is_level {
        return vec![
            Finding::new(
                &array.path,
                format!("multiscale level with none of its {total} chunks stored"),
            )
            .measured(1.0, cx.thresholds.sparse_max)
            .severity(Severity::Warning),
        ];
    }
    if share <= cx.thresholds.sparse_max {
        return Vec::new();
    }
    vec![
        Finding::new(
            &array.path,
            format!(
                "{} of {total} chunks absent ({:.0} %), above sparse-max = {:.0} %",
                stored.missing_objects,
                share * 100.0,
                cx.thresholds.sparse_max * 100.0
            ),
        )
        .measured(share, cx.thresholds.sparse_max),
    ]
}
