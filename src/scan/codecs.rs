//! What makes an array unreadable by its format's reference readers: a codec outside the codec
//! table ([`known_codecs`]), or a Zarr v3 array without a fill value. The scan reports each (and
//! keeps the array's layout for linting).

use crate::model::known_codecs;
use crate::model::{ArrayInfo, Format, NodeError};

/// One error per codec of `array` that its format's readers do not know (the codec table,
/// [`known_codecs`]), and one for a Zarr v3 array without a fill value.
pub(crate) fn unknown(array: &ArrayInfo, location: &str) -> Vec<NodeError> {
    let error = |message: String| NodeError {
        node: array.path.clone(),
        location: metadata_location(location, array),
        message,
    };
    let mut errors: Vec<NodeError> = array
        .codecs
        .iter()
        .filter(|codec| {
            let name = codec.name.as_str();
            let wrapped = name.starts_with("numcodecs.") || name.starts_with("imagecodecs_");
            known_codecs::known_in(array.format, name).is_none() && !wrapped
        })
        .map(|codec| error(format!("unknown codec `{}`", codec.name)))
        .collect();
    // Zarr v3 requires one; zarrita.js writes `null` when it is given none.
    if array.format == Format::Zarr3 && array.fill_value.is_null() {
        errors.push(error(
            "`fill_value` is null: Zarr v3 requires a fill value, and zarr-python and tensorstore \
             refuse to open the array (set one in zarr.json, such as 0)"
                .into(),
        ));
    }
    errors
}

fn metadata_location(location: &str, array: &ArrayInfo) -> String {
    let base = location.trim_end_matches('/');
    let file = array.format.array_metadata_file();
    if array.path.is_root() {
        format!("{base}/{file}")
    } else {
        format!("{base}/{}/{file}", array.path.as_str())
    }
}
