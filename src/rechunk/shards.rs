//! Writing the shards of a Zarr v3 target inner chunk by inner chunk: each inner chunk is
//! gathered from the write group's buffer (or, when the source's chunks are the inner chunks,
//! read from its source chunk alone, with no group buffer at all) and encoded as a task of its
//! own, then the shard is packed (chunks in C order, index at the end checksummed with crc32c,
//! the layout zarrs writes) and stored whole. Encoding a shard at a time instead leaves a core
//! idle while the other finishes the last shard of a group, and gathers the whole shard before
//! encoding it.

use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use zarrs::array::codec::CodecChain;
use zarrs::array::codec::api::{ArrayToBytesCodecTraits, CodecOptions};
use zarrs::array::{Array, ArrayBytes, ArrayMetadata};
use zarrs::metadata::v3::MetadataV3;
use zarrs::storage::ReadableWritableListableStorageTraits;

use super::copy::ScratchPool;
use super::io::{Object, Reader, grid_objects, read_region_into};
use super::repack::{index_of_packed, pack_shard};
use super::write::Decoded;
use crate::error::{Error, Result};
use crate::formats::codec::Codec;
use crate::model::product;
use crate::store::atomic::{target_path, unique, write_parts_atomic};

/// How the shards of a target array are laid out, when zlint can pack them itself.
pub(crate) struct Layout {
    /// The codecs of each inner chunk.
    inner: CodecChain,
    /// The inner chunk shape.
    chunk: Vec<u64>,
    /// The same, as the codecs take it.
    extents: Vec<NonZeroU64>,
    /// Shards encoded at once by one write group.
    at_once: usize,
    /// The target's directory, when it is one: shards are written there from their pieces.
    dir: Option<PathBuf>,
}

impl Layout {
    /// The layout of `array`'s shards when its only codec is `sharding_indexed` with the index
    /// at the end, coded as little-endian bytes then crc32c (what [`pack_shard`] writes), and its
    /// elements have a fixed size. `None` for every other array: zarrs writes those.
    /// `groups_at_once` write groups run at once, sharing the threads. `dir` is the directory
    /// of the store holding `array`, for a local target.
    pub(crate) fn of(
        array: &Array<dyn ReadableWritableListableStorageTraits>,
        groups_at_once: usize,
        dir: Option<&Path>,
    ) -> Option<Self> {
        array.data_type().fixed_size()?;
        let ArrayMetadata::V3(metadata) = array.metadata() else {
            return None;
        };
        let [sharding] = metadata.codecs.as_slice() else {
            return None;
        };
        let doc = serde_json::to_value(sharding).ok()?;
        let Ok(Codec::Sharding(sharding)) = Codec::from_v3(&doc) else {
            return None;
        };
        if !sharding.is_indexed_at_end() {
            return None;
        }
        let chunk = sharding.chunk_shape;
        // The inner codecs as stored, for zarrs to build.
        let codecs: Vec<MetadataV3> =
            serde_json::from_value(doc.pointer("/configuration/codecs")?.clone()).ok()?;
        let shard = array.chunk_shape(&vec![0; chunk.len()]).ok()?;
        let divides = shard.len() == chunk.len()
            && shard
                .iter()
                .zip(&chunk)
                .all(|(s, c)| *c > 0 && s.get() % c == 0);
        let inner = CodecChain::from_metadata(&codecs).ok()?;
        let extents = chunk
            .iter()
            .map(|&c| NonZeroU64::new(c))
            .collect::<Option<_>>()?;
        // Each group holds at most its share of the threads' shards encoded (and once more,
        // packed): the memory the plan counts for encoding target objects.
        let at_once = (rayon::current_num_threads() / groups_at_once.max(1)).max(1);
        divides.then_some(Self {
            inner,
            chunk,
            extents,
            at_once,
            dir: dir.map(Path::to_path_buf),
        })
    }

    /// Whether the chunks of `source` are this layout's inner chunks (same shape, from the same
    /// origin): then each inner chunk is one source chunk, read by itself (see
    /// [`Elements::Source`]).
    pub(crate) fn reads_chunk_for_chunk(&self, source: &Reader) -> bool {
        source
            .chunk_shape()
            .is_some_and(|shape| shape == self.chunk)
    }

