//! Decoding untrusted chunk bytes within the size the metadata gives them.
//!
//! A compressed stream says how large it decodes (a zstd frame header, a Blosc header) or does not
//! say and can decode to almost anything (deflate, bzip2): a 20-byte zstd frame can declare an
//! exabyte, and a few KiB of deflate can inflate to GiBs. zarrs trusts these. zlint registers its
//! own decoders for the compressors in front of zarrs' (runtime-registered codecs take precedence
//! over built-in ones), which stop at the decoded size the array's metadata gives each chunk, and
//! uses the same functions for N5 blocks. Encoding stays zarrs' own, except for Blosc with zstd
//! (see `blosc_zstd`). Shard indexes are checked the same way (see `shard`).

mod blosc_zstd;
mod numcodecs;
mod shard;

use std::borrow::Cow;
use std::io::Read;
use std::sync::{Arc, Once};

use zarrs::array::codec::api::{
    BytesToBytesCodecTraits, Codec, CodecError, CodecOptions, CodecRuntimePluginV2,
    CodecRuntimePluginV3, CodecTraits, CodecTraitsV2, CodecTraitsV3, PartialDecoderCapability,
    PartialEncoderCapability, RecommendedConcurrency, register_codec_v2, register_codec_v3,
};
use zarrs::array::codec::{BloscCodec, Bz2Codec, GzipCodec, ZlibCodec, ZstdCodec};
use zarrs::array::{ArrayBytesRaw, BytesRepresentation};
use zarrs::metadata::Configuration;
use zarrs::plugin::{
    ExtensionAliases, ExtensionName, PluginCreateError, ZarrVersion, ZarrVersion2, ZarrVersion3,
};

/// A compressor whose decoding zlint bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compressor {
    /// Zstandard (frames may declare their content size).
    Zstd,
    /// gzip (RFC 1952).
    Gzip,
    /// zlib (RFC 1950).
    Zlib,
    /// bzip2.
    Bz2,
    /// Blosc 1 (its header gives the decoded size).
    Blosc,
}

impl Compressor {
    fn name(self) -> &'static str {
        match self {
            Self::Zstd => "zstd",
            Self::Gzip => "gzip",
            Self::Zlib => "zlib",
            Self::Bz2 => "bz2",
            Self::Blosc => "blosc",
        }
    }
}

/// What a compressed chunk declaring more decoded bytes than it can hold is told.
pub(crate) fn too_large(name: &str, declared: u64, limit: usize) -> String {
    format!(
        "{name} data declares {declared} decoded bytes, more than the {limit} the chunk can hold"
    )
}

/// Decompresses the zstd frames of `data` into `out` with `decompressor`, refusing frames that
/// declare or yield more than `limit` bytes (what `out` holds); returns the bytes written.
///
/// # Errors
/// A message saying what the frames declare or yield against the limit, or zstd's error.
pub(crate) fn zstd_into<C: zstd::zstd_safe::WriteBuf + ?Sized>(
    decompressor: &mut zstd::bulk::Decompressor<'_>,
    data: &[u8],
    out: &mut C,
    limit: usize,
) -> Result<usize, String> {
    if let Ok(Some(declared)) = zstd::zstd_safe::get_frame_content_size(data)
        && declared > limit as u64
    {
        return Err(too_large("zstd", declared, limit));
    }
    decompressor.decompress_to_buffer(data, out).map_err(|e| {
        if e.to_string().contains("Destination buffer is too small") {
            format!("zstd data decodes to more than the {limit} bytes the chunk can hold")
        } else {
            format!("zstd: {e}")
        }
    })
}

