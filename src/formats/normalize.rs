//! Metadata as other writers spell it, made into what zarrs reads, without changing its meaning:
//! optional codec settings written out (zstd's `checksum`, which neuroglancer's data omits), and
//! Zarr v2 fill values coerced to the data type as zarr-python does (z5py writes `0.0` on integer
//! arrays, the Java n5-zarr writer the string `"0"`).

use serde_json::{Map, Number, Value};
use zarrs::array::{ArrayMetadataV2, ArrayMetadataV3};

use super::FormatError;
use super::codec::{chain_from_v3, chain_to_v3};
use super::structured;

/// A Zarr v3 array document with its codecs read and written again through the codec model.
///
/// # Errors
/// [`FormatError::Codec`] for a malformed codec.
pub fn zarr3_array(mut doc: Value) -> Result<Value, FormatError> {
    if let Some(codecs) = doc.get("codecs").and_then(Value::as_array) {
        let chain = chain_from_v3(codecs)?;
        doc["codecs"] = Value::Array(chain_to_v3(&chain));
    }
    Ok(doc)
}

/// A Zarr v2 `.zarray` with its fill value in the form its `dtype` takes: an integral float or a
/// number in a string becomes an integer for integer and boolean types, a number in a string
/// becomes a number for floating-point types (`"NaN"`, `"Infinity"` and `"-Infinity"` stay).
///
/// A gzip or zlib compressor at `level` -1 (zlib's default, as Java tools write it) gets the
/// level that default is, 6: the same streams, in a form zarrs reads.
#[must_use]
pub fn zarr2_array(mut zarray: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Object(compressor)) = zarray.get_mut("compressor")
        && matches!(
            compressor.get("id").and_then(Value::as_str),
            Some("gzip" | "zlib")
        )
        && compressor.get("level").and_then(Value::as_i64) == Some(-1)
    {
        compressor.insert("level".into(), Value::from(6));
    }
    let kind = zarray
        .get("dtype")
        .and_then(Value::as_str)
        .map(|d| d.trim_start_matches(['<', '>', '|', '=']))
        .and_then(|d| d.chars().next());
    let Some(fill) = zarray.get("fill_value") else {
        return zarray;
    };
    let coerced = match (kind, fill) {
        (Some('i' | 'u'), Value::Number(n)) if n.as_i64().is_none() && n.as_u64().is_none() => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.is_finite())
            .map(|f| Value::from(f as i64)),
        (Some('i' | 'u' | 'f' | 'c'), Value::String(s)) => number_in(s, kind == Some('f')),
        (Some('b'), Value::Number(n)) => Some(Value::Bool(n.as_f64() != Some(0.0))),
        // zarr-python 3 reads the missing elements of a `|O` string array whose fill value is a
        // number as that number's text (`0` reads as "0"): zarrs would read "".
        (Some('O'), Value::Number(n)) if has_filter(&zarray, "vlen-utf8") => {
            Some(Value::String(python_text(n)))
        }
        _ => None,
    };
    if let Some(value) = coerced {
        zarray.insert("fill_value".into(), value);
    }
    zarray
}

