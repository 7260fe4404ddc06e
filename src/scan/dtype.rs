//! Data type names of every format, mapped to Zarr v3 names and element sizes.

use serde_json::Value;

use crate::formats::n5::N5_NUMERIC;
use crate::formats::structured;
use crate::model::DataType;

fn sized(name: &str, item_size: u64) -> DataType {
    DataType {
        name: name.to_string(),
        item_size: Some(item_size),
    }
}

fn variable(name: &str) -> DataType {
    DataType {
        name: name.to_string(),
        item_size: None,
    }
}

/// A Zarr v3 / N5 numeric type name (`uint16`, `float32`, …), if it is one.
fn numeric(name: &str) -> Option<DataType> {
    let size = match name {
        "bool" | "int8" | "uint8" | "float8_e4m3" | "float8_e5m2" => 1,
        "int16" | "uint16" | "float16" | "bfloat16" => 2,
        "int32" | "uint32" | "float32" => 4,
        "int64" | "uint64" | "float64" | "complex64" => 8,
        "complex128" => 16,
        _ => return None,
    };
    Some(sized(name, size))
}

/// Maps a Zarr v3 `data_type` (a name, or an object with `name` and `configuration`).
///
/// Unknown names are kept with no element size: size-based checks then skip the array.
pub(crate) fn from_zarr3(value: &Value) -> Result<DataType, String> {
    let (name, configuration) = match value {
        Value::String(name) => (name.as_str(), None),
        Value::Object(obj) => (
            obj.get("name")
                .and_then(Value::as_str)
                .ok_or("`data_type` object has no `name`")?,
            obj.get("configuration"),
        ),
        _ => return Err("`data_type` is neither a string nor an object".into()),
    };
    if let Some(dtype) = numeric(name) {
        return Ok(dtype);
    }
    if let Some(bits) = name.strip_prefix('r').and_then(|b| b.parse::<u64>().ok()) {
        if bits == 0 || bits % 8 != 0 {
            return Err(format!(
                "raw data type `{name}` is not a whole number of bytes"
            ));
        }
        return Ok(sized(name, bits / 8));
    }
    let config_bytes = || {
        configuration
            .and_then(|c| c.get("length_bytes"))
            .and_then(Value::as_u64)
    };
    Ok(match name {
        "numpy.datetime64" | "numpy.timedelta64" => sized(name, 8),
        "fixed_length_utf32" | "null_terminated_bytes" | "fixed_length_bytes" => {
            match config_bytes() {
                Some(n) => sized(name, n),
                None => variable(name),
            }
        }
        // One type, three names: zarrs' `bytes`, and its aliases (zarr-python 3 writes the
        // second).
        "binary" | "variable_length_bytes" => variable("bytes"),
        // zarr-python 3's NumPy records, of fixed size.
        "structured" => match structured::fields_of(value).map(structured::item_size) {
            Some(size) => sized(name, size?),
            None => variable(name),
        },
        _ => variable(name),
    })
}

/// Maps an N5 `dataType` (`uint16`, `float32`, …, or `object`).
pub(crate) fn from_n5(name: &str) -> Result<DataType, String> {
    if name == "object" {
        return Ok(variable("object"));
    }
    N5_NUMERIC
        .contains(&name)
        .then(|| numeric(name))
        .flatten()
        .ok_or_else(|| format!("unknown N5 dataType `{name}`"))
}

