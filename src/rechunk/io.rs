//! Reading and writing arrays of any supported format, object by object: zarrs for Zarr v2 and
//! v3, zlint's own N5 code for N5.

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;
use unsafe_cell_slice::UnsafeCellSlice;
use zarrs::array::{
    Array, ArrayBytes, ArrayBytesDecodeIntoTarget, ArrayBytesFixedDisjointView, ArrayMetadata,
    ArraySubset,
};
use zarrs::storage::{ReadableListableStorageTraits, StoreKey};

use super::copy::{At, copy_box};
use super::direct;
use crate::error::{Error, Result};
use crate::formats::codec::{Codec, chain_from_v3, read_unit_codecs};
use crate::formats::{FormatError, normalize};
use crate::layout::next_in_box;
use crate::store::n5::{N5Array, N5Place};

fn error(location: &str, message: impl Into<crate::error::Cause>) -> Error {
    Error::rechunk(location.to_string(), message)
}

/// One stored object of a grid: its index, its full box, and that box clipped to the array.
pub(crate) struct Object {
    pub(crate) index: Vec<u64>,
    pub(crate) full: ArraySubset,
    pub(crate) bounded: ArraySubset,
}

/// The objects of a regular grid of `cell` over `shape` that intersect `region`.
pub(crate) fn grid_objects(shape: &[u64], cell: &[u64], region: &ArraySubset) -> Vec<Object> {
    let ranges: Vec<std::ops::Range<u64>> = region
        .start()
        .iter()
        .zip(region.shape())
        .zip(cell)
        .map(|((s, n), c)| s / c..(s + n).div_ceil(*c))
        .collect();
    let mut objects = Vec::new();
    if ranges.iter().any(|r| r.is_empty()) {
        return objects;
    }
    let starts: Vec<u64> = ranges.iter().map(|r| r.start).collect();
    let ends: Vec<u64> = ranges.iter().map(|r| r.end).collect();
    let mut index = starts.clone();
    loop {
        let start: Vec<u64> = index.iter().zip(cell).map(|(i, c)| i * c).collect();
        let full = ArraySubset::new_with_start_shape(start.clone(), cell.to_vec())
            .unwrap_or_else(|_| ArraySubset::new_with_shape(cell.to_vec()));
        let end: Vec<u64> = start
            .iter()
            .zip(cell)
            .zip(shape)
            .map(|((s, c), n)| (s + c).min(*n))
            .collect();
        let bounded = ArraySubset::new_with_ranges(
            &start
                .iter()
                .zip(&end)
                .map(|(s, e)| *s..*e)
                .collect::<Vec<_>>(),
        );
        objects.push(Object {
            index: index.clone(),
            full,
            bounded,
        });
        if !next_in_box(&mut index, &starts, &ends) {
            return objects;
        }
    }
}

/// The chunk objects of a zarrs array (shards when sharded) intersecting `region`.
pub(crate) fn zarr_objects<S: zarrs::storage::ReadableStorageTraits + ?Sized + 'static>(
    a: &Array<S>,
    region: &ArraySubset,
    location: &str,
) -> Result<Vec<Object>> {
    let chunks = a
        .chunks_in_array_subset(region)
        .map_err(|e| error(location, e))?
        .ok_or_else(|| error(location, "no regular chunk grid"))?;
    chunks
        .indices()
        .into_iter()
        .map(|index| {
            let index = index.to_vec();
            Ok(Object {
                full: a.chunk_subset(&index).map_err(|e| error(location, e))?,
                bounded: a
                    .chunk_subset_bounded(&index)
                    .map_err(|e| error(location, e))?,
                index,
            })
        })
        .collect()
}