/// Decodes `data`, compressed with `compressor`, refusing to produce more than `limit` bytes
/// (`None`: no bound known, as for variable-length data). Blosc is only checked here (its header
/// against `limit`); its decoding is the caller's.
///
/// # Errors
/// A message saying what the stream declares or yields against the limit, or the decoder's error.
pub(crate) fn decompress(
    compressor: Compressor,
    data: &[u8],
    limit: Option<usize>,
) -> Result<Vec<u8>, String> {
    let name = compressor.name();
    match compressor {
        Compressor::Zstd => {
            if let Some(limit) = limit {
                let mut decompressor =
                    zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?;
                let mut out = Vec::with_capacity(limit);
                zstd_into(&mut decompressor, data, &mut out, limit)?;
                Ok(out)
            } else {
                read_bounded(
                    zstd::stream::read::Decoder::new(data).map_err(|e| e.to_string())?,
                    None,
                    name,
                )
            }
        }
        Compressor::Gzip => read_bounded(flate2::read::GzDecoder::new(data), limit, name),
        Compressor::Zlib => read_bounded(flate2::read::ZlibDecoder::new(data), limit, name),
        Compressor::Bz2 => read_bounded(bzip2::read::BzDecoder::new(data), limit, name),
        Compressor::Blosc => {
            let declared = blosc_decoded_size(data)
                .ok_or_else(|| format!("{name}: the data is shorter than a Blosc header"))?;
            match limit {
                Some(limit) if declared > limit as u64 => Err(too_large(name, declared, limit)),
                _ => Ok(Vec::new()),
            }
        }
    }
}

/// The decoded size a Blosc 1 header declares (bytes 4..8, little-endian).
pub(crate) fn blosc_decoded_size(data: &[u8]) -> Option<u64> {
    let bytes: [u8; 4] = data.get(4..8)?.try_into().ok()?;
    Some(u64::from(u32::from_le_bytes(bytes)))
}

/// Reads `reader` to its end, failing once it yields more than `limit` bytes.
pub(crate) fn read_bounded(
    reader: impl Read,
    limit: Option<usize>,
    name: &str,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match limit {
        Some(limit) => {
            out.reserve_exact(limit);
            reader
                .take(limit as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("{name}: {e}"))?;
            if out.len() > limit {
                return Err(format!(
                    "{name} data decodes to more than the {limit} bytes the chunk can hold"
                ));
            }
        }
        None => {
            let mut reader = reader;
            reader
                .read_to_end(&mut out)
                .map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(out)
}

/// A zarrs bytes-to-bytes codec whose decoding goes through [`decompress`] first.
#[derive(Debug)]
struct Bounded {
    inner: Arc<dyn BytesToBytesCodecTraits>,
    compressor: Compressor,
    /// A Blosc zstd compressor whose frames zlint writes itself (see [`blosc_zstd`]).
    blosc_zstd: Option<blosc_zstd::BloscZstd>,
}

impl ExtensionName for Bounded {
    fn name(&self, version: ZarrVersion) -> Option<Cow<'static, str>> {
        self.inner.name(version)
    }
}

impl CodecTraits for Bounded {
    fn as_any(&self) -> &dyn std::any::Any {
        self.inner.as_any()
    }

    fn configuration(
        &self,
        version: ZarrVersion,
        options: &zarrs::array::codec::api::CodecMetadataOptions,
    ) -> Option<Configuration> {
        self.inner.configuration(version, options)
    }

    fn partial_decoder_capability(&self) -> PartialDecoderCapability {
        // Parts are decoded from the whole chunk, through `decode` (zarrs' default partial
        // decoder).
        PartialDecoderCapability {
            partial_read: false,
            partial_decode: false,
        }
    }

    fn partial_encoder_capability(&self) -> PartialEncoderCapability {
        self.inner.partial_encoder_capability()
    }
}

impl BytesToBytesCodecTraits for Bounded {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn BytesToBytesCodecTraits> {
        self
    }

    fn recommended_concurrency(
        &self,
        decoded_representation: &BytesRepresentation,
    ) -> Result<RecommendedConcurrency, CodecError> {
        self.inner.recommended_concurrency(decoded_representation)
    }

    fn encoded_representation(
        &self,
        decoded_representation: &BytesRepresentation,
    ) -> BytesRepresentation {
        self.inner.encoded_representation(decoded_representation)
    }

    fn encode<'a>(
        &self,
        decoded_value: ArrayBytesRaw<'a>,
        options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        if let Some(encoded) = self.blosc_zstd.and_then(|b| b.encode(&decoded_value)) {
            return Ok(Cow::Owned(encoded));
        }
        self.inner.encode(decoded_value, options)
    }

    fn decode<'a>(
        &self,
        encoded_value: ArrayBytesRaw<'a>,
        decoded_representation: &BytesRepresentation,
        options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        let limit = decoded_representation
            .size()
            .and_then(|size| usize::try_from(size).ok());
        let decoded =
            decompress(self.compressor, &encoded_value, limit).map_err(CodecError::Other)?;
        if self.compressor == Compressor::Blosc {
            // The header was checked; Blosc decodes into a buffer of the size it declares.
            return self
                .inner
                .decode(encoded_value, decoded_representation, options);
        }
        Ok(Cow::Owned(decoded))
    }
}

