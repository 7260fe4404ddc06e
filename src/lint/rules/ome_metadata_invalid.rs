//! ZL503 ome-metadata-invalid.

use serde_json::{Map, Value};

use crate::lint::rule::{Check, Finding, LintContext, Rule, Severity};
use crate::model::{Format, GroupInfo, Multiscale};
use crate::store::formats::ome::OME_KEYS;

pub(crate) const RULE: Rule = Rule {
    id: "ZL503",
    name: "ome-metadata-invalid",
    summary: "OME-NGFF metadata that the specification forbids",
    severity: Severity::Error,
    deep: false,
    recommends: false,
    check: Check::Group(check),
    explanation: r#"## What it does
Checks the OME-NGFF 0.4 and 0.5 metadata of each group against what the specification
requires, and names the key at fault:
- the form that matches the Zarr version: 0.4 keys (`multiscales`, `omero`, `labels`,
  `image-label`, `plate`, `well`) at the top level of Zarr v2 attributes; 0.5 under `ome` in
  Zarr v3, with `ome.version`;
- a `version` on every multiscale, plate, well and label image of the 0.4 form;
- `scale` and `translation` of each level with one value per axis, and every scale above 0;
- every well a plate lists, and every image a well lists, present as a group.

Missing level arrays are ZL202's, axes out of order ZL206's.

## Why is this bad?
OME readers (ome-zarr-py, napari, Neuroglancer, validators such as ome-zarr-models) refuse such
metadata or read something else than was meant: 0.4 metadata in a Zarr v3 group is not an
OME-Zarr image for any of them.

## Example
A Zarr v3 group whose attributes hold `multiscales` with `"version": "0.4"`.

Use instead: the same metadata under `ome`, with `"version": "0.5"` once for all.

## How to fix
`zlint rechunk STORE OUT --format zarr3` (or `zarr2`) writes the metadata in the form of its
output's Zarr version; other mistakes need the metadata edited by the writer that made them.

## Options
None.

## Known limitations
Label images are not compared with their image's shape, and `omero` is not checked.
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
    }
    let entries = ome.unwrap_or(attributes);
    problems.extend(missing_members(group, entries, cx));
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
