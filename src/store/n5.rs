//! zlint's own N5 dataset reader and writer (zarrs_n5 cannot open what tensorstore and
//! zarr-python 2 write, and cannot write).
//!
//! A block is stored at `i0/i1/…` (N5 axis order, fastest axis first) as: `u16` mode (0), `u16`
//! rank, one `u32` extent per axis (N5 order), then the compressed elements, big-endian. The data
//! of an N5 block of extents `(e0, e1, …)` is in C order over `(…, e1, e0)`, so zlint's C-order
//! view needs no transpose, only byte swapping. End blocks may be stored clipped (the N5 Java
//! library) or whole (tensorstore): both are read; zlint writes them clipped, as the spec's
//! reference implementation does.

use std::io::Write;
use std::sync::Arc;

use serde_json::{Map, Value};
use zarrs::array::codec::BloscCodec;
use zarrs::array::codec::api::{BytesRepresentation, BytesToBytesCodecTraits, CodecOptions};
use zarrs::storage::{ReadableStorageTraits, StoreKey, WritableStorageTraits};

use crate::error::{Cause, Error, Result};
use crate::formats::codec::Codec;
use crate::formats::decode::{self, Compressor};
use crate::formats::n5::{N5Attributes, n5_item_size};

/// An N5 compression.
#[derive(Debug)]
enum Compression {
    Raw,
    Gzip {
        level: u32,
        zlib: bool,
    },
    Zstd {
        level: i32,
    },
    Blosc(Box<BloscCodec>),
    /// bzip2, with its block size in 100 kB (1 to 9), as the N5 bzip2 plug-in writes it.
    Bzip2 {
        block_size: u32,
    },
    /// xz at a preset (0 to 9), as the N5 xz plug-in writes it.
    Xz {
        preset: u32,
    },
}

/// A decoded N5 block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct N5Block {
    /// The block's extents as stored (C order): whole, or clipped at the array's end.
    pub extents: Vec<u64>,
    /// Its elements, native-endian, in C order.
    pub data: Vec<u8>,
}

/// Where an N5 dataset's blocks are: a store (read, and written for an output) and the
/// dataset's key prefix in it.
#[derive(Clone)]
pub struct N5Place {
    /// Read access to the store.
    pub reader: Arc<dyn ReadableStorageTraits>,
    /// Write access, for an output (every write atomic).
    pub writer: Option<Arc<dyn WritableStorageTraits>>,
    /// The dataset's key prefix: `""` at the root, else `a/b/`.
    pub prefix: String,
    /// The dataset's location, for messages.
    pub location: String,
}

/// An N5 dataset, seen in C order.
pub struct N5Array {
    place: N5Place,
    shape: Vec<u64>,
    block: Vec<u64>,
    item: usize,
    compression: Compression,
}

impl std::fmt::Debug for N5Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("N5Array")
            .field("location", &self.place.location)
            .field("shape", &self.shape)
            .field("block", &self.block)
            .finish_non_exhaustive()
    }
}

pub use crate::formats::n5::n5_data_type;

