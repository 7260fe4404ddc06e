//! Blosc 1 frames holding zstd, written by zlint itself as c-blosc 1.21 writes them, byte for
//! byte, but with the memory of its zstd contexts kept per thread: c-blosc allocates a zstd
//! context for every block it compresses, and at higher levels the allocator maps and faults in
//! that memory afresh each time. Other Blosc settings (other compressors, bit shuffle, byte
//! shuffle of elements other than 2 or 4 bytes) stay c-blosc's.

use std::cell::RefCell;

use zarrs::metadata::Configuration;
use zstd::zstd_safe::zstd_sys;

/// The Blosc header's length.
const HEADER: usize = 16;
/// Below this many bytes c-blosc copies the data instead of compressing it.
const MIN_BUFFERSIZE: usize = 128;
/// c-blosc's base block size (its idea of an L1 cache).
const L1: usize = 32 * 1024;
/// The largest element size c-blosc shuffles; larger elements are taken as bytes.
const MAX_TYPESIZE: usize = 255;
/// The largest block size c-blosc accepts.
const MAX_BLOCKSIZE: usize = (i32::MAX as usize - MAX_TYPESIZE * 4) / 3;
/// Header flags: byte shuffle, data copied as it is, blocks not split, zstd (format 4, bit 5).
const DOSHUFFLE: u8 = 0x1;
const MEMCPYED: u8 = 0x2;
const DONT_SPLIT: u8 = 0x10;
const ZSTD_FORMAT: u8 = 4 << 5;

/// A Blosc compressor zlint writes frames of itself: zstd, without shuffle or with byte shuffle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BloscZstd {
    /// Blosc's level, 0 to 9.
    clevel: u8,
    /// Byte shuffle (else none).
    shuffle: bool,
    /// The element size as c-blosc takes it.
    typesize: usize,
    /// The block size asked for, 0 for c-blosc's choice.
    blocksize: usize,
}

/// What each thread keeps from one block to the next.
struct Scratch {
    /// The memory of the zstd context made afresh for every block (8-byte aligned).
    workspace: Vec<u64>,
    compressed: Vec<u8>,
    shuffled: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch {
            workspace: Vec::new(),
            compressed: Vec::new(),
            shuffled: Vec::new(),
        })
    };
}

impl BloscZstd {
    /// The compressor of a Blosc codec's Zarr v3 `configuration` (as zarrs gives it, its
    /// shuffle resolved), when zlint writes its frames itself.
    pub(crate) fn of(configuration: &Configuration) -> Option<Self> {
        let get = |key: &str| configuration.get(key);
        if get("cname")?.as_str()? != "zstd" {
            return None;
        }
        let shuffle = match get("shuffle")?.as_str()? {
            "noshuffle" => false,
            "shuffle" => true,
            _ => return None,
        };
        let clevel = u8::try_from(get("clevel")?.as_u64()?).ok()?;
        let typesize = get("typesize").and_then(|t| t.as_u64()).unwrap_or(0);
        // Elements of one byte (or over 255, taken as bytes) are not shuffled.
        let shuffled = typesize > 1 && typesize <= MAX_TYPESIZE as u64;
        if shuffle && shuffled && !shuffles(usize::try_from(typesize).ok()?) {
            return None;
        }
        let blocksize = get("blocksize").and_then(|b| b.as_u64()).unwrap_or(0);
        Some(Self {
            clevel: (clevel <= 9).then_some(clevel)?,
            shuffle,
            typesize: usize::try_from(typesize.max(1)).ok()?,
            blocksize: usize::try_from(blocksize).ok()?,
        })
    }