/// The text Python's `str` gives the JSON number `n`: integers as they are, floats in their
/// shortest form with `.0` when integral, and exponents outside 1e-4 ≤ |x| < 1e16 (`1e+20`).
#[must_use]
pub fn python_text(n: &Number) -> String {
    let Some(x) = n.as_f64().filter(|_| n.is_f64()) else {
        return n.to_string();
    };
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if x == 0.0 || (-4..16).contains(&exponent) {
        let text = x.to_string();
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

/// Whether the `.zarray`'s filters include the numcodecs codec `id`.
fn has_filter(zarray: &Map<String, Value>, id: &str) -> bool {
    zarray
        .get("filters")
        .and_then(Value::as_array)
        .is_some_and(|filters| filters.iter().any(|f| f["id"] == id))
}

/// zarrs' metadata of a Zarr v3 array document (normalise another writer's with
/// [`zarr3_array`] first).
///
/// # Errors
/// [`FormatError::Metadata`] with zarrs' reason.
pub fn zarrs_v3(doc: Value) -> Result<ArrayMetadataV3, FormatError> {
    serde_json::from_value(doc).map_err(|e| FormatError::Metadata(e.to_string()))
}

/// zarrs' metadata of a Zarr v2 `.zarray` (normalise another writer's with [`zarr2_array`]
/// first). zarrs' type is tagged with `node_type`, which is never on disk: it is added here.
///
/// # Errors
/// [`FormatError::Metadata`] with zarrs' reason.
pub fn zarrs_v2(zarray: &Map<String, Value>) -> Result<ArrayMetadataV2, FormatError> {
    let mut tagged = zarray.clone();
    tagged.insert("node_type".into(), Value::from("array"));
    serde_json::from_value(Value::Object(tagged)).map_err(|e| FormatError::Metadata(e.to_string()))
}

/// A Zarr v3 array document as zlint hands it to zarrs for reading (never written anywhere).
/// NumPy `S` bytes become raw bits of their length. numcodecs' element-wise filters (Delta,
/// Quantize, AsType, FixedScaleOffset, PackBits), which zarrs does not read in this form, move
/// after `bytes` as `zlint.*` bytes-to-bytes codecs carrying its byte order, where zlint's
/// readers take them (see `formats::decode`); only when they are the last array-to-array codecs
/// (after a `transpose`, say), whose output `bytes` writes in the order they see it. One before
/// a transpose does not commute with it, and is left for zarrs to refuse.
#[must_use]
pub fn for_zarrs_v3(mut doc: Value) -> Value {
    // NumPy's fixed-length `S` bytes: the same bytes as zarrs' raw bits of that length.
    if doc.pointer("/data_type/name").and_then(Value::as_str) == Some("null_terminated_bytes")
        && let Some(length) = doc
            .pointer("/data_type/configuration/length_bytes")
            .and_then(Value::as_u64)
            .filter(|&n| n <= MAX_BYTES_ELEMENT)
    {
        let fill = raw_fill(doc.get("fill_value"), length);
        doc["data_type"] = Value::from(format!("r{}", length * 8));
        doc["fill_value"] = fill;
    }
    // NumPy records (zarr-python 3's `structured`): raw bytes of the record's size.
    if let Some(length) = doc
        .get("data_type")
        .and_then(structured::fields_of)
        .and_then(|fields| structured::item_size(fields).ok())
        .filter(|&n| n > 0 && n <= MAX_BYTES_ELEMENT)
    {
        let fill = raw_fill(doc.get("fill_value"), length);
        doc["data_type"] = Value::from(format!("r{}", length * 8));
        doc["fill_value"] = fill;
    }
    doc = move_filters_after_bytes(doc);
    doc
}

/// The longest NumPy `S` element read (1 MiB): longer ones are left to zarrs, which refuses them,
/// rather than stood in for (their fill value would be allocated whole).
const MAX_BYTES_ELEMENT: u64 = 1 << 20;

/// A base64 fill value (NumPy `S` bytes, as zarr-python writes them) as zarrs' raw bits fill:
/// `length` bytes, zero-padded.
fn raw_fill(fill: Option<&Value>, length: u64) -> Value {
    use base64::Engine;
    let mut bytes = fill
        .and_then(Value::as_str)
        .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .unwrap_or_default();
    bytes.resize(usize::try_from(length).unwrap_or(0), 0);
    Value::from(bytes)
}

/// See [`for_zarrs_v3`].
fn move_filters_after_bytes(mut doc: Value) -> Value {
    const MOVABLE: &[&str] = &[
        "numcodecs.delta",
        "numcodecs.quantize",
        "numcodecs.astype",
        "numcodecs.fixedscaleoffset",
        "numcodecs.packbits",
    ];
    let Some(codecs) = doc.get("codecs").and_then(Value::as_array) else {
        return doc;
    };
    let name = |c: &Value| {
        c.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let Some(bytes_at) = codecs.iter().position(|c| name(c) == "bytes") else {
        return doc;
    };
    let (array_codecs, rest) = codecs.split_at(bytes_at);
    // The movable filters must be the last array-to-array codecs (after a transpose, say): they
    // then see the elements in the order `bytes` writes them, and can run on its output.
    let kept = array_codecs
        .iter()
        .rposition(|c| !MOVABLE.contains(&name(c).as_str()))
        .map_or(0, |i| i + 1);
    let (kept, filters) = array_codecs.split_at(kept);
    if filters.is_empty() || kept.iter().any(|c| MOVABLE.contains(&name(c).as_str())) {
        return doc;
    }
    let endian = rest[0]
        .pointer("/configuration/endian")
        .cloned()
        .unwrap_or_else(|| Value::from("little"));
    let mut moved = kept.to_vec();
    moved.push(rest[0].clone());
    for filter in filters {
        let mut configuration = filter
            .get("configuration")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        configuration.insert("endian".into(), endian.clone());
        let short = name(filter).replacen("numcodecs.", "zlint.", 1);
        moved.push(serde_json::json!({"name": short, "configuration": configuration}));
    }
    moved.extend(rest[1..].iter().cloned());
    doc["codecs"] = Value::Array(moved);
    doc
}

/// A Zarr v2 `.zarray` as zlint hands it to zarrs for reading and writing chunks (never written
/// anywhere): its types as [`stand_in_types`] gives them, and a Blosc compressor through zlint's
/// bounded reader (`zlint.blosc`), since zarrs builds Zarr v2 Blosc itself, bypassing the codec
/// registry. Its `typesize` (which only encoding uses: Blosc
/// data carries its own) is the number in the `dtype`.
#[must_use]
pub fn for_zarrs_v2(zarray: Map<String, Value>) -> Map<String, Value> {
    let mut zarray = stand_in_types(zarray);
    let item = zarray
        .get("dtype")
        .and_then(Value::as_str)
        .map(|d| {
            d.chars()
                .skip(2)
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse::<u64>().ok());
    if let Some(Value::Object(compressor)) = zarray.get_mut("compressor")
        && compressor.get("id").and_then(Value::as_str) == Some("blosc")
    {
        compressor.insert("id".into(), Value::from("zlint.blosc"));
        compressor.insert("typesize".into(), Value::from(item.unwrap_or(1)));
    }
    zarray
}

/// A Zarr v2 `.zarray` with the NumPy types zarrs does not read in Zarr v2 as the same bytes in a
/// type it reads: `S` bytes and records ([`structured`]) as raw bits, datetime64 and timedelta64 as the int64 they are stored
/// as (see `SourceMetadata` for the Zarr v3 types they become), and `U` strings without a fill
/// value given the empty string they read as.
#[must_use]
pub fn stand_in_types(mut zarray: Map<String, Value>) -> Map<String, Value> {
    let dtype = zarray
        .get("dtype")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let record = zarray
        .get("dtype")
        .and_then(structured::fields_of)
        .and_then(|fields| structured::item_size(fields).ok())
        .filter(|&n| n > 0 && n <= MAX_BYTES_ELEMENT);
    if let Some(length) = record {
        // NumPy records: raw bytes of the record's size, their fill value base64 as for `S`.
        let fill = raw_fill(zarray.get("fill_value"), length);
        zarray.insert("dtype".into(), Value::from(format!("|V{length}")));
        zarray.insert("fill_value".into(), fill);
    } else if let Some(length) = dtype
        .strip_prefix("|S")
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|&n| n <= MAX_BYTES_ELEMENT)
    {
        let fill = raw_fill(zarray.get("fill_value"), length);
        zarray.insert("dtype".into(), Value::from(format!("|V{length}")));
        zarray.insert("fill_value".into(), fill);
    } else if dtype.get(1..).is_some_and(|d| d.starts_with('U'))
        && zarray.get("fill_value").is_some_and(Value::is_null)
    {
        // NumPy `U` strings without a fill value read as empty strings (zarr-python 3), where
        // zarrs wants a string.
        zarray.insert("fill_value".into(), Value::from(""));
    } else if dtype
        .get(1..)
        .is_some_and(|d| d.starts_with("M8") || d.starts_with("m8"))
    {
        let order = &dtype[..1];
        zarray.insert("dtype".into(), Value::from(format!("{order}i8")));
        if zarray.get("fill_value").and_then(Value::as_str) == Some("NaT") {
            zarray.insert("fill_value".into(), Value::from(i64::MIN));
        }
    }
    zarray
}

/// The number written in `text`, if it is one (floats keep NumPy's special names as they are).
fn number_in(text: &str, float: bool) -> Option<Value> {
    if let Ok(int) = text.trim().parse::<i64>() {
        return Some(if float {
            Value::from(int as f64)
        } else {
            Value::from(int)
        });
    }
    if float && !["NaN", "Infinity", "-Infinity"].contains(&text) {
        return text.trim().parse::<f64>().ok().map(Value::from);
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fill(dtype: &str, fill: Value) -> Value {
        let doc = json!({"dtype": dtype, "fill_value": fill});
        zarr2_array(doc.as_object().cloned().unwrap_or_default())["fill_value"].clone()
    }

    #[test]
    fn fill_values_take_their_data_types_form() {
        assert_eq!(fill("<u2", json!(0.0)), json!(0));
        assert_eq!(fill("<i4", json!("0")), json!(0));
        assert_eq!(fill("<i4", json!("-3")), json!(-3));
        assert_eq!(fill("<f4", json!("0")), json!(0.0));
        assert_eq!(fill("<f8", json!("NaN")), json!("NaN"));
        assert_eq!(
            fill("<u1", json!(1.5)),
            json!(1.5),
            "not integral: left for zarrs to refuse"
        );
        assert_eq!(fill("|b1", json!(0)), json!(false));
        assert_eq!(fill("<U5", Value::Null), Value::Null);
        let u = json!({"dtype": "<U5", "fill_value": null});
        assert_eq!(
            stand_in_types(u.as_object().cloned().unwrap_or_default())["fill_value"],
            json!("")
        );
        // zlib's default level, -1, is level 6.
        let doc = json!({"dtype": "<u2", "compressor": {"id": "gzip", "level": -1}});
        let read = zarr2_array(doc.as_object().cloned().unwrap_or_default());
        assert_eq!(read["compressor"], json!({"id": "gzip", "level": 6}));
        // A number on a string array reads as its text, as zarr-python 3 reads it.
        let doc = json!({"dtype": "|O", "fill_value": 0, "filters": [{"id": "vlen-utf8"}]});
        let read = zarr2_array(doc.as_object().cloned().unwrap_or_default());
        assert_eq!(read["fill_value"], json!("0"));
        assert_eq!(fill("<u2", json!(7)), json!(7));
    }

    fn text(value: Value) -> String {
        match value {
            Value::Number(n) => python_text(&n),
            other => panic!("not a number: {other}"),
        }
    }

    #[test]
    fn numbers_read_as_pythons_text_of_them() {
        // As zarr-python 3.1 reads a Zarr v2 vlen-utf8 array's missing elements.
        assert_eq!(text(json!(0)), "0");
        assert_eq!(text(json!(-17)), "-17");
        assert_eq!(text(json!(1.5)), "1.5");
        assert_eq!(text(json!(2.0)), "2.0");
        assert_eq!(text(json!(-0.0)), "-0.0");
        assert_eq!(text(json!(1e20)), "1e+20");
        assert_eq!(text(json!(0.00001)), "1e-05");
        assert_eq!(text(json!(0.0001)), "0.0001");
        assert_eq!(text(json!(1e15)), "1000000000000000.0");
        assert_eq!(text(json!(1.25e16)), "1.25e+16");
    }

    #[test]
    fn numcodecs_filters_after_a_transpose_move_after_bytes_and_before_one_stay() {
        let codec = |name: &str| json!({"name": name, "configuration": {}});
        let names = |doc: &Value| -> Vec<String> {
            doc["codecs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| c["name"].as_str().unwrap_or("").to_string())
                .collect()
        };
        let after = json!({"codecs": [codec("transpose"), codec("numcodecs.delta"),
                                      codec("bytes"), codec("zstd")]});
        assert_eq!(
            names(&for_zarrs_v3(after)),
            ["transpose", "bytes", "zlint.delta", "zstd"]
        );
        // Before a transpose, the filter sees another order than `bytes` writes.
        let before = json!({"codecs": [codec("numcodecs.delta"), codec("transpose"),
                                       codec("bytes")]});
        assert_eq!(for_zarrs_v3(before.clone()), before);
    }

    #[test]
    fn optional_codec_settings_are_written_out() {
        let doc =
            json!({"codecs": [{"name": "bytes"}, {"name": "zstd", "configuration": {"level": 0}}]});
        let normal = zarr3_array(doc).expect("reads");
        assert_eq!(
            normal["codecs"][1]["configuration"]["checksum"],
            json!(false)
        );
    }

    #[test]
    fn numpy_bytes_become_raw_bits_for_zarrs_within_reason() {
        let doc = json!({"data_type": {"name": "null_terminated_bytes",
                                       "configuration": {"length_bytes": 3}},
                         "fill_value": "MA==", "codecs": [{"name": "bytes"}]});
        let read = for_zarrs_v3(doc);
        assert_eq!(read["data_type"], "r24");
        assert_eq!(read["fill_value"], json!([48, 0, 0]));
        // An absurd length is left for zarrs to refuse, not allocated as a fill value.
        let huge = json!({"data_type": {"name": "null_terminated_bytes",
                                        "configuration": {"length_bytes": 1u64 << 62}},
                          "fill_value": ""});
        assert_eq!(for_zarrs_v3(huge.clone()), huge);
        let zarray = json!({"dtype": "|S4611686018427387904", "fill_value": ""});
        let zarray = zarray.as_object().cloned().unwrap_or_default();
        assert_eq!(stand_in_types(zarray.clone()), zarray);
        let dates = json!({"dtype": "<M8[ms]", "fill_value": "NaT"});
        let dates = stand_in_types(dates.as_object().cloned().unwrap_or_default());
        assert_eq!(dates["dtype"], "<i8");
        assert_eq!(dates["fill_value"], json!(i64::MIN));
    }
}
