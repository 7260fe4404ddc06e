//! OME-NGFF `multiscales`: recognised on groups (0.4 and earlier in `.zattrs`, 0.5 and later under
//! `ome` in `zarr.json`) and linked to their level arrays.

use serde_json::{Map, Value};

use crate::model::{Axis, Multiscale, MultiscaleLevel, NodePath, Store};

/// Reads the `multiscales` declared in a group's attributes (none when there are none).
pub(crate) fn multiscales(
    group: &NodePath,
    attributes: &Map<String, Value>,
) -> Result<Vec<Multiscale>, String> {
    let (list, outer_version) = match attributes.get("ome") {
        Some(ome) if ome.get("multiscales").is_some() => (
            &ome["multiscales"],
            ome.get("version").and_then(Value::as_str),
        ),
        _ => match attributes.get("multiscales") {
            Some(list) => (list, None),
            None => return Ok(Vec::new()),
        },
    };
    let Some(list) = list.as_array() else {
        // Not OME-NGFF (n5-universe and others use the key in their own ways): nothing to read,
        // and nothing wrong with the node.
        return Ok(Vec::new());
    };
    list.iter()
        .enumerate()
        .map(|(i, entry)| {
            multiscale(group, entry, outer_version).map_err(|e| format!("multiscales[{i}]: {e}"))
        })
        .collect()
}