/// Maps a Zarr v2 `dtype` (a NumPy type string such as `<u2`, or a structured list).
///
/// `object_codec` is the id of a variable-length filter (`vlen-utf8`, …) for `|O` arrays.
pub(crate) fn from_zarr2(value: &Value, object_codec: Option<&str>) -> Result<DataType, String> {
    let typestr = match value {
        Value::String(s) => s.as_str(),
        Value::Array(fields) => {
            return structured::item_size(fields).map(|n| sized("structured", n));
        }
        _ => return Err("`dtype` is neither a string nor a structured list".into()),
    };
    let body = typestr.trim_start_matches(['<', '>', '|', '=']);
    let mut chars = body.chars();
    let kind = chars
        .next()
        .ok_or_else(|| format!("empty dtype `{typestr}`"))?;
    let rest = chars.as_str();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let size: Option<u64> = digits.parse().ok();
    let need_size = || size.ok_or_else(|| format!("dtype `{typestr}` has no size"));
    let numeric_name = |prefix: &str, bytes: u64| {
        bytes
            .checked_mul(8)
            .and_then(|bits| numeric(&format!("{prefix}{bits}")))
            .ok_or_else(|| format!("unsupported dtype `{typestr}`"))
    };
    // A size given in bytes as a number of `unit`-byte items, refused when it overflows.
    let scaled = |unit: u64| -> Result<u64, String> {
        need_size()?
            .checked_mul(unit)
            .ok_or_else(|| format!("dtype `{typestr}` is larger than any array holds"))
    };
    match kind {
        'b' => Ok(sized("bool", 1)),
        'i' => numeric_name("int", need_size()?),
        'u' => numeric_name("uint", need_size()?),
        'f' => numeric_name("float", need_size()?),
        'c' => numeric_name("complex", need_size()?),
        'M' => Ok(sized("numpy.datetime64", 8)),
        'm' => Ok(sized("numpy.timedelta64", 8)),
        'S' => Ok(sized("null_terminated_bytes", need_size()?)),
        'U' => Ok(sized("fixed_length_utf32", scaled(4)?)),
        'V' => Ok(sized(&format!("r{}", scaled(8)?), need_size()?)),
        'O' => Ok(variable(match object_codec {
            Some("vlen-utf8" | "json2" | "json" | "msgpack2") => "string",
            Some("vlen-bytes") => "bytes",
            _ => "object",
        })),
        _ => Err(format!("unknown dtype `{typestr}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_that_overflow_are_refused_not_a_panic() {
        // Found by the `metadata` fuzz target: `<f` with a size of 2^61 bytes.
        for dtype in [
            "<f2922335758204855188",
            "<U4611686018427387904",
            "|V2305843009213693952",
        ] {
            assert!(from_zarr2(&json!(dtype), None).is_err(), "{dtype}");
        }
        let fields = json!([["a", "<f8", [4294967296u64, 4294967296u64]], ["b", "<i4"]]);
        assert!(from_zarr2(&fields, None).is_err());
    }

    #[test]
    fn zarr2_type_strings_map_to_v3_names() {
        let cases = [
            ("<u2", "uint16", Some(2)),
            (">i4", "int32", Some(4)),
            ("|u1", "uint8", Some(1)),
            ("|b1", "bool", Some(1)),
            ("<f8", "float64", Some(8)),
            ("<c8", "complex64", Some(8)),
            ("<c16", "complex128", Some(16)),
            ("<M8[ns]", "numpy.datetime64", Some(8)),
            ("|S10", "null_terminated_bytes", Some(10)),
            ("<U3", "fixed_length_utf32", Some(12)),
            ("|O", "object", None),
        ];
        for (typestr, name, size) in cases {
            let dtype = from_zarr2(&json!(typestr), None).unwrap();
            assert_eq!(
                (dtype.name.as_str(), dtype.item_size),
                (name, size),
                "{typestr}"
            );
        }
        assert_eq!(
            from_zarr2(&json!("|O"), Some("vlen-utf8")).unwrap().name,
            "string"
        );
        assert!(from_zarr2(&json!("<q9"), None).is_err());
    }

    #[test]
    fn structured_zarr2_dtypes_add_up_their_fields() {
        let dtype = from_zarr2(&json!([["a", "<u2"], ["b", "<f4", [3]]]), None).unwrap();
        assert_eq!(dtype.item_size, Some(2 + 12));
    }

    #[test]
    fn zarr3_names_and_raw_bits() {
        assert_eq!(from_zarr3(&json!("float32")).unwrap().item_size, Some(4));
        assert_eq!(from_zarr3(&json!("r24")).unwrap().item_size, Some(3));
        assert!(from_zarr3(&json!("r7")).is_err());
        assert_eq!(from_zarr3(&json!("string")).unwrap().item_size, None);
        let dt = json!({"name": "numpy.datetime64", "configuration": {"unit": "s"}});
        assert_eq!(from_zarr3(&dt).unwrap().item_size, Some(8));
    }

    #[test]
    fn n5_types() {
        assert_eq!(from_n5("uint64").unwrap().item_size, Some(8));
        assert!(from_n5("bool").is_err());
        assert!(from_n5("float128").is_err());
        // Zarr has these, N5 does not.
        assert!(from_n5("float16").is_err());
        assert!(from_n5("complex64").is_err());
        assert_eq!(from_n5("object").unwrap().item_size, None);
    }
}
