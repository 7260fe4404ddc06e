//! Writing a target array object by object: zarrs for Zarr v2 and v3, zlint's own N5 code for
//! N5.

use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::storage::ReadableWritableListableStorageTraits;

use super::copy::{At, ScratchPool, copy_box, fill_repeated, gather_box, gather_box_into};
use super::io::{Object, Reader, grid_objects, regular_chunk_shape, zarr_objects};
use super::shards::{Elements, Layout};
use crate::error::{Error, Result};
use crate::store::n5::N5Array;

fn error(location: &str, message: impl Into<crate::error::Cause>) -> Error {
    Error::rechunk(location.to_string(), message)
}

/// A target array.
pub(crate) enum Writer {
    Zarr(Box<Array<dyn ReadableWritableListableStorageTraits>>),
    /// A sharded Zarr v3 array whose shards zlint packs itself.
    Sharded(
        Box<Array<dyn ReadableWritableListableStorageTraits>>,
        Layout,
    ),
    N5(N5Array),
}

impl Writer {
    /// The writer of a Zarr `array` written `groups_at_once` write groups at a time: zlint packs
    /// its shards itself where it can. `dir` is the directory of its store, for a local target.
    pub(crate) fn zarr(
        array: Array<dyn ReadableWritableListableStorageTraits>,
        groups_at_once: u64,
        dir: Option<&std::path::Path>,
    ) -> Self {
        let groups_at_once = usize::try_from(groups_at_once).unwrap_or(usize::MAX);
        match Layout::of(&array, groups_at_once, dir) {
            Some(layout) => Self::Sharded(Box::new(array), layout),
            None => Self::Zarr(Box::new(array)),
        }
    }

    /// Whether [`Self::write_region_from`] can write this target from `source`: its chunks, or
    /// the inner chunks of its shards, have the source's chunk shape (a regular Zarr grid on
    /// both sides).
    pub(crate) fn reads_chunk_for_chunk(&self, source: &Reader) -> bool {
        match self {
            Self::Sharded(_, layout) => layout.reads_chunk_for_chunk(source),
            Self::Zarr(a) => {
                let shape = regular_chunk_shape(a);
                shape.is_some() && source.chunk_shape() == shape
            }
            Self::N5(_) => false,
        }
    }

    /// Encodes every target object inside `region` read straight from `source`, one chunk (or
    /// inner chunk: one source chunk) at a time, when [`Self::reads_chunk_for_chunk`]: no buffer
    /// holds the region, and no element is copied between the source chunk decoded and the
    /// chunk encoded.
    pub(crate) fn write_region_from(
        &self,
        region: &ArraySubset,
        source: &Reader,
        item: u64,
        location: &str,
        progress: &dyn crate::progress::Progress,
    ) -> Result<()> {
        let from = Elements::Source {
            reader: source,
            item,
        };
        let a = match self {
            Self::Sharded(a, layout) => {
                let objects = zarr_objects(a, region, location)?;
                return layout.write(a, &objects, &from, location, progress);
            }
            Self::Zarr(a) => a,
            Self::N5(_) => {
                return Err(error(location, "N5 blocks are not written chunk for chunk"));
            }
        };
        let objects = zarr_objects(a, region, location)?;
        let fill = a.fill_value().as_ne_bytes();
        each_object(&objects, item, progress, |object, scratch| {
            from.gather(object, fill, scratch, location)?;
            store(a, object, scratch, location)
        })
    }

    /// Encodes every target object inside `region` from its decoded bytes, in parallel,
    /// reporting each object's bytes to `progress` as it is written.
    pub(crate) fn write_region(
        &self,
        region: &ArraySubset,
        data: &[u8],
        item: u64,
        location: &str,
        progress: &dyn crate::progress::Progress,
    ) -> Result<()> {
        let objects = match self {
            Self::Zarr(a) => zarr_objects(a, region, location)?,
            Self::Sharded(a, layout) => {
                let objects = zarr_objects(a, region, location)?;
                let from = Elements::Decoded(Decoded { region, data, item });
                return layout.write(a, &objects, &from, location, progress);
            }
            Self::N5(a) => grid_objects(a.shape(), a.block_shape(), region),
        };
        let from = Decoded { region, data, item };
        each_object(&objects, item, progress, |object, scratch| {
            self.write_object(object, &from, scratch, location)
        })
    }