/// The block codec of an N5 `compression` object, for items of `item` bytes.
fn parse_compression(
    doc: &Map<String, Value>,
    item: usize,
) -> std::result::Result<Compression, String> {
    let codec = Codec::from_n5(doc, item as u64).map_err(|e| e.to_string())?;
    Ok(match codec {
        None => Compression::Raw,
        Some(Codec::Gzip { level }) => Compression::Gzip { level, zlib: false },
        Some(Codec::Zlib { level }) => Compression::Gzip { level, zlib: true },
        Some(Codec::Zstd { level, .. }) => Compression::Zstd { level },
        Some(Codec::Blosc(blosc)) => {
            let config = Codec::Blosc(blosc).to_v3()["configuration"].clone();
            let config =
                serde_json::from_value(config).map_err(|e| format!("blosc settings: {e}"))?;
            Compression::Blosc(Box::new(
                BloscCodec::new_with_configuration(&config)
                    .map_err(|e| format!("blosc settings: {e}"))?,
            ))
        }
        Some(Codec::Other {
            name,
            configuration,
        }) if name == "bzip2" || name == "xz" => {
            let setting = |key: &str, default: u64| {
                configuration
                    .as_ref()
                    .and_then(|c| c.get(key))
                    .and_then(Value::as_u64)
                    .unwrap_or(default)
            };
            if name == "bzip2" {
                Compression::Bzip2 {
                    block_size: u32::try_from(setting("blockSize", 9).clamp(1, 9)).unwrap_or(9),
                }
            } else {
                Compression::Xz {
                    preset: u32::try_from(setting("preset", 6).min(9)).unwrap_or(6),
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "N5 compression `{}` is not supported by the rechunker (raw, gzip, zstd, blosc, \
                 bzip2, xz are)",
                other.name()
            ));
        }
    })
}