/// Wraps the codec zarrs makes from `made` in [`Bounded`].
fn bounded(
    made: Result<Codec, PluginCreateError>,
    compressor: Compressor,
) -> Result<Codec, PluginCreateError> {
    match made? {
        Codec::BytesToBytes(inner) => {
            let options = zarrs::array::codec::api::CodecMetadataOptions::default();
            let blosc_zstd = (compressor == Compressor::Blosc)
                .then(|| inner.configuration(ZarrVersion::V3, &options))
                .flatten()
                .and_then(|configuration| blosc_zstd::BloscZstd::of(&configuration));
            Ok(Codec::BytesToBytes(Arc::new(Bounded {
                inner,
                compressor,
                blosc_zstd,
            })))
        }
        other => Ok(other),
    }
}

/// Registers a bounded decoder in front of zarrs' codec `T` for both Zarr versions.
fn register<T>(compressor: Compressor)
where
    T: 'static
        + ExtensionAliases<ZarrVersion3>
        + ExtensionAliases<ZarrVersion2>
        + CodecTraitsV3
        + CodecTraitsV2,
{
    register_codec_v3(CodecRuntimePluginV3::new(
        <T as ExtensionAliases<ZarrVersion3>>::matches_name,
        move |metadata| {
            check_settings(compressor, metadata.configuration())?;
            bounded(<T as CodecTraitsV3>::create(metadata), compressor)
        },
    ));
    register_codec_v2(CodecRuntimePluginV2::new(
        <T as ExtensionAliases<ZarrVersion2>>::matches_name,
        move |metadata| {
            check_v2_settings(metadata)?;
            bounded(<T as CodecTraitsV2>::create(metadata), compressor)
        },
    ));
}

/// Refuses settings of a Zarr v2 codec that zarrs accepts but panics on when it makes the codec
/// (see [`check_settings`]). zarrs makes codecs while converting Zarr v2 metadata too, outside
/// the plugins registered here: call this first.
///
/// # Errors
/// What is wrong with the settings.
pub(crate) fn check_v2_settings(
    metadata: &zarrs::metadata::v2::MetadataV2,
) -> Result<(), PluginCreateError> {
    match metadata.id() {
        "bz2" => check_settings(Compressor::Bz2, Some(metadata.configuration())),
        _ => Ok(()),
    }
}

/// Refuses settings that zarrs' codecs accept but panic on when made: a bz2 level outside 1–9
/// (which the bzip2 crate asserts).
fn check_settings(
    compressor: Compressor,
    configuration: Option<&zarrs::metadata::Configuration>,
) -> Result<(), PluginCreateError> {
    let level = configuration
        .and_then(|c| c.get("level"))
        .and_then(serde_json::Value::as_u64);
    match (compressor, level) {
        (Compressor::Bz2, Some(level)) if !(1..=9).contains(&level) => Err(
            PluginCreateError::Other(format!("bz2 level {level} is not one of 1 to 9")),
        ),
        _ => Ok(()),
    }
}

/// zarrs' Blosc codec for a Zarr v2 `zlint.blosc` compressor (see `normalize::for_zarrs_v2`):
/// numcodecs' settings in Zarr v3 form.
fn zarr2_blosc(metadata: &zarrs::metadata::v2::MetadataV2) -> Result<Codec, PluginCreateError> {
    let config = metadata.configuration();
    let get = |key: &str| config.get(key).cloned();
    let shuffle = match get("shuffle").and_then(|v| v.as_i64()) {
        Some(0) => "noshuffle",
        Some(2) => "bitshuffle",
        _ => "shuffle",
    };
    let mut v3 = serde_json::json!({
        "cname": get("cname").unwrap_or_else(|| "lz4".into()),
        "clevel": get("clevel").unwrap_or_else(|| 5.into()),
        "shuffle": shuffle,
        "typesize": get("typesize").unwrap_or_else(|| 1.into()),
        "blocksize": get("blocksize").unwrap_or_else(|| 0.into()),
    });
    if shuffle == "noshuffle" {
        v3.as_object_mut().map(|o| o.remove("typesize"));
    }
    let metadata: zarrs::metadata::v3::MetadataV3 =
        serde_json::from_value(serde_json::json!({"name": "blosc", "configuration": v3}))
            .map_err(|e| PluginCreateError::Other(format!("blosc: {e}")))?;
    <BloscCodec as CodecTraitsV3>::create(&metadata)
}

