//! Chunk bytes under every compressor zlint decodes: the first byte picks the codec chain of a
//! small uint16 Zarr array, the rest is its one chunk.
#![no_main]

mod common;

const CODECS: &[&str] = &[
    r#"[{"name":"bytes","configuration":{"endian":"little"}}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":1,"checksum":false}}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":1}}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"blosc","configuration":{"cname":"lz4","clevel":5,"shuffle":"shuffle","typesize":2,"blocksize":0}}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"numcodecs.lz4","configuration":{}}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"numcodecs.lzma","configuration":{}}]"#,
    r#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"numcodecs.bz2","configuration":{"level":1}}]"#,
    r#"[{"name":"numcodecs.delta","configuration":{"dtype":"uint16"}},{"name":"bytes","configuration":{"endian":"little"}},{"name":"numcodecs.zlib","configuration":{"level":1}}]"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&kind, chunk)) = data.split_first() else {
        return;
    };
    let codecs = CODECS[usize::from(kind) % CODECS.len()];
    let doc = format!(
        r#"{{"zarr_format":3,"node_type":"array","shape":[8,8],"data_type":"uint16","chunk_grid":{{"name":"regular","configuration":{{"chunk_shape":[8,8]}}}},"chunk_key_encoding":{{"name":"default"}},"fill_value":0,"codecs":{codecs}}}"#
    );
    common::exercise(&common::store(&[
        ("zarr.json", doc.as_bytes()),
        ("c/0/0", chunk),
    ]));
});
