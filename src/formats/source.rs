//! A source array's metadata in Zarr v3 terms, as the planner needs it for target documents:
//! built from the document the scan read, with no I/O.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use zarrs::array::{Array, ArrayMetadata, ArrayMetadataV2};
use zarrs::metadata::v2::MetadataV2;
use zarrs::storage::store::MemoryStore;

use super::FormatError;
use super::codec::{Codec, Endian, chain_from_v3, decode_form};
use super::n5::N5Attributes;
use super::normalize;
use super::structured;
use crate::model::known_codecs::read_by_zlint;
use crate::model::{ArrayInfo, Format};

/// What a source array's metadata says in Zarr v3 terms (converted from Zarr v2 and N5 where
/// needed), with the raw documents that a target of the same format keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceMetadata {
    /// The Zarr v3 `data_type`.
    pub data_type: Value,
    /// The Zarr v3 `fill_value`.
    pub fill_value: Value,
    /// The Zarr v3 codec chain.
    pub codecs: Vec<Codec>,
    /// The raw Zarr v2 `.zarray` document, for Zarr v2 sources.
    pub v2: Option<Map<String, Value>>,
    /// The raw N5 `compression` object, for N5 sources.
    pub n5_compression: Option<Map<String, Value>>,
}

/// Whether zarrs can build the array `metadata` describes (its data type and codecs), checked
/// against an empty in-memory store.
fn check_with_zarrs(metadata: ArrayMetadata) -> Result<(), FormatError> {
    crate::formats::decode::install();
    Array::new_with_metadata(Arc::new(MemoryStore::new()), "/", metadata)
        .map(|_| ())
        .map_err(FormatError::from_zarrs)
}

/// The Zarr v3 document of a Zarr v2 array, by zarrs' conversion, with the codecs zlint reads
/// itself set aside from it and put back as `numcodecs.<id>` after `bytes` (filters, in order)
/// and at the end (the compressor).
fn v2_to_v3(v2: &ArrayMetadataV2) -> Result<Value, FormatError> {
    let ours = |m: &MetadataV2| read_by_zlint(m.id());
    let as_v3 = |m: &MetadataV2| json!({"name": format!("numcodecs.{}", m.id()), "configuration": m.configuration()});
    let mut known = v2.clone();
    let filters: Vec<Value> = v2
        .filters
        .iter()
        .flatten()
        .filter(|m| ours(m))
        .map(as_v3)
        .collect();
    if let Some(list) = &mut known.filters {
        list.retain(|m| !ours(m));
    }
    let compressor = v2.compressor.as_ref().filter(|m| ours(m)).map(as_v3);
    if compressor.is_some() {
        known.compressor = None;
    }
    // zarrs' conversion makes each codec, and some settings make it panic: refused here first.
    for codec in known.filters.iter().flatten().chain(&known.compressor) {
        crate::formats::decode::check_v2_settings(codec).map_err(FormatError::from_zarrs)?;
    }
    let converted =
        zarrs::convert::array_metadata_v2_to_v3(&known).map_err(FormatError::from_zarrs)?;
    let mut doc = to_value(converted)?;
    // A number as the fill value of an object array of strings (zarr-python 2's default, 0):
    // zarr-python 3 reads it as its text.
    if doc["data_type"] == "string"
        && let Some(number) = v2_fill_number(v2)
    {
        doc["fill_value"] = Value::from(number);
    }
    if let Some(codecs) = doc.get_mut("codecs").and_then(Value::as_array_mut) {
        let after_bytes = codecs
            .iter()
            .position(|c| c.get("name").and_then(Value::as_str) == Some("bytes"))
            .map_or(codecs.len(), |at| at + 1);
        codecs.splice(after_bytes..after_bytes, filters);
        codecs.extend(compressor);
    }
    Ok(doc)
}

