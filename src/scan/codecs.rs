//! The codecs each format's readers know. A codec outside these lists makes the array unreadable
//! by the reference clients, so the scan reports it (and keeps the array's layout for linting).

use crate::model::{ArrayInfo, Format, NodeError};

/// Zarr v3 codec names (core, registered extensions, and zarr-python's numcodecs wrappers).
const ZARR3: &[&str] = &[
    "bytes",
    "transpose",
    "sharding_indexed",
    "blosc",
    "zstd",
    "gzip",
    "crc32c",
    "bitround",
    "packbits",
    "vlen-utf8",
    "vlen-bytes",
    "zfp",
    "pcodec",
    "bz2",
    "zlib",
    "squeeze",
    "fixedscaleoffset",
    "gdeflate",
    "adler32",
    "fletcher32",
];

/// numcodecs ids used by Zarr v2.
const ZARR2: &[&str] = &[
    "blosc",
    "zstd",
    "gzip",
    "zlib",
    "lz4",
    "bz2",
    "lzma",
    "delta",
    "fixedscaleoffset",
    "quantize",
    "packbits",
    "categorize",
    "astype",
    "shuffle",
    "bitround",
    "crc32",
    "crc32c",
    "adler32",
    "fletcher32",
    "jenkins_lookup3",
    "vlen-utf8",
    "vlen-bytes",
    "vlen-array",
    "json2",
    "msgpack2",
    "pickle",
    "zfpy",
    "pcodec",
    "base64",
];

/// N5 compression types (core, plus n5-zstandard and n5-blosc).
const N5: &[&str] = &["raw", "gzip", "bzip2", "lz4", "xz", "blosc", "zstd"];

/// One error per codec of `array` that its format's readers do not know.
pub(crate) fn unknown(array: &ArrayInfo, location: &str) -> Vec<NodeError> {
    let known = match array.format {
        Format::Zarr2 => ZARR2,
        Format::Zarr3 => ZARR3,
        Format::N5 => N5,
    };
    array
        .codecs
        .iter()
        .filter(|codec| {
            let name = codec.name.as_str();
            let wrapped = name.starts_with("numcodecs.") || name.starts_with("imagecodecs_");
            !known.contains(&name) && !wrapped
        })
        .map(|codec| NodeError {
            node: array.path.clone(),
            location: metadata_location(location, array),
            message: format!("unknown codec `{}`", codec.name),
        })
        .collect()
}

fn metadata_location(location: &str, array: &ArrayInfo) -> String {
    let base = location.trim_end_matches('/');
    let file = array.format.array_metadata_file();
    if array.path.is_root() {
        format!("{base}/{file}")
    } else {
        format!("{base}/{}/{file}", array.path.as_str())
    }
}
