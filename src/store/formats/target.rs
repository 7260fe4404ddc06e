//! The metadata documents of a rechunk's output, in the three formats, from the source's
//! metadata and the target layout. Translation between the formats' codecs goes through the typed
//! model of [`super::codec`].

use serde_json::{Map, Value, json};

use super::FormatError;
use super::codec::{
    Codec, Compressor, Endian, n5_raw, portable_read_unit, read_unit_codecs, single_compressor,
};
use super::n5::{DATASET_KEYS, N5Attributes, n5_data_type};
use super::source::{SourceMetadata, zarr2_decode_form};
use crate::layout::Layout;
use crate::model::{ArrayInfo, Format};

/// Metadata documents to write: file name → JSON.
pub type Documents = Vec<(String, Value)>;

/// An array's target documents, and how its chunks will decode.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayDocuments {
    /// The documents.
    pub documents: Documents,
    /// How one read unit of the target decodes (see [`super::codec::decode_form`]).
    pub decode_form: Option<Vec<String>>,
    /// What the translation did that a user should know (attributes moved aside, …).
    pub notes: Vec<String>,
}

/// The N5 attributes that N5 readers interpret, with the form they must have: a list with one
/// entry per axis, of strings (`true`) or numbers (`false`).
const N5_AXIS_ATTRIBUTES: &[(&str, bool)] =
    &[("axes", true), ("units", true), ("resolution", false)];

/// Where user attributes go that would collide with [`N5_AXIS_ATTRIBUTES`] in an N5 dataset.
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
const N5_VERSION: &str = "4.0.0";

/// The group documents of `format`.
#[must_use]
pub fn group_documents(format: Format, attributes: &Map<String, Value>, root: bool) -> Documents {
    match format {
        Format::Zarr3 => vec![(
            "zarr.json".into(),
            json!({"zarr_format": 3, "node_type": "group", "attributes": attributes}),
        )],
        Format::Zarr2 => {
            let mut docs = vec![(".zgroup".into(), json!({"zarr_format": 2}))];
            if !attributes.is_empty() {
                docs.push((".zattrs".into(), Value::Object(attributes.clone())));
            }
            docs
        }
        Format::N5 => vec![("attributes.json".into(), {
            // The N5 version marks the container's root.
            let mut attrs = attributes.clone();
            if root {
                attrs
                    .entry("n5".to_string())
                    .or_insert_with(|| json!(N5_VERSION));
            }
            Value::Object(attrs)
        })],
    }
}

fn little_endian_bytes() -> Codec {
    Codec::Bytes {
        endian: Some(Endian::Little),
    }
}

/// The array documents of `format` for `array` rechunked to `layout`. `compressor` replaces the
/// source's bytes-to-bytes codecs when given (empty: no compression).
///
/// # Errors
/// [`FormatError::Unsupported`] when the target format cannot hold the data type, fill value or
/// codecs.
pub fn array_documents(
    array: &ArrayInfo,
    source: &SourceMetadata,
    layout: &Layout,
    format: Format,
    compressor: Option<&[Codec]>,
) -> Result<ArrayDocuments, FormatError> {
    match format {
        Format::Zarr3 => Ok(zarr3_documents(array, source, layout, compressor)),
        Format::Zarr2 => zarr2_documents(array, source, layout, compressor),
        Format::N5 => n5_documents(array, source, layout, compressor),
    }
}

