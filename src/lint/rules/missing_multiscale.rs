//! ZL205 missing-multiscale.

use crate::layout::{AxisRole, axis_roles};
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::ArrayInfo;
use crate::profile::Profile;
use crate::units::human_bytes;

pub(crate) const RULE: Rule = Rule {
    id: "ZL205",
    name: "missing-multiscale",
    summary: "a large image that is not part of an OME-Zarr multiscale pyramid",
    severity: Severity::Info,
    deep: false,
    recommends: false,
    why: Why::Always("without a pyramid a viewer must read full resolution to show an overview"),
    check: Check::Array(check),
    explanation: r#"## What it does
Finds image arrays (two or more spatial axes, from OME-NGFF axes or dimension names x, y, z)
larger than `multiscale-min-pixels` (4096) along a spatial axis or `multiscale-min-bytes`
(1 GiB) in all, that are not a level of an OME-Zarr multiscale image. Arrays without axis
information are not judged. Info; a warning in the visualization profile.

## Why is this bad?
Viewers must read full resolution to show an overview: napari cannot display more than 16,384
pixels per axis without a pyramid, and fileglancer warns about single-level images over 1 GB.

## Example
A 20000×20000 uint16 image with dimension names y, x and no `multiscales`.

Use instead: an OME-Zarr image with levels downsampled by 2 until every axis is ≤ 2048.

## How to fix
Write a pyramid with ngff-zarr or ome-zarr-py.

## Options
`multiscale-min-pixels`, `multiscale-min-bytes`.

## Known limitations
zlint does not yet write pyramids itself.
"#,
};

fn check(array: &ArrayInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let t = cx.thresholds;
    let roles = axis_roles(array);
    let spatial: Vec<u64> = array
        .shape
        .iter()
        .zip(&roles)
        .filter(|(_, r)| **r == AxisRole::Space)
        .map(|(s, _)| *s)
        .collect();
    if spatial.len() < 2 {
        return Vec::new();
    }
    let is_level = cx.store.multiscale_of(&array.path).is_some();
    if is_level {
        return Vec::new();
    }
    let largest = spatial.iter().copied().max().unwrap_or(0);
    let size = array.size_bytes().unwrap_or(0);
    if largest <= t.multiscale_min_pixels && size <= t.multiscale_min_bytes {
        return Vec::new();
    }
    let severity = cx.warning_in(Profile::Visualization);
    vec![
        Finding::new(
            &array.path,
            format!(
                "image of {largest} px along its largest spatial axis ({}) with no multiscale pyramid, which images above {} px or {} need (multiscale-min-pixels, multiscale-min-bytes)",
                human_bytes(size),
                t.multiscale_min_pixels,
                human_bytes(t.multiscale_min_bytes)
            ),
        )
        .measured(largest as f64, t.multiscale_min_pixels as f64)
        .severity(severity),
    ]
}