    /// Encodes and stores the shards `objects` of `array`, whose elements `from` gives, a few
    /// shards at a time, every inner chunk of those a task.
    pub(crate) fn write(
        &self,
        array: &Array<dyn ReadableWritableListableStorageTraits>,
        objects: &[Object],
        from: &Elements<'_>,
        location: &str,
        progress: &dyn crate::progress::Progress,
    ) -> Result<()> {
        let fill = array.fill_value().as_ne_bytes();
        let pool = ScratchPool::default();
        for batch in objects.chunks(self.at_once) {
            let tasks: Vec<(usize, usize, Object)> = batch
                .iter()
                .enumerate()
                .flat_map(|(s, shard)| self.inner_chunks(array.shape(), shard, s))
                .collect();
            let encoded = tasks
                .par_iter()
                .with_max_len(1)
                .map(|(_, _, chunk)| {
                    let bytes = pool.with(|scratch| {
                        from.gather(chunk, fill, scratch, location)?;
                        self.encode(array, fill, scratch).map_err(|e| {
                            let message = format!("encoding elements {}: {e}", chunk.bounded);
                            Error::rechunk(location.to_string(), message)
                        })
                    });
                    progress.advance(chunk.bounded.num_elements() * from.item());
                    bytes
                })
                .collect::<Result<Vec<_>>>()?;
            // Every shard has the same grid: the array's grid of shards is regular.
            let per_shard = product(&self.grid(&batch[0])) as usize;
            let mut shards: Vec<Vec<Option<Vec<u8>>>> = vec![vec![None; per_shard]; batch.len()];
            for ((s, at, _), bytes) in tasks.into_iter().zip(encoded) {
                shards[s][at] = bytes;
            }
            batch
                .par_iter()
                .zip(shards)
                .with_max_len(1)
                .try_for_each(|(shard, chunks)| self.store(array, shard, &chunks, location))?;
        }
        Ok(())
    }

    /// The shard's grid of inner chunks.
    fn grid(&self, shard: &Object) -> Vec<u64> {
        shard
            .full
            .shape()
            .iter()
            .zip(&self.chunk)
            .map(|(s, c)| s / c)
            .collect()
    }

    /// The inner chunks of `shard` (its `s`-th in a batch) that hold elements of the array, each
    /// with its position in the shard's C-order grid.
    fn inner_chunks(&self, shape: &[u64], shard: &Object, s: usize) -> Vec<(usize, usize, Object)> {
        let grid = self.grid(shard);
        grid_objects(shape, &self.chunk, &shard.bounded)
            .into_iter()
            .map(|chunk| {
                let at = chunk
                    .index
                    .iter()
                    .zip(shard.full.start())
                    .zip(&self.chunk)
                    .zip(&grid)
                    .fold(0, |at, (((i, start), c), n)| at * n + (i - start / c));
                (s, at as usize, chunk)
            })
            .collect()
    }

    /// Stores one shard from its encoded inner chunks (C order; `None`: left out): in a local
    /// target its file is written from them and its index, with no copy of the whole shard made
    /// first; elsewhere they are packed by [`pack_shard`]. A shard of fill values only is not
    /// stored (nor left behind from an earlier run).
    fn store(
        &self,
        array: &Array<dyn ReadableWritableListableStorageTraits>,
        shard: &Object,
        chunks: &[Option<Vec<u8>>],
        location: &str,
    ) -> Result<()> {
        let failed = |e: &dyn std::fmt::Display| {
            let message = format!("writing elements {}: {e}", shard.bounded);
            Error::rechunk(location.to_string(), message)
        };
        if chunks.iter().all(Option::is_none) {
            return array.erase_chunk(&shard.index).map_err(|e| failed(&e));
        }
        if let Some(dir) = &self.dir {
            let index = index_of_packed(chunks);
            let mut parts: Vec<&[u8]> = chunks.iter().flatten().map(Vec::as_slice).collect();
            parts.push(&index);
            let key = array.chunk_key(&shard.index);
            return target_path(dir, key.as_str())
                .and_then(|path| write_parts_atomic(&path, &parts, unique()))
                .map_err(|e| failed(&e));
        }
        let bytes = pack_shard(chunks).unwrap_or_default();
        // SAFETY: the shard is laid out as the array's sharding codec reads it (checked by
        // `Layout::of`), each inner chunk encoded by that codec's inner codecs.
        unsafe { array.store_encoded_chunk(&shard.index, bytes.into()) }.map_err(|e| failed(&e))
    }