/// The Zarr v3 data type and fill value of the NumPy types zarrs reads in Zarr v2 only as other
/// types of the same bytes (see [`normalize::stand_in_types`]): records, `S` bytes, datetime64 and
/// timedelta64, put back in `v3`, the conversion of the stand-in.
fn numpy_type_in_v3(zarray: &Map<String, Value>, v3: &mut Value) {
    let dtype = zarray.get("dtype").and_then(Value::as_str).unwrap_or("");
    let fill = zarray.get("fill_value").cloned().unwrap_or(Value::Null);
    // NumPy records: zarr-python 3's `structured` type where it has one; else the Zarr v2 fields
    // as they are, which only a Zarr v2 output keeps (`target` refuses the others by name). The
    // fill value is base64 in both versions, zeros when there is none.
    if let Some(fields) = zarray.get("dtype").and_then(structured::fields_of) {
        v3["data_type"] = structured::zarr3_data_type(fields)
            .unwrap_or_else(|_| json!({"name": "structured", "configuration": {"fields": fields}}));
        v3["fill_value"] = match fill {
            Value::String(_) => fill,
            _ => {
                use base64::Engine;
                let size = structured::item_size(fields).unwrap_or(0);
                let zeros = vec![0u8; usize::try_from(size).unwrap_or(0)];
                json!(base64::engine::general_purpose::STANDARD.encode(zeros))
            }
        };
        return;
    }
    // `|O` bytes (numcodecs `vlen-bytes`): Zarr v3's variable-length bytes, named as zarr-python
    // 3 names them (zarrs reads the name too), their fill value empty bytes (base64 ""), as
    // zarr-python 3 writes them; a number there has no meaning for bytes.
    let vlen_bytes = zarray
        .get("filters")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|f| f["id"] == "vlen-bytes"));
    if dtype == "|O" && vlen_bytes {
        v3["data_type"] = json!("variable_length_bytes");
        v3["fill_value"] = if fill.is_string() { fill } else { json!("") };
        return;
    }
    if let Some(length) = dtype.strip_prefix("|S").and_then(|n| n.parse::<u64>().ok()) {
        v3["data_type"] = json!({"name": "null_terminated_bytes",
                                 "configuration": {"length_bytes": length}});
        // Base64, in both versions.
        v3["fill_value"] = if fill.is_string() { fill } else { json!("") };
        return;
    }
    let name = match dtype.get(1..3) {
        Some("M8") => "numpy.datetime64",
        Some("m8") => "numpy.timedelta64",
        _ => return,
    };
    let unit = dtype
        .split_once('[')
        .map_or("generic", |(_, rest)| rest.trim_end_matches(']'));
    let (scale, unit) = match unit.find(|c: char| !c.is_ascii_digit()) {
        Some(0) | None => (1, unit),
        Some(at) => (unit[..at].parse::<u64>().unwrap_or(1), &unit[at..]),
    };
    v3["data_type"] = json!({"name": name, "configuration": {"unit": unit, "scale_factor": scale}});
    v3["fill_value"] = match fill {
        Value::Null => json!("NaT"),
        other => other,
    };
}

/// The fill value of a Zarr v2 array when it is a number, as Python's text of it.
fn v2_fill_number(v2: &ArrayMetadataV2) -> Option<String> {
    match to_value(&v2.fill_value).ok()? {
        Value::Number(n) => Some(normalize::python_text(&n)),
        _ => None,
    }
}

fn to_value(value: impl serde::Serialize) -> Result<Value, FormatError> {
    serde_json::to_value(value).map_err(|e| FormatError::Metadata(e.to_string()))
}