    /// `src` in one Blosc frame, as c-blosc's `blosc_compress_ctx` writes it; `None` where
    /// c-blosc would fail (more than 2 GiB).
    pub(crate) fn encode(&self, src: &[u8]) -> Option<Vec<u8>> {
        let nbytes = src.len();
        if nbytes > i32::MAX as usize - HEADER {
            return None;
        }
        let typesize = if self.typesize > MAX_TYPESIZE {
            1
        } else {
            self.typesize
        };
        let blocksize = self.blocksize_for(typesize, nbytes);
        let mut flags = DONT_SPLIT | ZSTD_FORMAT | if self.shuffle { DOSHUFFLE } else { 0 };
        let mut out = Vec::with_capacity(nbytes + HEADER);
        out.extend_from_slice(&[2, 1, flags, typesize as u8]);
        out.extend_from_slice(&(nbytes as u32).to_le_bytes());
        out.extend_from_slice(&(blocksize as u32).to_le_bytes());
        out.extend_from_slice(&[0; 4]); // the frame's length, once known
        let compressed = self.clevel > 0
            && nbytes >= MIN_BUFFERSIZE
            && SCRATCH.with_borrow_mut(|scratch| {
                self.blocks(src, typesize, blocksize, scratch, &mut out)
            });
        if !compressed {
            // Copied as it is: no compression level, too small, or nothing gained.
            flags |= MEMCPYED;
            out.truncate(HEADER);
            out[2] = flags;
            out.extend_from_slice(src);
        }
        let length = out.len() as u32;
        out[12..HEADER].copy_from_slice(&length.to_le_bytes());
        Some(out)
    }

    /// c-blosc's block size for `nbytes` of elements of `typesize` bytes, with zstd.
    fn blocksize_for(&self, typesize: usize, nbytes: usize) -> usize {
        if nbytes < typesize {
            return 1;
        }
        let mut blocksize = nbytes;
        if self.blocksize > 0 {
            blocksize = self.blocksize.clamp(MIN_BUFFERSIZE, MAX_BLOCKSIZE);
        } else if nbytes >= L1 {
            // zstd is one of c-blosc's high-ratio codecs: twice the base block.
            let base = L1 * 2;
            blocksize = match self.clevel {
                0 => base / 4,
                1 => base / 2,
                2 => base,
                3 => base * 2,
                4 | 5 => base * 4,
                6..=8 => base * 8,
                _ => base * 16,
            };
        }
        blocksize = blocksize.min(nbytes);
        if blocksize > typesize {
            blocksize = blocksize / typesize * typesize;
        }
        blocksize
    }

    /// Appends the block offsets and the compressed blocks of `src` to `out` (its header);
    /// `false` when the data does not fit compressed in the size it has.
    fn blocks(
        &self,
        src: &[u8],
        typesize: usize,
        blocksize: usize,
        scratch: &mut Scratch,
        out: &mut Vec<u8>,
    ) -> bool {
        let most = src.len() + HEADER;
        let count = src.len().div_ceil(blocksize);
        out.resize(HEADER + 4 * count, 0);
        let Scratch {
            workspace,
            compressed,
            shuffled,
        } = scratch;
        let level = if self.clevel < 9 {
            i32::from(self.clevel) * 2 - 1
        } else {
            zstd::zstd_safe::max_c_level()
        };
        for (j, block) in src.chunks(blocksize).enumerate() {
            let start = out.len() as u32;
            out[HEADER + 4 * j..HEADER + 4 * j + 4].copy_from_slice(&start.to_le_bytes());
            let data = if self.shuffle && typesize > 1 {
                shuffle(typesize, block, shuffled)
            } else {
                block
            };
            // The block's length field, then at most the block's own size of compressed bytes.
            let room = most.saturating_sub(out.len() + 4);
            let limit = data.len().min(room);
            if limit == 0 {
                return false;
            }
            if compressed.len() < limit {
                compressed.resize(limit, 0);
            }
            let written = compress(workspace, &mut compressed[..limit], data, level);
            let stored: &[u8] = if written == 0 || written == data.len() {
                // Not compressible: the (shuffled) block as it is, if it fits.
                if out.len() + 4 + data.len() > most {
                    return false;
                }
                data
            } else {
                &compressed[..written]
            };
            out.extend_from_slice(&(stored.len() as u32).to_le_bytes());
            out.extend_from_slice(stored);
        }
        true
    }
}

/// `src` compressed by zstd at `level` into `dst` (0 when it does not fit), with a context made
/// afresh in `workspace`, as `ZSTD_compress` makes one, but in memory kept from block to block. A
/// context used again would keep its tables, whose stale entries cost zstd's row match finder
/// more than clearing them does.
fn compress(workspace: &mut Vec<u64>, dst: &mut [u8], src: &[u8], level: i32) -> usize {
    // SAFETY: `ZSTD_getCParams` and the estimate read plain values; the context is made in
    // `workspace`, 8-byte aligned and of the size zstd asks for those parameters, and used only
    // here, before `workspace` is touched again; `dst` and `src` are valid for their lengths.
    unsafe {
        let params = zstd_sys::ZSTD_getCParams(level, src.len() as u64, 0);
        let size = zstd_sys::ZSTD_estimateCCtxSize_usingCParams(params);
        if workspace.len() * 8 < size {
            workspace.resize(size.div_ceil(8), 0);
        }
        let cctx =
            zstd_sys::ZSTD_initStaticCCtx(workspace.as_mut_ptr().cast(), workspace.len() * 8);
        if cctx.is_null() {
            return 0;
        }
        let written = zstd_sys::ZSTD_compressCCtx(
            cctx,
            dst.as_mut_ptr().cast(),
            dst.len(),
            src.as_ptr().cast(),
            src.len(),
            level,
        );
        if zstd_sys::ZSTD_isError(written) == 0 {
            written
        } else {
            0
        }
    }
}