fn zarr3_documents(
    array: &ArrayInfo,
    source: &SourceMetadata,
    layout: &Layout,
    compressor: Option<&[Codec]>,
) -> ArrayDocuments {
    // The codecs applied to each read unit: the inner codecs of a sharded source, as every
    // reader reads them.
    let (portable, notes) = portable_read_unit(read_unit_codecs(&source.codecs), Format::Zarr3);
    let inner: Vec<Codec> = match compressor {
        Some(compressor) => {
            let mut kept: Vec<Codec> = portable
                .into_iter()
                .filter(|c| c.is_array_to_array() || c.is_array_to_bytes())
                .collect();
            if !kept.iter().any(Codec::is_array_to_bytes) {
                kept.push(little_endian_bytes());
            }
            kept.extend(compressor.iter().cloned());
            kept
        }
        None => portable,
    };
    let decode_form = super::codec::decode_form(&inner);
    let codecs = match &layout.shards {
        Some(_) => vec![Codec::Sharding(Box::new(super::codec::Sharding {
            chunk_shape: layout.chunks.clone(),
            codecs: inner,
            index_codecs: vec![little_endian_bytes(), Codec::Crc32c],
            index_location: "end".into(),
        }))],
        None => inner,
    };
    let mut doc = Map::new();
    doc.insert("zarr_format".into(), json!(3));
    doc.insert("node_type".into(), json!("array"));
    doc.insert("shape".into(), json!(array.shape));
    doc.insert("data_type".into(), source.data_type.clone());
    doc.insert(
        "chunk_grid".into(),
        json!({"name": "regular", "configuration": {"chunk_shape": layout.object()}}),
    );
    doc.insert(
        "chunk_key_encoding".into(),
        json!({"name": "default", "configuration": {"separator": "/"}}),
    );
    doc.insert("fill_value".into(), source.fill_value.clone());
    doc.insert(
        "codecs".into(),
        Value::Array(super::codec::chain_to_v3(&codecs)),
    );
    // Dimension names: Zarr v3's own, xarray's `_ARRAY_DIMENSIONS`, or N5's `axes` (which
    // then leave the attributes: in N5 order they would contradict the names).
    let mut attributes = if array.format == Format::N5 {
        from_n5_user_attributes(&array.attributes)
    } else {
        array.attributes.clone()
    };
    let names = array.dimension_names.clone().filter(|_| {
        array.format == Format::Zarr3
            || array.format == Format::N5
            || array.attributes.contains_key("_ARRAY_DIMENSIONS")
    });
    if array.format == Format::N5 && names.is_some() {
        attributes.remove("axes");
    }
    doc.insert("attributes".into(), Value::Object(attributes));
    if let Some(names) = names {
        doc.insert("dimension_names".into(), json!(names));
    }
    ArrayDocuments {
        documents: vec![("zarr.json".into(), Value::Object(doc))],
        // A sharded target's chunks decode as its inner chain (see `decode_form`).
        decode_form,
        notes,
    }
}

fn zarr2_documents(
    array: &ArrayInfo,
    source: &SourceMetadata,
    layout: &Layout,
    compressor: Option<&[Codec]>,
) -> Result<ArrayDocuments, FormatError> {
    let (mut doc, notes) = match &source.v2 {
        Some(v2) => (v2.clone(), Vec::new()),
        None => zarr2_from_v3(array, source)?,
    };
    doc.insert("chunks".into(), json!(layout.chunks));
    doc.insert("dimension_separator".into(), json!("/"));
    doc.remove("node_type");
    if let Some(compressor) = compressor {
        let v2 = compressor
            .first()
            .and_then(Codec::to_v2_compressor)
            .unwrap_or(Value::Null);
        doc.insert("compressor".into(), v2);
    }
    let decode_form = zarr2_decode_form(&doc);
    let mut documents = vec![(".zarray".into(), Value::Object(doc))];
    let attributes = if array.format == Format::N5 {
        // N5's `axes` are dimension names in N5 order, not a user attribute.
        let mut attributes = from_n5_user_attributes(&array.attributes);
        if array.dimension_names.is_some() {
            attributes.remove("axes");
        }
        attributes
    } else {
        array.attributes.clone()
    };
    if !attributes.is_empty() {
        documents.push((".zattrs".into(), Value::Object(attributes)));
    }
    Ok(ArrayDocuments {
        documents,
        decode_form,
        notes,
    })
}