    /// Encodes and stores `object`, whose elements `from` holds, gathering them in `scratch`
    /// when they are not in order in it already.
    fn write_object(
        &self,
        object: &Object,
        from: &Decoded<'_>,
        scratch: &mut Vec<u8>,
        location: &str,
    ) -> Result<()> {
        // The region is this one object: its bytes are already in order.
        let whole = object.bounded == *from.region;
        match self {
            Self::Zarr(a) | Self::Sharded(a, _) => {
                let bytes: &[u8] = if whole && object.full == object.bounded {
                    from.data
                } else {
                    from.gather(object, a.fill_value().as_ne_bytes(), scratch);
                    scratch
                };
                store(a, object, bytes, location)
            }
            // N5 stores edge objects clipped, and swaps their bytes in place.
            Self::N5(a) => {
                let bytes = if whole {
                    from.data.to_vec()
                } else {
                    let offset = from.offset(object);
                    let at = At {
                        shape: from.region.shape(),
                        start: &offset,
                    };
                    gather_box(from.data, at, object.bounded.shape(), from.item)
                };
                a.write_block(&object.index, object.bounded.shape(), bytes)
            }
        }
    }
}

/// Runs `work` on every object of `objects` in parallel, each with a buffer to gather (or pad)
/// its elements in, kept for the length of the region; reports each object's bytes (`item` an
/// element) to `progress` as it is done. One object a task, so that a thread left idle near the
/// end of the region takes the next object rather than waiting while another works through a
/// run of them.
fn each_object(
    objects: &[Object],
    item: u64,
    progress: &dyn crate::progress::Progress,
    work: impl Fn(&Object, &mut Vec<u8>) -> Result<()> + Sync,
) -> Result<()> {
    let pool = ScratchPool::default();
    objects
        .par_iter()
        .with_max_len(1)
        .try_for_each(|object| -> Result<()> {
            let result = pool.with(|scratch| work(object, scratch));
            progress.advance(object.bounded.num_elements() * item);
            result
        })
}

/// Encodes and stores Zarr chunk `object`, whose elements (at its full size) are `bytes`.
fn store(
    a: &Array<dyn ReadableWritableListableStorageTraits>,
    object: &Object,
    bytes: &[u8],
    location: &str,
) -> Result<()> {
    a.store_chunk(&object.index, ArrayBytes::new_flen(bytes))
        .map_err(|e| {
            error(
                location,
                format!("writing elements {}: {e}", object.bounded),
            )
        })
}

/// A region's decoded elements: native-endian, C order, `item` bytes each.
#[derive(Clone, Copy)]
pub(super) struct Decoded<'a> {
    pub(super) region: &'a ArraySubset,
    pub(super) data: &'a [u8],
    pub(super) item: u64,
}

impl Decoded<'_> {
    /// Where `object`'s elements inside the array start in the region.
    fn offset(&self, object: &Object) -> Vec<u64> {
        let start = object.bounded.start().iter().zip(self.region.start());
        start.map(|(s, o)| s - o).collect()
    }

    /// Sets `scratch` to `object`'s elements in C order at the object's full size: Zarr stores
    /// edge objects (and the inner chunks of edge shards) whole, the part past the array's end
    /// holding `fill`.
    pub(super) fn gather(&self, object: &Object, fill: &[u8], scratch: &mut Vec<u8>) {
        let offset = self.offset(object);
        let from = At {
            shape: self.region.shape(),
            start: &offset,
        };
        if object.full == object.bounded {
            gather_box_into(self.data, from, object.bounded.shape(), self.item, scratch);
            return;
        }
        let shape = object.full.shape();
        fill_repeated(
            scratch,
            fill,
            (crate::model::product(shape) * self.item) as usize,
        );
        let to = At {
            shape,
            start: &vec![0; shape.len()],
        };
        copy_box(
            self.data,
            from,
            scratch,
            to,
            object.bounded.shape(),
            self.item,
        );
    }
}

