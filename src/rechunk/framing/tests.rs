//! Tests of the framing checks.

use std::io::Write;

use super::*;

fn framing(outer: Outer, crc32c: bool, decoded: u64) -> Framing {
    Framing {
        outer,
        crc32c,
        decoded,
    }
}

#[test]
fn good_chunks_pass_and_garbage_is_named() {
    let data = vec![7u8; 1000];
    let zstd = zstd::bulk::compress(&data, 3).expect("zstd");
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&data).expect("gzip");
    let gzip = gzip.finish().expect("gzip");
    assert!(framing(Outer::Zstd, false, 1000).check(&zstd).is_ok());
    assert!(framing(Outer::Zstd, false, 999).check(&zstd).is_err());
    assert!(
        framing(Outer::Zstd, false, 1000)
            .check(b"garbage!")
            .is_err()
    );
    assert!(framing(Outer::Gzip, false, 1000).check(&gzip).is_ok());
    assert!(framing(Outer::Gzip, false, 1000).check(&zstd).is_err());
    assert!(framing(Outer::Raw, false, 1000).check(&data).is_ok());
    assert!(framing(Outer::Raw, false, 1000).check(&data[..10]).is_err());
    let mut checked = zstd.clone();
    checked.extend_from_slice(&crc32c::crc32c(&zstd).to_le_bytes());
    assert!(framing(Outer::Zstd, true, 1000).check(&checked).is_ok());
    let last = checked.len() - 5;
    checked[last] ^= 1;
    assert!(framing(Outer::Zstd, true, 1000).check(&checked).is_err());
    assert!(
        framing(Outer::Blosc, false, 1000)
            .check(b"garbage")
            .is_err()
    );
}

#[test]
fn files_copied_by_the_kernel_have_their_checksum_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chunk");
    // Sizes: checksum inside the head, one buffer, several buffers.
    for decoded in [16usize, 100_000, 1 << 20] {
        let data: Vec<u8> = (0..decoded).map(|i| (i * 7919 % 251) as u8).collect();
        let mut stored = data.clone();
        stored.extend_from_slice(&crc32c::crc32c(&data).to_le_bytes());
        std::fs::write(&path, &stored).expect("write");
        let framing = framing(Outer::Raw, true, decoded as u64);
        assert_eq!(framing.check_file(&path), Ok(()), "{decoded} bytes");
        // A flipped byte in the middle: neither the head nor the tail shows it.
        stored[decoded / 2] ^= 0x40;
        std::fs::write(&path, &stored).expect("write");
        assert_eq!(
            framing.check_file(&path),
            Err("its crc32c checksum does not match".to_string()),
            "{decoded} bytes"
        );
    }
    std::fs::write(&path, [1u8, 2]).expect("write");
    assert!(framing(Outer::Raw, true, 0).check_file(&path).is_err());
}

/// Checks each of `cases` written to the file at `path` and in memory, asserting that both say
/// the same; returns how many were refused.
fn file_and_memory_agree(framing: &Framing, cases: &[Vec<u8>], path: &std::path::Path) -> usize {
    let mut refused = 0;
    for case in cases {
        std::fs::write(path, case).expect("write");
        let whole = framing.check(case);
        assert_eq!(framing.check_file(path), whole, "{} bytes", case.len());
        refused += usize::from(whole.is_err());
    }
    refused
}

/// `data` in a Blosc frame of zstd blocks of `blocksize` bytes, as c-blosc writes it.
fn blosc(data: &[u8], blocksize: usize) -> Vec<u8> {
    crate::formats::decode::c_blosc(c"zstd", 5, false, 1, blocksize, data)
}

#[test]
fn blosc_files_are_checked_from_their_header_and_offsets_as_in_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chunk");
    let data: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 28) as u8)
        .collect();
    let framing = framing(Outer::Blosc, false, 4000);
    let good = blosc(&data, 256);
    assert_eq!(good[2] & 0x02, 0, "compressed, with 16 block offsets");
    assert!(good.len() > 16 + 4 * 16);
    let mut stored_whole = blosc(
        &(0..4000u32).map(|i| (i * 7919) as u8).collect::<Vec<_>>(),
        0,
    );
    stored_whole.truncate(16 + 4000);
    // Every byte of the header and offset table changed in turn, the frame cut short, and
    // blocks said to be of 1 byte (an offset table longer than the frame): the file's check,
    // which reads only the header, offsets and last bytes, says what the whole one says.
    let mut cases = vec![good.clone(), stored_whole, good[..good.len() - 1].to_vec()];
    for at in 0..16 + 4 * 16 {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        cases.push(bad);
    }
    let mut tiny_blocks = good.clone();
    tiny_blocks[8..12].copy_from_slice(&1u32.to_le_bytes());
    cases.push(tiny_blocks);
    let refused = file_and_memory_agree(&framing, &cases, &path);
    assert_eq!(framing.check(&good), Ok(()));
    assert!(refused > 60, "{refused} of {} refused", cases.len());
    let mut out_of_order = good;
    out_of_order[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&path, &out_of_order).expect("write");
    assert_eq!(
        framing.check_file(&path),
        Err(format!(
            "its Blosc block 1 starts at byte {}, outside its {} bytes",
            u32::MAX,
            out_of_order.len()
        ))
    );
}

#[test]
fn zstd_files_are_checked_from_their_headers_as_in_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chunk");
    let data: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(40_503) >> 9) as u8)
        .collect();
    let good = zstd::bulk::compress(&data, 3).expect("zstd");
    let framing = framing(Outer::Zstd, false, 200_000);
    // A frame of 2,000 blocks of one byte repeated (content size 2,000, 4 bytes a block).
    let mut tiny_blocks = vec![0x28, 0xb5, 0x2f, 0xfd, 0x60, 0xd0, 0x06]; // 2,000 - 256
    for i in 0..2000u32 {
        let last = u32::from(i == 1999);
        tiny_blocks.extend(&((1 << 3) | (1 << 1) | last).to_le_bytes()[..3]);
        tiny_blocks.push(i as u8);
    }
    assert_eq!(
        zstd::bulk::decompress(&tiny_blocks, 4000)
            .expect("zstd")
            .len(),
        2000
    );
    assert_eq!(framing.check(&tiny_blocks), Ok(()));
    let mut cases = vec![good.clone(), good[..good.len() - 3].to_vec()];
    cases.extend([
        tiny_blocks.clone(),
        tiny_blocks[..tiny_blocks.len() - 1].to_vec(),
    ]);
    for at in (0..good.len()).step_by(97) {
        let mut bad = good.clone();
        bad[at] ^= 0x81;
        cases.push(bad);
    }
    let refused = file_and_memory_agree(&framing, &cases, &path);
    assert_eq!(framing.check(&good), Ok(()));
    assert!(refused >= 2, "{refused} of {} refused", cases.len());
}
