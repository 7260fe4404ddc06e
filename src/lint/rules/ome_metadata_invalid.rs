//! ZL503 ome-metadata-invalid.

use serde_json::{Map, Value};

use crate::formats::ome::OME_KEYS;
use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity, Why};
use crate::model::{ArrayInfo, Format, GroupInfo, Multiscale};

pub(crate) const RULE: Rule = Rule {
    id: "ZL503",
    name: "ome-metadata-invalid",
    summary: "OME-NGFF metadata that the specification forbids",
    severity: Severity::Error,
    deep: false,
    recommends: false,
    why: Why::Always("OME readers and validators refuse such images or read them wrongly"),
    check: Check::Group(check),
    explanation: r#"## What it does
Checks the OME-NGFF 0.4 and 0.5 metadata of each group against what the specification
requires, and names the key at fault:
- the form that matches the Zarr version: 0.4 keys (`multiscales`, `omero`, `labels`,
  `image-label`, `plate`, `well`) at the top level of Zarr v2 attributes; 0.5 under `ome` in
  Zarr v3, with `ome.version`;
- a `version` on every multiscale, plate, well and label image of the 0.4 form;
- `scale` and `translation` of each level with one value per axis, and every scale above 0;
- every well a plate lists, and every image a well lists, present as a group;
- every `datasets[].path` an array (not a group) with one dimension per axis;
- each label image (`image-label`) spanning its image: the same extent along every spatial axis
  the two share.

Missing level arrays are ZL202's, axes out of order ZL206's.

## Why is this bad?
OME readers (ome-zarr-py, napari, Neuroglancer, validators such as ome-zarr-models) refuse such
metadata or read something else than was meant: 0.4 metadata in a Zarr v3 group is not an
OME-Zarr image for any of them.

## Example
A Zarr v3 group whose attributes hold `multiscales` with `"version": "0.4"`.

Use instead: the same metadata under `ome`, with `"version": "0.5"` once for all.

## How to fix
`zlint rechunk STORE OUT --to zarr3` (or `zarr2`) writes the metadata in the form of its
output's Zarr version; other mistakes need the metadata edited by the writer that made them.

## Options
None.

## Known limitations
`omero` is not checked, and label images are compared with their image at the first level
only.
"#,
};

fn check(group: &GroupInfo, cx: &LintContext<'_>) -> Vec<Finding> {
    let attributes = &group.attributes;
    let mut problems = Vec::new();
    let top_level: Vec<&str> = OME_KEYS
        .iter()
        .copied()
        .filter(|k| attributes.contains_key(*k))
        .collect();
    let ome = attributes.get("ome").and_then(Value::as_object);
    match group.format {
        Format::Zarr3 if !top_level.is_empty() => problems.push(format!(
            "OME-NGFF 0.4 keys at the top level of Zarr v3 attributes ({}): OME-NGFF 0.5 holds them under `ome`",
            top_level.join(", ")
        )),
        Format::Zarr2 if ome.is_some() => problems.push(
            "OME-NGFF 0.5 metadata (`ome`) in Zarr v2 attributes: 0.5 needs Zarr v3, Zarr v2 holds 0.4"
                .to_string(),
        ),
        _ => {}
    }
    match ome {
        Some(ome) if ome.get("version").and_then(Value::as_str).is_none() => {
            problems.push("`ome` has no `version`".to_string());
        }
        Some(_) => {}
        None => problems.extend(missing_versions(attributes)),
    }
    for (i, multiscale) in group.multiscales.iter().enumerate() {
        problems.extend(transform_problems(i, multiscale));
        problems.extend(level_problems(i, multiscale, cx));
    }
    let entries = ome.unwrap_or(attributes);
    problems.extend(missing_members(group, entries, cx));
    if entries.contains_key("image-label") {
        problems.extend(label_shape_problems(group, cx));
    }
    problems
        .into_iter()
        .map(|problem| Finding::new(&group.path, problem))
        .collect()
}

/// The 0.4-form keys without their `version`.
fn missing_versions(attributes: &Map<String, Value>) -> Vec<String> {
    let mut missing = Vec::new();
    if let Some(Value::Array(list)) = attributes.get("multiscales") {
        for (i, entry) in list.iter().enumerate() {
            if entry.get("version").is_none() {
                missing.push(format!("`multiscales[{i}]` has no `version`"));
            }
        }
    }
    for key in ["plate", "well", "image-label"] {
        if let Some(value) = attributes.get(key)
            && value.get("version").is_none()
        {
            missing.push(format!("`{key}` has no `version`"));
        }
    }
    missing
}