fn multiscale(
    group: &NodePath,
    entry: &Value,
    outer_version: Option<&str>,
) -> Result<Multiscale, String> {
    let obj = entry.as_object().ok_or("not an object")?;
    let datasets = obj
        .get("datasets")
        .and_then(Value::as_array)
        .ok_or("missing or non-list `datasets`")?;
    let axes = match obj.get("axes").or_else(|| intrinsic_axes(obj, datasets)) {
        None => Vec::new(),
        Some(Value::Array(axes)) => axes.iter().map(axis).collect::<Result<_, _>>()?,
        Some(_) => return Err("`axes` is not a list".into()),
    };
    let levels = datasets
        .iter()
        .map(|dataset| {
            let dataset_path = dataset
                .get("path")
                .and_then(Value::as_str)
                .ok_or("a dataset has no `path`")?;
            let transforms = dataset
                .get("coordinateTransformations")
                .and_then(Value::as_array);
            Ok(MultiscaleLevel {
                dataset_path: dataset_path.to_string(),
                path: group.join(dataset_path),
                scale: transform(transforms, "scale"),
                translation: transform(transforms, "translation"),
                factors: None,
                found: false,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Multiscale {
        version: obj
            .get("version")
            .and_then(Value::as_str)
            .or(outer_version)
            .map(str::to_string),
        name: obj.get("name").and_then(Value::as_str).map(str::to_string),
        axes,
        levels,
    })
}

/// The axes of an OME-NGFF 0.6 multiscale (RFC-5): those of its "intrinsic" coordinate system,
/// the one its datasets' transformations map to (their `output`), else its first.
fn intrinsic_axes<'a>(obj: &'a Map<String, Value>, datasets: &[Value]) -> Option<&'a Value> {
    let systems = obj.get("coordinateSystems")?.as_array()?;
    let output = datasets
        .first()
        .and_then(|d| d.get("coordinateTransformations"))
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(|t| t.get("output"))
        .and_then(|o| o.get("name").or(Some(o)))
        .and_then(Value::as_str);
    systems
        .iter()
        .find(|s| output.is_some() && s.get("name").and_then(Value::as_str) == output)
        .or_else(|| systems.first())?
        .get("axes")
}

fn axis(value: &Value) -> Result<Axis, String> {
    match value {
        // NGFF 0.3 listed axes as bare names.
        Value::String(name) => Ok(Axis {
            name: name.clone(),
            axis_type: None,
            unit: None,
        }),
        Value::Object(obj) => Ok(Axis {
            name: obj
                .get("name")
                .and_then(Value::as_str)
                .ok_or("an axis has no `name`")?
                .to_string(),
            axis_type: obj.get("type").and_then(Value::as_str).map(str::to_string),
            unit: obj.get("unit").and_then(Value::as_str).map(str::to_string),
        }),
        _ => Err("an axis is neither a name nor an object".into()),
    }
}

/// The `kind` (`scale`, `translation`) transformation of a level: listed directly (0.4, 0.5),
/// or inside a `sequence` (0.6).
fn transform(transforms: Option<&Vec<Value>>, kind: &str) -> Option<Vec<f64>> {
    transforms?
        .iter()
        .find_map(|t| match t.get("type").and_then(Value::as_str) {
            Some("sequence") => transform(t.get("transformations")?.as_array(), kind),
            Some(k) if k == kind => t.get(kind)?.as_array()?.iter().map(Value::as_f64).collect(),
            _ => None,
        })
}

/// The downsampling factors an n5-viewer / BigDataViewer pyramid declares for its level `k`:
/// the group's `scales[k]`, or the level's own `downsamplingFactors`; in N5 order (fastest axis
/// first) as stored.
fn n5_level_factors(
    group: &Map<String, Value>,
    level: &Map<String, Value>,
    k: usize,
) -> Option<Vec<f64>> {
    let numbers =
        |v: &Value| -> Option<Vec<f64>> { v.as_array()?.iter().map(Value::as_f64).collect() };
    group
        .get("scales")
        .and_then(|scales| scales.get(k))
        .and_then(numbers)
        .or_else(|| level.get("downsamplingFactors").and_then(numbers))
}

/// N5 pyramids as n5-viewer and BigDataViewer write them: a group of arrays `s0`, `s1`, …
/// whose downsampling factors the group gives (`scales`) or each level does
/// (`downsamplingFactors`). Each becomes the group's multiscale, in C order as zlint shows N5,
/// so that the multiscale rules apply to it.
fn n5_pyramids(store: &mut Store) {
    for group_index in 0..store.groups.len() {
        let group = &store.groups[group_index];
        if group.format != crate::model::Format::N5 || !group.multiscales.is_empty() {
            continue;
        }
        let mut levels = Vec::new();
        for k in 0.. {
            let path = group.path.join(&format!("s{k}"));
            let Some(array) = store.array(&path) else {
                break;
            };
            let Some(mut factors) = n5_level_factors(&group.attributes, &array.attributes, k)
            else {
                break;
            };
            if factors.len() != array.shape.len() {
                break;
            }
            factors.reverse();
            levels.push(MultiscaleLevel {
                dataset_path: format!("s{k}"),
                path,
                scale: Some(factors),
                translation: None,
                factors: None,
                found: true,
            });
        }
        if levels.len() >= 2 {
            let name = group.path.to_string();
            store.groups[group_index].multiscales = vec![Multiscale {
                version: None,
                name: Some(name),
                axes: Vec::new(),
                levels,
            }];
        }
    }
}

/// Links every multiscale level to its array: marks levels found, computes per-axis downsampling
/// factors, and gives level arrays their axes (and dimension names, when they have none). N5
/// pyramids are recognised first.
pub(crate) fn link(store: &mut Store) {
    n5_pyramids(store);
    let mut axes_for: Vec<(NodePath, Vec<Axis>)> = Vec::new();
    for group_index in 0..store.groups.len() {
        let mut multiscales = std::mem::take(&mut store.groups[group_index].multiscales);
        for ms in &mut multiscales {
            let shapes: Vec<Option<Vec<u64>>> = ms
                .levels
                .iter()
                .map(|level| store.array(&level.path).map(|a| a.shape.clone()))
                .collect();
            let first_scale = ms.levels.first().and_then(|l| l.scale.clone());
            let first_shape = shapes.first().cloned().flatten();
            for (level, shape) in ms.levels.iter_mut().zip(&shapes) {
                level.found = shape.is_some();
                level.factors = match (&first_scale, &level.scale) {
                    (Some(first), Some(scale)) if first.len() == scale.len() => Some(
                        scale
                            .iter()
                            .zip(first)
                            .map(|(s, f)| if *f == 0.0 { 1.0 } else { s / f })
                            .collect(),
                    ),
                    _ => match (&first_shape, shape) {
                        (Some(first), Some(shape)) if first.len() == shape.len() => Some(
                            first
                                .iter()
                                .zip(shape)
                                .map(|(f, s)| if *s == 0 { 1.0 } else { *f as f64 / *s as f64 })
                                .collect(),
                        ),
                        _ => None,
                    },
                };
                if level.found && !ms.axes.is_empty() {
                    axes_for.push((level.path.clone(), ms.axes.clone()));
                }
            }
        }
        store.groups[group_index].multiscales = multiscales;
    }
    for (path, axes) in axes_for {
        if let Ok(i) = store.arrays.binary_search_by(|a| a.path.cmp(&path)) {
            let array = &mut store.arrays[i];
            if axes.len() != array.shape.len() {
                continue;
            }
            if array.dimension_names.is_none() {
                array.dimension_names = Some(axes.iter().map(|a| Some(a.name.clone())).collect());
            }
            array.axes = Some(axes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_ngff_04_and_05_layouts() {
        let v04 = json!({"multiscales": [{"version": "0.4", "axes": [
            {"name": "z", "type": "space", "unit": "micrometer"}, {"name": "y", "type": "space"}],
            "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1.0, 0.5]}]},
                         {"path": "1", "coordinateTransformations": [{"type": "scale", "scale": [2.0, 1.0]}]}]}]});
        let ms = multiscales(&NodePath::new("img"), v04.as_object().unwrap()).unwrap();
        assert_eq!(ms[0].version.as_deref(), Some("0.4"));
        assert_eq!(ms[0].levels[1].path.as_str(), "img/1");
        assert_eq!(ms[0].levels[1].scale, Some(vec![2.0, 1.0]));
        assert_eq!(ms[0].axes[0].unit.as_deref(), Some("micrometer"));

        let v05 = json!({"ome": {"version": "0.5", "multiscales": [{"axes": ["y", "x"],
            "datasets": [{"path": "s0"}]}]}});
        let ms = multiscales(&NodePath::root(), v05.as_object().unwrap()).unwrap();
        assert_eq!(ms[0].version.as_deref(), Some("0.5"));
        assert_eq!(ms[0].axes[1].name, "x");
    }

    #[test]
    fn reads_ngff_06_coordinate_systems_and_sequences() {
        let v06 = json!({"ome": {"version": "0.6", "multiscales": [{
            "coordinateSystems": [
                {"name": "other", "axes": [{"name": "a"}, {"name": "b"}]},
                {"name": "physical", "axes": [
                    {"name": "y", "type": "space", "unit": "micrometer"},
                    {"name": "x", "type": "space", "unit": "micrometer"}]}],
            "datasets": [
                {"path": "s0", "coordinateTransformations": [{"type": "scale", "scale": [0.5, 0.5],
                    "input": {"path": "s0"}, "output": {"name": "physical"}}]},
                {"path": "s1", "coordinateTransformations": [{"type": "sequence",
                    "output": {"name": "physical"}, "transformations": [
                        {"type": "scale", "scale": [1.0, 1.0]},
                        {"type": "translation", "translation": [0.25, 0.25]}]}]}]}]}});
        let ms = multiscales(&NodePath::root(), v06.as_object().unwrap()).unwrap();
        assert_eq!(ms[0].version.as_deref(), Some("0.6"));
        let names: Vec<&str> = ms[0].axes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["y", "x"]);
        assert_eq!(ms[0].levels[1].scale, Some(vec![1.0, 1.0]));
        assert_eq!(ms[0].levels[1].translation, Some(vec![0.25, 0.25]));
    }

    #[test]
    fn malformed_multiscales_are_errors() {
        let bad = json!({"multiscales": [{"datasets": [{"nopath": 1}]}]});
        let err = multiscales(&NodePath::root(), bad.as_object().unwrap()).unwrap_err();
        assert!(err.contains("multiscales[0]"), "{err}");
    }
}
