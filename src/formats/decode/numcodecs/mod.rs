//! Readers for numcodecs codecs that zarr-python reads and zarrs does not: the LZ4 and LZMA
//! compressors, the CRC32 checksum, and the Delta, Quantize, AsType, FixedScaleOffset, PackBits
//! and Categorize filters. zlint only reads them: outputs are
//! written with codecs every reader reads (see `portable_read_unit`).
//!
//! The filters act element by element in C order, so they commute with the `bytes` codec: each
//! is read here as a bytes-to-bytes codec on the elements as stored (Zarr v2 filters are applied
//! to the stored bytes in the data type's byte order; Zarr v3's array-to-array forms are moved
//! after `bytes` by `normalize::for_zarrs_v3`, with its byte order).

mod labels;

use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

use serde_json::{Map, Value};
use zarrs::array::codec::api::{
    BytesToBytesCodecTraits, Codec, CodecError, CodecMetadataOptions, CodecOptions,
    CodecRuntimePluginV2, CodecRuntimePluginV3, CodecTraits, PartialDecoderCapability,
    PartialEncoderCapability, RecommendedConcurrency, register_codec_v2, register_codec_v3,
};
use zarrs::array::{ArrayBytesRaw, BytesRepresentation};
use zarrs::metadata::Configuration;
use zarrs::plugin::{ExtensionName, PluginCreateError, ZarrVersion};

use crate::formats::numeric::Numeric;
use labels::{categorize, unpack_bits};

/// What a numcodecs codec does to the stored bytes, decoding.
#[derive(Clone, Debug)]
enum Transform {
    /// numcodecs LZ4: the decoded size (`u32`, little-endian), then one LZ4 block.
    Lz4,
    /// numcodecs LZMA in the `.xz` (format 1) or `.lzma` (format 2) container.
    Lzma { alone: bool },
    /// numcodecs Delta: each element is the difference from the one before.
    Delta(Numeric),
    /// Elements stored as `stored`, decoded to `decoded` (AsType; Quantize to another type).
    Cast { stored: Numeric, decoded: Numeric },
    /// numcodecs FixedScaleOffset: `stored / scale + offset`, computed in `f64` and cast to
    /// `decoded`, as numcodecs does.
    FixedScaleOffset {
        offset: f64,
        scale: f64,
        stored: Numeric,
        decoded: Numeric,
    },
    /// numcodecs PackBits: the count of padding bits, then the booleans eight to a byte, most
    /// significant bit first.
    PackBits,
    /// numcodecs CRC32: a little-endian CRC-32 at the start (or end) of the data.
    Crc32 { at_end: bool },
    /// numcodecs Categorize: codes of `codes`' type, `i` + 1 for `labels[i]` and 0 for none,
    /// decoded to fixed-length UTF-32 strings of `item` bytes (NumPy `<U`), none as `""`.
    Categorize {
        codes: Numeric,
        labels: Vec<Vec<u8>>,
        item: usize,
    },
    /// Nothing to undo (Quantize to its own type and BitRound: the values were rounded when
    /// written).
    Identity,
}

/// A numcodecs codec, read only.
#[derive(Debug)]
struct Numcodec {
    /// Its name as stored, for messages.
    name: String,
    /// Its Zarr v3 name (`numcodecs.<id>` for one read from Zarr v2).
    v3_name: String,
    /// Its configuration as stored.
    configuration: Map<String, Value>,
    transform: Transform,
}

fn invalid(name: &str, what: impl std::fmt::Display) -> PluginCreateError {
    PluginCreateError::Other(format!("codec `{name}`: {what}"))
}

/// A type named by key `key` of `configuration` (`<i2`, `int16`, …), in the byte order the
/// stored bytes have: the type's own (Zarr v2) or `endian` (Zarr v3, from `bytes`).
fn numeric(
    name: &str,
    configuration: &Map<String, Value>,
    key: &str,
) -> Result<Numeric, PluginCreateError> {
    let text = configuration
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(name, format!("`{key}` is missing")))?;
    let mut numeric = Numeric::parse(text)
        .ok_or_else(|| invalid(name, format!("`{key}: {text}` is not a number type")))?;
    if let Some(endian) = configuration.get("endian").and_then(Value::as_str) {
        numeric.big_endian = endian == "big";
    }
    Ok(numeric)
}

