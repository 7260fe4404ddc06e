//! What a repack checks of each encoded chunk it copies without decoding: that its bytes are
//! framed as its codecs frame them and declare the size the metadata gives the chunk (a zstd or
//! Blosc header, a gzip trailer, the raw length, a crc32c checksum). Garbage and truncated
//! chunks are refused by name instead of copied into an output that looks complete.

use std::io::{Read, Seek, SeekFrom};

use serde_json::Value;

use crate::formats::codec::{Codec, chain_from_v3, read_unit_codecs};
use crate::plan::rechunk_plan::ArrayPlan;

mod zstd_frames;

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
            Outer::Blosc => blosc_blocks(body, body.len() as u64),
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

    /// Checks the stored file of one read unit, open as `file` and `len` bytes long, as
    /// [`Self::check`] checks it in memory: Blosc and zstd chunks without a checksum from their
    /// headers alone (see [`Self::check_headers_open`]), other compressed chunks read whole, a
    /// crc32c checksum through a small buffer. Nothing is read when the length tells all
    /// (uncompressed chunks). Leaves `file` at its start, to be copied.
    pub(crate) fn check_open(&self, file: &mut std::fs::File, len: u64) -> Result<(), String> {
        let reads = self.crc32c || !matches!(self.outer, Outer::Raw | Outer::Unchecked);
        if !reads {
            return self.check_parts(&[], &[], len);
        }
        if matches!(self.outer, Outer::Blosc | Outer::Zstd)
            && !self.crc32c
            && self.check_headers_open(file, len)?
        {
            return Ok(());
        }
        // Other compressed chunks are checked to their end (see `check_whole`): read whole
        // (their size was bounded by the metadata before), then copied by the kernel.
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

    /// [`Self::check_open`] for a Blosc or zstd chunk without a checksum, reading only what
    /// [`Self::check`] looks at: the first and last bytes, and the Blosc block offsets or the
    /// zstd frame and block headers (see [`zstd_frames`]), not the compressed blocks. `false`
    /// when it cannot tell (a legacy zstd frame): the chunk is to be checked in memory. Leaves
    /// `file` at its start.
    fn check_headers_open(&self, file: &mut std::fs::File, len: u64) -> Result<bool, String> {
        let io = |e: std::io::Error| e.to_string();
        let mut read_at = |at: u64, n: u64| {
            let mut bytes = vec![0; usize::try_from(n).unwrap_or(0)];
            read_exact_at(file, &mut bytes, at)
                .map(|()| bytes)
                .map_err(io)
        };
        let head = read_at(0, len.min(HEAD as u64))?;
        let tail = read_at(len - len.min(8), len.min(8))?;
        self.check_parts(&head, &tail, len)?;
        let walked = if self.outer == Outer::Blosc {
            // The header and the block offsets, when they fit in the chunk (`blosc_blocks`
            // says which block does not).
            let table = blosc_table_end(&head).filter(|&end| end <= len);
            let prefix = match table {
                Some(end) if end > head.len() as u64 => read_at(0, end)?,
                _ => head,
            };
            blosc_blocks(&prefix, len).map(|()| true)
        } else {
            zstd_frames::check(file, len, self.decoded).map_or(Ok(false), |c| c.map(|()| true))
        };
        file.rewind().map_err(io)?;
        walked
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

/// Where a Blosc 1 buffer's block offsets end, from its header `head`: `None` for a buffer
/// stored whole (`memcpyed`, no offsets) or a header that is cut short or gives no blocks.
fn blosc_table_end(head: &[u8]) -> Option<u64> {
    let word = |at: usize| {
        Some(u64::from(u32::from_le_bytes(
            head.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    let (flags, nbytes, blocksize) = (*head.get(2)?, word(4)?, word(8)?);
    (flags & 0x02 == 0 && nbytes > 0 && blocksize > 0).then(|| 16 + 4 * nbytes.div_ceil(blocksize))
}

/// Checks the block offsets of a Blosc 1 buffer of `len` bytes whose first bytes are `body`
/// (at least its header and offset table, where they fit in `len`): after its header and offset
/// table, within the buffer, and increasing (a buffer stored whole, `memcpyed`, has none).
fn blosc_blocks(body: &[u8], len: u64) -> Result<(), String> {
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
    if table_end > len {
        return Err(format!(
            "its Blosc block table ({blocks} blocks) runs past its {len} bytes"
        ));
    }
    let mut last = 0;
    for i in 0..blocks {
        let start = word(16 + 4 * usize::try_from(i).unwrap_or(usize::MAX)).unwrap_or(u64::MAX);
        if start < table_end || start >= len || start < last {
            return Err(format!(
                "its Blosc block {i} starts at byte {start}, outside its {len} bytes"
            ));
        }
        last = start;
    }
    Ok(())
}

/// Fills `buffer` from `file` at byte `at`.
fn read_exact_at(file: &mut std::fs::File, buffer: &mut [u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(&*file, buffer, at)
    }
    #[cfg(not(unix))]
    {
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(buffer)
    }
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
mod tests;
