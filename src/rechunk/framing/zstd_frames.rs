//! zstd frames walked in a stored file from their frame and block headers alone, as zstd's own
//! `ZSTD_findFrameCompressedSize` walks them in memory: a repack learns that a chunk's frames
//! end where the chunk does without reading the compressed blocks between.

use super::read_exact_at;

/// The magic number of a zstd frame, read little-endian.
const MAGIC: u32 = 0xFD2F_B528;
/// Skippable frames' magic numbers, 0x184D2A50 to 0x184D2A5F.
const SKIPPABLE: u32 = 0x184D_2A50;
/// The largest window a zstd decoder accepts (log 2, 64-bit builds).
const WINDOW_LOG_MAX: u32 = 31;

/// What the walk learnt of one frame.
enum Frame {
    /// Its stored length, and the content size its header gives, if any.
    Walked { length: u64, content: Option<u64> },
    /// Not framed as zstd frames are (cut short, a reserved field set, no magic number).
    Corrupt,
    /// A frame of a zstd before 0.8, whose layout this walk does not know.
    Legacy,
}

/// Checks that the `len` bytes of `file` are whole zstd frames holding at most `decoded` bytes,
/// with the messages of the check in memory (`Framing::check_whole`). `None` when a frame is
/// of a kind the walk does not know (a legacy frame): the caller checks the file in memory.
pub(super) fn check(
    file: &mut std::fs::File,
    len: u64,
    decoded: u64,
) -> Option<Result<(), String>> {
    // Headers are read through a small window: one read for many small blocks, one a block
    // header for large ones.
    let mut window = Vec::new();
    let mut window_start = 0;
    let mut read_at = |at: u64, buffer: &mut [u8]| -> std::io::Result<()> {
        let end = at + buffer.len() as u64;
        if at < window_start || end > window_start + window.len() as u64 {
            let n = (len - at).min(WINDOW.max(buffer.len() as u64));
            window.resize(usize::try_from(n).unwrap_or(0), 0);
            read_exact_at(file, &mut window, at)?;
            window_start = at;
        }
        let from = usize::try_from(at - window_start).unwrap_or(0);
        buffer.copy_from_slice(&window[from..from + buffer.len()]);
        Ok(())
    };
    walk(&mut read_at, len, decoded)
}

/// The bytes read at once from a stored chunk for its headers.
const WINDOW: u64 = 512;

/// [`check`] over any bytes `read_at` reads (`len` of them).
fn walk(
    read_at: &mut dyn FnMut(u64, &mut [u8]) -> std::io::Result<()>,
    len: u64,
    decoded: u64,
) -> Option<Result<(), String>> {
    let mut at = 0;
    let mut content = 0u64;
    while at < len {
        match frame(read_at, at, len - at) {
            Ok(Frame::Walked { length, content: c }) => {
                content = content.saturating_add(c.unwrap_or(0));
                at += length.max(1);
            }
            Ok(Frame::Legacy) => return None,
            Ok(Frame::Corrupt) => {
                return Some(Err(format!(
                    "its zstd data is cut short or corrupt after byte {at}"
                )));
            }
            Err(e) => return Some(Err(e.to_string())),
        }
    }
    Some(if content > decoded {
        Err(format!(
            "its zstd frames hold {content} bytes, more than the chunk's {decoded}"
        ))
    } else {
        Ok(())
    })
}

/// The frame that starts at byte `at`, with `left` bytes from there to the end.
fn frame(
    read_at: &mut dyn FnMut(u64, &mut [u8]) -> std::io::Result<()>,
    at: u64,
    left: u64,
) -> std::io::Result<Frame> {
    // The longest frame header: magic, descriptor, window, 4-byte dictionary, 8-byte size.
    let mut head = [0u8; 18];
    let head = &mut head[..usize::try_from(left.min(18)).unwrap_or(18)];
    read_at(at, head)?;
    let word = |i: usize| Some(u32::from_le_bytes(head.get(i..i + 4)?.try_into().ok()?));
    let Some(magic) = word(0) else {
        return Ok(Frame::Corrupt);
    };
    if magic == 0x1EB5_2FFD || (0xFD2F_B522..=0xFD2F_B527).contains(&magic) {
        return Ok(Frame::Legacy);
    }
    if magic & 0xFFFF_FFF0 == SKIPPABLE {
        // Magic, then the length of what follows; content size 0.
        return Ok(match word(4).and_then(|n| n.checked_add(8)) {
            Some(length) if u64::from(length) <= left => Frame::Walked {
                length: u64::from(length),
                content: Some(0),
            },
            _ => Frame::Corrupt,
        });
    }
    let Some(header) = (magic == MAGIC).then(|| header(head)).flatten() else {
        return Ok(Frame::Corrupt);
    };
    // Blocks: a 3-byte header each (last-block flag, type, size), then their bytes.
    let mut length = header.length;
    loop {
        let mut block = [0u8; 3];
        if left - length < 3 {
            return Ok(Frame::Corrupt);
        }
        read_at(at + length, &mut block)?;
        let word = u32::from_le_bytes([block[0], block[1], block[2], 0]);
        let size = match (word >> 1) & 3 {
            1 => 1,                         // one byte repeated
            3 => return Ok(Frame::Corrupt), // reserved
            _ => u64::from(word >> 3),
        };
        if 3 + size > left - length {
            return Ok(Frame::Corrupt);
        }
        length += 3 + size;
        if word & 1 == 1 {
            break;
        }
    }
    if header.checksum {
        if left - length < 4 {
            return Ok(Frame::Corrupt);
        }
        length += 4;
    }
    Ok(Frame::Walked {
        length,
        content: header.content,
    })
}