impl Numcodec {
    /// The codec of numcodecs id `id` (without any `numcodecs.` prefix).
    fn new(
        id: &str,
        name: &str,
        configuration: Map<String, Value>,
    ) -> Result<Self, PluginCreateError> {
        let transform = match id {
            "lz4" => Transform::Lz4,
            "lzma" => match configuration
                .get("format")
                .and_then(Value::as_u64)
                .unwrap_or(1)
            {
                1 => Transform::Lzma { alone: false },
                2 => Transform::Lzma { alone: true },
                other => {
                    return Err(invalid(
                        name,
                        format!("LZMA format {other} is not supported (only .xz and .lzma)"),
                    ));
                }
            },
            "delta" => {
                let dtype = numeric(name, &configuration, "dtype")?;
                let stored = match configuration.get("astype") {
                    Some(Value::String(_)) => numeric(name, &configuration, "astype")?,
                    _ => dtype,
                };
                if stored != dtype {
                    return Err(invalid(
                        name,
                        "a Delta stored as another type is not supported",
                    ));
                }
                Transform::Delta(dtype)
            }
            "quantize" => {
                let decoded = numeric(name, &configuration, "dtype")?;
                let stored = match configuration.get("astype") {
                    Some(Value::String(_)) => numeric(name, &configuration, "astype")?,
                    _ => decoded,
                };
                if stored == decoded {
                    Transform::Identity
                } else {
                    Transform::Cast { stored, decoded }
                }
            }
            "astype" => Transform::Cast {
                stored: numeric(name, &configuration, "encode_dtype")?,
                decoded: numeric(name, &configuration, "decode_dtype")?,
            },
            "fixedscaleoffset" => {
                let decoded = numeric(name, &configuration, "dtype")?;
                let number = |key: &str, default: f64| {
                    configuration.get(key).map_or(Ok(default), |v| {
                        v.as_f64()
                            .ok_or_else(|| invalid(name, format!("`{key}` is not a number")))
                    })
                };
                Transform::FixedScaleOffset {
                    offset: number("offset", 0.0)?,
                    scale: number("scale", 1.0)?,
                    stored: match configuration.get("astype") {
                        Some(Value::String(_)) => numeric(name, &configuration, "astype")?,
                        _ => decoded,
                    },
                    decoded,
                }
            }
            "packbits" => Transform::PackBits,
            "crc32" => Transform::Crc32 {
                at_end: configuration.get("location").and_then(Value::as_str) == Some("end"),
            },
            "bitround" => Transform::Identity,
            "categorize" => categorize(name, &configuration)?,
            other => {
                return Err(invalid(
                    name,
                    format!("`{other}` is not a numcodecs codec zlint reads"),
                ));
            }
        };
        Ok(Self {
            name: name.to_string(),
            v3_name: if name == id {
                format!("numcodecs.{id}")
            } else {
                name.to_string()
            },
            configuration,
            transform,
        })
    }

    fn decode_bytes(&self, data: &[u8], limit: Option<usize>) -> Result<Vec<u8>, String> {
        let too_large = |size: u64, limit: usize| {
            format!(
                "{} data declares {size} decoded bytes, more than the {limit} the chunk can hold",
                self.name
            )
        };
        match &self.transform {
            Transform::Lz4 => {
                let header: [u8; 4] = data
                    .get(..4)
                    .and_then(|h| h.try_into().ok())
                    .ok_or("LZ4 data shorter than its header")?;
                let size = u32::from_le_bytes(header) as usize;
                if let Some(limit) = limit
                    && size > limit
                {
                    return Err(too_large(size as u64, limit));
                }
                let mut out = vec![0; size];
                let written = lz4_flex::block::decompress_into(&data[4..], &mut out)
                    .map_err(|e| format!("lz4: {e}"))?;
                out.truncate(written);
                Ok(out)
            }
            Transform::Lzma { alone } => {
                // A header asking for a larger window than the output or a preset needs (up to
                // 4 GiB) is refused instead of allocated.
                // xz presets use windows up to 64 MiB, whatever the data's size.
                let window_kib = limit.map_or(u32::MAX, |l| {
                    u32::try_from(l.max(64 << 20) / 1024 + 1024).unwrap_or(u32::MAX)
                });
                let reader: Box<dyn Read + '_> = if *alone {
                    Box::new(
                        lzma_rust2::LzmaReader::new_mem_limit(data, window_kib, None)
                            .map_err(|e| format!("lzma: {e}"))?,
                    )
                } else {
                    Box::new(lzma_rust2::XzReader::new_mem_limit(data, true, window_kib))
                };
                super::read_bounded(reader, limit, "lzma")
            }
            Transform::Delta(numeric) => numeric.undo_delta(data),
            Transform::FixedScaleOffset {
                offset,
                scale,
                stored,
                decoded,
            } => stored.map(data, decoded, |v| v / scale + offset),
            Transform::PackBits => unpack_bits(data, limit),
            Transform::Crc32 { at_end } => {
                if data.len() < 4 {
                    return Err("CRC-32 data shorter than its checksum".into());
                }
                let (sum, payload) = if *at_end {
                    let (payload, sum) = data.split_at(data.len() - 4);
                    (sum, payload)
                } else {
                    data.split_at(4)
                };
                let mut crc = flate2::Crc::new();
                crc.update(payload);
                if crc.sum().to_le_bytes() != sum {
                    return Err("the CRC-32 checksum does not match the data".into());
                }
                Ok(payload.to_vec())
            }
            Transform::Cast { stored, decoded } => stored.cast(data, decoded),
            Transform::Categorize {
                codes,
                labels,
                item,
            } => {
                let codes = codes.indices(data)?;
                if let Some(limit) = limit
                    && codes.len().saturating_mul(*item) > limit
                {
                    return Err(too_large((codes.len() * item) as u64, limit));
                }
                let none = vec![0u8; *item];
                Ok(codes
                    .iter()
                    .flat_map(|&code| {
                        let label = usize::try_from(code).ok().and_then(|c| c.checked_sub(1));
                        label.and_then(|l| labels.get(l)).unwrap_or(&none)
                    })
                    .copied()
                    .collect())
            }
            Transform::Identity => Ok(data.to_vec()),
        }
    }
}

