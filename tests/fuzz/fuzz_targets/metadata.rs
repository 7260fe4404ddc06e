//! Metadata documents: the fuzzed bytes as a Zarr v3 `zarr.json`, a Zarr v2 `.zarray` (with
//! `.zattrs` and a consolidated `.zmetadata`) or an N5 `attributes.json`, chosen by the first
//! byte.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&kind, doc)) = data.split_first() else {
        return;
    };
    let objects: Vec<(&str, &[u8])> = match kind % 4 {
        0 => vec![("zarr.json", doc)],
        1 => vec![
            (".zarray", doc),
            (".zattrs", br#"{"_ARRAY_DIMENSIONS":["y","x"]}"#),
        ],
        2 => vec![(".zgroup", br#"{"zarr_format":2}"#), (".zmetadata", doc)],
        _ => vec![("attributes.json", doc)],
    };
    common::exercise(&common::store(&objects));
});
