//! What a repack checks of each encoded chunk it copies without decoding: that its bytes are
//! framed as its codecs frame them and declare the size the metadata gives the chunk (a zstd or
//! Blosc header, a gzip trailer, the raw length, a crc32c checksum). Garbage and truncated
//! chunks are refused by name instead of copied into an output that looks complete.

use std::io::{Read, Seek, SeekFrom};

use serde_json::Value;

use crate::formats::codec::{Codec, chain_from_v3, read_unit_codecs};
use crate::plan::rechunk_plan::ArrayPlan;

/// The outermost compression of a read unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outer {
    /// No compression: the stored bytes are the elements.
    Raw,
    Zstd,
    Gzip,
    Zlib,
    Blosc,
    /// A codec whose framing zlint does not check.
    Unchecked,
}

/// How an array's encoded read units are framed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Framing {
    outer: Outer,
    /// A crc32c checksum follows the compressed bytes (Zarr v3).
    crc32c: bool,
    /// The decoded bytes of one read unit.
    decoded: u64,
}

/// Bytes read from the start of a stored chunk: enough for every header checked.
const HEAD: usize = 32;

impl Framing {
    /// The framing of the read units `plan` repacks, from its target documents (the same
    /// encoding as the source's, or the plan would not repack).
    pub(crate) fn of(plan: &ArrayPlan) -> Self {
        let decoded = plan
            .target
            .chunks
            .iter()
            .product::<u64>()
            .saturating_mul(plan.item_size);
        let doc = |name: &str| {
            plan.target_metadata
                .iter()
                .find_map(|(n, doc)| (n == name).then_some(doc))
        };
        let chain: Vec<Codec> = if let Some(zarr_json) = doc("zarr.json") {
            let codecs = zarr_json["codecs"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            chain_from_v3(codecs)
                .map(|chain| read_unit_codecs(&chain).to_vec())
                .unwrap_or_default()
        } else if let Some(zarray) = doc(".zarray") {
            let compressor = zarray.get("compressor").unwrap_or(&Value::Null);
            match Codec::from_v2_compressor(compressor) {
                Ok(Some(codec)) => vec![codec],
                Ok(None) => Vec::new(),
                Err(_) => vec![Codec::Other {
                    name: "unknown".into(),
                    configuration: None,
                }],
            }
        } else {
            Vec::new()
        };
        let mut bytes_codecs: Vec<&Codec> = chain
            .iter()
            .filter(|c| !c.is_array_to_array() && !c.is_array_to_bytes())
            .collect();
        let crc32c = bytes_codecs
            .last()
            .is_some_and(|c| matches!(c, Codec::Crc32c));
        if crc32c {
            bytes_codecs.pop();
        }
        let outer = match bytes_codecs.as_slice() {
            [] => Outer::Raw,
            [Codec::Zstd { .. }] => Outer::Zstd,
            [Codec::Gzip { .. }] => Outer::Gzip,
            [Codec::Zlib { .. }] => Outer::Zlib,
            [Codec::Blosc(_)] => Outer::Blosc,
            _ => Outer::Unchecked,
        };
        // Arrays with variable-length elements have no fixed decoded size.
        let outer = if plan.variable {
            Outer::Unchecked
        } else {
            outer
        };
        Self {
            outer,
            crc32c,
            decoded,
        }
    }

    /// Checks the stored bytes of one read unit, held in memory (its checksum too).
    pub(crate) fn check(&self, bytes: &[u8]) -> Result<(), String> {
        let len = bytes.len();
        if self.crc32c {
            let body = len
                .checked_sub(4)
                .ok_or("shorter than its crc32c checksum")?;
            let stored = u32::from_le_bytes(
                bytes[body..]
                    .try_into()
                    .map_err(|_| "shorter than its crc32c checksum")?,
            );
            if crc32c::crc32c(&bytes[..body]) != stored {
                return Err("its crc32c checksum does not match".into());
            }
        }
        let tail_start = len.saturating_sub(8);
        self.check_parts(&bytes[..len.min(HEAD)], &bytes[tail_start..], len as u64)?;
        let body = &bytes[..if self.crc32c { len - 4 } else { len }];
        self.check_whole(body)
    }

    /// Checks the compressed bytes `body` (without a checksum) to their end, as strictly as a
    /// decode would: zstd frame by frame (a frame cut short or followed by garbage fails), gzip
    /// and zlib by inflating to exactly the chunk's size, Blosc by its block offsets.
    fn check_whole(&self, body: &[u8]) -> Result<(), String> {
        let decoded = self.decoded;
        match self.outer {
            Outer::Raw | Outer::Unchecked => Ok(()),
            Outer::Zstd => {
                let mut at = 0;
                let mut content = 0u64;
                while at < body.len() {
                    let frame = &body[at..];
                    let size =
                        zstd::zstd_safe::find_frame_compressed_size(frame).map_err(|_| {
                            format!("its zstd data is cut short or corrupt after byte {at}")
                        })?;
                    if let Ok(Some(n)) = zstd::zstd_safe::get_frame_content_size(frame) {
                        content = content.saturating_add(n);
                    }
                    at += size.max(1);
                }
                if content > decoded {
                    return Err(format!(
                        "its zstd frames hold {content} bytes, more than the chunk's {decoded}"
                    ));
                }
                Ok(())
            }
            Outer::Gzip | Outer::Zlib => {
                let compressor = if self.outer == Outer::Gzip {
                    crate::formats::decode::Compressor::Gzip
                } else {
                    crate::formats::decode::Compressor::Zlib
                };
                let limit = usize::try_from(decoded).unwrap_or(usize::MAX);
                let out = crate::formats::decode::decompress(compressor, body, Some(limit))?;
                if out.len() as u64 == decoded {
                    Ok(())
                } else {
                    Err(format!(
                        "it decodes to {} bytes, not the chunk's {decoded}",
                        out.len()
                    ))
                }
            }
            Outer::Blosc => blosc_blocks(body),
        }
    }

    /// Checks the stored file of one read unit at `path` (see [`Self::check_open`]). A missing
    /// file is an absent chunk.
    #[cfg(test)]
    pub(crate) fn check_file(&self, path: &std::path::Path) -> Result<(), String> {
        match std::fs::File::open(path) {
            Ok(mut file) => {
                let len = file.metadata().map_err(|e| e.to_string())?.len();
                self.check_open(&mut file, len)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Checks the stored file of one read unit, open as `file` and `len` bytes long: its
    /// framing from its length and its first and last bytes, and its crc32c checksum, if it has
    /// one, by reading it through a small buffer. Nothing is read when the length tells all
    /// (uncompressed chunks). Leaves `file` at its start, to be copied.
    pub(crate) fn check_open(&self, file: &mut std::fs::File, len: u64) -> Result<(), String> {
        let reads = self.crc32c || !matches!(self.outer, Outer::Raw | Outer::Unchecked);
        if !reads {
            return self.check_parts(&[], &[], len);
        }
        // Compressed chunks are checked to their end (see `check_whole`): read whole (their
        // size was bounded by the metadata before), then copied by the kernel.
        if !matches!(self.outer, Outer::Raw | Outer::Unchecked) {
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
            file.rewind().map_err(|e| e.to_string())?;
            if bytes.len() as u64 != len {
                return Err(format!("{} bytes where {len} were listed", bytes.len()));
            }
            return self.check(&bytes);
        }
        let io = |e: std::io::Error| e.to_string();
        let mut head = vec![0; HEAD.min(usize::try_from(len).unwrap_or(HEAD))];
        file.read_exact(&mut head).map_err(io)?;
        if self.crc32c {
            check_crc32c_stream(file, &head, len)?;
        }
        let tail_len = len.min(8);
        let mut tail = vec![0; tail_len as usize];
        file.seek(SeekFrom::Start(len - tail_len))
            .and_then(|_| file.read_exact(&mut tail))
            .and_then(|()| file.rewind())
            .map_err(io)?;
        self.check_parts(&head, &tail, len)
    }

    /// Checks the framing from the first bytes `head`, the last bytes `tail` (up to 8) and the
    /// length `len` of the stored bytes.
    fn check_parts(&self, head: &[u8], tail: &[u8], len: u64) -> Result<(), String> {
        let decoded = self.decoded;
        // The compressed bytes, without a trailing checksum.
        let (len, tail) = if self.crc32c {
            let body = len
                .checked_sub(4)
                .ok_or("shorter than its crc32c checksum")?;
            (body, &tail[..tail.len().saturating_sub(4)])
        } else {
            (len, tail)
        };
        match self.outer {
            Outer::Unchecked => Ok(()),
            Outer::Raw if len == decoded => Ok(()),
            Outer::Raw => Err(format!(
                "{len} bytes stored, not the {decoded} of an uncompressed chunk"
            )),
            Outer::Zstd => {
                if !head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                    return Err("not a zstd frame".into());
                }
                // A first frame larger than the chunk (one smaller may be followed by others).
                match zstd::zstd_safe::get_frame_content_size(head) {
                    Ok(Some(size)) if size > decoded => Err(format!(
                        "its zstd frame holds {size} bytes, more than the chunk's {decoded}"
                    )),
                    _ => Ok(()),
                }
            }
            Outer::Gzip => {
                if !head.starts_with(&[0x1f, 0x8b]) {
                    return Err("not gzip data".into());
                }
                let size = tail
                    .len()
                    .checked_sub(4)
                    .and_then(|at| tail[at..].try_into().ok())
                    .map(u32::from_le_bytes)
                    .ok_or("gzip data without its trailer")?;
                if u64::from(size) == decoded % (1 << 32) {
                    Ok(())
                } else {
                    Err(format!(
                        "its gzip trailer gives {size} bytes, not the chunk's {decoded}"
                    ))
                }
            }
            Outer::Zlib => match head {
                [cmf, flg, ..]
                    if cmf & 0x0f == 8 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0 =>
                {
                    Ok(())
                }
                _ => Err("not zlib data".into()),
            },
            Outer::Blosc => {
                let word = |at: usize| {
                    head.get(at..at + 4)
                        .and_then(|b| b.try_into().ok())
                        .map(|b| u64::from(u32::from_le_bytes(b)))
                };
                let (nbytes, cbytes) = (
                    word(4).ok_or("shorter than a Blosc header")?,
                    word(12).ok_or("shorter than a Blosc header")?,
                );
                if nbytes != decoded {
                    Err(format!(
                        "its Blosc header gives {nbytes} bytes, not the chunk's {decoded}"
                    ))
                } else if cbytes != len {
                    Err(format!(
                        "its Blosc header gives {cbytes} stored bytes, the chunk has {len}"
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// Checks a Blosc 1 buffer's block offsets: after its header and offset table, within it, and
/// increasing (a buffer stored whole, `memcpyed`, has none).
fn blosc_blocks(body: &[u8]) -> Result<(), String> {
    let word = |at: usize| {
        body.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .map(u64::from)
    };
    let flags = *body.get(2).ok_or("shorter than a Blosc header")?;
    let (nbytes, blocksize) = (
        word(4).ok_or("shorter than a Blosc header")?,
        word(8).ok_or("shorter than a Blosc header")?,
    );
    if flags & 0x02 != 0 || nbytes == 0 {
        // Stored whole: the header's sizes were checked against the length already.
        return Ok(());
    }
    if blocksize == 0 {
        return Err("its Blosc header gives blocks of 0 bytes".into());
    }
    let blocks = nbytes.div_ceil(blocksize);
    let table_end = 16 + 4 * blocks;
    if table_end > body.len() as u64 {
        return Err(format!(
            "its Blosc block table ({blocks} blocks) runs past its {} bytes",
            body.len()
        ));
    }
    let mut last = 0;
    for i in 0..blocks {
        let start = word(16 + 4 * usize::try_from(i).unwrap_or(usize::MAX)).unwrap_or(u64::MAX);
        if start < table_end || start >= body.len() as u64 || start < last {
            return Err(format!(
                "its Blosc block {i} starts at byte {start}, outside its {} bytes",
                body.len()
            ));
        }
        last = start;
    }
    Ok(())
}

/// Checks the crc32c checksum that ends a file of `len` bytes, of which `head` was read already
/// and `file` is positioned after it, reading the rest through a fixed buffer.
fn check_crc32c_stream(file: &mut std::fs::File, head: &[u8], len: u64) -> Result<(), String> {
    let body = len
        .checked_sub(4)
        .ok_or("shorter than its crc32c checksum")?;
    // The head holds the start of the body, and in a file of fewer than HEAD + 4 bytes some of
    // the checksum too.
    let split = head.len().min(usize::try_from(body).unwrap_or(usize::MAX));
    let mut crc = crc32c::crc32c(&head[..split]);
    let mut stored = [0u8; 4];
    let seen = head.len() - split;
    stored[..seen].copy_from_slice(&head[split..]);
    let mut left = body - split as u64;
    let mut buffer = vec![0; usize::try_from(left.min(256 << 10)).unwrap_or(256 << 10)];
    while left > 0 {
        let want = buffer
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        file.read_exact(&mut buffer[..want])
            .map_err(|e| e.to_string())?;
        crc = crc32c::crc32c_append(crc, &buffer[..want]);
        left -= want as u64;
    }
    file.read_exact(&mut stored[seen..])
        .map_err(|e| e.to_string())?;
    if crc == u32::from_le_bytes(stored) {
        Ok(())
    } else {
        Err("its crc32c checksum does not match".into())
    }
}

#[cfg(test)]
mod tests {
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
}
