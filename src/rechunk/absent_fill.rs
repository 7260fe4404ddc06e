//! A second check of arrays of strings and byte strings that does not go through zlint's
//! decoding of the source: every chunk the source does not store must read in the target as the
//! fill value as zarr-python 3 reads it, worked out here from the source's own metadata document.
//!
//! The value comparison of `verify` reads both sides with zlint's reader, so a wrong reading of
//! the source's fill value (a Zarr v2 string array with `"fill_value": 0` reads as `"0"` in
//! zarr-python, not `""`) would be written and then found equal to itself. zarr-python 3 reads
//! the elements of a Zarr v2 `|O` array that no chunk holds as:
//! - `vlen-utf8`: `""` for `null`, the string itself, and a number's Python text (`0` → `"0"`,
//!   `1e20` → `"1e+20"`, `2.0` → `"2.0"`);
//! - `vlen-bytes`: `b""` for `null`, and a string's base64 decoding.
//!
//! A Zarr v3 `string` array's fill value is the string itself. Other fill values (numbers on
//! byte strings, which zarr-python refuses) are not checked here.

use base64::Engine;
use rayon::prelude::*;
use serde_json::Value;
use zarrs::array::{ArrayBytes, ArraySubset};

use super::io::{Reader, grid_objects};
use super::verify::Mismatch;
use crate::error::Result;
use crate::formats::normalize::python_text;
use crate::model::{ArrayInfo, Format};
use crate::store::OpenedStore;

/// The bytes of the element zarr-python 3 reads where `array` (a source of variable-length
/// elements) stores no chunk; `None` when this check does not cover it.
pub(crate) fn zarr_python_fill(array: &ArrayInfo) -> Option<Vec<u8>> {
    let fill = &array.fill_value;
    match (array.format, array.dtype.name.as_str(), fill) {
        (Format::Zarr2, "string", Value::Null) | (Format::Zarr2, "bytes", Value::Null) => {
            Some(Vec::new())
        }
        (Format::Zarr2 | Format::Zarr3, "string", Value::String(s)) => Some(s.clone().into_bytes()),
        (Format::Zarr2, "string", Value::Number(n)) => Some(python_text(n).into_bytes()),
        (Format::Zarr2, "bytes", Value::String(s)) => {
            base64::engine::general_purpose::STANDARD.decode(s).ok()
        }
        _ => None,
    }
}

/// Every chunk (or shard) of `array` that `source` does not store, read from `target` (where the
/// array is `other`): a mismatch for each that does not read as zarr-python's fill value.
pub(crate) fn check(
    source: &OpenedStore,
    target: &Reader,
    array: &ArrayInfo,
    other: &ArrayInfo,
) -> Result<Vec<Mismatch>> {
    let Some(fill) = zarr_python_fill(array) else {
        return Ok(Vec::new());
    };
    let prefix = array.path.key_prefix();
    let whole = ArraySubset::new_with_shape(array.shape.clone());
    let objects = grid_objects(&array.shape, array.object_shape(), &whole);
    let mismatches = objects
        .par_iter()
        .map(|object| -> Result<Option<Mismatch>> {
            let key = format!("{prefix}{}", array.chunk_key_encoding.key(&object.index));
            let stored = zarrs::storage::StoreKey::new(key.clone())
                .ok()
                .and_then(|k| source.storage.size_key(&k).ok())
                .flatten()
                .is_some();
            if stored {
                return Ok(None);
            }
            let elements = target.read_elements(&object.bounded)?;
            Ok(first_other(&elements, &fill).map(|found| {
                Mismatch::new(
                    &other.path,
                    format!(
                        "the source stores no chunk {key}, so zarr-python reads its elements as \
                         the fill value {:?}, but the target holds {:?} in region {}",
                        String::from_utf8_lossy(&fill),
                        String::from_utf8_lossy(&found),
                        object.bounded
                    ),
                )
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(mismatches.into_iter().flatten().collect())
}

/// The first element of the variable-length `elements` that is not `fill`.
fn first_other(elements: &ArrayBytes<'_>, fill: &[u8]) -> Option<Vec<u8>> {
    let ArrayBytes::Variable(elements) = elements else {
        return None;
    };
    let (bytes, offsets) = (elements.bytes(), elements.offsets());
    offsets
        .windows(2)
        .map(|w| bytes.get(w[0]..w[1]).unwrap_or_default())
        .find(|element| *element != fill)
        .map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fill_values_follow_zarr_python() {
        let mut array = crate::model::tests::array(&[4], &[2], None);
        array.format = Format::Zarr2;
        array.dtype.name = "string".into();
        array.fill_value = json!(0);
        assert_eq!(zarr_python_fill(&array), Some(b"0".to_vec()));
        array.fill_value = Value::Null;
        assert_eq!(zarr_python_fill(&array), Some(Vec::new()));
        array.dtype.name = "bytes".into();
        array.fill_value = json!("YWI=");
        assert_eq!(zarr_python_fill(&array), Some(b"ab".to_vec()));
        array.fill_value = json!(0);
        assert_eq!(zarr_python_fill(&array), None, "zarr-python refuses it");
    }
}