/// The metadata of the Zarr array at zarrs path `path`, as other writers spell it made into what
/// zarrs reads (see [`normalize`]), with its sharded Blosc `typesize`s (see [`Reader::open`]);
/// `None` when it has no `zarr.json` or `.zarray`.
fn zarr_metadata(
    storage: &dyn ReadableListableStorageTraits,
    path: &str,
    location: &str,
) -> Result<Option<(ArrayMetadata, Vec<usize>)>> {
    let prefix = node_prefix(path);
    let read = |name: &str| -> Result<Option<Value>> {
        let key = StoreKey::new(format!("{prefix}{name}")).map_err(|e| error(location, e))?;
        match storage.get(&key).map_err(|e| error(location, e))? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| error(location, format!("{name}: {e}"))),
            None => Ok(None),
        }
    };
    let invalid = |name: &str, e: FormatError| error(location, format!("{name}: {e}"));
    if let Some(doc) = read("zarr.json")? {
        let doc = normalize::zarr3_array(doc).map_err(|e| error(location, e))?;
        let blosc_typesizes = sharded_blosc_typesizes(&doc);
        return normalize::zarrs_v3(normalize::for_zarrs_v3(doc))
            .map(|v3| Some((ArrayMetadata::V3(v3), blosc_typesizes)))
            .map_err(|e| invalid("zarr.json", e));
    }
    let Some(Value::Object(zarray)) = read(".zarray")? else {
        return Ok(None);
    };
    normalize::zarrs_v2(&normalize::for_zarrs_v2(normalize::zarr2_array(zarray)))
        .map(|v2| Some((ArrayMetadata::V2(v2), Vec::new())))
        .map_err(|e| invalid(".zarray", e))
}

/// The Blosc `typesize`s of the inner codecs of a sharded Zarr v3 array document (none
/// otherwise).
fn sharded_blosc_typesizes(zarr_json: &Value) -> Vec<usize> {
    let Some(codecs) = zarr_json.get("codecs").and_then(Value::as_array) else {
        return Vec::new();
    };
    let Ok(chain) = chain_from_v3(codecs) else {
        return Vec::new();
    };
    if !chain.iter().any(|c| matches!(c, Codec::Sharding(_))) {
        return Vec::new();
    }
    read_unit_codecs(&chain)
        .iter()
        .filter_map(|c| match c {
            Codec::Blosc(blosc) => blosc.typesize.and_then(|t| usize::try_from(t).ok()),
            _ => None,
        })
        .collect()
}

/// A source array, and where it is for messages.
pub(crate) struct Reader {
    kind: Kind,
    /// Its chunks are native bytes under zstd or Blosc alone (see [`direct::plain_codec`]).
    plain: Option<direct::Plain>,
    /// The store's location as the user gave it: an object's key is named after it.
    store: String,
    /// The local store, when its files are read ahead (see [`super::advice::read_ahead`]).
    ahead: Option<Arc<crate::store::CheckedFilesystemStore>>,
}

enum Kind {
    Zarr(Box<Array<dyn ReadableListableStorageTraits>>),
    /// A Zarr array read one whole stored object at a time (see [`Reader::open`]).
    ZarrWholeObjects(Box<Array<dyn ReadableListableStorageTraits>>),
    N5(N5Array),
}