impl ExtensionName for Numcodec {
    fn name(&self, version: ZarrVersion) -> Option<Cow<'static, str>> {
        Some(Cow::Owned(match version {
            ZarrVersion::V3 => self.v3_name.clone(),
            _ => self.name.clone(),
        }))
    }
}

impl CodecTraits for Numcodec {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn configuration(
        &self,
        _version: ZarrVersion,
        _options: &CodecMetadataOptions,
    ) -> Option<Configuration> {
        Some(Configuration::from(self.configuration.clone()))
    }

    fn partial_decoder_capability(&self) -> PartialDecoderCapability {
        PartialDecoderCapability {
            partial_read: false,
            partial_decode: false,
        }
    }

    fn partial_encoder_capability(&self) -> PartialEncoderCapability {
        PartialEncoderCapability {
            partial_encode: false,
        }
    }
}

impl BytesToBytesCodecTraits for Numcodec {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn BytesToBytesCodecTraits> {
        self
    }

    fn recommended_concurrency(
        &self,
        _decoded_representation: &BytesRepresentation,
    ) -> Result<RecommendedConcurrency, CodecError> {
        Ok(RecommendedConcurrency::new_maximum(1))
    }

    fn encoded_representation(&self, decoded: &BytesRepresentation) -> BytesRepresentation {
        let scale = |n: u64| match &self.transform {
            Transform::Cast { stored, decoded }
            | Transform::FixedScaleOffset {
                stored, decoded, ..
            } => n / decoded.size * stored.size,
            Transform::Lz4 | Transform::Lzma { .. } => n + n / 255 + 1024,
            Transform::PackBits => n / 8 + 2,
            Transform::Categorize { codes, item, .. } => n / (*item).max(1) as u64 * codes.size,
            Transform::Crc32 { .. } => n + 4,
            Transform::Delta(_) | Transform::Identity => n,
        };
        match decoded {
            BytesRepresentation::FixedSize(n)
                if matches!(
                    self.transform,
                    Transform::Lz4 | Transform::Lzma { .. } | Transform::PackBits
                ) =>
            {
                BytesRepresentation::BoundedSize(scale(*n))
            }
            BytesRepresentation::FixedSize(n) => BytesRepresentation::FixedSize(scale(*n)),
            BytesRepresentation::BoundedSize(n) => BytesRepresentation::BoundedSize(scale(*n)),
            BytesRepresentation::UnboundedSize => BytesRepresentation::UnboundedSize,
        }
    }

    fn encode<'a>(
        &self,
        _decoded: ArrayBytesRaw<'a>,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        Err(CodecError::Other(format!(
            "zlint reads `{}` but does not write it",
            self.name
        )))
    }

    fn decode<'a>(
        &self,
        encoded: ArrayBytesRaw<'a>,
        decoded_representation: &BytesRepresentation,
        _options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let limit = decoded_representation
            .size()
            .and_then(|size| usize::try_from(size).ok());
        self.decode_bytes(&encoded, limit)
            .map(Cow::Owned)
            .map_err(CodecError::Other)
    }
}

/// The Zarr v3 names of the numcodecs ids read here (those the codec table,
/// [`crate::model::known_codecs`], marks as read by zlint), and the names zlint gives the filters
/// it moves after `bytes` (see the module documentation).
const V3_NAMES: &[(&str, &str)] = &[
    ("numcodecs.lz4", "lz4"),
    ("numcodecs.lzma", "lzma"),
    ("numcodecs.crc32", "crc32"),
    ("zlint.delta", "delta"),
    ("zlint.quantize", "quantize"),
    ("zlint.astype", "astype"),
    ("zlint.fixedscaleoffset", "fixedscaleoffset"),
    ("zlint.packbits", "packbits"),
];

/// Registers the readers.
pub(super) fn register() {
    register_codec_v2(CodecRuntimePluginV2::new(
        crate::model::known_codecs::read_by_zlint,
        |metadata| {
            let configuration: Map<String, Value> = Map::clone(metadata.configuration());
            let codec = Numcodec::new(metadata.id(), metadata.id(), configuration)?;
            Ok(Codec::BytesToBytes(Arc::new(codec)))
        },
    ));
    register_codec_v3(CodecRuntimePluginV3::new(
        |name| V3_NAMES.iter().any(|(n, _)| *n == name),
        |metadata| {
            let name = metadata.name();
            let id = V3_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(name, |(_, id)| id);
            let configuration: Map<String, Value> = metadata
                .configuration()
                .map(|c| Map::clone(c))
                .unwrap_or_default();
            let codec = Numcodec::new(id, name, configuration)?;
            Ok(Codec::BytesToBytes(Arc::new(codec)))
        },
    ));
}

#[cfg(test)]
mod tests;
