//! Decoding a whole zstd-compressed chunk straight into its place in a region buffer when its
//! elements are one run of bytes there, as a plane-by-plane source (one chunk a plane) read into
//! a group of planes is. zarrs decompresses a chunk into a buffer of its own and copies that in;
//! this saves the copy and the allocation, and keeps one decompression context a thread.

use std::cell::RefCell;
use std::ops::Range;

use zarrs::array::ArrayMetadata;
use zarrs::metadata::v2::{ArrayMetadataV2Order, DataTypeMetadataV2};

/// Whether the chunks of a Zarr array are its elements' bytes in this machine's order, in C
/// order, compressed by zstd and nothing else: then decompressing a chunk gives its elements as
/// they lie in memory.
pub(crate) fn plain_zstd(metadata: &ArrayMetadata) -> bool {
    if cfg!(target_endian = "big") {
        return false;
    }
    match metadata {
        ArrayMetadata::V3(m) => {
            let item = match m.data_type.name() {
                "int8" | "uint8" => 1,
                "int16" | "uint16" | "float16" => 2,
                "int32" | "uint32" | "float32" => 4,
                "int64" | "uint64" | "float64" | "complex64" => 8,
                "complex128" => 16,
                _ => return false,
            };
            let [bytes, zstd] = m.codecs.as_slice() else {
                return false;
            };
            let endian = bytes
                .configuration()
                .and_then(|c| c.get("endian"))
                .and_then(serde_json::Value::as_str);
            m.storage_transformers.is_empty()
                && bytes.name() == "bytes"
                && (endian == Some("little") || (endian.is_none() && item == 1))
                && zstd.name() == "zstd"
        }
        ArrayMetadata::V2(m) => {
            let DataTypeMetadataV2::Simple(dtype) = &m.dtype else {
                return false;
            };
            let mut kind = dtype.chars();
            let order = kind.next();
            let numeric = matches!(kind.next(), Some('i' | 'u' | 'f' | 'c'));
            let single_byte = matches!(dtype.as_str(), "|i1" | "|u1" | "<i1" | "<u1");
            numeric
                && (order == Some('<') || single_byte)
                && matches!(m.order, ArrayMetadataV2Order::C)
                && m.filters.as_ref().is_none_or(Vec::is_empty)
                && m.compressor.as_ref().is_some_and(|c| c.id() == "zstd")
        }
    }
}

/// The bytes of a box (`start` and `shape`, in elements of `item` bytes) inside a C-order buffer
/// of `whole` elements, when they are one run there: every axis after the first one the box
/// does not cover in full is whole, every one before it is one element thick.
pub(crate) fn contiguous_run(
    whole: &[u64],
    start: &[u64],
    shape: &[u64],
    item: u64,
) -> Option<Range<usize>> {
    let partial = shape.iter().zip(whole).rposition(|(s, w)| s != w);
    if let Some(axis) = partial
        && shape[..axis].iter().any(|&s| s != 1)
    {
        return None;
    }
    let mut offset = 0u64;
    for (s, w) in start.iter().zip(whole) {
        offset = offset * w + s;
    }
    let begin = usize::try_from(offset * item).ok()?;
    let len = usize::try_from(shape.iter().product::<u64>() * item).ok()?;
    Some(begin..begin + len)
}

thread_local! {
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { RefCell::new(None) };
}

