//! The metadata documents of a rechunk's output, in the three formats, from the source's
//! metadata and the target layout. Translation between the formats' codecs goes through the typed
//! model of [`super::codec`].

use serde_json::{Map, Value, json};

mod to_n5;

use super::FormatError;
use super::codec::{
    Codec, Compressor, Endian, portable_read_unit, read_unit_codecs, single_compressor,
};
use super::source::{SourceMetadata, zarr2_decode_form};
use super::structured;
use crate::layout::Layout;
use crate::model::known_codecs::read_by_zlint;
use crate::model::{ArrayInfo, Format};

pub use to_n5::{N5_SET_ASIDE, from_n5_user_attributes};
use to_n5::{N5_VERSION, n5_documents};

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
        Format::Zarr3 => {
            zarr3_record_type(array, source, layout)?;
            Ok(zarr3_documents(array, source, layout, compressor))
        }
        Format::Zarr2 => zarr2_documents(array, source, layout, compressor),
        Format::N5 => n5_documents(array, source, layout, compressor),
    }
}

/// A NumPy record type whose fields Zarr v3 cannot hold as zarr-python 3 reads them, or in
/// shards (zarr-python 3.1 fails on records in shards, written or read), is refused by name
/// (see [`structured::zarr3_data_type`]).
fn zarr3_record_type(
    array: &ArrayInfo,
    source: &SourceMetadata,
    layout: &Layout,
) -> Result<(), FormatError> {
    let refused = |why: &str| {
        Err(FormatError::Unsupported(format!(
            "structured data type (NumPy record dtype {}): {why} (--to zarr2 keeps it)",
            array.native_dtype
        )))
    };
    match structured::fields_of(&source.data_type).map(structured::zarr3_data_type) {
        Some(Err(why)) => refused(&why),
        Some(Ok(_)) if layout.shards.is_some() => {
            refused("zarr-python 3 can neither write nor read records in shards: drop --shards")
        }
        _ => Ok(()),
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
        Some(_) => vec![Codec::Sharding(Box::new(
            super::codec::Sharding::indexed_at_end(layout.chunks.clone(), inner),
        ))],
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
    // Dimension names: Zarr v3's own, xarray's `_ARRAY_DIMENSIONS`, the OME-NGFF axes of a
    // multiscale level (OME-NGFF 0.5 requires them), or N5's `axes` (which then leave the
    // attributes: in N5 order they would contradict the names).
    let mut attributes = if array.format == Format::N5 {
        from_n5_user_attributes(&array.attributes)
    } else {
        array.attributes.clone()
    };
    let names = array.dimension_names.clone().filter(|_| {
        array.format == Format::Zarr3
            || array.format == Format::N5
            || array.attributes.contains_key("_ARRAY_DIMENSIONS")
            || array.axes.is_some()
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
        Some(v2) => writable_zarr2(v2.clone()),
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

/// A Zarr v2 source's `.zarray` as a Zarr v2 target keeps it, with the codecs zlint reads but
/// does not write ([`read_by_zlint`]) dropped (filters) or replaced by zstd level 3 (a
/// compressor), and notes saying so.
fn writable_zarr2(mut doc: Map<String, Value>) -> (Map<String, Value>, Vec<String>) {
    let mut notes = Vec::new();
    let id = |v: &Value| {
        v.get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if let Some(Value::Array(filters)) = doc.get_mut("filters") {
        filters.retain(|f| {
            let keep = !read_by_zlint(&id(f));
            if !keep {
                notes.push(format!(
                    "filter `{}` dropped: the values it decodes to are written as they are",
                    id(f)
                ));
            }
            keep
        });
        if filters.is_empty() {
            doc.insert("filters".into(), Value::Null);
        }
    }
    if let Some(compressor) = doc.get("compressor").map(id)
        && read_by_zlint(&compressor)
    {
        notes.push(format!(
            "compressor `{compressor}` is read but not written by zlint: compressed with zstd \
             level 3 instead"
        ));
        doc.insert("compressor".into(), json!({"id": "zstd", "level": 3}));
    }
    (doc, notes)
}

/// The NumPy type string, without byte order, of the Zarr v3 data types NumPy names with a
/// parameter: `S3`, `U4`, `M8[s]`, `m8[10ms]`.
fn numpy_typestr(data_type: &Value) -> Option<String> {
    let name = data_type.get("name").and_then(Value::as_str)?;
    let config = |key: &str| data_type.pointer(&format!("/configuration/{key}")).cloned();
    match name {
        "null_terminated_bytes" => Some(format!("S{}", config("length_bytes")?.as_u64()?)),
        "fixed_length_utf32" => Some(format!("U{}", config("length_bytes")?.as_u64()? / 4)),
        "numpy.datetime64" | "numpy.timedelta64" => {
            let letter = if name == "numpy.datetime64" { 'M' } else { 'm' };
            let unit = config("unit")?.as_str()?.to_string();
            let scale = config("scale_factor").and_then(|s| s.as_u64()).unwrap_or(1);
            let scale = if scale == 1 {
                String::new()
            } else {
                scale.to_string()
            };
            Some(format!("{letter}8[{scale}{unit}]"))
        }
        _ => None,
    }
}

/// A Zarr v2 `.zarray` for a source whose data type Zarr v2 can express, and what changed of
/// its codecs (see [`portable_read_unit`]).
fn zarr2_from_v3(
    array: &ArrayInfo,
    source: &SourceMetadata,
) -> Result<(Map<String, Value>, Vec<String>), FormatError> {
    let item = array.item_size().unwrap_or(1);
    // Variable-length strings and bytes are Python objects in Zarr v2, encoded by a filter.
    let vlen = match array.dtype.name.as_str() {
        "string" => Some("vlen-utf8"),
        "bytes" => Some("vlen-bytes"),
        _ => None,
    };
    // NumPy types with a parameter: their Zarr v2 type string in full, the byte order aside.
    let numpy = numpy_typestr(&source.data_type);
    let record = structured::zarr2_dtype(&source.data_type);
    let kind = match array.dtype.name.as_str() {
        _ if vlen.is_some() => "O",
        _ if record.is_some() => "record",
        _ if numpy.is_some() => "numpy",
        "bool" => "b",
        name if name.starts_with("uint") => "u",
        name if name.starts_with("int") => "i",
        name if name.starts_with("float") => "f",
        name if name.starts_with("complex") => "c",
        other => {
            return Err(FormatError::Unsupported(format!(
                "data type `{other}` has no Zarr v2 equivalent here (--to zarr3 holds it)"
            )));
        }
    };
    // A sharded source: the codecs that matter are those of each inner chunk, as every reader
    // reads them.
    let (mut portable, notes) = portable_read_unit(read_unit_codecs(&source.codecs), Format::Zarr2);
    portable.retain(|c| !matches!(c.name(), "vlen-utf8" | "vlen-bytes"));
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
    let typestr = if let Some(numpy) = numpy {
        if numpy.starts_with('S') {
            format!("|{numpy}")
        } else {
            format!("{endian}{numpy}")
        }
    } else if kind == "O" {
        "|O".to_string()
    } else if item == 1 && kind != "c" {
        format!("|{kind}1")
    } else {
        format!("{endian}{kind}{item}")
    };
    let mut doc = Map::new();
    doc.insert("zarr_format".into(), json!(2));
    doc.insert("shape".into(), json!(array.shape));
    doc.insert("chunks".into(), json!(array.chunk_shape));
    doc.insert("dtype".into(), record.unwrap_or_else(|| json!(typestr)));
    doc.insert("compressor".into(), compressor);
    doc.insert("fill_value".into(), source.fill_value.clone());
    doc.insert("order".into(), json!("C"));
    let filters = vlen.map_or(Value::Null, |id| json!([{"id": id}]));
    doc.insert("filters".into(), filters);
    Ok((doc, notes))
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
