//! Chunk bytes are untrusted (issue 14, items 1, 2 and 10): decompression bombs, shard indexes
//! pointing past their file and N5 block headers claiming huge blocks end in exit 2 naming the
//! object, never in a panic, an abort or an allocation the metadata does not allow.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn zlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zlint").expect("binary");
    cmd.current_dir(dir).timeout(Duration::from_secs(60));
    cmd
}

/// Runs `zlint ARGS` in `dir`: asserts exit 2 and returns stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = zlint(dir).args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// A one-chunk uint8 Zarr v3 array of 4 elements compressed with `codec` (a JSON codec).
fn one_chunk_array(store: &Path, codec: &str, chunk: &[u8]) {
    std::fs::create_dir_all(store.join("c")).expect("dir");
    std::fs::write(
        store.join("zarr.json"),
        format!(
            r#"{{"zarr_format":3,"node_type":"array","shape":[4],"data_type":"uint8","chunk_grid":{{"name":"regular","configuration":{{"chunk_shape":[4]}}}},"chunk_key_encoding":{{"name":"default"}},"fill_value":0,"codecs":[{{"name":"bytes"}},{codec}]}}"#
        ),
    )
    .expect("write");
    std::fs::write(store.join("c/0"), chunk).expect("write");
}

/// Every command that decodes data refuses the chunk, names it, and leaves no output store.
fn refused_everywhere(dir: &Path, store: &str, object: &str, says: &str) {
    for args in [
        vec!["verify", store, store],
        vec!["rechunk", store, "out.zarr", "--chunks", "2"],
        vec!["rechunk", store, "out.n5", "--chunks", "2", "--to", "n5"],
    ] {
        let stderr = fails(dir, &args);
        assert!(stderr.contains(object), "{args:?} names {object}: {stderr}");
        assert!(stderr.contains(says), "{args:?} says {says}: {stderr}");
        for output in ["out.zarr/zarr.json", "out.n5/attributes.json"] {
            assert!(!dir.join(output).exists(), "{args:?} left {output}");
        }
    }
}

/// The 20-byte zstd frame of the issue, declaring 2^60 decoded bytes (an abort on 1170e00).
#[test]
fn a_zstd_frame_declaring_an_exabyte_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    one_chunk_array(
        &dir.path().join("a.zarr"),
        r#"{"name":"zstd","configuration":{"level":3,"checksum":false}}"#,
        b"\x28\xb5\x2f\xfd\xe0\0\0\0\0\0\0\0\x10\x21\0\0\x01\x02\x03\x04",
    );
    refused_everywhere(dir.path(), "a.zarr", "a.zarr/c/0", "1152921504606846976");
}