/// Copies `region` (whole target objects) element by element as zarrs decodes and encodes them,
/// for data types without a fixed size; `progress` advances by `nominal` bytes an element.
pub(crate) fn copy_elements(
    from: &Reader,
    to: &Writer,
    region: &ArraySubset,
    (nominal, inner): (u64, Option<&[u64]>),
    location: &str,
    progress: &dyn crate::progress::Progress,
) -> Result<()> {
    let (Writer::Zarr(a) | Writer::Sharded(a, _)) = to else {
        return Err(error(location, "N5 holds no variable-length data types"));
    };
    let data = from.read_elements(region)?;
    if let Some(inner) = inner {
        check_inner_chunks(&data, region, inner, a, location)?;
    }
    // zarrs 0.23 takes a chunk of variable-length elements for empty (and leaves it unwritten)
    // when their bytes, run together, repeat the fill value: "0" beside "" runs together as
    // "0". So zarrs is told to store every chunk, and only a region whose every element is the
    // fill value is left unwritten, here.
    if !is_all_fill(&data, a.fill_value().as_ne_bytes()) {
        let options = zarrs::array::CodecOptions::default().with_store_empty_chunks(true);
        a.store_array_subset_opt(region, data, &options)
            .map_err(|e| error(location, format!("writing elements {region}: {e}")))?;
    }
    progress.advance(region.num_elements() * nominal);
    Ok(())
}