/// Scales and translations of the wrong length, and scales that are not above zero.
fn transform_problems(index: usize, multiscale: &Multiscale) -> Vec<String> {
    let axes = multiscale.axes.len();
    let mut problems = Vec::new();
    for level in &multiscale.levels {
        let at = format!("`multiscales[{index}]` dataset `{}`", level.dataset_path);
        for (kind, values) in [("scale", &level.scale), ("translation", &level.translation)] {
            if let Some(values) = values
                && axes > 0
                && values.len() != axes
            {
                problems.push(format!(
                    "{at}: `{kind}` has {} values for {axes} axes",
                    values.len()
                ));
            }
        }
        if let Some(scale) = &level.scale
            && scale.iter().any(|&s| s.is_nan() || s <= 0.0)
        {
            problems.push(format!("{at}: a `scale` value is not above 0"));
        }
    }
    problems
}

/// Dataset paths that name a group rather than an array, and level arrays whose number of
/// dimensions is not the number of axes.
fn level_problems(index: usize, multiscale: &Multiscale, cx: &LintContext<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    for level in &multiscale.levels {
        let at = format!("`multiscales[{index}]` dataset `{}`", level.dataset_path);
        match cx.store.array(&level.path) {
            None if cx.store.group(&level.path).is_some() => {
                problems.push(format!("{at}: `path` names a group, not an array"));
            }
            Some(array)
                if !multiscale.axes.is_empty() && array.shape.len() != multiscale.axes.len() =>
            {
                problems.push(format!(
                    "{at}: the array has {} dimensions for {} `axes`",
                    array.shape.len(),
                    multiscale.axes.len()
                ));
            }
            _ => {}
        }
    }
    problems
}

/// A label image (`image-label`, at `IMAGE/labels/NAME`) whose first level does not span the
/// same space as its image's first level: each spatial axis the two share by name has the same
/// extent. Channel and time axes may differ (a label image has no channels).
fn label_shape_problems(group: &GroupInfo, cx: &LintContext<'_>) -> Vec<String> {
    let Some(image_path) = group.path.parent().and_then(|labels| labels.parent()) else {
        return Vec::new();
    };
    let (Some((label_ms, label)), Some((image_ms, image))) = (
        first_level(group, cx),
        cx.store
            .group(&image_path)
            .and_then(|image| first_level(image, cx)),
    ) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for (axis, extent) in label_ms.axes.iter().zip(&label.shape) {
        if axis.axis_type.as_deref() != Some("space") {
            continue;
        }
        let image_extent = image_ms
            .axes
            .iter()
            .position(|a| a.name == axis.name)
            .map(|i| image.shape[i]);
        if let Some(image_extent) = image_extent
            && image_extent != *extent
        {
            problems.push(format!(
                "`image-label`: the label image spans {extent} along `{}` where its image `{image_path}` spans {image_extent}",
                axis.name
            ));
        }
    }
    problems
}

/// A group's first multiscale and its first level's array, when the axes describe the array.
fn first_level<'a>(
    group: &'a GroupInfo,
    cx: &LintContext<'a>,
) -> Option<(&'a Multiscale, &'a ArrayInfo)> {
    let multiscale = group.multiscales.first()?;
    let array = cx.store.array(&multiscale.levels.first()?.path)?;
    (multiscale.axes.len() == array.shape.len()).then_some((multiscale, array))
}

/// Wells of a plate and images of a well that are listed but not in the store.
fn missing_members(
    group: &GroupInfo,
    entries: &Map<String, Value>,
    cx: &LintContext<'_>,
) -> Vec<String> {
    let mut missing = Vec::new();
    let listed = |key: &str, list: &str| -> Vec<String> {
        entries
            .get(key)
            .and_then(|v| v.get(list))
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.get("path").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    for (key, list, what) in [("plate", "wells", "well"), ("well", "images", "image")] {
        for path in listed(key, list) {
            if cx.store.group(&group.path.join(&path)).is_none() {
                missing.push(format!(
                    "`{key}.{list}` lists the {what} `{path}`, which is not in the store"
                ));
            }
        }
    }
    missing
}
