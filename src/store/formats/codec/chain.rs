//! Codec chains: reading and writing them, their read unit, and what other formats can hold of
//! them.

use serde_json::Value;

use super::{Codec, CodecError, Endian};

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
