//! Multiscale pyramids across N5 and Zarr. N5 readers (n5-viewer, BigDataViewer, Neuroglancer)
//! know a pyramid by its group attributes: `scales` (the downsampling factors of the levels
//! `s0`, `s1`, …, fastest axis first), `pixelResolution` (the first level's voxel size and
//! unit) and `multiScale`. OME-Zarr readers know it by OME-NGFF `multiscales`. A rechunk
//! between the two writes the target's form beside what the source had, so that the output
//! opens as a pyramid in the target's viewers.

use serde_json::{Map, Value, json};

use crate::model::{Multiscale, NodePath};

/// The group attributes n5-viewer reads, written for a pyramid bound for N5.
const N5_PYRAMID_KEYS: &[&str] = &["multiScale", "scales", "pixelResolution"];

/// Group attributes that describe a multiscale in N5 form, and what writing them means.
#[derive(Clone, Debug, PartialEq)]
pub struct N5Pyramid {
    /// `multiScale`, `scales` and `pixelResolution` (the latter when the levels have scales).
    pub attributes: Map<String, Value>,
    /// What was written, or why readers may not see it as a pyramid.
    pub note: String,
}

/// The n5-viewer pyramid attributes for the OME-NGFF `multiscale` (axes and factors in C order,
/// as zlint models them; N5 lists them fastest axis first). `None` when a level's factors are
/// unknown or the group already has attributes of those names.
#[must_use]
pub fn n5_pyramid(multiscale: &Multiscale, existing: &Map<String, Value>) -> Option<N5Pyramid> {
    if N5_PYRAMID_KEYS.iter().any(|k| existing.contains_key(*k)) {
        return None;
    }
    let scales: Vec<Value> = multiscale
        .levels
        .iter()
        .map(|level| {
            let factors = level.factors.as_ref()?;
            Some(Value::Array(
                factors.iter().rev().map(|f| number(*f)).collect(),
            ))
        })
        .collect::<Option<_>>()?;
    if scales.len() < 2 {
        return None;
    }
    let mut attributes = Map::new();
    attributes.insert("multiScale".into(), json!(true));
    attributes.insert("scales".into(), Value::Array(scales));
    if let Some(scale) = multiscale.levels.first().and_then(|l| l.scale.as_ref()) {
        let mut resolution = Map::new();
        resolution.insert(
            "dimensions".into(),
            Value::Array(scale.iter().rev().map(|s| number(*s)).collect()),
        );
        if let Some(unit) = common_space_unit(multiscale) {
            resolution.insert("unit".into(), json!(n5_unit(&unit)));
        }
        attributes.insert("pixelResolution".into(), Value::Object(resolution));
    }
    let standard = multiscale
        .levels
        .iter()
        .enumerate()
        .all(|(k, level)| level.dataset_path == format!("s{k}"));
    let note = if standard {
        "OME-NGFF multiscales → N5 pyramid: `scales`, `pixelResolution` and `multiScale` written \
         for n5-viewer and Neuroglancer"
            .to_string()
    } else {
        format!(
            "OME-NGFF multiscales → N5 pyramid: `scales`, `pixelResolution` and `multiScale` \
             written, but the levels are named {} where n5-viewer and Neuroglancer look for s0, s1, …",
            multiscale
                .levels
                .iter()
                .map(|l| format!("`{}`", l.dataset_path))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Some(N5Pyramid { attributes, note })
}

/// OME-NGFF 0.4 `multiscales` for an N5 pyramid, as zlint's scanner linked it (levels `s0`,
/// `s1`, … whose scales are the downsampling factors, in C order), with the voxel size and unit
/// of the group's `pixelResolution` and the axis names of its `axes` (or `z`, `y`, `x` for three
/// axes and `y`, `x` for two). The caller moves it to the form of the target's Zarr version.
///
/// # Errors
/// Why no OME-NGFF multiscale can describe the pyramid (its axes cannot be named as OME-NGFF
/// requires).
pub fn ome_multiscales(
    group: &NodePath,
    multiscale: &Multiscale,
    attributes: &Map<String, Value>,
) -> Result<Value, String> {
    let rank = multiscale
        .levels
        .first()
        .and_then(|l| l.scale.as_ref())
        .map_or(0, Vec::len);
    let names = axis_names(attributes, rank)?;
    let (resolution, units) = pixel_resolution(attributes, rank);
    let axes: Vec<Value> = names
        .iter()
        .zip(&units)
        .map(|(name, unit)| {
            let mut axis = Map::new();
            axis.insert("name".into(), json!(name));
            axis.insert("type".into(), json!(axis_type(name)));
            if let Some(unit) = unit {
                axis.insert("unit".into(), json!(unit));
            }
            Value::Object(axis)
        })
        .collect();
    let datasets: Vec<Value> = multiscale
        .levels
        .iter()
        .map(|level| {
            let factors = level.scale.clone().unwrap_or_else(|| vec![1.0; rank]);
            let scale: Vec<Value> = factors
                .iter()
                .zip(&resolution)
                .map(|(f, r)| number(f * r))
                .collect();
            json!({
                "path": level.dataset_path,
                "coordinateTransformations": [{"type": "scale", "scale": scale}],
            })
        })
        .collect();
    let name = if group.is_root() {
        "image".to_string()
    } else {
        group.to_string()
    };
    Ok(json!([{
        "version": "0.4",
        "name": name,
        "axes": axes,
        "datasets": datasets,
    }]))
}

/// The axis names of an N5 pyramid of `rank` axes, in C order: the group's `axes` (which N5
/// lists fastest first) or the spatial names for two and three axes.
fn axis_names(attributes: &Map<String, Value>, rank: usize) -> Result<Vec<String>, String> {
    let declared: Option<Vec<String>> =
        attributes
            .get("axes")
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .map(|v| v.as_str().map(str::to_lowercase))
                    .collect()
            });
    let names = match declared {
        Some(mut names) if names.len() == rank => {
            names.reverse();
            names
        }
        _ => match rank {
            2 => vec!["y".into(), "x".into()],
            3 => vec!["z".into(), "y".into(), "x".into()],
            _ => {
                return Err(format!(
                    "the N5 pyramid has {rank} axes and no `axes` naming them: OME-NGFF \
                     multiscales not written"
                ));
            }
        },
    };
    let kinds: Vec<&str> = names.iter().map(|n| axis_type(n)).collect();
    let spatial = kinds.iter().filter(|k| **k == "space").count();
    let order = |k: &str| match k {
        "time" => 0,
        "channel" => 1,
        _ => 2,
    };
    let ordered = kinds
        .windows(2)
        .all(|w| order(w[0]) < order(w[1]) || (w[0] == "space" && w[1] == "space"));
    let unique = names
        .iter()
        .enumerate()
        .all(|(i, n)| !names[..i].contains(n));
    if !(2..=3).contains(&spatial) || !ordered || !unique || !(2..=5).contains(&rank) {
        return Err(format!(
            "the N5 pyramid's axes ({}) are not an OME-NGFF axis order (time, channel, then 2 or 3 \
             space axes): OME-NGFF multiscales not written",
            names.join(", ")
        ));
    }
    Ok(names)
}