/// Puts zlint's bounded decoders in front of zarrs' compressors, once per process. Every path
/// that opens an array through zarrs calls this first.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        register::<ZstdCodec>(Compressor::Zstd);
        register::<GzipCodec>(Compressor::Gzip);
        register::<ZlibCodec>(Compressor::Zlib);
        register::<Bz2Codec>(Compressor::Bz2);
        register::<BloscCodec>(Compressor::Blosc);
        shard::register();
        numcodecs::register();
        register_codec_v2(CodecRuntimePluginV2::new(
            |id| id == "zlint.blosc",
            |metadata| bounded(zarr2_blosc(metadata), Compressor::Blosc),
        ));
    });
}

/// `data` compressed by c-blosc itself (`blosc_compress_ctx`, one thread), for tests that need
/// Blosc frames as other writers make them.
#[cfg(test)]
pub(crate) fn c_blosc(
    cname: &std::ffi::CStr,
    clevel: u8,
    shuffle: bool,
    typesize: usize,
    blocksize: usize,
    data: &[u8],
) -> Vec<u8> {
    let mut out = vec![0u8; data.len() + 16];
    // SAFETY: `out` holds `data.len() + 16` bytes, the most c-blosc writes; `data` is read for
    // its length; the compressor name is NUL-terminated.
    let written = unsafe {
        blosc_src::blosc_compress_ctx(
            i32::from(clevel),
            i32::from(shuffle),
            typesize,
            data.len(),
            data.as_ptr().cast(),
            out.as_mut_ptr().cast(),
            out.len(),
            cname.as_ptr(),
            blocksize,
            1,
        )
    };
    out.truncate(usize::try_from(written).expect("c-blosc compressed"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_zstd_frame_declaring_an_exabyte_is_refused_before_allocating() {
        let bomb = b"\x28\xb5\x2f\xfd\xe0\0\0\0\0\0\0\0\x10\x21\0\0\x01\x02\x03\x04";
        let err = decompress(Compressor::Zstd, bomb, Some(4)).unwrap_err();
        assert!(err.contains("declares 1152921504606846976"), "{err}");
    }

    #[test]
    fn streams_that_inflate_past_the_chunk_are_cut_off() {
        let zeros = vec![0u8; 1 << 20];
        let zstd = zstd::bulk::compress(&zeros, 3).unwrap();
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(&zeros).unwrap();
        let gzip = gzip.finish().unwrap();
        let mut bz2 = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz2.write_all(&zeros).unwrap();
        let bz2 = bz2.finish().unwrap();
        for (compressor, data) in [
            (Compressor::Zstd, &zstd),
            (Compressor::Gzip, &gzip),
            (Compressor::Bz2, &bz2),
        ] {
            assert!(
                decompress(compressor, data, Some(1000)).is_err(),
                "{compressor:?}"
            );
            assert_eq!(
                decompress(compressor, data, Some(1 << 20)).unwrap().len(),
                1 << 20,
                "{compressor:?}"
            );
        }
    }

    #[test]
    fn a_blosc_header_larger_than_the_chunk_is_refused() {
        let mut header = vec![2u8, 1, 1, 4];
        header.extend_from_slice(&(1u32 << 31).to_le_bytes());
        header.extend_from_slice(&[0; 8]);
        let err = decompress(Compressor::Blosc, &header, Some(64)).unwrap_err();
        assert!(err.contains("declares 2147483648"), "{err}");
        assert!(decompress(Compressor::Blosc, &header[..5], Some(64)).is_err());
    }
}
