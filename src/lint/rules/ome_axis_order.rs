//! ZL206 ome-axis-order.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{Axis, GroupInfo};

pub(crate) const RULE: Rule = Rule {
    id: "ZL206",
    name: "ome-axis-order",
    summary: "OME-NGFF axes out of the order the specification requires, or of the wrong count",
    severity: Severity::Warning,
    deep: false,
    recommends: false,
    why: Why::Always("readers then show the image transposed or refuse it"),
    check: Check::Group(check),
    explanation: r#"## What it does
Checks each OME-NGFF multiscale's `axes`: 2 to 5 axes, 2 or 3 of type `space`, ordered time,
then channel (or custom), then space; and as many axes as each level has dimensions.

## Why is this bad?
These are MUSTs of the NGFF specification (0.4, 0.5); viewers that rely on them show the data
transposed or refuse it. fileglancer warns about non-canonical axis order.

## Example
axes `x, y, z`.

Use instead: `z, y, x` (a transpose, not a rechunk).

## How to fix
Rewrite the image with its axes in canonical order (a transposing copy; not a rechunk).

## Options
None.

## Known limitations
For OME-NGFF 0.6, only the axes of the intrinsic coordinate system (the one the levels map to)
are checked.
"#,
};

fn rank(axis: &Axis) -> u8 {
    match axis.axis_type.as_deref() {
        Some("time") => 0,
        Some("space") => 2,
        _ => 1,
    }
}

fn check(group: &GroupInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ms in &group.multiscales {
        if ms.axes.is_empty() {
            continue;
        }
        let names: Vec<&str> = ms.axes.iter().map(|a| a.name.as_str()).collect();
        let spaces = ms.axes.iter().filter(|a| rank(a) == 2).count();
        let typed = ms.axes.iter().all(|a| a.axis_type.is_some());
        let ordered = ms.axes.windows(2).all(|w| rank(&w[0]) <= rank(&w[1]));
        if !(2..=5).contains(&ms.axes.len()) || typed && !(2..=3).contains(&spaces) {
            findings.push(Finding::new(
                &group.path,
                format!("{} axes ({}) with {spaces} spatial; NGFF requires 2–5 axes, 2–3 of them spatial", names.len(), names.join(", ")),
            ));
        } else if typed && !ordered {
            findings.push(Finding::new(
                &group.path,
                format!(
                    "axes {} are not ordered time, channel, space",
                    names.join(", ")
                ),
            ));
        }
        for level in &ms.levels {
            if let Some(array) = cx.store.array(&level.path)
                && array.shape.len() != ms.axes.len()
            {
                findings.push(
                    Finding::new(
                        &group.path,
                        format!(
                            "level `{}` has {} dimensions but {} axes are declared",
                            level.dataset_path,
                            array.shape.len(),
                            ms.axes.len()
                        ),
                    )
                    .severity(Severity::Error),
                );
            }
        }
    }
    findings
}