/// A zstd frame header, read.
struct Header {
    /// Its length in bytes.
    length: u64,
    /// The content checksum follows the last block.
    checksum: bool,
    /// The content size it gives.
    content: Option<u64>,
}

/// The header of the frame whose first bytes are `head` (its magic number checked); `None`
/// when they are too few or it sets what a decoder refuses.
fn header(head: &[u8]) -> Option<Header> {
    let descriptor = *head.get(4)?;
    let single_segment = descriptor & 0x20 != 0;
    let size_bytes = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let dictionary_bytes = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let window_bytes = usize::from(!single_segment);
    let length = 5 + window_bytes + dictionary_bytes + size_bytes;
    if head.len() < length || descriptor & 0x08 != 0 {
        return None;
    }
    if !single_segment && u32::from(head[5] >> 3) + 10 > WINDOW_LOG_MAX {
        return None;
    }
    let start = 5 + window_bytes + dictionary_bytes;
    let mut size = [0u8; 8];
    size[..size_bytes].copy_from_slice(&head[start..start + size_bytes]);
    let size = u64::from_le_bytes(size);
    let content = match size_bytes {
        0 => None,
        2 => Some(size + 256),
        _ => Some(size),
    };
    Some(Header {
        length: length as u64,
        checksum: descriptor & 0x04 != 0,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Framing, Outer};
    use super::walk;

    /// The walk over `bytes` in memory.
    fn walked(bytes: &[u8], decoded: u64) -> Option<Result<(), String>> {
        let mut read_at = |at: u64, buffer: &mut [u8]| {
            let at = usize::try_from(at).expect("small");
            buffer.copy_from_slice(&bytes[at..at + buffer.len()]);
            Ok(())
        };
        walk(&mut read_at, bytes.len() as u64, decoded)
    }

    /// zstd's own answer, as the check in memory gives it.
    fn zstds(bytes: &[u8], decoded: u64) -> Result<(), String> {
        let framing = Framing {
            outer: Outer::Zstd,
            crc32c: false,
            decoded,
        };
        framing.check_whole(bytes)
    }

    /// Frames of several kinds: with and without checksum and content size, one large enough
    /// for several blocks, several frames one after the other, a skippable frame first.
    fn frames() -> Vec<Vec<u8>> {
        let data: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 27) as u8)
            .collect();
        let mut with_checksum = zstd::bulk::Compressor::new(3).expect("zstd");
        with_checksum
            .set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
            .expect("checksum");
        let mut unknown_size = Vec::new();
        let mut encoder = zstd::stream::Encoder::new(&mut unknown_size, 1).expect("zstd");
        std::io::Write::write_all(&mut encoder, &data[..5000]).expect("write");
        encoder.finish().expect("finish");
        let small = zstd::bulk::compress(&data[..300], 1).expect("zstd");
        let mut two = small.clone();
        two.extend(zstd::bulk::compress(&[7; 1000], 19).expect("zstd"));
        let mut skippable = vec![0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3];
        skippable.extend(&small);
        vec![
            zstd::bulk::compress(&data, 3).expect("zstd"),
            with_checksum.compress(&data[..70_000]).expect("zstd"),
            unknown_size,
            two,
            skippable,
            zstd::bulk::compress(&[], 3).expect("zstd"),
        ]
    }

    #[test]
    fn the_walk_answers_as_zstd_does() {
        let mut cases = 0;
        for good in frames() {
            assert_eq!(walked(&good, 300_000), Some(Ok(())));
            let mut variants = vec![good.clone()];
            // Every byte of the first 40 changed, then cuts and additions at the end.
            for at in 0..good.len().min(40) {
                for flip in [0x01, 0x08, 0x20, 0x80, 0xff] {
                    let mut bad = good.clone();
                    bad[at] ^= flip;
                    variants.push(bad);
                }
            }
            for cut in [1, 2, 3, 4, 5, good.len() / 2] {
                variants.push(good[..good.len().saturating_sub(cut)].to_vec());
            }
            let mut longer = good.clone();
            longer.extend([0x28, 0xb5, 0x2f]);
            variants.push(longer);
            for bytes in &variants {
                for decoded in [0, 1000, 300_000] {
                    let walked = walked(bytes, decoded);
                    if walked.is_some() {
                        assert_eq!(walked, Some(zstds(bytes, decoded)), "{} bytes", bytes.len());
                        cases += 1;
                    }
                }
            }
        }
        assert!(cases > 2000, "{cases} cases compared");
    }

    #[test]
    fn legacy_frames_are_left_to_the_check_in_memory() {
        assert_eq!(walked(&[0x27, 0xB5, 0x2F, 0xFD, 0, 0, 0, 0], 10), None);
        assert_eq!(walked(&[0xFD, 0x2F, 0xB5, 0x1E, 0, 0, 0, 0], 10), None);
    }
}