    /// The encoded bytes of the inner chunk whose elements `scratch` holds (`None` when every
    /// one is the fill value: such chunks are left out of the shard, as zarrs leaves them out).
    fn encode(
        &self,
        array: &Array<dyn ReadableWritableListableStorageTraits>,
        fill: &[u8],
        scratch: &[u8],
    ) -> std::result::Result<Option<Vec<u8>>, String> {
        if !fill.is_empty() && scratch.chunks_exact(fill.len()).all(|e| e == fill) {
            return Ok(None);
        }
        let encoded = self
            .inner
            .encode(
                ArrayBytes::new_flen(scratch),
                &self.extents,
                array.data_type(),
                array.fill_value(),
                &CodecOptions::default(),
            )
            .map_err(|e| e.to_string())?;
        Ok(Some(encoded.into_owned()))
    }
}

/// Where the elements of a group's inner chunks come from.
pub(crate) enum Elements<'a> {
    /// The group's region, decoded into one buffer.
    Decoded(Decoded<'a>),
    /// The source array, read an inner chunk at a time: its chunks are the inner chunks (see
    /// [`Layout::reads_chunk_for_chunk`]), so each is one source chunk decoded, with no buffer
    /// of the whole group between.
    Source {
        /// The source.
        reader: &'a Reader,
        /// Bytes an element.
        item: u64,
    },
}

