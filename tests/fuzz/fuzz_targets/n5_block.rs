//! N5 block bytes (header and data) under each N5 compression, picked by the first byte.
#![no_main]

mod common;

const COMPRESSIONS: &[&str] = &[
    r#"{"type":"raw"}"#,
    r#"{"type":"gzip","level":1}"#,
    r#"{"type":"gzip","level":1,"useZlib":true}"#,
    r#"{"type":"zstd","level":1}"#,
    r#"{"type":"blosc","cname":"lz4","clevel":5,"shuffle":1}"#,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&kind, block)) = data.split_first() else {
        return;
    };
    let compression = COMPRESSIONS[usize::from(kind) % COMPRESSIONS.len()];
    let attributes = format!(
        r#"{{"n5":"4.0.0","dimensions":[6,4],"blockSize":[3,4],"dataType":"uint16","compression":{compression}}}"#
    );
    common::exercise(&common::store(&[
        ("attributes.json", attributes.as_bytes()),
        ("0/0", block),
    ]));
});
