//! NumPy record types ("structured" data types): a Zarr v2 `dtype` that is a list of fields
//! (`[["a", "<i4"], ["b", "<f8"]]`), and zarr-python 3's Zarr v3 `structured` data type
//! (`{"name": "structured", "configuration": {"fields": [["a", "int32"], ["b", "float64"]]}}`).
//!
//! zarrs knows neither, so zlint reads and writes their elements as raw bytes of the record's
//! size (see `normalize::stand_in_types` and `normalize::for_zarrs_v3`): a rechunk moves whole
//! records and never looks inside them. Only the metadata is translated, here.

use serde_json::{Value, json};

/// The bytes of one record whose fields are `fields` (a field is `[name, type]` or
/// `[name, type, shape]`, its type a NumPy type string, a Zarr v3 name or a nested list).
///
/// # Errors
/// A message when a field is malformed, has no fixed size, or the record overflows.
pub fn item_size(fields: &[Value]) -> Result<u64, String> {
    let mut total = 0u64;
    for field in fields {
        let parts = field
            .as_array()
            .ok_or("structured dtype field is not a list")?;
        let item = type_size(parts.get(1).ok_or("structured dtype field has no type")?)?;
        let count = match parts.get(2).and_then(Value::as_array) {
            Some(shape) => shape
                .iter()
                .filter_map(Value::as_u64)
                .try_fold(1u64, u64::checked_mul),
            None => Some(1),
        };
        total = count
            .and_then(|count| item.checked_mul(count))
            .and_then(|bytes| total.checked_add(bytes))
            .ok_or("structured dtype is larger than any array holds")?;
    }
    Ok(total)
}

