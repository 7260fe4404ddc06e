//! Codec chains: reading and writing them, their read unit, and what other formats can hold of
//! them.

use serde_json::Value;

use super::{Codec, CodecError, Endian, Stage};
use crate::model::Format;
use crate::model::known_codecs::{self, Role};

/// Reads a Zarr v3 codec list.
///
/// # Errors
/// The first codec's [`CodecError`].
pub fn chain_from_v3(docs: &[Value]) -> Result<Vec<Codec>, CodecError> {
    docs.iter().map(Codec::from_v3).collect()
}

/// A codec chain as Zarr v3 documents.
#[must_use]
pub fn chain_to_v3(chain: &[Codec]) -> Vec<Value> {
    chain.iter().map(Codec::to_v3).collect()
}

/// The codecs applied to each read unit: the innermost codecs of a sharded chain (shards may
/// nest), else the chain.
#[must_use]
pub fn read_unit_codecs(chain: &[Codec]) -> &[Codec] {
    match chain.iter().find_map(|c| match c {
        Codec::Sharding(s) => Some(s),
        _ => None,
    }) {
        Some(sharding) => read_unit_codecs(&sharding.codecs),
        None => chain,
    }
}

/// The one compressor of a read unit's chain that Zarr v2 and N5 can hold (the last
/// bytes-to-bytes codec other than a checksum), or the codec that neither can hold.
#[derive(Debug, PartialEq)]
pub enum Compressor<'a> {
    /// No compression.
    None,
    /// This codec.
    One(&'a Codec),
    /// A codec with no Zarr v2 or N5 form.
    Unsupported(&'a Codec),
}

/// The compressor of a read unit's codecs (see [`Compressor`]); `big_endian` tells whether the
/// `bytes` codec is big-endian. Checksums are dropped, having no Zarr v2 or N5 form.
#[must_use]
pub fn single_compressor(read_unit: &[Codec]) -> (Compressor<'_>, bool) {
    let mut compressor = Compressor::None;
    let mut big_endian = false;
    for codec in read_unit {
        match codec {
            Codec::Bytes { endian } => big_endian = *endian == Some(Endian::Big),
            Codec::Crc32c => {}
            Codec::Zstd { .. } | Codec::Gzip { .. } | Codec::Zlib { .. } | Codec::Blosc(_) => {
                compressor = Compressor::One(codec);
            }
            // pcodec encodes the array itself: a Zarr v2 compressor (as numcodecs has it) when
            // nothing else compresses.
            Codec::Other { name, .. }
                if matches!(name.as_str(), "pcodec" | "numcodecs.pcodec")
                    && read_unit
                        .iter()
                        .all(|c| std::ptr::eq(c, codec) || *c == Codec::Crc32c) =>
            {
                compressor = Compressor::One(codec);
            }
            other => return (Compressor::Unsupported(other), big_endian),
        }
    }
    (compressor, big_endian)
}

/// How one read unit's bytes are decoded, without the parameters that only matter when encoding
/// (levels, Blosc settings): two arrays with the same form can exchange encoded chunks. `None`
/// when zlint does not repack that encoding (transposed or big-endian data).
#[must_use]
pub fn decode_form(chain: &[Codec]) -> Option<Vec<String>> {
    read_unit_codecs(chain)
        .iter()
        .map(|codec| match codec {
            Codec::Bytes {
                endian: Some(Endian::Big),
            }
            | Codec::Transpose { .. } => None,
            other => Some(other.name().to_string()),
        })
        .collect()
}

/// `chain` in the order Zarr v3 requires: array-to-array codecs, the array-to-bytes codec, then
/// bytes-to-bytes codecs, each stage keeping its order. Zarr v2 filters come before the
/// compressor whatever they do, so a byte shuffle filter (numcodecs Shuffle) converted as it
/// stood would precede `bytes`, which zarr-python 3 refuses; it acts on the bytes either way.
#[must_use]
pub fn in_stage_order(chain: &[Codec]) -> Vec<Codec> {
    let mut ordered = chain.to_vec();
    ordered.sort_by_key(Codec::stage);
    ordered
}

/// The read-unit codecs a target of `format` is written with, so that the reference readers
/// (zarr-python and tensorstore) read it, and what changed. The values stay the same: zlint
/// writes the decoded values, so a codec that only shaped the stored bytes can go.
/// - Array-to-array codecs other than `transpose` (numcodecs filters such as delta, quantize,
///   bitround) are dropped: the values they decoded to are written as they are.
/// - `transpose` and `crc32c`, which only Zarr v3 holds, are dropped from Zarr v2 and N5.
/// - Shuffles and checksums other than `crc32c` are dropped.
/// - zlib becomes gzip in Zarr v3 (tensorstore reads no `numcodecs.zlib`); a compressor the
///   target has no standard form for (bz2, lz4, lzma, …) becomes zstd level 3 (gzip in N5).
///
/// The result is in Zarr v3 stage order.
#[must_use]
pub fn portable_read_unit(read_unit: &[Codec], format: Format) -> (Vec<Codec>, Vec<String>) {
    let zarr3 = format == Format::Zarr3;
    let mut notes = Vec::new();
    let mut kept = Vec::new();
    let mut replaced = None;
    for codec in in_stage_order(read_unit) {
        let name = codec.name().to_string();
        match codec {
            Codec::Bytes { .. } | Codec::Blosc(_) | Codec::Zstd { .. } | Codec::Gzip { .. } => {
                kept.push(codec);
            }
            Codec::Sharding(_) => kept.push(codec),
            Codec::Transpose { .. } | Codec::Crc32c if zarr3 => kept.push(codec),
            Codec::Crc32c => {}
            Codec::Transpose { .. } => {
                notes.push(format!("`{name}` dropped: the output is stored in C order"));
            }
            Codec::Zlib { level } if zarr3 => {
                notes.push(format!("`{name}` written as gzip level {level}"));
                kept.push(Codec::Gzip { level });
            }
            Codec::Zlib { .. } => kept.push(codec),
            Codec::Other { .. } => match codec.stage() {
                Stage::ArrayToBytes => kept.push(codec),
                Stage::ArrayToArray => notes.push(format!(
                    "`{name}` dropped: the values it decodes to are written as they are"
                )),
                Stage::BytesToBytes if is_checksum_or_shuffle(&name) => {
                    notes.push(format!(
                        "`{name}` dropped: the output is written without it"
                    ));
                }
                Stage::BytesToBytes => replaced = Some(name),
            },
        }
    }
    if let Some(name) = replaced {
        let has_compressor = kept.iter().any(|c| {
            matches!(
                c,
                Codec::Blosc(_) | Codec::Zstd { .. } | Codec::Gzip { .. } | Codec::Zlib { .. }
            )
        });
        if !has_compressor {
            let (codec, text) = if format == Format::N5 {
                (Codec::Gzip { level: 6 }, "gzip level 6")
            } else {
                (
                    Codec::Zstd {
                        level: 3,
                        checksum: false,
                    },
                    "zstd level 3",
                )
            };
            let format = match format {
                Format::Zarr2 => "Zarr v2",
                Format::Zarr3 => "Zarr v3",
                Format::N5 => "N5",
            };
            notes.push(format!(
                "`{name}` has no form every {format} reader reads: compressed with {text} instead"
            ));
            kept.push(codec);
        }
    }
    (kept, notes)
}

/// Whether a bytes-to-bytes codec zlint does not model is a checksum or a byte shuffle (no
/// compression of its own).
fn is_checksum_or_shuffle(name: &str) -> bool {
    let name = name.strip_prefix("numcodecs.").unwrap_or(name);
    known_codecs::known_anywhere(name)
        .is_some_and(|c| matches!(c.role, Role::Checksum | Role::Shuffle))
}