/// Whether zlint byte-shuffles elements of `typesize` bytes itself (with SSE2): 2 and 4, the
/// sizes of most imaging data. Blosc with byte shuffle of other sizes is left to c-blosc.
fn shuffles(typesize: usize) -> bool {
    cfg!(target_arch = "x86_64") && matches!(typesize, 2 | 4)
}

/// `block` byte-shuffled for elements of `typesize` bytes (see [`shuffles`]), as c-blosc
/// shuffles it: the first byte of every element, then the second, and so on; trailing bytes that
/// make no whole element stay as they are. Returns the shuffled bytes, held in `into`.
fn shuffle<'a>(typesize: usize, block: &[u8], into: &'a mut Vec<u8>) -> &'a [u8] {
    if into.len() < block.len() {
        into.resize(block.len(), 0);
    }
    let out = &mut into[..block.len()];
    let elements = block.len() / typesize;
    let (whole, rest) = block.split_at(elements * typesize);
    // Whole groups of 16 elements in vector registers, then the elements left one by one.
    let done = simd::shuffle(typesize, whole, out, elements);
    for (i, element) in whole[done * typesize..].chunks_exact(typesize).enumerate() {
        for (j, byte) in element.iter().enumerate() {
            out[j * elements + done + i] = *byte;
        }
    }
    out[elements * typesize..].copy_from_slice(rest);
    out
}

/// Byte shuffle with SSE2 (part of every x86_64 processor).
#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_loadu_si128, _mm_packus_epi16, _mm_set1_epi16, _mm_srli_epi16,
        _mm_storeu_si128,
    };

    /// Shuffles the elements of `whole` (`elements` of `typesize` bytes, 2 or 4) into the
    /// planes of `out` by whole groups of 16; returns how many elements it shuffled.
    pub(super) fn shuffle(typesize: usize, whole: &[u8], out: &mut [u8], elements: usize) -> usize {
        let planes = out[..typesize * elements].chunks_exact_mut(elements.max(1));
        let mut planes: Vec<&mut [u8]> = planes.collect();
        let (groups, _) = whole.as_chunks::<64>();
        match (typesize, planes.as_mut_slice()) {
            (2, [low, high]) => {
                let (groups, _) = whole.as_chunks::<32>();
                for (g, group) in groups.iter().enumerate() {
                    let (a, b) = split(load(&group[..16]), load(&group[16..]));
                    store(&mut low[g * 16..], a);
                    store(&mut high[g * 16..], b);
                }
                groups.len() * 16
            }
            (4, [p0, p1, p2, p3]) => {
                for (g, group) in groups.iter().enumerate() {
                    // Bytes 0 and 2, and 1 and 3, of 16 elements; then each pair split.
                    let (even01, odd01) = split(load(&group[..16]), load(&group[16..32]));
                    let (even23, odd23) = split(load(&group[32..48]), load(&group[48..]));
                    let (b0, b2) = split(even01, even23);
                    let (b1, b3) = split(odd01, odd23);
                    store(&mut p0[g * 16..], b0);
                    store(&mut p1[g * 16..], b1);
                    store(&mut p2[g * 16..], b2);
                    store(&mut p3[g * 16..], b3);
                }
                groups.len() * 16
            }
            _ => 0,
        }
    }

    /// The low bytes of the 16-bit lanes of `a` then `b`, and their high bytes.
    #[inline]
    fn split(a: __m128i, b: __m128i) -> (__m128i, __m128i) {
        // SAFETY: SSE2 is part of x86_64; these work on registers only.
        unsafe {
            let mask = _mm_set1_epi16(0x00ff);
            let low = _mm_packus_epi16(_mm_and_si128(a, mask), _mm_and_si128(b, mask));
            let high = _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8));
            (low, high)
        }
    }

    /// The first 16 bytes of `bytes` (which has at least 16).
    #[inline]
    fn load(bytes: &[u8]) -> __m128i {
        let bytes: &[u8; 16] = bytes[..16].try_into().expect("16 bytes");
        // SAFETY: SSE2 is part of x86_64; the load is unaligned, of the 16 bytes borrowed.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    /// Stores `value` in the first 16 bytes of `bytes` (which has at least 16).
    #[inline]
    fn store(bytes: &mut [u8], value: __m128i) {
        let bytes: &mut [u8; 16] = (&mut bytes[..16]).try_into().expect("16 bytes");
        // SAFETY: SSE2 is part of x86_64; the store is unaligned, into the 16 bytes borrowed.
        unsafe { _mm_storeu_si128(bytes.as_mut_ptr().cast(), value) }
    }
}

