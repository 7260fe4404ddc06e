//! The N5 side of a rechunk's output documents: `attributes.json` from the source's metadata,
//! and user attributes as N5 can hold them.

use serde_json::{Map, Value, json};

use super::super::FormatError;
use super::super::codec::{
    Codec, Compressor, n5_raw, portable_read_unit, read_unit_codecs, single_compressor,
};
use super::super::n5::{DATASET_KEYS, N5Attributes, n5_data_type};
use super::super::source::SourceMetadata;
use super::ArrayDocuments;
use crate::layout::Layout;
use crate::model::{ArrayInfo, Format};

/// The N5 attributes that N5 readers interpret, with the form they must have: a list with one
/// entry per axis, of strings (`true`) or numbers (`false`).
const N5_AXIS_ATTRIBUTES: &[(&str, bool)] =
    &[("axes", true), ("units", true), ("resolution", false)];

/// Where user attributes go that would collide with `N5_AXIS_ATTRIBUTES` in an N5 dataset.
pub const N5_SET_ASIDE: &str = "zarr_attributes";

/// Whether an N5 dataset can hold the user attribute `key` as it is: not one of the keys that
/// describe the dataset (which would overwrite or be overwritten), and of the form N5 readers
/// expect for `rank` axes when it is one they interpret.
fn n5_holds(key: &str, value: &Value, rank: usize) -> bool {
    if DATASET_KEYS.contains(&key) {
        return false;
    }
    let Some(strings) = N5_AXIS_ATTRIBUTES
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, strings)| *strings)
    else {
        return true;
    };
    value.as_array().is_some_and(|items| {
        items.len() == rank
            && items.iter().all(|v| {
                if strings {
                    v.is_string()
                } else {
                    v.is_number()
                }
            })
    })
}

/// User attributes as an N5 dataset can hold them: those named like a key that describes the
/// dataset (`dimensions`, `dataType`, …), or like an attribute N5 readers interpret but not of
/// its form (xarray's `units: "nm"`), move under [`N5_SET_ASIDE`]. Returns the names moved.
fn n5_user_attributes(user: &mut Map<String, Value>, rank: usize) -> Vec<String> {
    let clashing: Vec<String> = user
        .iter()
        .filter(|(key, value)| !n5_holds(key, value, rank))
        .map(|(key, _)| key.clone())
        .collect();
    if clashing.is_empty() {
        return clashing;
    }
    let mut aside = match user.remove(N5_SET_ASIDE) {
        Some(Value::Object(aside)) => aside,
        // A user attribute of that name that is no object is set aside too, under its name.
        Some(other) => Map::from_iter([(N5_SET_ASIDE.to_string(), other)]),
        None => Map::new(),
    };
    for key in &clashing {
        if let Some(value) = user.remove(key) {
            aside.insert(key.clone(), value);
        }
    }
    user.insert(N5_SET_ASIDE.into(), Value::Object(aside));
    clashing
}

/// The user attributes of an N5 source as a Zarr target holds them: those set aside under
/// [`N5_SET_ASIDE`] back in their place.
#[must_use]
pub fn from_n5_user_attributes(user: &Map<String, Value>) -> Map<String, Value> {
    let mut restored = user.clone();
    if let Some(Value::Object(aside)) = restored.remove(N5_SET_ASIDE) {
        restored.extend(aside);
    }
    restored
}

/// The N5 version written at a container's root.
pub(super) const N5_VERSION: &str = "4.0.0";

