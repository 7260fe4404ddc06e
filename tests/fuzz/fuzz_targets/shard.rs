//! Shard bytes: a sharded uint8 array (4×4 inner chunks of 2×2, zstd inside, the index at the
//! end or the start by the first byte) whose one shard is the rest of the input.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&kind, shard)) = data.split_first() else {
        return;
    };
    let location = if kind % 2 == 0 { "end" } else { "start" };
    let doc = format!(
        r#"{{"zarr_format":3,"node_type":"array","shape":[4,4],"data_type":"uint8","chunk_grid":{{"name":"regular","configuration":{{"chunk_shape":[4,4]}}}},"chunk_key_encoding":{{"name":"default"}},"fill_value":0,"codecs":[{{"name":"sharding_indexed","configuration":{{"chunk_shape":[2,2],"codecs":[{{"name":"bytes"}},{{"name":"zstd","configuration":{{"level":1,"checksum":false}}}}],"index_codecs":[{{"name":"bytes","configuration":{{"endian":"little"}}}},{{"name":"crc32c"}}],"index_location":"{location}"}}}}]}}"#
    );
    common::exercise(&common::store(&[
        ("zarr.json", doc.as_bytes()),
        ("c/0/0", shard),
    ]));
});
