//! Tests of the numcodecs readers.

use super::*;

fn codec(id: &str, configuration: Value) -> Numcodec {
    let configuration = configuration.as_object().cloned().unwrap_or_default();
    Numcodec::new(id, id, configuration).expect("codec")
}

#[test]
fn an_lz4_header_larger_than_the_chunk_is_refused_before_allocating() {
    let lz4 = codec("lz4", serde_json::json!({}));
    let mut data = u32::MAX.to_le_bytes().to_vec();
    data.extend_from_slice(&[0; 8]);
    let err = lz4.decode_bytes(&data, Some(64)).unwrap_err();
    assert!(err.contains("declares 4294967295"), "{err}");
    let mut good = 5u32.to_le_bytes().to_vec();
    good.extend(lz4_flex::block::compress(b"hello"));
    assert_eq!(lz4.decode_bytes(&good, Some(5)).expect("decodes"), b"hello");
}

#[test]
fn packbits_and_crc32_decode_as_numcodecs_writes_them() {
    // numcodecs: PackBits([True, False, True]) is 05 a0; CRC32 of 00 01 02 03 is 8bb98613.
    let packbits = codec("packbits", serde_json::json!({}));
    assert_eq!(
        packbits.decode_bytes(&[5, 0xa0], Some(3)).expect("decodes"),
        [1, 0, 1]
    );
    assert!(
        packbits.decode_bytes(&[0, 0xff], Some(3)).is_err(),
        "8 booleans > 3"
    );
    let crc32 = codec("crc32", serde_json::json!({}));
    let data = [0x13, 0x86, 0xb9, 0x8b, 0, 1, 2, 3];
    assert_eq!(
        crc32.decode_bytes(&data, None).expect("decodes"),
        [0, 1, 2, 3]
    );
    assert!(crc32.decode_bytes(&[0, 0, 0, 0, 1], None).is_err());
}

#[test]
fn a_delta_stored_as_another_type_is_refused_by_name() {
    let configuration = serde_json::json!({"dtype": "<i4", "astype": "<i2"});
    let configuration = configuration.as_object().cloned().unwrap_or_default();
    let err = Numcodec::new("delta", "delta", configuration).unwrap_err();
    assert!(err.to_string().contains("codec `delta`"), "{err}");
}

#[test]
fn categorize_codes_read_as_numpy_strings_and_unknown_codes_as_empty() {
    let categorize = codec(
        "categorize",
        serde_json::json!({"labels": ["bg", "cellé"], "dtype": "<U3", "astype": "|u1"}),
    );
    let decoded = categorize
        .decode_bytes(&[1, 0, 2, 9], Some(48))
        .expect("decodes");
    let text = |s: &str| -> Vec<u8> {
        let mut units: Vec<u8> = s.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect();
        units.resize(12, 0);
        units
    };
    let expected: Vec<u8> = ["bg", "", "cel", ""].iter().flat_map(|s| text(s)).collect();
    assert_eq!(
        decoded, expected,
        "labels cut to three characters, 0 and 9 name none"
    );
    let err = categorize.decode_bytes(&[1, 1], Some(12)).unwrap_err();
    assert!(err.contains("more than the 12"), "{err}");
    let objects = serde_json::json!({"labels": ["a"], "dtype": "|O", "astype": "|u1"});
    let refused = Numcodec::new(
        "categorize",
        "categorize",
        objects.as_object().cloned().unwrap(),
    );
    assert!(refused.is_err(), "labels of Python objects are not read");
}