pub(super) fn n5_documents(
    array: &ArrayInfo,
    source: &SourceMetadata,
    layout: &Layout,
    compressor: Option<&[Codec]>,
) -> Result<ArrayDocuments, FormatError> {
    let data_type = n5_data_type(&array.dtype.name).ok_or_else(|| {
        FormatError::Unsupported(format!(
            "data type `{}` has no N5 equivalent (--to zarr3 or zarr2 holds it)",
            array.dtype.name
        ))
    })?;
    let fill = &source.fill_value;
    if !(fill.as_f64() == Some(0.0) || fill.is_null()) {
        return Err(FormatError::Unsupported(format!(
            "fill value {fill}: N5 has none (absent blocks read as 0), so only arrays with fill \
             value 0 can become N5 (--to zarr3 or zarr2 keeps it)"
        )));
    }
    let mut notes = Vec::new();
    let compression = match (compressor, &source.n5_compression) {
        (Some(compressor), _) => compressor
            .first()
            .and_then(Codec::to_n5)
            .unwrap_or_else(n5_raw),
        // Written again through the codec model, so that only the keys N5 defines are kept
        // (z5py adds `nthreads`, which tensorstore refuses); compressions it does not know stay
        // as they are.
        (None, Some(source)) => match Codec::from_n5(source, array.item_size().unwrap_or(1)) {
            Ok(Some(Codec::Other { .. })) | Err(_) => Value::Object(source.clone()),
            Ok(Some(codec)) => codec
                .to_n5()
                .unwrap_or_else(|| Value::Object(source.clone())),
            Ok(None) => n5_raw(),
        },
        (None, None) => {
            let (compression, changed) = n5_from_v3(&source.codecs)?;
            notes.extend(changed);
            compression
        }
    };
    let mut user = array.attributes.clone();
    // Dimension names become N5's `axes`, fastest axis first.
    if array.format != Format::N5
        && !user.contains_key("axes")
        && let Some(names) = array
            .dimension_names
            .as_ref()
            .and_then(|names| names.iter().rev().cloned().collect::<Option<Vec<String>>>())
    {
        user.insert("axes".into(), json!(names));
    }
    let moved = n5_user_attributes(&mut user, array.shape.len());
    if !moved.is_empty() {
        notes.push(format!(
            "attributes {} moved under `{N5_SET_ASIDE}`: N5 readers take them for per-axis metadata",
            moved
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if array.path.is_root() {
        // The container's root carries the N5 version, even when it is the dataset.
        user.entry("n5".to_string())
            .or_insert_with(|| json!(N5_VERSION));
    }
    let attributes = N5Attributes {
        shape: array.shape.clone(),
        block_shape: layout.chunks.clone(),
        data_type: data_type.to_string(),
        compression: compression.as_object().cloned().unwrap_or_default(),
        user,
    };
    Ok(ArrayDocuments {
        documents: vec![("attributes.json".into(), attributes.to_json())],
        decode_form: None,
        notes,
    })
}

/// The N5 compression for a Zarr codec chain (the inner codecs when sharded), and what changed
/// (see [`portable_read_unit`]).
fn n5_from_v3(codecs: &[Codec]) -> Result<(Value, Vec<String>), FormatError> {
    let (portable, notes) = portable_read_unit(read_unit_codecs(codecs), Format::N5);
    let compression = match single_compressor(&portable).0 {
        Compressor::None => n5_raw(),
        Compressor::One(codec) => match codec.to_n5() {
            Some(compression) => compression,
            // pcodec, which N5 does not have: refused as before, not silently written raw.
            None => {
                return Err(FormatError::Unsupported(format!(
                    "codec `{}` has no N5 equivalent here; use --codec",
                    codec.name()
                )));
            }
        },
        Compressor::Unsupported(codec) => {
            return Err(FormatError::Unsupported(format!(
                "codec `{}` has no N5 equivalent here; use --codec",
                codec.name()
            )));
        }
    };
    Ok((compression, notes))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn attributes_an_n5_dataset_cannot_hold_are_set_aside_and_restored() {
        let original = json!({"units": "nm", "dimensions": [1, 2], "long_name": "x",
                              "resolution": [1.0, 2.0], "zarr_attributes": 7});
        let original = original.as_object().cloned().unwrap_or_default();
        let mut user = original.clone();
        let mut moved = n5_user_attributes(&mut user, 2);
        moved.sort();
        assert_eq!(moved, ["dimensions", "units"]);
        assert_eq!(user["resolution"], json!([1.0, 2.0]), "of N5's form: kept");
        assert_eq!(user["long_name"], "x");
        assert_eq!(
            user[N5_SET_ASIDE],
            json!({"units": "nm", "dimensions": [1, 2], "zarr_attributes": 7})
        );
        assert_eq!(from_n5_user_attributes(&user), original);
    }
}
