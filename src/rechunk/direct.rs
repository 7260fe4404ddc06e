//! Decoding a whole zstd- or Blosc-compressed chunk straight into its place in a region buffer
//! when its elements are one run of bytes there, as a plane-by-plane source (one chunk a plane)
//! read into a group of planes is. zarrs decompresses a chunk into a buffer of its own and copies
//! that in; this saves the copy and the allocation, and keeps one zstd context a thread.

use std::cell::RefCell;
use std::ops::Range;

use zarrs::array::ArrayMetadata;
use zarrs::metadata::v2::{ArrayMetadataV2Order, DataTypeMetadataV2};

/// A compressor whose output, decompressed, is a chunk's elements as they lie in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plain {
    Zstd,
    Blosc,
}

impl Plain {
    fn named(name: &str) -> Option<Self> {
        match name {
            "zstd" => Some(Self::Zstd),
            // zlint's stand-in for Zarr v2 Blosc (see `normalize::for_zarrs_v2`).
            "blosc" | "zlint.blosc" => Some(Self::Blosc),
            _ => None,
        }
    }
}

/// The compressor of a Zarr array whose chunks are its elements' bytes in this machine's order,
/// in C order, compressed by zstd or Blosc and nothing else: then decompressing a chunk gives
/// its elements as they lie in memory. `None` for every other array.
pub(crate) fn plain_codec(metadata: &ArrayMetadata) -> Option<Plain> {
    if cfg!(target_endian = "big") {
        return None;
    }
    match metadata {
        ArrayMetadata::V3(m) => {
            let item = match m.data_type.name() {
                "int8" | "uint8" => 1,
                "int16" | "uint16" | "float16" => 2,
                "int32" | "uint32" | "float32" => 4,
                "int64" | "uint64" | "float64" | "complex64" => 8,
                "complex128" => 16,
                _ => return None,
            };
            let [bytes, compressor] = m.codecs.as_slice() else {
                return None;
            };
            let endian = bytes
                .configuration()
                .and_then(|c| c.get("endian"))
                .and_then(serde_json::Value::as_str);
            let plain = m.storage_transformers.is_empty()
                && bytes.name() == "bytes"
                && (endian == Some("little") || (endian.is_none() && item == 1));
            plain.then(|| Plain::named(compressor.name())).flatten()
        }
        ArrayMetadata::V2(m) => {
            let DataTypeMetadataV2::Simple(dtype) = &m.dtype else {
                return None;
            };
            let mut kind = dtype.chars();
            let order = kind.next();
            let numeric = matches!(kind.next(), Some('i' | 'u' | 'f' | 'c'));
            let single_byte = matches!(dtype.as_str(), "|i1" | "|u1" | "<i1" | "<u1");
            let plain = numeric
                && (order == Some('<') || single_byte)
                && matches!(m.order, ArrayMetadataV2Order::C)
                && m.filters.as_ref().is_none_or(Vec::is_empty);
            plain
                .then(|| m.compressor.as_ref().and_then(|c| Plain::named(c.id())))
                .flatten()
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

/// Decompresses `encoded`, compressed by `plain`, into `out`, which it must fill exactly.
pub(crate) fn decompress_into(plain: Plain, encoded: &[u8], out: &mut [u8]) -> Result<(), String> {
    let limit = out.len();
    let written = match plain {
        Plain::Zstd => DECOMPRESSOR.with_borrow_mut(|cached| {
            let decompressor = match cached {
                Some(d) => d,
                None => cached.insert(zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?),
            };
            crate::formats::decode::zstd_into(decompressor, encoded, out, limit)
        })?,
        Plain::Blosc => blosc_into(encoded, out)?,
    };
    if written == limit {
        Ok(())
    } else {
        Err(
            format!("{plain:?} data decodes to {written} bytes where the chunk holds {limit}")
                .to_lowercase(),
        )
    }
}

/// Decompresses the Blosc buffer `encoded` into `out`, checking its header first: it must be
/// whole and declare no more than `out` holds.
fn blosc_into(encoded: &[u8], out: &mut [u8]) -> Result<usize, String> {
    let limit = out.len();
    let declared = crate::formats::decode::blosc_decoded_size(encoded)
        .ok_or("blosc: the data is shorter than a Blosc header")?;
    if declared > limit as u64 {
        return Err(crate::formats::decode::too_large("blosc", declared, limit));
    }
    let mut nbytes = 0usize;
    // SAFETY: c-blosc reads the header of `encoded` within its length, and writes `nbytes`.
    let valid = unsafe {
        blosc_src::blosc_cbuffer_validate(encoded.as_ptr().cast(), encoded.len(), &raw mut nbytes)
    };
    if valid != 0 {
        return Err("blosc: the data is cut short or not a Blosc buffer".into());
    }
    // SAFETY: the header was checked against the length of `encoded` above, and c-blosc writes
    // no more than `limit` bytes, the length of `out`.
    let written = unsafe {
        blosc_src::blosc_decompress_ctx(encoded.as_ptr().cast(), out.as_mut_ptr().cast(), limit, 1)
    };
    usize::try_from(written).map_err(|_| format!("blosc: decompression failed ({written})"))
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
    fn only_native_bytes_under_zstd_or_blosc_alone_are_plain() {
        use serde_json::{Value, json};
        let zstd = json!({"name": "zstd", "configuration": {"level": 3, "checksum": false}});
        let blosc3 = json!({"name": "blosc", "configuration": {"cname": "zstd", "clevel": 3,
            "shuffle": "shuffle", "typesize": 2, "blocksize": 0}});
        let little = json!({"name": "bytes", "configuration": {"endian": "little"}});
        let big = json!({"name": "bytes", "configuration": {"endian": "big"}});
        let bare = json!({"name": "bytes"});
        let plain = |d, c| plain_codec(&v3(d, c));
        assert_eq!(plain("uint16", json!([little, zstd])), Some(Plain::Zstd));
        assert_eq!(plain("uint16", json!([little, blosc3])), Some(Plain::Blosc));
        assert_eq!(plain("uint8", json!([bare, zstd])), Some(Plain::Zstd));
        assert_eq!(plain("uint16", json!([big, zstd])), None);
        assert_eq!(plain("uint16", json!([bare, zstd])), None);
        assert_eq!(plain("bool", json!([bare, zstd])), None);
        assert_eq!(plain("uint16", json!([little])), None);
        let crc = json!({"name": "crc32c"});
        assert_eq!(plain("uint16", json!([little, zstd, crc])), None);
        let zstd2 = json!({"id": "zstd", "level": 1});
        let blosc2 = json!({"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 1});
        let plain = |d, c, f| plain_codec(&v2(d, c, f));
        assert_eq!(plain("<u2", zstd2.clone(), Value::Null), Some(Plain::Zstd));
        assert_eq!(
            plain("<u2", blosc2.clone(), Value::Null),
            Some(Plain::Blosc)
        );
        assert_eq!(plain("|u1", zstd2.clone(), Value::Null), Some(Plain::Zstd));
        assert_eq!(plain(">u2", zstd2.clone(), Value::Null), None);
        assert_eq!(plain("|b1", zstd2.clone(), Value::Null), None);
        let delta = json!([{"id": "delta", "dtype": "<u2"}]);
        assert_eq!(plain("<u2", blosc2, delta), None);
        assert_eq!(
            plain("<u2", json!({"id": "gzip", "level": 1}), Value::Null),
            None
        );
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
    fn a_zstd_chunk_must_fill_its_place_exactly() {
        let data: Vec<u8> = (0..=255).cycle().take(3000).collect();
        let encoded = zstd::bulk::compress(&data, 3).unwrap();
        let mut out = vec![0; 3000];
        decompress_into(Plain::Zstd, &encoded, &mut out).unwrap();
        assert_eq!(out, data);
        // Again on this thread, reusing its context.
        out.fill(0);
        decompress_into(Plain::Zstd, &encoded, &mut out).unwrap();
        assert_eq!(out, data);
        let err = decompress_into(Plain::Zstd, &encoded, &mut vec![0; 3001]).unwrap_err();
        assert!(err.contains("zstd data decodes to 3000 bytes"), "{err}");
        let err = decompress_into(Plain::Zstd, &encoded, &mut vec![0; 2999]).unwrap_err();
        assert!(err.contains("declares 3000 decoded bytes"), "{err}");
        let cut = &encoded[..encoded.len() - 5];
        assert!(decompress_into(Plain::Zstd, cut, &mut out).is_err());
    }

    /// A Blosc buffer of `data` (zstd, byte shuffle for 2-byte items), by c-blosc.
    fn blosc(data: &[u8]) -> Vec<u8> {
        crate::formats::decode::c_blosc(c"zstd", 5, true, 2, 0, data)
    }

    #[test]
    fn a_blosc_chunk_must_fill_its_place_exactly() {
        let data: Vec<u8> = (0u16..1500).flat_map(|v| (v / 7).to_le_bytes()).collect();
        let encoded = blosc(&data);
        let mut out = vec![0; 3000];
        decompress_into(Plain::Blosc, &encoded, &mut out).unwrap();
        assert_eq!(out, data);
        let err = decompress_into(Plain::Blosc, &encoded, &mut vec![0; 3002]).unwrap_err();
        assert!(err.contains("blosc data decodes to 3000 bytes"), "{err}");
        let err = decompress_into(Plain::Blosc, &encoded, &mut vec![0; 2998]).unwrap_err();
        assert!(err.contains("declares 3000 decoded bytes"), "{err}");
        let err = decompress_into(Plain::Blosc, &encoded[..6], &mut out).unwrap_err();
        assert!(err.contains("shorter than a Blosc header"), "{err}");
        let err = decompress_into(Plain::Blosc, &encoded[..10], &mut out).unwrap_err();
        assert!(err.contains("cut short"), "{err}");
        let cut = &encoded[..encoded.len() - 5];
        assert!(decompress_into(Plain::Blosc, cut, &mut out).is_err());
    }
}
