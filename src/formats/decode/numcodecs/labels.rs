//! The numcodecs filters whose elements change size when decoded: Categorize (codes to labels)
//! and PackBits (bits to booleans).

use serde_json::{Map, Value};
use zarrs::plugin::PluginCreateError;

use super::{Transform, invalid, numeric};

/// numcodecs Categorize of labels decoded to NumPy fixed-length strings (`<U7`): each label as
/// the UTF-32 code units NumPy stores, cut or padded with zeros to the element's length. Labels
/// of Python objects (`|O`) are refused by name.
pub(super) fn categorize(
    name: &str,
    configuration: &Map<String, Value>,
) -> Result<Transform, PluginCreateError> {
    let dtype = configuration
        .get("dtype")
        .and_then(Value::as_str)
        .unwrap_or("");
    let length = dtype
        .strip_prefix(['<', '|', '='])
        .and_then(|d| d.strip_prefix('U'))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0 && n <= 1 << 20)
        .ok_or_else(|| {
            invalid(
                name,
                format!("labels of data type `{dtype}` are not read (only NumPy strings, `<U`)"),
            )
        })?;
    let codes = numeric(name, configuration, "astype")?;
    if codes.kind != crate::formats::numeric::Kind::Uint {
        return Err(invalid(name, "`astype` is not an unsigned integer type"));
    }
    let labels = configuration
        .get("labels")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(name, "`labels` is not a list"))?
        .iter()
        .map(|label| {
            let text = label
                .as_str()
                .ok_or_else(|| invalid(name, "a label is not a string"))?;
            let mut bytes: Vec<u8> = text
                .chars()
                .take(length)
                .flat_map(|c| u32::from(c).to_le_bytes())
                .collect();
            bytes.resize(length * 4, 0);
            Ok(bytes)
        })
        .collect::<Result<Vec<_>, PluginCreateError>>()?;
    Ok(Transform::Categorize {
        codes,
        labels,
        item: length * 4,
    })
}

/// Booleans packed by numcodecs PackBits, one byte (0 or 1) each, at most `limit` of them.
pub(super) fn unpack_bits(data: &[u8], limit: Option<usize>) -> Result<Vec<u8>, String> {
    let (&padding, packed) = data.split_first().ok_or("PackBits data is empty")?;
    let count = (packed.len() * 8)
        .checked_sub(usize::from(padding))
        .filter(|_| padding < 8)
        .ok_or("PackBits padding is larger than a byte")?;
    if let Some(limit) = limit
        && count > limit
    {
        return Err(format!(
            "PackBits data holds {count} booleans, more than the {limit} the chunk can hold"
        ));
    }
    Ok((0..count)
        .map(|i| (packed[i / 8] >> (7 - i % 8)) & 1)
        .collect())
}
