//! `zlint scan --json`: the scan as one JSON document. The schema is documented in
//! `docs/scan-json.md`; fields may be added, never renamed or removed without a major version.

use std::io::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{
    ArrayInfo, Axis, ChunkKeyEncoding, Codec, GroupInfo, NodeError, Store, StoredStats,
};

/// The version of the scan JSON schema.
pub const SCAN_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    zlint_version: &'static str,
    store: &'a str,
    arrays: Vec<ArrayJson<'a>>,
    groups: Vec<GroupJson<'a>>,
    errors: &'a [NodeError],
    #[serde(skip_serializing_if = "Option::is_none")]
    unlisted: Option<&'a crate::model::Unlisted>,
}

#[derive(Serialize)]
struct ArrayJson<'a> {
    path: &'a str,
    format: &'static str,
    shape: &'a [u64],
    dtype: &'a str,
    native_dtype: &'a str,
    item_size: Option<u64>,
    chunks: &'a [u64],
    shards: Option<&'a [u64]>,
    codecs: &'a [Codec],
    fill_value: &'a Value,
    dimension_names: Option<&'a [Option<String>]>,
    axes: Option<&'a [Axis]>,
    chunk_key_encoding: &'a ChunkKeyEncoding,
    chunk_bytes: Option<u64>,
    chunk_count: u64,
    shard_count: Option<u64>,
    object_bytes: Option<u64>,
    object_count: u64,
    size_bytes: Option<u64>,
    compressed: bool,
    attributes: &'a Map<String, Value>,
    stored: Option<&'a StoredStats>,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    path: &'a str,
    format: &'static str,
    implicit: bool,
    attributes: &'a Map<String, Value>,
    multiscales: &'a [crate::model::Multiscale],
    consolidated: Option<&'a crate::model::Consolidated>,
}

fn array_json(a: &ArrayInfo) -> ArrayJson<'_> {
    ArrayJson {
        path: a.path.as_str(),
        format: a.format.as_str(),
        shape: &a.shape,
        dtype: &a.dtype.name,
        native_dtype: &a.native_dtype,
        item_size: a.item_size(),
        chunks: &a.chunk_shape,
        shards: a.shard_shape.as_deref(),
        codecs: &a.codecs,
        fill_value: &a.fill_value,
        dimension_names: a.dimension_names.as_deref(),
        axes: a.axes.as_deref(),
        chunk_key_encoding: &a.chunk_key_encoding,
        chunk_bytes: a.chunk_bytes(),
        chunk_count: a.chunk_count(),
        shard_count: a.shard_count(),
        object_bytes: a.object_bytes(),
        object_count: a.object_count(),
        size_bytes: a.size_bytes(),
        compressed: a.is_compressed(),
        attributes: &a.attributes,
        stored: a.stored.as_ref(),
    }
}

fn group_json(g: &GroupInfo) -> GroupJson<'_> {
    GroupJson {
        path: g.path.as_str(),
        format: g.format.as_str(),
        implicit: g.implicit,
        attributes: &g.attributes,
        multiscales: &g.multiscales,
        consolidated: g.consolidated.as_ref(),
    }
}

/// Writes the scan of `store` as pretty-printed JSON followed by a newline.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(store: &Store, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = Document {
        schema_version: SCAN_SCHEMA_VERSION,
        zlint_version: env!("CARGO_PKG_VERSION"),
        store: &store.location,
        arrays: store.arrays.iter().map(array_json).collect(),
        groups: store.groups.iter().map(group_json).collect(),
        errors: &store.errors,
        unlisted: store.unlisted.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