impl Reader {
    /// Opens the array (or N5 dataset) at zarrs path `path` (`/a/b`) of `storage`, the store at
    /// `store` (its location as the user gave it, for messages).
    pub(crate) fn open(
        storage: Arc<dyn ReadableListableStorageTraits>,
        path: &str,
        n5: bool,
        store: &str,
    ) -> Result<Self> {
        crate::formats::decode::install();
        let store = store.trim_end_matches('/').to_string();
        let prefix = node_prefix(path);
        let location = format!("{store}/{}", prefix.trim_end_matches('/'));
        let location = location.trim_end_matches('/');
        let reader = |kind, plain| Self {
            kind,
            plain,
            store: store.clone(),
            ahead: None,
        };
        if n5 {
            let key = StoreKey::new(format!("{prefix}attributes.json"))
                .map_err(|e| error(location, e))?;
            let text = storage
                .get(&key)
                .map_err(|e| error(location, e))?
                .ok_or_else(|| error(location, "attributes.json is missing"))?;
            let attrs: Value = serde_json::from_slice(&text)
                .map_err(|e| error(location, format!("attributes.json: {e}")))?;
            let place = N5Place {
                reader: storage,
                writer: None,
                prefix,
                location: location.to_string(),
            };
            return N5Array::open(place, &attrs).map(|a| reader(Kind::N5(a), None));
        }
        let (array, blosc_items) = match zarr_metadata(storage.as_ref(), path, location)? {
            Some((metadata, typesizes)) => {
                (Array::new_with_metadata(storage, path, metadata), typesizes)
            }
            // No metadata document: zarrs says what it misses.
            None => (Array::open(storage, path), Vec::new()),
        };
        let array = array.map_err(|e| error(location, e))?;
        let item = array.data_type().fixed_size().unwrap_or(1);
        // zarrs decodes part of a Blosc inner chunk with `blosc_getitem`, counting whole Blosc
        // items only: a range that is not a whole number of them (a Blosc `typesize` that does
        // not divide the item size, as zarr-python 3 writes when asked) fails. Such arrays are
        // read a whole shard at a time, which decodes every inner chunk whole.
        let whole = blosc_items
            .iter()
            .any(|&typesize| typesize > 0 && item % typesize != 0);
        let plain = direct::plain_codec(array.metadata());
        Ok(if whole {
            reader(Kind::ZarrWholeObjects(Box::new(array)), None)
        } else {
            reader(Kind::Zarr(Box::new(array)), plain)
        })
    }

    /// The reader, with the files of the local store `files` (the one it reads) read ahead
    /// when asked.
    pub(crate) fn reading_ahead(
        self,
        files: Option<&Arc<crate::store::CheckedFilesystemStore>>,
    ) -> Self {
        let ahead = files.cloned();
        Self { ahead, ..self }
    }

    /// The shape of every stored object of a Zarr array on a regular grid (a chunk, or a
    /// shard) or of an N5 dataset (a block), read whole object by object: `None` for others.
    pub(crate) fn chunk_shape(&self) -> Option<Vec<u64>> {
        match &self.kind {
            Kind::Zarr(a) => regular_chunk_shape(a),
            Kind::N5(a) => Some(a.block_shape().to_vec()),
            Kind::ZarrWholeObjects(_) => None,
        }
    }

    /// Asks for the stored chunks intersecting `region` to be read ahead (Zarr, local stores).
    pub(crate) fn read_ahead(&self, region: &ArraySubset) {
        let (Some(files), Kind::Zarr(a) | Kind::ZarrWholeObjects(a)) = (&self.ahead, &self.kind)
        else {
            return;
        };
        let objects = self.objects(region, &self.store).unwrap_or_default();
        let keys: Vec<String> = objects
            .iter()
            .map(|o| a.chunk_key(&o.index).to_string())
            .collect();
        super::advice::read_ahead(files, &keys);
    }

    /// Where the stored object of a Zarr array at grid `index` is, for messages.
    fn object_location(
        &self,
        array: &Array<dyn ReadableListableStorageTraits>,
        index: &[u64],
    ) -> String {
        format!("{}/{}", self.store, array.chunk_key(index))
    }

    /// The stored objects intersecting `region`.
    fn objects(&self, region: &ArraySubset, location: &str) -> Result<Vec<Object>> {
        match &self.kind {
            Kind::Zarr(a) | Kind::ZarrWholeObjects(a) => zarr_objects(a, region, location),
            Kind::N5(a) => Ok(grid_objects(a.shape(), a.block_shape(), region)),
        }
    }