/// The OME-NGFF axis type of an axis named `name`.
fn axis_type(name: &str) -> &'static str {
    match name {
        "t" | "time" => "time",
        "c" | "channel" => "channel",
        _ => "space",
    }
}

/// The first level's voxel size in C order (1 per axis when not given) and each axis's
/// OME-NGFF unit: from the N5 group's `units` (one per axis, fastest first, as n5-viewer and
/// BigDataViewer write them), else `pixelResolution.unit` for the space axes (`dimensions`, or
/// `resolution`, give the size). A unit OME-NGFF does not name is carried as it is spelled.
fn pixel_resolution(
    attributes: &Map<String, Value>,
    rank: usize,
) -> (Vec<f64>, Vec<Option<String>>) {
    let numbers = |v: Option<&Value>| -> Option<Vec<f64>> {
        let mut values: Vec<f64> = v?
            .as_array()?
            .iter()
            .map(Value::as_f64)
            .collect::<Option<_>>()?;
        values.reverse();
        (values.len() == rank && values.iter().all(|x| x.is_finite() && *x > 0.0)).then_some(values)
    };
    let pixel = attributes.get("pixelResolution");
    let dimensions = numbers(pixel.and_then(|p| p.get("dimensions")))
        .or_else(|| numbers(attributes.get("resolution")));
    let per_axis: Option<Vec<Option<String>>> = attributes
        .get("units")
        .and_then(Value::as_array)
        .filter(|units| units.len() == rank)
        .map(|units| {
            units
                .iter()
                .rev()
                .map(|u| u.as_str().map(ome_unit))
                .collect()
        });
    let units = per_axis.unwrap_or_else(|| {
        let unit = pixel
            .and_then(|p| p.get("unit"))
            .and_then(Value::as_str)
            .map(ome_unit);
        let names = axis_names(attributes, rank).unwrap_or_default();
        (0..rank)
            .map(|i| {
                let space = names.get(i).is_none_or(|n| axis_type(n) == "space");
                unit.clone().filter(|_| space)
            })
            .collect()
    });
    (dimensions.unwrap_or_else(|| vec![1.0; rank]), units)
}

/// Spellings of lengths in N5 metadata and their OME-NGFF (UDUNITS-2) names.
const UNITS: &[(&str, &str)] = &[
    ("nm", "nanometer"),
    ("um", "micrometer"),
    ("µm", "micrometer"),
    ("μm", "micrometer"),
    ("micron", "micrometer"),
    ("mm", "millimeter"),
    ("cm", "centimeter"),
    ("m", "meter"),
    ("pm", "picometer"),
    ("Å", "angstrom"),
    ("s", "second"),
    ("sec", "second"),
    ("ms", "millisecond"),
    ("us", "microsecond"),
    ("µs", "microsecond"),
    ("ns", "nanosecond"),
    ("min", "minute"),
    ("h", "hour"),
];

