//! Round trips of every codec zlint reads through the three formats.

use super::*;

fn roundtrip_v3(doc: Value) {
    let codec = Codec::from_v3(&doc).expect("reads");
    assert_eq!(codec.to_v3(), doc, "{codec:?}");
    assert_eq!(Codec::from_v3(&codec.to_v3()).expect("reads again"), codec);
}

#[test]
fn every_written_codec_round_trips_through_zarr_v3() {
    roundtrip_v3(json!({"name": "bytes", "configuration": {"endian": "little"}}));
    roundtrip_v3(json!({"name": "bytes", "configuration": {"endian": "big"}}));
    roundtrip_v3(json!({"name": "bytes"}));
    roundtrip_v3(json!({"name": "transpose", "configuration": {"order": [2, 1, 0]}}));
    roundtrip_v3(json!({"name": "crc32c"}));
    roundtrip_v3(json!({"name": "zstd", "configuration": {"level": 3, "checksum": true}}));
    roundtrip_v3(json!({"name": "gzip", "configuration": {"level": 6}}));
    for shuffle in ["noshuffle", "shuffle", "bitshuffle"] {
        roundtrip_v3(
            json!({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
            "shuffle": shuffle, "typesize": 2, "blocksize": 0}}),
        );
    }
    roundtrip_v3(json!({"name": "sharding_indexed", "configuration": {
        "chunk_shape": [8, 8],
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 1, "checksum": false}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
        "index_location": "start"}}));
    roundtrip_v3(json!({"name": "numcodecs.delta", "configuration": {"dtype": "<i4"}}));
    roundtrip_v3(json!({"name": "numcodecs.fletcher32", "configuration": {}}));
    // zarr-python 3 needs the configuration of a numcodecs wrapper, even empty.
    let bare = Codec::from_v3(&json!({"name": "numcodecs.fletcher32"})).expect("reads");
    assert_eq!(
        bare.to_v3(),
        json!({"name": "numcodecs.fletcher32", "configuration": {}})
    );
}

#[test]
fn optional_settings_are_optional_and_bare_names_read() {
    // neuroglancer's test data writes zstd without `checksum`.
    let zstd = Codec::from_v3(&json!({"name": "zstd", "configuration": {"level": 0}}));
    assert_eq!(
        zstd,
        Ok(Codec::Zstd {
            level: 0,
            checksum: false
        })
    );
    assert_eq!(
        Codec::from_v3(&json!("bytes")),
        Ok(Codec::Bytes { endian: None })
    );
    let bad = Codec::from_v3(&json!({"name": "gzip", "configuration": {"level": "high"}}));
    assert_eq!(bad.expect_err("refused").codec, "gzip");
    assert!(Codec::from_v3(&json!({"name": "gzip", "configuration": {"level": 12}})).is_err());
}

#[test]
fn zarr_v2_compressors_translate_both_ways() {
    for (v2, v3) in [
        (
            json!({"id": "zstd", "level": 3}),
            Codec::Zstd {
                level: 3,
                checksum: false,
            },
        ),
        (json!({"id": "gzip", "level": 5}), Codec::Gzip { level: 5 }),
        (
            json!({"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 2, "blocksize": 0}),
            Codec::Blosc(Blosc {
                cname: "zstd".into(),
                clevel: 5,
                shuffle: BloscShuffle::BitShuffle,
                typesize: None,
                blocksize: 0,
            }),
        ),
    ] {
        assert_eq!(
            Codec::from_v2_compressor(&v2).expect("reads"),
            Some(v3.clone())
        );
        assert_eq!(v3.to_v2_compressor(), Some(v2));
    }
    assert_eq!(Codec::from_v2_compressor(&Value::Null), Ok(None));
    let zlib = json!({"id": "zlib", "level": 5});
    let codec = Codec::from_v2_compressor(&zlib)
        .expect("reads")
        .expect("some");
    assert_eq!(codec, Codec::Zlib { level: 5 });
    assert_eq!(codec.to_v2_compressor(), Some(zlib));
    assert_eq!(
        codec.to_n5(),
        Some(json!({"type": "gzip", "level": 5, "useZlib": true}))
    );
    // lz4 has no typed form here: passed through, with no Zarr v2 compressor written for it.
    let lz4 = Codec::from_v2_compressor(&json!({"id": "lz4"})).expect("reads");
    assert_eq!(lz4.expect("some").to_v2_compressor(), None);
}

#[test]
fn n5_compressions_translate_both_ways() {
    let n5 = |v: Value| v.as_object().expect("object").clone();
    for (doc, codec) in [
        (
            json!({"type": "zstd", "level": 3}),
            Codec::Zstd {
                level: 3,
                checksum: false,
            },
        ),
        (
            json!({"type": "gzip", "level": 6, "useZlib": false}),
            Codec::Gzip { level: 6 },
        ),
        (
            json!({"type": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}),
            Codec::Blosc(Blosc {
                cname: "lz4".into(),
                clevel: 5,
                shuffle: BloscShuffle::Shuffle,
                typesize: Some(2),
                blocksize: 0,
            }),
        ),
    ] {
        assert_eq!(
            Codec::from_n5(&n5(doc.clone()), 2).expect("reads"),
            Some(codec.clone())
        );
        assert_eq!(codec.to_n5(), Some(doc));
    }
    assert_eq!(Codec::from_n5(&n5(json!({"type": "raw"})), 2), Ok(None));
    // z5py's extra keys are not written back.
    let z5py = n5(json!({"type": "zstd", "level": 1, "nthreads": 4}));
    let codec = Codec::from_n5(&z5py, 1).expect("reads").expect("some");
    assert_eq!(codec.to_n5(), Some(json!({"type": "zstd", "level": 1})));
    // N5's default gzip level is written -1.
    let default = Codec::from_n5(&n5(json!({"type": "gzip", "level": -1})), 1).expect("reads");
    assert_eq!(default, Some(Codec::Gzip { level: 6 }));
}

#[test]
fn blosc_shuffle_names_and_numbers_agree() {
    for s in [
        BloscShuffle::NoShuffle,
        BloscShuffle::Shuffle,
        BloscShuffle::BitShuffle,
    ] {
        assert_eq!(BloscShuffle::from_name(s.name()), Some(s));
        assert_eq!(BloscShuffle::from_number(s.number() as i64), Some(s));
    }
    assert_eq!(BloscShuffle::from_number(-1), Some(BloscShuffle::Shuffle));
}

#[test]
fn decode_forms_ignore_levels_but_not_codecs_or_byte_order() {
    let read = |v: Value| chain_from_v3(v.as_array().expect("list")).expect("reads");
    let blosc = read(
        json!([{"name": "bytes", "configuration": {"endian": "little"}},
                            {"name": "blosc", "configuration": {"clevel": 9}}]),
    );
    let other_level = read(json!(["bytes", {"name": "blosc", "configuration": {"clevel": 1}}]));
    assert_eq!(decode_form(&blosc), decode_form(&other_level));
    let sharded = read(json!([{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [2], "codecs": ["bytes", {"name": "blosc"}]}}]));
    assert_eq!(decode_form(&sharded), decode_form(&blosc));
    let gzip = read(json!(["bytes", {"name": "gzip"}]));
    assert_ne!(decode_form(&gzip), decode_form(&blosc));
    let big = read(json!([{"name": "bytes", "configuration": {"endian": "big"}}]));
    assert_eq!(decode_form(&big), None);
}
