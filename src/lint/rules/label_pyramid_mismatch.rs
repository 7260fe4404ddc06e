//! ZL207 label-pyramid-mismatch.

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::GroupInfo;

pub(crate) const RULE: Rule = Rule {
    id: "ZL207",
    name: "label-pyramid-mismatch",
    summary: "an OME-Zarr label image whose pyramid does not match its image's, level by level",
    severity: Severity::Warning,
    deep: false,
    recommends: false,
    why: Why::Always(
        "viewers overlay each label level on the image level of the same index, and OME-NGFF 0.5 validators refuse a label pyramid of another depth",
    ),
    check: Check::Group(check),
    explanation: r#"## What it does
For each OME-NGFF label image (a group with `image-label` at `IMAGE/labels/NAME`), compares its
multiscale pyramid with its image's: the same number of levels, and at every level the same
extent along each spatial axis the two share by name.

## Why is this bad?
Viewers (napari, Neuroglancer, ome-zarr-py) draw label level k over image level k. A label
pyramid with fewer levels has nothing to show at the image's coarser levels, and one whose level
spans another extent is drawn misplaced. The OME-NGFF 0.4 schema does not check this, but 0.5
validators do: ome-zarr-models refuses "Number of image label multiscale levels (2) doesn't
match number of image multiscale levels (3)", so a 0.4 dataset that passes today fails once it
is converted to 0.5.

## Example
An image of three levels (64×64, 32×32, 16×16) with a label image of two (64×64, 32×32).

Use instead: a label image of three levels, downsampled as the image is.

## How to fix
Regenerate the label pyramid with the image's level count and factors (ome-zarr-py's
`write_labels` with the image's `scale_factors`); zlint rewrites layouts, not pyramids, and
`zlint rechunk` warns when it would carry the mismatch into its output.

## Options
None.

## Known limitations
Only the first multiscale of the image and of the label image are compared; axes are matched by
name, and non-spatial axes (channels, time) are not compared.
"#,
};

fn check(group: &GroupInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    cx.store
        .label_pyramid_problems(group)
        .into_iter()
        .map(|message| Finding::new(&group.path, message))
        .collect()
}