impl Elements<'_> {
    fn item(&self) -> u64 {
        match self {
            Self::Decoded(decoded) => decoded.item,
            Self::Source { item, .. } => *item,
        }
    }

    /// Sets `scratch` to inner chunk `chunk`'s elements at its full size, the part past the
    /// array's end holding `fill` (see [`Decoded::gather`]).
    pub(super) fn gather(
        &self,
        chunk: &Object,
        fill: &[u8],
        scratch: &mut Vec<u8>,
        location: &str,
    ) -> Result<()> {
        let (reader, item) = match self {
            Self::Decoded(decoded) => {
                decoded.gather(chunk, fill, scratch);
                return Ok(());
            }
            Self::Source { reader, item } => (reader, *item),
        };
        if chunk.bounded == chunk.full {
            return read_region_into(reader, &chunk.full, item, location, scratch);
        }
        // An edge chunk: its part inside the array, then that part padded.
        let mut part = Vec::new();
        read_region_into(reader, &chunk.bounded, item, location, &mut part)?;
        let inside = Decoded {
            region: &chunk.bounded,
            data: &part,
            item,
        };
        inside.gather(chunk, fill, scratch);
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::{Value, json};
    use zarrs::array::{Array, ArrayBytes, ArrayMetadata, ArraySubset};
    use zarrs::storage::store::MemoryStore;
    use zarrs::storage::{ReadableStorageTraits, ReadableWritableListableStorageTraits, StoreKey};

    use super::{Elements, Layout};
    use crate::progress::NoProgress;
    use crate::rechunk::io::Reader;
    use crate::rechunk::io::zarr_objects;
    use crate::rechunk::write::Decoded;
    use crate::store::atomic::AtomicFilesystemStore;

    type Target = Array<dyn ReadableWritableListableStorageTraits>;

    /// A 5×7 uint16 array in shards of 4×4 holding inner chunks of 2×2 (so the last shard
    /// along each axis reaches past the array's end), with `index` as its index codecs.
    fn array(index: Value) -> Target {
        let store: Arc<dyn ReadableWritableListableStorageTraits> = Arc::new(MemoryStore::new());
        array_in(store, index)
    }

    /// [`array`] in `store`.
    fn array_in(store: Arc<dyn ReadableWritableListableStorageTraits>, index: Value) -> Target {
        crate::formats::decode::install();
        let metadata: ArrayMetadata = serde_json::from_value(json!({
            "zarr_format": 3, "node_type": "array", "shape": [5, 7], "data_type": "uint16",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 7,
            "codecs": [{"name": "sharding_indexed", "configuration": {
                "chunk_shape": [2, 2],
                "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 3, "checksum": false}}],
                "index_codecs": index, "index_location": "end"}}]
        }))
        .unwrap();
        Array::new_with_metadata(store, "/", metadata).unwrap()
    }

    fn crc_index() -> Value {
        json!([{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}])
    }

    #[test]
    fn shards_are_packed_as_zarrs_packs_them() {
        packed_as_zarrs_packs(&array(crc_index()), None, false);
    }

    #[test]
    fn shard_files_are_written_as_zarrs_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(AtomicFilesystemStore::new(dir.path()).unwrap());
        packed_as_zarrs_packs(&array_in(store, crc_index()), Some(dir.path()), false);
    }

    #[test]
    fn inner_chunks_read_chunk_for_chunk_are_packed_as_zarrs_packs_them() {
        packed_as_zarrs_packs(&array(crc_index()), None, true);
    }

    /// A source holding `values` in chunks of the inner chunks' shape (2×2, zstd), whose edge
    /// chunk at [2, 3] holds 999 rather than the fill value past the array's end.
    pub(in crate::rechunk) fn source(values: &[u16]) -> Reader {
        let metadata: ArrayMetadata = serde_json::from_value(json!({
            "zarr_format": 3, "node_type": "array", "shape": [5, 7], "data_type": "uint16",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 2]}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 7,
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                {"name": "zstd", "configuration": {"level": 1, "checksum": false}}]
        }))
        .unwrap();
        let store = Arc::new(MemoryStore::new());
        let array = Array::new_with_metadata(store.clone(), "/", metadata).unwrap();
        array.store_metadata().unwrap();
        let whole = ArraySubset::new_with_shape(vec![5, 7]);
        array.store_array_subset(&whole, values).unwrap();
        array
            .store_chunk(&[2, 3], &[values[4 * 7 + 6], 999, 999, 999][..])
            .unwrap();
        Reader::open(store, "/", false, "memory").unwrap()
    }

    /// Writes the array's shards with zlint's packer (into `dir` when given, as a local target
    /// does; read chunk for chunk from a source with `chunk_for_chunk`) and compares each
    /// stored shard with zarrs' own.
    fn packed_as_zarrs_packs(ours: &Target, dir: Option<&Path>, chunk_for_chunk: bool) {
        // Values 0.. with the fill value (7) over the top-left inner chunk, which is left out.
        let values: Vec<u16> = (0..35u16)
            .map(|v| if v % 7 < 2 && v < 14 { 7 } else { v })
            .collect();
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        let whole = ArraySubset::new_with_shape(vec![5, 7]);
        let theirs = array(crc_index());
        let layout = Layout::of(ours, 1, dir).expect("zlint packs these shards");
        let objects = zarr_objects(ours, &whole, "here").unwrap();
        let reader = source(&values);
        assert!(layout.reads_chunk_for_chunk(&reader));
        let from = if chunk_for_chunk {
            Elements::Source {
                reader: &reader,
                item: 2,
            }
        } else {
            Elements::Decoded(Decoded {
                region: &whole,
                data: &data,
                item: 2,
            })
        };
        layout
            .write(ours, &objects, &from, "here", &NoProgress)
            .unwrap();
        theirs
            .store_array_subset(&whole, ArrayBytes::new_flen(&data[..]))
            .unwrap();
        for object in &objects {
            let key = StoreKey::new(ours.chunk_key(&object.index).as_str()).unwrap();
            let (a, b) = (ours.storage().get(&key), theirs.storage().get(&key));
            assert_eq!(a.unwrap(), b.unwrap(), "{key}");
        }
        let back: Vec<u16> = ours.retrieve_array_subset(&whole).unwrap();
        assert_eq!(back, values);
    }

    #[test]
    fn other_shard_layouts_are_left_to_zarrs() {
        assert!(
            Layout::of(
                &array(json!([{"name": "bytes", "configuration": {"endian": "little"}}])),
                1,
                None
            )
            .is_none()
        );
        assert!(
            Layout::of(
                &array(json!([{"name": "bytes", "configuration": {"endian": "big"}}, {"name": "crc32c"}])),
                1,
                None
            )
            .is_none()
        );
    }
}