    /// Native-endian C-order bytes of `part`, which lies inside `object`.
    /// Decodes `part` of `object` into `view`: zarrs decodes a Zarr chunk straight into it
    /// (no buffer of its own, no second copy); other objects are decoded, then copied in.
    fn read_part_into<'v>(
        &self,
        object: &Object,
        part: &ArraySubset,
        item: u64,
        view: &'v mut ArrayBytesFixedDisjointView<'v>,
    ) -> Result<()> {
        if let Kind::Zarr(a) = &self.kind {
            return a
                .retrieve_array_subset_into(part, ArrayBytesDecodeIntoTarget::Fixed(view))
                .map_err(|e| {
                    let at = self.object_location(a, &object.index);
                    error(&at, format!("reading elements {part}: {e}"))
                });
        }
        let data = self.read_part(object, part, item)?;
        view.copy_from_slice(&data)
            .map_err(|e| error(&self.store, e))
    }

    /// Decodes the whole stored chunk `object` of an array compressed by `plain` alone into
    /// `out`, its elements' place (see [`direct`]); `false` when it is not stored (then read the
    /// usual way, as its fill value).
    fn read_whole_into(
        &self,
        object: &Object,
        plain: direct::Plain,
        out: &mut [u8],
    ) -> Result<bool> {
        let Kind::Zarr(a) = &self.kind else {
            return Ok(false);
        };
        let failed = |e: &dyn std::fmt::Display| {
            let at = self.object_location(a, &object.index);
            error(&at, format!("reading elements {}: {e}", object.full))
        };
        let Some(encoded) = a
            .retrieve_encoded_chunk(&object.index)
            .map_err(|e| failed(&e))?
        else {
            return Ok(false);
        };
        direct::decompress_into(plain, &encoded, out).map_err(|e| failed(&e))?;
        Ok(true)
    }

    fn read_part(&self, object: &Object, part: &ArraySubset, item: u64) -> Result<Vec<u8>> {
        match &self.kind {
            Kind::Zarr(a) => {
                let at = || self.object_location(a, &object.index);
                let data: ArrayBytes<'static> = a
                    .retrieve_array_subset(part)
                    .map_err(|e| error(&at(), format!("reading elements {part}: {e}")))?;
                Ok(data.into_fixed().map_err(|e| error(&at(), e))?.into_owned())
            }
            Kind::ZarrWholeObjects(a) => {
                let at = || self.object_location(a, &object.index);
                let data: ArrayBytes<'static> = a
                    .retrieve_chunk(&object.index)
                    .map_err(|e| error(&at(), format!("reading elements {}: {e}", object.full)))?;
                let data = data.into_fixed().map_err(|e| error(&at(), e))?;
                let offset = offset_in(part, object);
                Ok(cut(&data, object.full.shape(), &offset, part, item))
            }
            Kind::N5(a) => {
                let size = (part.num_elements() * item) as usize;
                let Some(crate::store::n5::N5Block { extents, data }) =
                    a.read_block(&object.index)?
                else {
                    return Ok(vec![0; size]);
                };
                let offset = offset_in(part, object);
                let fits = offset
                    .iter()
                    .zip(part.shape())
                    .zip(&extents)
                    .all(|((o, n), e)| o + n <= *e);
                if !fits {
                    return Err(error(
                        &a.block_location(&object.index),
                        format!(
                            "the block (extents {extents:?}) does not hold the elements {part}"
                        ),
                    ));
                }
                Ok(cut(&data, &extents, &offset, part, item))
            }
        }
    }
}

impl Reader {
    /// The elements of `region` as zarrs decodes them: for data types without a fixed size
    /// (variable-length strings and bytes), which only Zarr holds.
    pub(crate) fn read_elements(&self, region: &ArraySubset) -> Result<ArrayBytes<'static>> {
        match &self.kind {
            Kind::Zarr(a) | Kind::ZarrWholeObjects(a) => a
                .retrieve_array_subset(region)
                .map_err(|e| error(&self.store, format!("reading elements {region}: {e}"))),
            Kind::N5(a) => Err(error(
                &a.block_location(&[]),
                "N5 holds no variable-length data types",
            )),
        }
    }
}

/// Where `part` starts inside `object`.
fn offset_in(part: &ArraySubset, object: &Object) -> Vec<u64> {
    part.start()
        .iter()
        .zip(object.full.start())
        .map(|(p, s)| p - s)
        .collect()
}

