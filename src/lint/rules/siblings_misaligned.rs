//! ZL204 siblings-misaligned.

use std::collections::BTreeMap;

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{GroupInfo, NodePath};

pub(crate) const RULE: Rule = Rule {
    id: "ZL204",
    name: "siblings-misaligned",
    summary: "arrays of one group chunked differently along a dimension they share",
    severity: Severity::Info,
    deep: false,
    recommends: false,
    why: Why::Always("combining these arrays (as xarray does) rechunks one of them every time"),
    check: Check::Group(check),
    explanation: r#"## What it does
Within one group, finds arrays that share a dimension name (Zarr v3 `dimension_names` or xarray
`_ARRAY_DIMENSIONS`) of the same length but are chunked differently along it.

## Why is this bad?
Operations that combine such arrays (xarray datasets, dask `unify_chunks`) rechunk them to the
union of their chunk boundaries first, multiplying tasks; dask warns when the count grows
tenfold.

## Example
`temperature(time, lat, lon)` chunked 10 along time and `pressure(time, lat, lon)` chunked 24.

Use instead: one chunk size per shared dimension.

## How to fix
`zlint rechunk STORE OUT --chunks PATH=...` for the odd arrays.

## Options
None.

## Known limitations
Coordinate arrays (1-D arrays named after their dimension) are skipped.
"#,
};

fn check(group: &GroupInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    // dimension name → (length, chunk extent, array) for the group's direct children.
    let mut seen: BTreeMap<&str, Vec<(u64, u64, &NodePath)>> = BTreeMap::new();
    for array in cx.store.child_arrays(&group.path) {
        let Some(names) = &array.dimension_names else {
            continue;
        };
        let coordinate = names.len() == 1 && names[0].as_deref() == Some(array.path.name());
        if coordinate {
            continue;
        }
        for (i, name) in names.iter().enumerate() {
            if let Some(name) = name {
                seen.entry(name).or_default().push((
                    array.shape[i],
                    array.chunk_shape[i],
                    &array.path,
                ));
            }
        }
    }
    let mut findings = Vec::new();
    for (name, uses) in seen {
        let Some(&(length, chunk, first)) = uses.first() else {
            continue;
        };
        let odd: Vec<String> = uses
            .iter()
            .filter(|(l, c, _)| *l == length && *c != chunk)
            .map(|(_, c, p)| format!("`{}` by {c}", p.name()))
            .collect();
        if !odd.is_empty() {
            findings.push(Finding::new(
                &group.path,
                format!(
                    "dimension `{name}` is chunked by {chunk} in `{}` but {}",
                    first.name(),
                    odd.join(", ")
                ),
            ));
        }
    }
    findings
}