/// The bytes of one field's type.
fn type_size(field_type: &Value) -> Result<u64, String> {
    let text = match field_type {
        Value::Array(nested) => return item_size(nested),
        Value::String(text) => text.as_str(),
        other => return Err(format!("structured dtype field type {other} is not a type")),
    };
    if let Some(name) = v3_name_size(text) {
        return Ok(name);
    }
    let body = text.trim_start_matches(['<', '>', '|', '=']);
    let kind = body.chars().next().unwrap_or(' ');
    let digits: String = body[kind.len_utf8().min(body.len())..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let size: Option<u64> = digits.parse().ok();
    match (kind, size) {
        ('b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'V', Some(n)) => Ok(n),
        ('M' | 'm', _) => Ok(8),
        ('U', Some(n)) => n
            .checked_mul(4)
            .ok_or_else(|| format!("dtype `{text}` is larger than any array holds")),
        _ => Err(format!(
            "structured dtype field type `{text}` has no fixed size"
        )),
    }
}

/// The bytes of a Zarr v3 numeric data type name (`int32`, `float64`, `bool`, …).
fn v3_name_size(name: &str) -> Option<u64> {
    if name == "bool" {
        return Some(1);
    }
    let bits = ["uint", "int", "float", "complex"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))?;
    match bits {
        "8" | "16" | "32" | "64" | "128" => bits.parse::<u64>().ok().map(|b| b / 8),
        _ => None,
    }
}

/// The Zarr v3 name of a field's type, as zarr-python 3 names it: little-endian (or one-byte)
/// booleans, integers, floats and complex numbers; a Zarr v3 name is kept.
fn v3_field_type(field_type: &Value) -> Result<String, String> {
    let text = field_type
        .as_str()
        .ok_or("a field that is itself a record has no Zarr v3 form")?;
    if v3_name_size(text).is_some() {
        return Ok(text.to_string());
    }
    if text.starts_with('>') && !text.ends_with('1') {
        return Err(format!(
            "field type `{text}` is big-endian, which zarr-python 3 reads wrong in Zarr v3"
        ));
    }
    let body = text.trim_start_matches(['<', '>', '|', '=']);
    let (kind, bytes) = body.split_at(body.len().min(1));
    let bits = bytes.parse::<u64>().ok().map(|b| b * 8);
    let name = match (kind, bits) {
        ("b", Some(8)) => Some("bool".to_string()),
        ("i", Some(b)) => Some(format!("int{b}")),
        ("u", Some(b)) => Some(format!("uint{b}")),
        ("f", Some(b)) => Some(format!("float{b}")),
        ("c", Some(b)) => Some(format!("complex{b}")),
        _ => None,
    };
    name.filter(|n| v3_name_size(n).is_some())
        .ok_or_else(|| format!("field type `{text}` has no Zarr v3 form here"))
}

/// The Zarr v3 `structured` data type of the record `fields` (Zarr v2 or already Zarr v3), as
/// zarr-python 3 writes it.
///
/// # Errors
/// Why it has none: a field with a shape, a nested record, a big-endian field, or a type
/// other than booleans and numbers.
pub fn zarr3_data_type(fields: &[Value]) -> Result<Value, String> {
    let converted = fields
        .iter()
        .map(|field| {
            let parts = field.as_array().map(Vec::as_slice).unwrap_or_default();
            if parts.len() > 2 {
                return Err("a field with a shape has no Zarr v3 form".to_string());
            }
            let name = parts.first().and_then(Value::as_str).unwrap_or_default();
            let field_type = parts.get(1).unwrap_or(&Value::Null);
            Ok(json!([name, v3_field_type(field_type)?]))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(json!({"name": "structured", "configuration": {"fields": converted}}))
}

/// The Zarr v2 `dtype` of a Zarr v3 `structured` data type: its fields with NumPy type strings.
#[must_use]
pub fn zarr2_dtype(data_type: &Value) -> Option<Value> {
    let fields = data_type.pointer("/configuration/fields")?.as_array()?;
    fields
        .iter()
        .map(|field| {
            let name = field.get(0)?.as_str()?;
            let text = field.get(1)?.as_str()?;
            let bytes = v3_name_size(text)?;
            let kind = match text {
                "bool" => 'b',
                t if t.starts_with("uint") => 'u',
                t if t.starts_with("int") => 'i',
                t if t.starts_with("float") => 'f',
                _ => 'c',
            };
            let order = if bytes == 1 { '|' } else { '<' };
            Some(json!([name, format!("{order}{kind}{bytes}")]))
        })
        .collect::<Option<Vec<_>>>()
        .map(Value::Array)
}

/// The fields of a Zarr v3 `structured` data type, or of a Zarr v2 structured `dtype`.
#[must_use]
pub fn fields_of(data_type: &Value) -> Option<&[Value]> {
    match data_type {
        Value::Array(fields) => Some(fields),
        Value::Object(_) if data_type["name"] == "structured" => data_type
            .pointer("/configuration/fields")
            .and_then(Value::as_array)
            .map(Vec::as_slice),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_size_and_translate_as_zarr_python_3_does() {
        let v2 = json!([["a", "<i4"], ["b", "<f8"], ["c", "|u1"], ["d", "|b1"]]);
        let fields = v2.as_array().unwrap();
        assert_eq!(item_size(fields), Ok(14));
        let v3 = zarr3_data_type(fields).unwrap();
        assert_eq!(
            v3["configuration"]["fields"],
            json!([
                ["a", "int32"],
                ["b", "float64"],
                ["c", "uint8"],
                ["d", "bool"]
            ])
        );
        assert_eq!(zarr3_data_type(fields_of(&v3).unwrap()), Ok(v3.clone()));
        assert_eq!(item_size(fields_of(&v3).unwrap()), Ok(14));
        assert_eq!(zarr2_dtype(&v3), Some(v2));
    }

    #[test]
    fn what_zarr_v3_cannot_hold_is_named() {
        let big = json!([["a", ">i4"]]);
        assert!(
            zarr3_data_type(big.as_array().unwrap())
                .unwrap_err()
                .contains("big-endian")
        );
        let shaped = json!([["a", "<i4", [2, 3]]]);
        assert_eq!(item_size(shaped.as_array().unwrap()), Ok(24));
        assert!(zarr3_data_type(shaped.as_array().unwrap()).is_err());
        let nested = json!([["a", [["x", "<u2"], ["y", "S3"]]], ["t", "<M8[s]"]]);
        assert_eq!(item_size(nested.as_array().unwrap()), Ok(13));
        assert!(zarr3_data_type(nested.as_array().unwrap()).is_err());
        assert!(item_size(json!([["a", "|O"]]).as_array().unwrap()).is_err());
    }
}
