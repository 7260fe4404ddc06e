//! The one table of codec names zlint knows: in which formats each name is written, what it
//! does to a chunk, and whether zlint decodes it with its own reader (`formats::decode`) rather
//! than zarrs'. The scan's check for codecs no reader knows, the compression summary, the
//! codec chain's sorting of bytes-to-bytes codecs and the numcodecs readers all ask it, so a
//! codec is added in one place.
//!
//! What a rewrite can do with each codec (decode it, write it to which format) is the
//! capability table, docs/capabilities.md, which the planner itself writes.

use super::Format;

/// What a codec does to a chunk's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Turns the array into bytes (`bytes`, `vlen-utf8`, N5 `raw`, …).
    Serializer,
    /// Changes values or their order before serialization (`transpose`, `delta`, …).
    Transform,
    /// Makes the bytes smaller (`blosc`, `zstd`, `packbits`, `zfp`, …).
    Compressor,
    /// Appends or checks a checksum (`crc32c`, `adler32`, …).
    Checksum,
    /// Reorders bytes without compressing them (numcodecs `shuffle`).
    Shuffle,
    /// Packs inner chunks into one object (`sharding_indexed`).
    Sharding,
}

/// One codec name and what zlint knows of it.
#[derive(Clone, Copy, Debug)]
pub struct KnownCodec {
    /// The name (Zarr v3), numcodecs id (Zarr v2) or compression type (N5).
    pub name: &'static str,
    /// The formats whose readers know the name.
    pub formats: &'static [Format],
    /// What it does.
    pub role: Role,
    /// Whether zlint decodes it with its own numcodecs reader (Zarr v2 ids, also as
    /// `numcodecs.<id>` in Zarr v3), zarrs' conversion of Zarr v2 metadata not knowing it.
    pub read_by_zlint: bool,
}

const V2: &[Format] = &[Format::Zarr2];
const V3: &[Format] = &[Format::Zarr3];
const N5: &[Format] = &[Format::N5];
const ZARR: &[Format] = &[Format::Zarr2, Format::Zarr3];
const ALL: &[Format] = &[Format::Zarr2, Format::Zarr3, Format::N5];

const fn codec(name: &'static str, formats: &'static [Format], role: Role) -> KnownCodec {
    KnownCodec {
        name,
        formats,
        role,
        read_by_zlint: false,
    }
}

const fn ours(name: &'static str, formats: &'static [Format], role: Role) -> KnownCodec {
    KnownCodec {
        name,
        formats,
        role,
        read_by_zlint: true,
    }
}

/// Every codec of the core specifications, the registered Zarr v3 extensions, numcodecs (Zarr
/// v2, and zarr-python 3's wrappers of it) and the N5 compressions of n5-zstandard and
/// n5-blosc.
pub const KNOWN_CODECS: &[KnownCodec] = &[
    codec("bytes", V3, Role::Serializer),
    codec("transpose", V3, Role::Transform),
    codec("sharding_indexed", V3, Role::Sharding),
    codec("blosc", ALL, Role::Compressor),
    codec("zstd", ALL, Role::Compressor),
    codec("gzip", ALL, Role::Compressor),
    codec("zlib", ZARR, Role::Compressor),
    codec("bz2", ZARR, Role::Compressor),
    codec("crc32c", ZARR, Role::Checksum),
    codec("adler32", ZARR, Role::Checksum),
    codec("fletcher32", ZARR, Role::Checksum),
    codec("jenkins_lookup3", V2, Role::Checksum),
    ours("crc32", V2, Role::Checksum),
    ours("bitround", ZARR, Role::Transform),
    ours("packbits", ZARR, Role::Compressor),
    codec("fixedscaleoffset", ZARR, Role::Transform),
    codec("vlen-utf8", ZARR, Role::Serializer),
    codec("vlen-bytes", ZARR, Role::Serializer),
    codec("pcodec", ZARR, Role::Compressor),
    codec("zfp", V3, Role::Compressor),
    codec("squeeze", V3, Role::Transform),
    codec("gdeflate", V3, Role::Compressor),
    ours("lz4", V2, Role::Compressor),
    ours("lzma", V2, Role::Compressor),
    ours("delta", V2, Role::Transform),
    ours("quantize", V2, Role::Transform),
    ours("astype", V2, Role::Transform),
    ours("categorize", V2, Role::Transform),
    codec("shuffle", V2, Role::Shuffle),
    codec("vlen-array", V2, Role::Serializer),
    codec("json2", V2, Role::Serializer),
    codec("msgpack2", V2, Role::Serializer),
    codec("pickle", V2, Role::Serializer),
    codec("zfpy", V2, Role::Compressor),
    codec("base64", V2, Role::Transform),
    codec("raw", N5, Role::Serializer),
    codec("bzip2", N5, Role::Compressor),
    codec("xz", N5, Role::Compressor),
    codec("lz4", N5, Role::Compressor),
];

/// The codec `name` as `format` writes it, if its readers know it.
#[must_use]
pub fn known_in(format: Format, name: &str) -> Option<&'static KnownCodec> {
    KNOWN_CODECS
        .iter()
        .find(|c| c.name == name && c.formats.contains(&format))
}

/// The codec `name` in any format, its `numcodecs.` (or other) prefix and case set aside.
#[must_use]
pub fn known_anywhere(name: &str) -> Option<&'static KnownCodec> {
    let name = name.to_ascii_lowercase();
    let bare = name.rsplit('.').next().unwrap_or(&name);
    KNOWN_CODECS.iter().find(|c| c.name == bare)
}

/// Whether zlint's own numcodecs reader decodes the Zarr v2 id `id`.
#[must_use]
pub fn read_by_zlint(id: &str) -> bool {
    known_in(Format::Zarr2, id).is_some_and(|c| c.read_by_zlint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once_per_format() {
        for (i, a) in KNOWN_CODECS.iter().enumerate() {
            for b in &KNOWN_CODECS[i + 1..] {
                let shared = a.formats.iter().any(|f| b.formats.contains(f));
                assert!(!(a.name == b.name && shared), "{} twice", a.name);
            }
        }
    }

    #[test]
    fn names_are_looked_up_per_format() {
        assert!(known_in(Format::N5, "bzip2").is_some());
        assert!(
            known_in(Format::Zarr2, "bzip2").is_none(),
            "Zarr v2 says bz2"
        );
        assert!(
            known_in(Format::Zarr3, "lz4").is_none(),
            "not a Zarr v3 codec"
        );
        assert_eq!(
            known_anywhere("numcodecs.Zstd").map(|c| c.role),
            Some(Role::Compressor)
        );
        assert!(read_by_zlint("lzma") && read_by_zlint("delta"));
        assert!(!read_by_zlint("blosc") && !read_by_zlint("xz"));
    }
}