impl N5Array {
    /// Opens the dataset at `place` described by its `attributes.json` document, in C order.
    ///
    /// # Errors
    /// [`Error::Rechunk`] at the dataset's location, naming what is missing or unsupported.
    pub fn open(place: N5Place, attributes: &Value) -> Result<Self> {
        let fail = |message: String| Error::rechunk(place.location.clone(), message);
        let attributes = N5Attributes::parse(attributes).map_err(|e| fail(e.to_string()))?;
        let item = n5_item_size(&attributes.data_type)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                fail(format!(
                    "unsupported N5 dataType `{}`",
                    attributes.data_type
                ))
            })?;
        let compression = parse_compression(&attributes.compression, item).map_err(fail)?;
        Ok(Self {
            place,
            compression,
            shape: attributes.shape,
            block: attributes.block_shape,
            item,
        })
    }

    /// The `attributes.json` of a new dataset (C-order `shape` and `block`).
    #[must_use]
    pub fn attributes(
        shape: &[u64],
        block: &[u64],
        data_type: &str,
        compression: &Value,
        user: &Map<String, Value>,
    ) -> Value {
        N5Attributes {
            shape: shape.to_vec(),
            block_shape: block.to_vec(),
            data_type: data_type.to_string(),
            compression: compression.as_object().cloned().unwrap_or_default(),
            user: user.clone(),
        }
        .to_json()
    }

    /// The array shape (C order).
    #[must_use]
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// The block shape (C order).
    #[must_use]
    pub fn block_shape(&self) -> &[u64] {
        &self.block
    }

    /// The block's key in the store (N5 axis order) and its location for messages.
    /// Where block `index` (C order) is, for messages.
    #[must_use]
    pub fn block_location(&self, index: &[u64]) -> String {
        self.block_key(index).1
    }

    fn block_key(&self, index: &[u64]) -> (String, String) {
        let relative = index
            .iter()
            .rev()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("/");
        (
            format!("{}{relative}", self.place.prefix),
            super::located(&self.place.location, &relative),
        )
    }

    fn swap(&self, bytes: &mut [u8]) {
        if self.item > 1 && cfg!(target_endian = "little") {
            for element in bytes.chunks_exact_mut(self.item) {
                element.reverse();
            }
        }
    }

    /// Reads block `index` (C order), or `None` when the block is absent (it reads as zeros).
    ///
    /// # Errors
    /// [`Error::Rechunk`] naming the block file when it is unreadable, truncated or corrupt.
    pub fn read_block(&self, index: &[u64]) -> Result<Option<N5Block>> {
        let (key, path) = self.block_key(index);
        let fail = |what: &str| Error::rechunk(path.clone(), what.to_string());
        let key = StoreKey::new(key).map_err(|e| fail(&e.to_string()))?;
        let bytes = match self.place.reader.get(&key) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(e) => return Err(fail(&e.to_string())),
        };
        let u16_at = |at: usize| {
            bytes
                .get(at..at + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
        };
        let (mode, rank) = (
            u16_at(0).ok_or_else(|| fail("truncated header"))?,
            u16_at(2).ok_or_else(|| fail("truncated header"))?,
        );
        if mode != 0 {
            return Err(fail(&format!(
                "block mode {mode} is not supported (only default blocks)"
            )));
        }
        let rank = usize::from(rank);
        if rank != self.shape.len() {
            return Err(fail(&format!(
                "block has {rank} dimensions, the dataset {}",
                self.shape.len()
            )));
        }
        let mut extents = Vec::with_capacity(rank);
        for axis in 0..rank {
            let at = 4 + 4 * axis;
            let b = bytes
                .get(at..at + 4)
                .ok_or_else(|| fail("truncated header"))?;
            extents.push(u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])));
        }
        extents.reverse();
        // The header is untrusted: a block is never larger than the dataset's block size, so
        // what it decodes to is bounded by the metadata, whatever the header claims.
        if let Some(axis) = (0..rank).find(|&a| extents[a] > self.block_shape()[a]) {
            return Err(fail(&format!(
                "block header gives extent {} on axis {axis}, larger than the block size {}",
                extents[axis],
                self.block_shape()[axis]
            )));
        }
        let payload = &bytes[4 + 4 * rank..];
        let expected = usize::try_from(extents.iter().product::<u64>())
            .ok()
            .and_then(|n| n.checked_mul(self.item))
            .ok_or_else(|| fail("block too large for this machine"))?;
        let mut data = self.decompress(payload, expected).map_err(|e| fail(&e))?;
        if data.len() != expected {
            return Err(fail(&format!(
                "block holds {} bytes, its header says {expected}",
                data.len()
            )));
        }
        self.swap(&mut data);
        Ok(Some(N5Block { extents, data }))
    }

    /// Writes block `index` (C order) holding the box of `extents` (C order, clipped to the
    /// array) from native-endian C-order `data`, atomically.
    ///
    /// # Errors
    /// [`Error::Rechunk`] naming the block file when it cannot be written.
    pub fn write_block(&self, index: &[u64], extents: &[u64], mut data: Vec<u8>) -> Result<()> {
        let (key, path) = self.block_key(index);
        let fail = |cause: Cause| Error::rechunk(path.clone(), cause);
        let writer = self
            .place
            .writer
            .as_ref()
            .ok_or_else(|| fail("the dataset is not open for writing".into()))?;
        self.swap(&mut data);
        let mut out = Vec::with_capacity(data.len() / 2 + 16);
        out.extend_from_slice(&0u16.to_be_bytes());
        out.extend_from_slice(
            &u16::try_from(extents.len())
                .unwrap_or(u16::MAX)
                .to_be_bytes(),
        );
        for e in extents.iter().rev() {
            out.extend_from_slice(
                &u32::try_from(*e)
                    .map_err(|_| fail("block extent too large".into()))?
                    .to_be_bytes(),
            );
        }
        self.compress(&data, &mut out).map_err(fail)?;
        let key = StoreKey::new(key).map_err(|e| fail(e.into()))?;
        writer.set(&key, out.into()).map_err(|e| fail(e.into()))
    }

    fn decompress(&self, payload: &[u8], expected: usize) -> std::result::Result<Vec<u8>, String> {
        let bounded = |compressor| decode::decompress(compressor, payload, Some(expected));
        match &self.compression {
            Compression::Raw => Ok(payload.to_vec()),
            Compression::Gzip { zlib: false, .. } => bounded(Compressor::Gzip),
            Compression::Gzip { zlib: true, .. } => bounded(Compressor::Zlib),
            Compression::Zstd { .. } => bounded(Compressor::Zstd),
            Compression::Bzip2 { .. } => bounded(Compressor::Bz2),
            Compression::Xz { .. } => {
                // xz presets use windows up to 64 MiB, whatever the data's size; a header
                // asking for more is refused instead of allocated.
                let window_kib =
                    u32::try_from(expected.max(64 << 20) / 1024 + 1024).unwrap_or(u32::MAX);
                decode::read_bounded(
                    lzma_rust2::XzReader::new_mem_limit(payload, true, window_kib),
                    Some(expected),
                    "xz",
                )
            }
            Compression::Blosc(codec) => {
                bounded(Compressor::Blosc)?;
                let representation = BytesRepresentation::BoundedSize(expected as u64);
                Ok(codec
                    .decode(payload.into(), &representation, &CodecOptions::default())
                    .map_err(|e| format!("blosc: {e}"))?
                    .into_owned())
            }
        }
    }

    fn compress(&self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Cause> {
        match &self.compression {
            Compression::Raw => out.extend_from_slice(data),
            Compression::Gzip { level, zlib: false } => {
                let mut encoder =
                    flate2::write::GzEncoder::new(out, flate2::Compression::new(*level));
                encoder.write_all(data)?;
                encoder.finish()?;
            }
            Compression::Gzip { level, zlib: true } => {
                let mut encoder =
                    flate2::write::ZlibEncoder::new(out, flate2::Compression::new(*level));
                encoder.write_all(data)?;
                encoder.finish()?;
            }
            Compression::Zstd { level } => {
                out.extend(zstd::bulk::compress(data, *level)?);
            }
            Compression::Blosc(codec) => {
                out.extend_from_slice(&codec.encode(data.into(), &CodecOptions::default())?);
            }
            Compression::Bzip2 { block_size } => {
                let mut encoder =
                    bzip2::write::BzEncoder::new(out, bzip2::Compression::new(*block_size));
                encoder.write_all(data)?;
                encoder.finish()?;
            }
            Compression::Xz { preset } => {
                let mut encoder =
                    lzma_rust2::XzWriter::new(out, lzma_rust2::XzOptions::with_preset(*preset))?;
                encoder.write_all(data)?;
                encoder.finish()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_round_trip_in_every_compression() {
        for compression in [
            json!({"type": "raw"}),
            json!({"type": "gzip", "level": 3}),
            json!({"type": "gzip", "useZlib": true}),
            json!({"type": "zstd", "level": 1}),
            json!({"type": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}),
            json!({"type": "bzip2", "blockSize": 9}),
            json!({"type": "xz", "preset": 6}),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let attrs = N5Array::attributes(&[3, 5], &[2, 4], "uint16", &compression, &Map::new());
            let store =
                Arc::new(crate::store::atomic::AtomicFilesystemStore::new(dir.path()).unwrap());
            let place = N5Place {
                reader: store.clone(),
                writer: Some(store),
                prefix: String::new(),
                location: dir.path().display().to_string(),
            };
            let array = N5Array::open(place, &attrs).unwrap();
            let data: Vec<u8> = (0..2 * 4 * 2).map(|i| i as u8).collect();
            array
                .write_block(&[1, 0], &[1, 4], data[..8].to_vec())
                .unwrap();
            // N5 order on disk: block (i=1 along axis 0) lives at 0/1.
            assert!(dir.path().join("0/1").is_file(), "{compression}");
            let block = array.read_block(&[1, 0]).unwrap().unwrap();
            assert_eq!(block.extents, [1, 4]);
            assert_eq!(block.data, data[..8]);
            assert!(array.read_block(&[0, 1]).unwrap().is_none());
        }
    }

    #[test]
    fn unsupported_compression_is_named() {
        let attrs = json!({"dimensions": [4], "blockSize": [2], "dataType": "uint8", "compression": {"type": "lzf"}});
        let place = N5Place {
            reader: Arc::new(zarrs::storage::store::MemoryStore::new()),
            writer: None,
            prefix: String::new(),
            location: "memory".into(),
        };
        assert!(
            N5Array::open(place, &attrs)
                .unwrap_err()
                .to_string()
                .contains("`lzf`")
        );
    }
}