/// Decompresses the zstd frames of `encoded` into `out`, which they must fill exactly.
pub(crate) fn decompress_into(encoded: &[u8], out: &mut [u8]) -> Result<(), String> {
    DECOMPRESSOR.with_borrow_mut(|cached| {
        let decompressor = match cached {
            Some(d) => d,
            None => cached.insert(zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?),
        };
        let limit = out.len();
        let written = crate::formats::decode::zstd_into(decompressor, encoded, out, limit)?;
        if written == out.len() {
            Ok(())
        } else {
            Err(format!(
                "zstd data decodes to {written} bytes where the chunk holds {limit}"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v3(data_type: &str, codecs: serde_json::Value) -> ArrayMetadata {
        serde_json::from_value(serde_json::json!({
            "zarr_format": 3, "node_type": "array", "shape": [4], "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": codecs,
        }))
        .unwrap()
    }

    fn v2(dtype: &str, compressor: serde_json::Value, filters: serde_json::Value) -> ArrayMetadata {
        serde_json::from_value(serde_json::json!({
            "zarr_format": 2, "shape": [4], "chunks": [2], "dtype": dtype, "fill_value": 0,
            "order": "C", "compressor": compressor, "filters": filters,
        }))
        .unwrap()
    }

    #[test]
    fn only_native_bytes_under_zstd_alone_are_plain() {
        let zstd =
            serde_json::json!({"name": "zstd", "configuration": {"level": 3, "checksum": false}});
        let little = serde_json::json!({"name": "bytes", "configuration": {"endian": "little"}});
        let big = serde_json::json!({"name": "bytes", "configuration": {"endian": "big"}});
        let bare = serde_json::json!({"name": "bytes"});
        assert!(plain_zstd(&v3("uint16", serde_json::json!([little, zstd]))));
        assert!(plain_zstd(&v3("uint8", serde_json::json!([bare, zstd]))));
        assert!(!plain_zstd(&v3("uint16", serde_json::json!([big, zstd]))));
        assert!(!plain_zstd(&v3("bool", serde_json::json!([bare, zstd]))));
        assert!(!plain_zstd(&v3("uint16", serde_json::json!([little]))));
        let crc = serde_json::json!({"name": "crc32c"});
        assert!(!plain_zstd(&v3(
            "uint16",
            serde_json::json!([little, zstd, crc])
        )));
        let compressor = serde_json::json!({"id": "zstd", "level": 1});
        assert!(plain_zstd(&v2(
            "<u2",
            compressor.clone(),
            serde_json::Value::Null
        )));
        assert!(plain_zstd(&v2(
            "|u1",
            compressor.clone(),
            serde_json::Value::Null
        )));
        assert!(!plain_zstd(&v2(
            ">u2",
            compressor.clone(),
            serde_json::Value::Null
        )));
        assert!(!plain_zstd(&v2(
            "|b1",
            compressor.clone(),
            serde_json::Value::Null
        )));
        let delta = serde_json::json!([{"id": "delta", "dtype": "<u2"}]);
        assert!(!plain_zstd(&v2("<u2", compressor, delta)));
        let blosc = serde_json::json!({"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 1});
        assert!(!plain_zstd(&v2("<u2", blosc, serde_json::Value::Null)));
    }

    #[test]
    fn a_box_is_one_run_when_only_its_outer_axes_are_cut() {
        let whole = [4, 6, 8];
        // A plane, a run of rows in one plane, part of one row.
        assert_eq!(
            contiguous_run(&whole, &[2, 0, 0], &[1, 6, 8], 2),
            Some(192..288)
        );
        assert_eq!(
            contiguous_run(&whole, &[1, 2, 0], &[1, 3, 8], 1),
            Some(64..88)
        );
        assert_eq!(
            contiguous_run(&whole, &[0, 5, 3], &[1, 1, 4], 4),
            Some(172..188)
        );
        // Two planes, whole; then two planes of partial rows.
        assert_eq!(
            contiguous_run(&whole, &[0, 0, 0], &[2, 6, 8], 1),
            Some(0..96)
        );
        assert_eq!(contiguous_run(&whole, &[0, 0, 0], &[2, 3, 8], 1), None);
        assert_eq!(contiguous_run(&whole, &[0, 0, 0], &[1, 2, 4], 1), None);
    }

    #[test]
    fn a_chunk_must_fill_its_place_exactly() {
        let data: Vec<u8> = (0..=255).cycle().take(3000).collect();
        let encoded = zstd::bulk::compress(&data, 3).unwrap();
        let mut out = vec![0; 3000];
        decompress_into(&encoded, &mut out).unwrap();
        assert_eq!(out, data);
        // Again on this thread, reusing its context.
        out.fill(0);
        decompress_into(&encoded, &mut out).unwrap();
        assert_eq!(out, data);
        let err = decompress_into(&encoded, &mut vec![0; 3001]).unwrap_err();
        assert!(err.contains("decodes to 3000 bytes"), "{err}");
        let err = decompress_into(&encoded, &mut vec![0; 2999]).unwrap_err();
        assert!(err.contains("declares 3000 decoded bytes"), "{err}");
        assert!(decompress_into(&encoded[..encoded.len() - 5], &mut out).is_err());
    }
}