impl SourceMetadata {
    /// The metadata of `array`, from the document its scan read ([`ArrayInfo::metadata`]).
    ///
    /// # Errors
    /// [`FormatError`] when zarrs cannot read the document or does not support its data type or
    /// codecs.
    pub fn of_array(array: &ArrayInfo) -> Result<Self, FormatError> {
        if array.dtype.name == "structured" && array.item_size().is_none_or(|n| n == 0) {
            return Err(FormatError::Unsupported(format!(
                "structured data type (NumPy record dtype {}) without a fixed size: zlint \
                 lints such arrays but cannot rewrite them",
                array.native_dtype
            )));
        }
        let stored: Value = serde_json::from_slice(&array.metadata)
            .map_err(|e| FormatError::Metadata(format!("invalid JSON: {e}")))?;
        match array.format {
            Format::N5 => Self::of_n5(array, &stored),
            Format::Zarr3 => {
                let doc = normalize::zarr3_array(stored)?;
                let v3 = normalize::zarrs_v3(doc.clone())?;
                let readable = normalize::zarrs_v3(normalize::for_zarrs_v3(doc))?;
                check_with_zarrs(ArrayMetadata::V3(readable))?;
                Self::from_v3_doc(&to_value(&v3)?, None)
            }
            Format::Zarr2 => {
                let mut raw =
                    normalize::zarr2_array(stored.as_object().cloned().unwrap_or_default());
                raw.remove("attributes");
                let v2 = normalize::zarrs_v2(&normalize::stand_in_types(raw.clone()))?;
                let mut v3 = v2_to_v3(&v2)?;
                check_with_zarrs(ArrayMetadata::V2(v2))?;
                numpy_type_in_v3(&raw, &mut v3);
                Self::from_v3_doc(&v3, Some(raw))
            }
        }
    }

    fn from_v3_doc(doc: &Value, v2: Option<Map<String, Value>>) -> Result<Self, FormatError> {
        Ok(Self {
            data_type: doc["data_type"].clone(),
            fill_value: doc["fill_value"].clone(),
            codecs: chain_from_v3(doc["codecs"].as_array().map_or(&[][..], Vec::as_slice))?,
            v2,
            n5_compression: None,
        })
    }

    /// An N5 dataset: its data type, fill value 0 (absent blocks read as zero) and its
    /// compression as the equivalent Zarr v3 codec.
    fn of_n5(array: &ArrayInfo, stored: &Value) -> Result<Self, FormatError> {
        let attributes = N5Attributes::parse(stored)?;
        let item_size = array.item_size().unwrap_or(1);
        let mut codecs = vec![Codec::Bytes {
            endian: Some(Endian::Little),
        }];
        // bzip2 and xz have no Zarr v3 form: the N5 block reader decodes them. Any other
        // compression it cannot decode (lz4's N5 framing) is refused here, before a plan is
        // made, as the block reader would refuse it.
        match Codec::from_n5(&attributes.compression, item_size)? {
            Some(Codec::Other { name, .. }) if name != "bzip2" && name != "xz" => {
                return Err(FormatError::Unsupported(format!(
                    "N5 compression `{name}` is not supported by the rechunker (raw, gzip, zstd, \
                     blosc, bzip2, xz are)"
                )));
            }
            Some(Codec::Other { .. }) | None => {}
            Some(codec) => codecs.push(codec),
        }
        Ok(Self {
            data_type: json!(array.dtype.name),
            fill_value: json!(0),
            codecs,
            v2: None,
            n5_compression: Some(attributes.compression),
        })
    }

    /// How one read unit's bytes are decoded (see [`decode_form`]); `None` for N5 sources,
    /// which zlint does not repack.
    #[must_use]
    pub fn decode_form(&self, format: Format) -> Option<Vec<String>> {
        match (format, &self.v2) {
            (Format::N5, _) => None,
            (Format::Zarr2, Some(v2)) => zarr2_decode_form(v2),
            _ => decode_form(&self.codecs),
        }
    }
}

/// How a Zarr v2 array's chunks are decoded (see [`decode_form`]): `bytes` and the compressor's
/// id; `None` with filters, Fortran order or big-endian data, which zlint does not repack.
#[must_use]
pub fn zarr2_decode_form(zarray: &Map<String, Value>) -> Option<Vec<String>> {
    let filtered = zarray
        .get("filters")
        .is_some_and(|f| !f.is_null() && f.as_array().is_none_or(|a| !a.is_empty()));
    let c_order = zarray.get("order").and_then(Value::as_str) == Some("C");
    let big = zarray
        .get("dtype")
        .and_then(Value::as_str)
        .is_none_or(|d| d.starts_with('>'));
    if filtered || !c_order || big {
        return None;
    }
    let mut form = vec!["bytes".to_string()];
    match zarray.get("compressor") {
        None | Some(Value::Null) => {}
        Some(compressor) => form.push(compressor.get("id")?.as_str()?.to_string()),
    }
    Some(form)
}