/// The bytes of `part`, which starts at `offset` in `data`, a C-order box of `shape`.
fn cut(data: &[u8], shape: &[u64], offset: &[u64], part: &ArraySubset, item: u64) -> Vec<u8> {
    let mut out = vec![0u8; (part.num_elements() * item) as usize];
    copy_box(
        data,
        At {
            shape,
            start: offset,
        },
        &mut out,
        At {
            shape: part.shape(),
            start: &vec![0; offset.len()],
        },
        part.shape(),
        item,
    );
    out
}

/// Reads `region` (native-endian, C order): the objects it covers are decoded in parallel, each
/// once, and copied into one buffer.
pub(crate) fn read_region(
    reader: &Reader,
    region: &ArraySubset,
    item: u64,
    location: &str,
) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    read_region_into(reader, region, item, location, &mut buffer)?;
    Ok(buffer)
}

/// [`read_region`] into `buffer`, resized to the region: a buffer kept from one region to the
/// next is not allocated, zeroed and faulted in again. Every byte is overwritten, since the
/// objects a region intersects tile it.
pub(crate) fn read_region_into(
    reader: &Reader,
    region: &ArraySubset,
    item: u64,
    location: &str,
    buffer: &mut Vec<u8>,
) -> Result<()> {
    let len = (region.num_elements() * item) as usize;
    if buffer.capacity() < len {
        // A large fresh allocation comes zeroed from the kernel, page by page as the decoding
        // threads first touch it; resizing would make this thread fault in and zero it all first.
        *buffer = vec![0; len];
        super::advice::huge_pages(buffer);
    } else {
        buffer.resize(len, 0);
    }
    let shape = region.shape().to_vec();
    let bytes = UnsafeCellSlice::new(buffer.as_mut_slice());
    let origin = region.start().to_vec();
    // One object a task (as in writing): no thread waits at the end while another decodes a run.
    reader
        .objects(region, location)?
        .par_iter()
        .with_max_len(1)
        .try_for_each(|object| -> Result<()> {
            let part = object
                .bounded
                .overlap(region)
                .map_err(|e| error(location, e))?;
            let offset: Vec<u64> = part
                .start()
                .iter()
                .zip(&origin)
                .map(|(p, o)| p - o)
                .collect();
            let inside = ArraySubset::new_with_start_shape(offset.clone(), part.shape().to_vec())
                .map_err(|e| error(location, e))?;
            if let Some(plain) = reader.plain
                && part == object.full
                && let Some(run) = direct::contiguous_run(&shape, &offset, part.shape(), item)
            {
                // SAFETY: as for the view below: this run holds this object's elements only.
                let out = unsafe { bytes.index_mut(run) };
                if reader.read_whole_into(object, plain, out)? {
                    return Ok(());
                }
            }
            // SAFETY: the objects of a regular grid are disjoint boxes, so their parts in
            // `region` (one view each, used by this task alone) never overlap.
            let mut view =
                unsafe { ArrayBytesFixedDisjointView::new(bytes, item as usize, &shape, inside) }
                    .map_err(|e| error(location, e))?;
            reader.read_part_into(object, &part, item, &mut view)
        })
}

/// The key prefix of the node at zarrs path `path`: `""` for `/`, `a/b/` for `/a/b`.
pub(crate) fn node_prefix(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}/")
    }
}

/// The chunk shape of Zarr array `a` when its chunk grid is regular (every Zarr v2 array).
pub(crate) fn regular_chunk_shape<T: ?Sized>(a: &Array<T>) -> Option<Vec<u64>> {
    let regular = match a.metadata() {
        ArrayMetadata::V2(_) => true,
        ArrayMetadata::V3(m) => m.chunk_grid.name() == "regular",
    };
    let shape = a.chunk_shape(&vec![0; a.dimensionality()]).ok()?;
    regular.then(|| shape.iter().map(|c| c.get()).collect())
}