/// A Zarr v2 `.zarray` for a source whose data type Zarr v2 can express, and what changed of
/// its codecs (see [`portable_read_unit`]).
fn zarr2_from_v3(
    array: &ArrayInfo,
    source: &SourceMetadata,
) -> Result<(Map<String, Value>, Vec<String>), FormatError> {
    let item = array.item_size().unwrap_or(1);
    let kind = match array.dtype.name.as_str() {
        "bool" => "b",
        name if name.starts_with("uint") => "u",
        name if name.starts_with("int") => "i",
        name if name.starts_with("float") => "f",
        name if name.starts_with("complex") => "c",
        other => {
            return Err(FormatError::Unsupported(format!(
                "data type `{other}` has no Zarr v2 equivalent here"
            )));
        }
    };
    // A sharded source: the codecs that matter are those of each inner chunk, as every reader
    // reads them.
    let (portable, notes) = portable_read_unit(read_unit_codecs(&source.codecs), Format::Zarr2);
    let (compressor, big_endian) = single_compressor(&portable);
    let compressor = match compressor {
        Compressor::None => Value::Null,
        Compressor::One(codec) => codec.to_v2_compressor().unwrap_or(Value::Null),
        Compressor::Unsupported(codec) => {
            return Err(FormatError::Unsupported(format!(
                "codec `{}` has no Zarr v2 equivalent here; use --codec",
                codec.name()
            )));
        }
    };
    let endian = if big_endian { ">" } else { "<" };
    let typestr = if item == 1 && kind != "c" {
        format!("|{kind}1")
    } else {
        format!("{endian}{kind}{item}")
    };
    let mut doc = Map::new();
    doc.insert("zarr_format".into(), json!(2));
    doc.insert("shape".into(), json!(array.shape));
    doc.insert("chunks".into(), json!(array.chunk_shape));
    doc.insert("dtype".into(), json!(typestr));
    doc.insert("compressor".into(), compressor);
    doc.insert("fill_value".into(), source.fill_value.clone());
    doc.insert("order".into(), json!("C"));
    doc.insert("filters".into(), Value::Null);
    Ok((doc, notes))
}

fn n5_documents(
    array: &ArrayInfo,
    source: &SourceMetadata,
    layout: &Layout,
    compressor: Option<&[Codec]>,
) -> Result<ArrayDocuments, FormatError> {
    let data_type = n5_data_type(&array.dtype.name).ok_or_else(|| {
        FormatError::Unsupported(format!(
            "data type `{}` has no N5 equivalent",
            array.dtype.name
        ))
    })?;
    let fill = &source.fill_value;
    if !(fill.as_f64() == Some(0.0) || fill.is_null()) {
        return Err(FormatError::Unsupported(format!(
            "fill value {fill}: N5 has none (absent blocks read as 0), so only arrays with fill value 0 can become N5"
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
        Compressor::One(codec) => codec.to_n5().unwrap_or_else(n5_raw),
        Compressor::Unsupported(codec) => {
            return Err(FormatError::Unsupported(format!(
                "codec `{}` has no N5 equivalent here; use --codec",
                codec.name()
            )));
        }
    };
    Ok((compression, notes))
}

/// The `zarr.json` of a two-pass rechunk's intermediate array: chunks of `chunks`, stored raw,
/// or `compressed` with fast Blosc LZ4.
#[must_use]
pub fn intermediate_document(
    shape: &[u64],
    chunks: &[u64],
    item_size: u64,
    source: &SourceMetadata,
    compressed: bool,
) -> Value {
    let mut codecs = vec![little_endian_bytes()];
    if compressed {
        codecs.push(Codec::Blosc(super::codec::Blosc {
            cname: "lz4".into(),
            clevel: 1,
            shuffle: if item_size > 1 {
                super::codec::BloscShuffle::Shuffle
            } else {
                super::codec::BloscShuffle::NoShuffle
            },
            typesize: Some(item_size),
            blocksize: 0,
        }));
    }
    json!({
        "zarr_format": 3, "node_type": "array", "shape": shape,
        "data_type": source.data_type, "fill_value": source.fill_value,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": super::codec::chain_to_v3(&codecs)
    })
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