/// No vector shuffle elsewhere: [`shuffles`] leaves byte shuffle to c-blosc.
#[cfg(not(target_arch = "x86_64"))]
mod simd {
    pub(super) fn shuffle(_: usize, _: &[u8], _: &mut [u8], _: usize) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::BloscZstd;

    /// c-blosc's own frame for the same settings.
    fn c_blosc(settings: &BloscZstd, src: &[u8]) -> Vec<u8> {
        let BloscZstd {
            clevel,
            shuffle,
            typesize,
            blocksize,
        } = *settings;
        super::super::c_blosc(c"zstd", clevel, shuffle, typesize, blocksize, src)
    }

    /// Bytes of several kinds: smooth 16-bit values, noise, runs, and lengths that leave a
    /// short last block and trailing bytes that make no whole element.
    fn samples() -> Vec<Vec<u8>> {
        let mut state = 0x2545_f491_u32;
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        };
        let smooth: Vec<u8> = (0..150_001u32)
            .flat_map(|i| ((i / 7 + i % 13) as u16).to_le_bytes())
            .collect();
        let random: Vec<u8> = (0..70_003).map(|_| noise()).collect();
        let mut mixed = smooth[..140_000].to_vec();
        mixed.extend(&random[..5_000]);
        vec![
            Vec::new(),
            vec![3; 1],
            vec![9; 127],
            (0..128u8).collect(),
            smooth[..32_767].to_vec(),
            smooth,
            random,
            mixed,
            vec![0; 600_000],
        ]
    }

    #[test]
    fn frames_are_byte_for_byte_what_c_blosc_writes() {
        for clevel in [0, 1, 5, 9] {
            for shuffle in [false, true] {
                for typesize in [1, 2, 3, 4, 8, 300] {
                    if shuffle && !matches!(typesize, 1 | 2 | 4 | 300) {
                        continue; // c-blosc's own
                    }
                    for blocksize in [0, 100, 70_001] {
                        let settings = BloscZstd {
                            clevel,
                            shuffle,
                            typesize,
                            blocksize,
                        };
                        for src in samples() {
                            let ours = settings.encode(&src).expect("encoded");
                            let theirs = c_blosc(&settings, &src);
                            assert!(ours == theirs, "{settings:?}, {} bytes", src.len());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_zstd_without_bit_shuffle_is_written_by_zlint() {
        let config = |value: serde_json::Value| serde_json::from_value(value).expect("config");
        let zstd = config(
            serde_json::json!({"cname": "zstd", "clevel": 5, "shuffle": "shuffle",
            "typesize": 2, "blocksize": 0}),
        );
        assert_eq!(
            BloscZstd::of(&zstd),
            Some(BloscZstd {
                clevel: 5,
                shuffle: true,
                typesize: 2,
                blocksize: 0
            })
            .filter(|_| cfg!(target_arch = "x86_64")) // byte shuffle is c-blosc's elsewhere
        );
        for other in [
            serde_json::json!({"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 2}),
            serde_json::json!({"cname": "zstd", "clevel": 5, "shuffle": "bitshuffle", "typesize": 2}),
            serde_json::json!({"cname": "zstd", "clevel": 5, "shuffle": "shuffle", "typesize": 8}),
            serde_json::json!({"cname": "zstd", "clevel": 10, "shuffle": "noshuffle"}),
        ] {
            assert_eq!(BloscZstd::of(&config(other)), None);
        }
    }
}