/// zarrs 0.23's sharding leaves out an inner chunk of variable-length elements whose bytes, run
/// together, repeat the fill value, whatever its elements are (`"0"` beside `""` reads back as
/// two `"0"`): such an inner chunk (of the grid `inner`, within `region`) is refused by name
/// before anything is written, instead of being lost.
fn check_inner_chunks(
    data: &zarrs::array::ArrayBytes<'_>,
    region: &ArraySubset,
    inner: &[u64],
    a: &zarrs::array::Array<dyn zarrs::storage::ReadableWritableListableStorageTraits>,
    location: &str,
) -> Result<()> {
    let fill = a.fill_value().as_ne_bytes();
    if fill.is_empty() {
        return Ok(());
    }
    for object in grid_objects(a.shape(), inner, region) {
        let part = object
            .bounded
            .overlap(region)
            .and_then(|part| part.relative_to(region.start()))
            .map_err(|e| error(location, e))?;
        let elements = data
            .extract_array_subset(&part, region.shape(), a.data_type())
            .map_err(|e| error(location, e))?;
        if let zarrs::array::ArrayBytes::Variable(v) = &elements {
            let bytes: &[u8] = v.bytes();
            let runs_as_fill = !bytes.is_empty() && bytes.chunks(fill.len()).all(|c| c == fill);
            if runs_as_fill && !is_all_fill(&elements, fill) {
                return Err(error(
                    location,
                    format!(
                        "the inner chunk {:?} holds elements other than the fill value whose \
                         bytes repeat it, which zarrs 0.23's sharding would leave out (they would \
                         read as the fill value): write this array unsharded",
                        object.index
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether every element of the variable-length `data` is `fill`.
fn is_all_fill(data: &zarrs::array::ArrayBytes<'_>, fill: &[u8]) -> bool {
    let zarrs::array::ArrayBytes::Variable(elements) = data else {
        return false;
    };
    let (bytes, offsets) = (elements.bytes(), elements.offsets());
    offsets
        .windows(2)
        .all(|w| bytes.get(w[0]..w[1]) == Some(fill))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;
    use zarrs::array::{Array, ArrayBytes, ArrayBytesOffsets, ArrayMetadata, ArraySubset};
    use zarrs::storage::ReadableWritableListableStorageTraits;
    use zarrs::storage::store::MemoryStore;

    use super::{Writer, is_all_fill};
    use crate::progress::NoProgress;
    use crate::rechunk::shards::tests::source;

    /// A Zarr v2 5×7 uint16 target in chunks of `chunks` (gzip, fill value 7).
    fn target(chunks: [u64; 2]) -> Writer {
        crate::formats::decode::install();
        let metadata: ArrayMetadata = serde_json::from_value(json!({
            "zarr_format": 2, "shape": [5, 7], "chunks": chunks, "dtype": "<u2",
            "compressor": {"id": "zlib", "level": 1}, "fill_value": 7, "order": "C",
            "filters": null
        }))
        .unwrap();
        let store: Arc<dyn ReadableWritableListableStorageTraits> = Arc::new(MemoryStore::new());
        Writer::zarr(
            Array::new_with_metadata(store, "/", metadata).unwrap(),
            1,
            None,
        )
    }

    #[test]
    fn chunks_of_the_source_shape_are_written_chunk_for_chunk_and_padded_with_the_fill() {
        let values: Vec<u16> = (0..35).collect();
        let reader = source(&values);
        assert!(!target([2, 3]).reads_chunk_for_chunk(&reader));
        written_chunk_for_chunk(&reader, &values);
    }

    /// Writes [`target`] in chunks of 2×2 from `reader` (5×7, uint16, chunks or blocks of 2×2)
    /// chunk for chunk, and checks that it holds `values`, its edge chunk padded with the fill.
    fn written_chunk_for_chunk(reader: &crate::rechunk::io::Reader, values: &[u16]) {
        let writer = target([2, 2]);
        assert!(writer.reads_chunk_for_chunk(reader));
        let whole = ArraySubset::new_with_shape(vec![5, 7]);
        writer
            .write_region_from(&whole, reader, 2, "here", &NoProgress)
            .unwrap();
        let Writer::Zarr(a) = &writer else {
            panic!("an unsharded target")
        };
        assert_eq!(a.retrieve_array_subset::<Vec<u16>>(&whole).unwrap(), values);
        // Whatever the source holds past the array's end, the target's edge chunk holds the fill.
        let edge: Vec<u16> = a.retrieve_chunk(&[2, 3]).unwrap();
        assert_eq!(edge, [34, 7, 7, 7]);
    }

    #[test]
    fn n5_blocks_are_read_block_for_chunk_and_edge_blocks_padded_with_the_fill() {
        use crate::store::n5::{N5Array, N5Place};
        use zarrs::storage::{ReadableListableStorageTraits, WritableStorageTraits};
        // A 5×7 uint16 N5 dataset in blocks of 2×2 (C order), stored clipped at the edges.
        let store = Arc::new(MemoryStore::new());
        let compression = json!({"type": "raw"});
        let no_attrs = serde_json::Map::new();
        let attrs = N5Array::attributes(&[5, 7], &[2, 2], "uint16", &compression, &no_attrs);
        store
            .set(
                &"attributes.json".try_into().unwrap(),
                serde_json::to_vec(&attrs).unwrap().into(),
            )
            .unwrap();
        let place = N5Place {
            reader: store.clone(),
            writer: Some(store.clone()),
            prefix: String::new(),
            location: "memory".into(),
        };
        let n5 = N5Array::open(place, &attrs).unwrap();
        let values: Vec<u16> = (0..35).collect();
        for i in 0..3u64 {
            for j in 0..4u64 {
                let (rows, cols) = ((5 - 2 * i).min(2), (7 - 2 * j).min(2));
                let block: Vec<u8> = (0..rows * cols)
                    .map(|k| values[((2 * i + k / cols) * 7 + 2 * j + k % cols) as usize])
                    .flat_map(u16::to_ne_bytes)
                    .collect();
                n5.write_block(&[i, j], &[rows, cols], block).unwrap();
            }
        }
        let storage: Arc<dyn ReadableListableStorageTraits> = store;
        let reader = crate::rechunk::io::Reader::open(storage, "/", true, "m").unwrap();
        written_chunk_for_chunk(&reader, &values);
    }

    fn strings(items: &[&str]) -> ArrayBytes<'static> {
        let mut offsets = vec![0];
        let mut bytes = Vec::new();
        for item in items {
            bytes.extend_from_slice(item.as_bytes());
            offsets.push(bytes.len());
        }
        ArrayBytes::new_vlen(bytes, ArrayBytesOffsets::new(offsets).expect("offsets"))
            .expect("bytes")
    }

    #[test]
    fn only_elements_each_equal_to_the_fill_value_are_empty() {
        assert!(is_all_fill(&strings(&["0", "0", "0"]), b"0"));
        // "" beside "0" runs together as "00", which zarrs 0.23 took for empty.
        assert!(!is_all_fill(&strings(&["0", "", "0"]), b"0"));
        assert!(!is_all_fill(&strings(&["00", ""]), b"0"));
        assert!(is_all_fill(&strings(&["", ""]), b""));
    }
}