/// The OME-NGFF name of an N5 unit; one OME-NGFF does not list stays as it is spelled.
fn ome_unit(unit: &str) -> String {
    UNITS
        .iter()
        .find(|(short, long)| *short == unit || *long == unit)
        .map_or(unit, |(_, long)| *long)
        .to_string()
}

/// The N5 spelling of an OME-NGFF unit (itself when it has no short form).
fn n5_unit(unit: &str) -> String {
    UNITS
        .iter()
        .find(|(_, long)| *long == unit)
        .map_or(unit, |(short, _)| *short)
        .to_string()
}

/// The unit all space axes share, if they declare one.
fn common_space_unit(multiscale: &Multiscale) -> Option<String> {
    let mut units = multiscale
        .axes
        .iter()
        .filter(|a| a.axis_type.as_deref() == Some("space"))
        .map(|a| a.unit.clone());
    let first = units.next()??;
    units.all(|u| u.as_deref() == Some(&first)).then_some(first)
}

/// `value` as a JSON number, an integer when it is one.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Axis, MultiscaleLevel};

    fn level(k: usize, scale: Vec<f64>, factors: Vec<f64>) -> MultiscaleLevel {
        MultiscaleLevel {
            dataset_path: format!("s{k}"),
            path: NodePath::root().join(&format!("s{k}")),
            scale: Some(scale),
            translation: None,
            factors: Some(factors),
            found: true,
        }
    }

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn ome_multiscales_become_n5_viewer_scales_fastest_axis_first() {
        let space = |name: &str| Axis {
            name: name.into(),
            axis_type: Some("space".into()),
            unit: Some("micrometer".into()),
        };
        let ms = Multiscale {
            version: Some("0.4".into()),
            name: None,
            axes: vec![space("z"), space("y"), space("x")],
            levels: vec![
                level(0, vec![2.0, 0.5, 0.5], vec![1.0, 1.0, 1.0]),
                level(1, vec![2.0, 1.0, 1.0], vec![1.0, 2.0, 2.0]),
            ],
        };
        let pyramid = n5_pyramid(&ms, &Map::new()).expect("a pyramid");
        assert_eq!(pyramid.attributes["scales"], json!([[1, 1, 1], [2, 2, 1]]));
        assert_eq!(
            pyramid.attributes["pixelResolution"],
            json!({"dimensions": [0.5, 0.5, 2], "unit": "um"})
        );
        assert!(!pyramid.note.contains("look for"), "{}", pyramid.note);
        // Attributes of those names already there are not overwritten.
        assert!(n5_pyramid(&ms, &map(json!({"scales": []}))).is_none());
    }

    #[test]
    fn n5_pyramids_become_ome_multiscales_with_voxel_sizes() {
        let ms = Multiscale {
            version: None,
            name: None,
            axes: Vec::new(),
            levels: vec![
                level(0, vec![1.0, 1.0, 1.0], vec![1.0, 1.0, 1.0]),
                level(1, vec![1.0, 2.0, 2.0], vec![1.0, 2.0, 2.0]),
            ],
        };
        let attrs = map(json!({"pixelResolution": {"dimensions": [0.5, 0.5, 2.0], "unit": "um"}}));
        let multiscales = ome_multiscales(&NodePath::root(), &ms, &attrs).expect("multiscales");
        let entry = &multiscales[0];
        assert_eq!(
            entry["axes"][0],
            json!({"name": "z", "type": "space", "unit": "micrometer"})
        );
        assert_eq!(
            entry["datasets"][1]["coordinateTransformations"][0]["scale"],
            json!([2, 1, 1])
        );
        // Per-axis `units` (fastest first) are carried exactly, a time unit included.
        let units = map(json!({"units": ["nm", "s", "um"], "resolution": [4, 1, 0.5]}));
        let multiscales = ome_multiscales(&NodePath::root(), &ms, &units).expect("multiscales");
        let units: Vec<&Value> = multiscales[0]["axes"]
            .as_array()
            .expect("axes")
            .iter()
            .map(|a| &a["unit"])
            .collect();
        assert_eq!(
            units,
            [&json!("micrometer"), &json!("second"), &json!("nanometer")]
        );
        // Four unnamed axes cannot be given OME-NGFF names.
        let mut four = ms.clone();
        for level in &mut four.levels {
            level.scale = Some(vec![1.0; 4]);
        }
        assert!(ome_multiscales(&NodePath::root(), &four, &Map::new()).is_err());
        // Named ones can, and the names must be in OME-NGFF order.
        let named = map(json!({"axes": ["x", "y", "z", "c"]}));
        assert!(ome_multiscales(&NodePath::root(), &four, &named).is_ok());
        let misordered = map(json!({"axes": ["c", "x", "y", "z"]}));
        assert!(ome_multiscales(&NodePath::root(), &four, &misordered).is_err());
    }
}