/// Streams that inflate far past the chunk (4 bytes) stop at it, in every compressor whose
/// stream does not declare its size.
#[test]
fn streams_inflating_past_their_chunk_are_refused_by_name() {
    let zeros = vec![0u8; 8 << 20];
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&zeros).expect("gzip");
    let gzip = gzip.finish().expect("gzip");
    // A frame without a declared content size, so only the decoded output can tell.
    let mut zstd = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("zstd");
    zstd.include_contentsize(false).expect("zstd");
    zstd.write_all(&zeros).expect("zstd");
    let zstd = zstd.finish().expect("zstd");
    for (codec, data) in [
        (r#"{"name":"gzip","configuration":{"level":5}}"#, gzip),
        (
            r#"{"name":"zstd","configuration":{"level":3,"checksum":false}}"#,
            zstd,
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        one_chunk_array(&dir.path().join("a.zarr"), codec, &data);
        refused_everywhere(dir.path(), "a.zarr", "a.zarr/c/0", "more than the 4 bytes");
    }
}

/// The CRC-32C of `data`, for a shard index's checksum.
fn crc32c(data: &[u8]) -> [u8; 4] {
    crc32c::crc32c(data).to_le_bytes()
}

/// A 4×4 uint16 array in one shard of four 2×2 inner chunks, written by zlint from a Zarr v2
/// array of raw chunks.
fn sharded_store(dir: &Path) {
    let v2 = dir.join("v2.zarr");
    std::fs::create_dir_all(&v2).expect("dir");
    std::fs::write(
        v2.join(".zarray"),
        r#"{"zarr_format":2,"shape":[4,4],"chunks":[4,4],"dtype":"<u2","compressor":null,"fill_value":0,"order":"C","filters":null}"#,
    )
    .expect("write");
    let values: Vec<u8> = (0u16..16).flat_map(u16::to_le_bytes).collect();
    std::fs::write(v2.join("0.0"), values).expect("write");
    let out = zlint(dir)
        .args(["rechunk", "v2.zarr", "s.zarr", "--to", "zarr3"])
        .args(["--chunks", "2,2", "--shards", "4,4", "--codec", "none"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
}

/// Shard index entries pointing past the end of the shard, or of a length that overflows, are
/// refused by name whether the shard is read whole or an inner chunk at a time (a capacity
/// overflow panic on 1170e00).
#[test]
fn shard_index_entries_past_the_file_are_refused_by_name() {
    for (offset, length) in [(100u64, u64::MAX - 50), (u64::MAX - 50, 100), (1000, 8)] {
        let dir = tempfile::tempdir().expect("tempdir");
        sharded_store(dir.path());
        let shard = dir.path().join("s.zarr/c/0/0");
        let mut bytes = std::fs::read(&shard).expect("read");
        // The index ends the shard: four (offset, length) u64 pairs and a CRC-32C.
        let at = bytes.len() - 4 * 16 - 4;
        bytes[at..at + 8].copy_from_slice(&offset.to_le_bytes());
        bytes[at + 8..at + 16].copy_from_slice(&length.to_le_bytes());
        let checksum = crc32c(&bytes[at..at + 64]);
        bytes[at + 64..].copy_from_slice(&checksum);
        std::fs::write(&shard, bytes).expect("write");
        for args in [
            vec!["verify", "s.zarr", "s.zarr"],
            vec!["rechunk", "s.zarr", "o1.zarr", "--chunks", "4,4"],
            vec![
                "rechunk",
                "s.zarr",
                "o2.zarr",
                "--chunks",
                "1,1",
                "--max-mem",
                "64",
            ],
        ] {
            let stderr = fails(dir.path(), &args);
            assert!(stderr.contains("s.zarr/c/0/0"), "{args:?}: {stderr}");
            assert!(!dir.path().join("o1.zarr/zarr.json").exists());
            assert!(!dir.path().join("o2.zarr/zarr.json").exists());
        }
    }
}

/// An N5 block whose header claims extents beyond the dataset's block size (a capacity
/// overflow panic, or a 1 TiB allocation, on 1170e00).
#[test]
fn n5_block_headers_larger_than_the_block_size_are_refused_by_name() {
    for extents in [[u32::MAX, u32::MAX], [1 << 20, 1 << 20]] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("a.n5");
        std::fs::create_dir_all(store.join("0")).expect("dir");
        std::fs::write(store.join("attributes.json"), r#"{"n5":"4.0.0"}"#).expect("write");
        std::fs::write(
            store.join("attributes.json"),
            r#"{"dimensions":[4,4],"blockSize":[4,4],"dataType":"uint8","compression":{"type":"raw"}}"#,
        )
        .expect("write");
        let mut block = vec![0u8, 0, 0, 2];
        for e in extents {
            block.extend_from_slice(&e.to_be_bytes());
        }
        block.extend_from_slice(&[7; 16]);
        std::fs::write(store.join("0/0"), block).expect("write");
        let stderr = fails(dir.path(), &["verify", "a.n5", "a.n5"]);
        assert!(stderr.contains("a.n5/0/0"), "{stderr}");
        assert!(stderr.contains("larger than the block size"), "{stderr}");
        fails(
            dir.path(),
            &["rechunk", "a.n5", "out.zarr", "--chunks", "2,2"],
        );
    }
}

/// A Zarr v2 Blosc chunk whose header declares 2 GiB (zarrs builds Zarr v2 Blosc outside its
/// codec registry; zlint routes it through its bounded reader).
#[test]
fn a_zarr_v2_blosc_header_larger_than_the_chunk_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("x.zarr");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/world/xarray.zarr/img");
    std::fs::create_dir_all(&store).expect("dir");
    for name in [".zarray", "0.0"] {
        std::fs::copy(fixture.join(name), store.join(name)).expect("copy");
    }
    let chunk = store.join("0.0");
    let mut bytes = std::fs::read(&chunk).expect("read");
    bytes[4..8].copy_from_slice(&(i32::MAX as u32).to_le_bytes());
    std::fs::write(&chunk, bytes).expect("write");
    let stderr = fails(dir.path(), &["verify", "x.zarr", "x.zarr"]);
    assert!(stderr.contains("x.zarr/0.0"), "{stderr}");
    assert!(stderr.contains("declares 2147483647"), "{stderr}");
}

/// A repack (same chunks, another format: encoded chunks copied without decoding) refuses
/// chunks whose bytes are not what their codecs frame (issue 14, item 5: garbage was copied with
/// exit 0), whether it copies them through memory or the kernel copies the files.
#[test]
fn a_repack_refuses_garbage_chunks_by_name() {
    for (compressor, garbage) in [
        ("null", &b"short"[..]),
        (
            r#"{"id":"zstd","level":1}"#,
            &b"not a zstd frame at all"[..],
        ),
        (
            r#"{"id":"gzip","level":1}"#,
            &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 9, 9][..],
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("a.zarr");
        std::fs::create_dir_all(&store).expect("dir");
        std::fs::write(
            store.join(".zarray"),
            format!(
                r#"{{"zarr_format":2,"shape":[8],"chunks":[4],"dtype":"<u2","compressor":{compressor},"fill_value":0,"order":"C","filters":null}}"#
            ),
        )
        .expect("write");
        std::fs::write(store.join("1"), garbage).expect("write");
        for (out, extra) in [
            ("o1.zarr", vec!["--to", "zarr3"]),
            ("o2.zarr", vec!["--to", "zarr3", "--shards", "8"]),
        ] {
            let mut args = vec!["rechunk", "a.zarr", out, "--chunks", "4"];
            args.extend(extra);
            let stderr = fails(dir.path(), &args);
            assert!(
                stderr.contains("a.zarr/1"),
                "{compressor} {args:?}: {stderr}"
            );
            assert!(
                stderr.contains("corrupt"),
                "{compressor} {args:?}: {stderr}"
            );
            assert!(!dir.path().join(out).join("zarr.json").exists());
        }
    }
}

/// Found by the `metadata` fuzzer: a bz2 level outside 1–9 made zarrs panic while making the
/// codec (the bzip2 crate asserts the range), in Zarr v2 conversion and Zarr v3 alike.
#[test]
fn a_bz2_level_outside_one_to_nine_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v2 = dir.path().join("v2.zarr");
    std::fs::create_dir_all(&v2).expect("dir");
    std::fs::write(
        v2.join(".zarray"),
        r#"{"zarr_format":2,"shape":[4],"chunks":[4],"dtype":"|u1","compressor":{"id":"bz2","level":0},"fill_value":0,"order":"C","filters":null}"#,
    )
    .expect("write");
    one_chunk_array(
        &dir.path().join("v3.zarr"),
        r#"{"name":"numcodecs.bz2","configuration":{"level":10}}"#,
        b"",
    );
    for (store, level) in [("v2.zarr", 0), ("v3.zarr", 10)] {
        let stderr = fails(dir.path(), &["rechunk", store, "out.zarr", "--chunks", "2"]);
        assert!(
            stderr.contains(store) && stderr.contains(&format!("bz2 level {level}")),
            "{store}: {stderr}"
        );
        // An array zlint cannot decode is compared by its stored bytes, and says so.
        zlint(dir.path())
            .args(["verify", store, store])
            .assert()
            .success()
            .stdout(predicates::str::contains(
                "1 array zlint cannot decode compared by its stored bytes",
            ));
    }
}

/// A zip file of `entries` (name, compression method 0 or 8, the bytes as stored, the size
/// declared once inflated), laid out by hand so that it can lie: no zip writer produces these.
fn handmade_zip(path: &Path, entries: &[(&str, u16, Vec<u8>, u32)]) {
    let mut body = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, declared) in entries {
        let offset = body.len() as u32;
        let header = |signature: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(signature.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // version made by
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(method.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // time
            h.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
            h.extend(0u32.to_le_bytes()); // crc-32 (not checked by readers of ranges)
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(declared.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 8]); // comment length, disk, internal and external attributes
                h.extend([0u8; 2]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        body.extend(header(0x0403_4b50, false));
        body.extend(data);
        central.extend(header(0x0201_4b50, true));
    }
    let mut zip = body.clone();
    zip.extend(&central);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    zip.extend([0u8; 4]);
    zip.extend((entries.len() as u16).to_le_bytes());
    zip.extend((entries.len() as u16).to_le_bytes());
    zip.extend((central.len() as u32).to_le_bytes());
    zip.extend((body.len() as u32).to_le_bytes());
    zip.extend(0u16.to_le_bytes());
    std::fs::write(path, zip).expect("write zip");
}

/// Issue 15, zip stores: an entry that inflates past the size the zip declares is refused by
/// name before more than that is held; entry names that climb out of the store are not read
/// and are reported; an entry said to lie past the end of the file is refused by name.
#[test]
fn zip_entries_that_lie_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let metadata = br#"{"zarr_format":3,"node_type":"array","shape":[4096],"data_type":"uint8","chunk_grid":{"name":"regular","configuration":{"chunk_shape":[4096]}},"chunk_key_encoding":{"name":"default"},"fill_value":0,"codecs":[{"name":"bytes"}]}"#.to_vec();
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflated.write_all(&[7u8; 4096]).expect("deflate");
    let deflated = deflated.finish().expect("deflate");
    let declared = metadata.len() as u32;
    handmade_zip(
        &dir.path().join("bomb.zip"),
        &[
            ("zarr.json", 0, metadata.clone(), declared),
            ("c/0", 8, deflated, 16),
        ],
    );
    handmade_zip(
        &dir.path().join("climbing.zip"),
        &[
            ("zarr.json", 0, metadata.clone(), declared),
            ("../outside", 0, b"x".to_vec(), 1),
        ],
    );
    let scan = zlint(dir.path())
        .args(["scan", "climbing.zip"])
        .output()
        .expect("runs");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&scan.stdout),
        String::from_utf8_lossy(&scan.stderr)
    );
    assert!(
        all.contains("../outside") && all.contains("zip entry not read"),
        "{all}"
    );
    refused_everywhere(
        dir.path(),
        "bomb.zip",
        "c/0",
        "inflates to 17 or more bytes where the zip declares 16",
    );

    handmade_zip(
        &dir.path().join("short.zip"),
        &[("zarr.json", 0, metadata, declared + 4096)],
    );
    let stderr = fails(dir.path(), &["scan", "short.zip"]);
    assert!(stderr.contains("short.zip"), "{stderr}");
}
