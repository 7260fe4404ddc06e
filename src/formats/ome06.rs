//! OME-NGFF 0.6 (RFC-5 coordinate systems) said in the terms of 0.4 and 0.5, for a rewrite into
//! Zarr v2, where OME-NGFF stops at 0.4: possible when nothing is lost, refused by name
//! otherwise.
//!
//! 0.6 gives each multiscale `coordinateSystems` instead of `axes`, and each dataset's
//! transformation an `input` and `output` (a `scale`, or a `sequence` of a scale and a
//! translation). A multiscale with one coordinate system, whose levels map to it by a scale and
//! a translation, says the same as 0.4's `axes` and `[scale, translation]`.

use serde_json::{Map, Value};

/// The keys of `ome` 0.4 can also hold (moved to the top level there).
const CARRIED: &[&str] = &[
    "multiscales",
    "omero",
    "labels",
    "image-label",
    "plate",
    "well",
    "bioformats2raw.layout",
    "series",
    "version",
];

/// `ome` (0.6) in the 0.5 form, without its `version`: `multiscales` with `axes` and plain
/// `[scale, translation]` lists; every other key as it is.
///
/// # Errors
/// What 0.4 cannot say: a multiscale of several coordinate systems, a transformation other than
/// a scale and a translation (or a sequence of them) or mapping to another system, or a 0.6 key
/// 0.4 has no place for (`scene`, …).
pub(crate) fn ome06_as_05(ome: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    if let Some(key) = ome.keys().find(|k| !CARRIED.contains(&k.as_str())) {
        return Err(format!(
            "OME-NGFF 0.6 `ome.{key}` has no OME-NGFF 0.4 form: write Zarr v3 to keep it"
        ));
    }
    let mut out = ome.clone();
    out.remove("version");
    if let Some(Value::Array(multiscales)) = ome.get("multiscales") {
        let converted = multiscales
            .iter()
            .enumerate()
            .map(|(i, m)| multiscale(m).map_err(|e| format!("multiscales[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert("multiscales".into(), Value::Array(converted));
    }
    Ok(out)
}

fn multiscale(entry: &Value) -> Result<Value, String> {
    let Value::Object(entry) = entry else {
        return Ok(entry.clone());
    };
    let mut out = entry.clone();
    let Some(Value::Array(systems)) = out.remove("coordinateSystems") else {
        return Ok(Value::Object(out));
    };
    let [system] = systems.as_slice() else {
        return Err(format!(
            "{} coordinate systems, which OME-NGFF 0.4 cannot say (it has one set of `axes`): \
             write Zarr v3 to keep them",
            systems.len()
        ));
    };
    let name = system.get("name").and_then(Value::as_str);
    out.insert(
        "axes".into(),
        system
            .get("axes")
            .cloned()
            .unwrap_or(Value::Array(Vec::new())),
    );
    if let Some(Value::Array(datasets)) = out.get_mut("datasets") {
        for dataset in datasets.iter_mut() {
            let path = dataset
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if let Some(list) = dataset.get_mut("coordinateTransformations") {
                *list =
                    transformations(list, name).map_err(|e| format!("dataset `{path}`: {e}"))?;
            }
        }
    }
    if let Some(list) = out.get_mut("coordinateTransformations") {
        *list = transformations(list, name)?;
    }
    Ok(Value::Object(out))
}

/// A 0.6 list of transformations as 0.4's: a sequence unpacked, `input` and `output` dropped;
/// each a scale or a translation mapping to the system `system`.
fn transformations(list: &Value, system: Option<&str>) -> Result<Value, String> {
    let Value::Array(list) = list else {
        return Err("`coordinateTransformations` is not a list".into());
    };
    let mut flat = Vec::new();
    for t in list {
        let output = t
            .get("output")
            .and_then(|o| o.get("name").or(Some(o)))
            .and_then(Value::as_str);
        if let (Some(output), Some(system)) = (output, system)
            && output != system
        {
            return Err(format!(
                "a transformation maps to `{output}`, not to the coordinate system `{system}`"
            ));
        }
        match t.get("type").and_then(Value::as_str) {
            Some("sequence") => {
                let inner = t.get("transformations").cloned().unwrap_or_default();
                if let Value::Array(inner) = transformations(&inner, None)? {
                    flat.extend(inner);
                }
            }
            Some(kind @ ("scale" | "translation")) => {
                let mut plain = Map::new();
                plain.insert("type".into(), Value::from(kind));
                let values = t
                    .get(kind)
                    .cloned()
                    .ok_or_else(|| format!("a `{kind}` without its values (or given by path)"))?;
                plain.insert(kind.into(), values);
                flat.push(Value::Object(plain));
            }
            other => {
                return Err(format!(
                    "a `{}` transformation, which OME-NGFF 0.4 cannot say",
                    other.unwrap_or("?")
                ));
            }
        }
    }
    Ok(Value::Array(flat))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn one_coordinate_system_becomes_axes_and_sequences_unpack() {
        let ome = map(json!({"version": "0.6", "multiscales": [{"name": "img",
            "coordinateSystems": [{"name": "physical", "axes": [{"name": "y"}, {"name": "x"}]}],
            "datasets": [{"path": "s1", "coordinateTransformations": [{"type": "sequence",
                "input": {"path": "s1"}, "output": {"name": "physical"}, "transformations": [
                    {"type": "scale", "scale": [2.0, 2.0]},
                    {"type": "translation", "translation": [0.5, 0.5]}]}]}]}]}));
        assert_eq!(
            Value::Object(ome06_as_05(&ome).expect("converts")),
            json!({"multiscales": [{"name": "img", "axes": [{"name": "y"}, {"name": "x"}],
                "datasets": [{"path": "s1", "coordinateTransformations": [
                    {"type": "scale", "scale": [2.0, 2.0]},
                    {"type": "translation", "translation": [0.5, 0.5]}]}]}]})
        );
    }

    #[test]
    fn what_04_cannot_say_is_refused_by_name() {
        let two = map(
            json!({"version": "0.6", "multiscales": [{"coordinateSystems": [
            {"name": "a", "axes": []}, {"name": "b", "axes": []}], "datasets": []}]}),
        );
        assert!(
            ome06_as_05(&two)
                .unwrap_err()
                .contains("2 coordinate systems")
        );
        let affine = map(
            json!({"version": "0.6", "multiscales": [{"coordinateSystems": [
            {"name": "a", "axes": []}], "datasets": [{"path": "0",
            "coordinateTransformations": [{"type": "affine", "affine": [[1, 0], [0, 1]]}]}]}]}),
        );
        let err = ome06_as_05(&affine).unwrap_err();
        assert!(
            err.contains("dataset `0`") && err.contains("affine"),
            "{err}"
        );
        let scene = map(json!({"version": "0.6", "scene": {}}));
        assert!(ome06_as_05(&scene).unwrap_err().contains("`ome.scene`"));
    }
}
