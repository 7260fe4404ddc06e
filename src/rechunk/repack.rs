//! Repacking without recompression: when only the grouping of chunks changes (new keys, or
//! chunks packed into shards) and each chunk's encoded bytes decode the same way in the target,
//! the encoded bytes are copied as they are. Nothing is decoded or encoded.

use rayon::prelude::*;
use zarrs::array::ArraySubset;
use zarrs::storage::StoreKey;

use super::framing::Framing;
use super::io::grid_objects;
use crate::error::{Error, Result};
use crate::model::product;
use crate::plan::rechunk_plan::ArrayPlan;
use crate::progress::Progress;
use crate::store::atomic::{copy_file_atomic, pack_shard_files, shard_index, target_path, unique};
use crate::store::bounded::{get_bounded, max_object_bytes};
use crate::store::{OpenedStore, TargetStore};

/// Packs encoded inner chunks (C order over the shard's inner grid; `None` = absent) into a
/// `sharding_indexed` shard with its index at the end, checksummed with crc32c (the index codecs
/// zlint writes). `None` when every inner chunk is absent: the shard is not written.
#[must_use]
pub(crate) fn pack_shard(inner: &[Option<Vec<u8>>]) -> Option<Vec<u8>> {
    if inner.iter().all(Option::is_none) {
        return None;
    }
    let index = index_of_packed(inner);
    let payload: usize = inner.iter().flatten().map(Vec::len).sum();
    let mut shard = Vec::with_capacity(payload + index.len());
    for bytes in inner.iter().flatten() {
        shard.extend_from_slice(bytes);
    }
    shard.extend_from_slice(&index);
    Some(shard)
}

/// The index of a shard in which the encoded inner chunks `inner` (as [`pack_shard`] takes
/// them) lie one after another from its start.
pub(crate) fn index_of_packed(inner: &[Option<Vec<u8>>]) -> Vec<u8> {
    let mut offset = 0;
    let spans: Vec<Option<(u64, u64)>> = inner
        .iter()
        .map(|chunk| {
            chunk.as_ref().map(|bytes| {
                let span = (offset, bytes.len() as u64);
                offset += span.1;
                span
            })
        })
        .collect();
    shard_index(&spans)
}

/// Copies the encoded chunks of the target objects inside `region` from the source, packing
/// them into shards where the target is sharded. Absent chunks stay absent.
///
/// # Errors
/// [`Error::Rechunk`] naming the key that cannot be read or written.
pub(crate) fn repack_region(
    plan: &ArrayPlan,
    region: &ArraySubset,
    source: &OpenedStore,
    target: &TargetStore,
    progress: &dyn Progress,
) -> Result<()> {
    let repack = Repack::new(plan, source);
    grid_objects(&plan.shape, plan.target.object(), region)
        .par_iter()
        .with_max_len(1)
        .try_for_each(|object| -> Result<()> {
            repack.object(&object.index, target)?;
            progress.advance(object.bounded.num_elements() * plan.item_size);
            Ok(())
        })
}

/// What every object of one array's repack shares: where its source chunks are and how far
/// each may be read.
struct Repack<'a> {
    plan: &'a ArrayPlan,
    source: &'a OpenedStore,
    prefix: String,
    /// Target chunks along each axis.
    chunk_counts: Vec<u64>,
    framing: Framing,
    /// A chunk is read only within what its metadata allows (see `store::bounded`).
    max_object: u64,
}

impl<'a> Repack<'a> {
    fn new(plan: &'a ArrayPlan, source: &'a OpenedStore) -> Self {
        Self {
            plan,
            source,
            prefix: plan.path.key_prefix(),
            chunk_counts: plan
                .shape
                .iter()
                .zip(&plan.target.chunks)
                .map(|(s, c)| s.div_ceil((*c).max(1)))
                .collect(),
            framing: Framing::of(plan),
            max_object: max_object_bytes(
                (!plan.variable)
                    .then(|| product(&plan.source_chunks).saturating_mul(plan.item_size)),
            ),
        }
    }

    /// Writes the target object at grid `index` (a chunk, or a shard of chunks).
    fn object(&self, index: &[u64], target: &TargetStore) -> Result<()> {
        let key = format!(
            "{}{}",
            self.prefix,
            self.plan.target_key_encoding.key(index)
        );
        let bytes = match (
            &self.plan.target.shards,
            self.source.root_dir(),
            &target.dir,
        ) {
            // A file to a file: let the kernel copy it.
            (None, Some(_), Some(dir)) => {
                if let Some((mut file, from)) = self.open_checked(index)? {
                    let path = target_path(dir, &key).map_err(|e| fail(&target.location, &e))?;
                    copy_file_atomic(&mut file, &from, &path, unique())
                        .map_err(|e| fail(&path.display().to_string(), &e))?;
                }
                None
            }
            (None, _, _) => self.read(index)?,
            // Chunk files into a shard file: the kernel copies each chunk.
            (Some(shards), Some(_), Some(dir)) => {
                let mut files = self
                    .inner_chunks(shards, index)
                    .iter()
                    .map(|inner| match inner {
                        Some(inner) => self.open_checked(inner),
                        // Outside the array.
                        None => Ok(None),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let path = target_path(dir, &key).map_err(|e| fail(&target.location, &e))?;
                pack_shard_files(&mut files, &path, unique())
                    .map_err(|e| fail(&path.display().to_string(), &e))?;
                None
            }
            (Some(shards), _, _) => {
                let mut inner = Vec::new();
                for chunk in self.inner_chunks(shards, index) {
                    inner.push(match chunk {
                        Some(chunk) => self.read(&chunk)?,
                        None => None,
                    });
                }
                pack_shard(&inner)
            }
        };
        match bytes {
            Some(bytes) => target.put(&key, bytes),
            None => Ok(()),
        }
    }

    fn source_key(&self, index: &[u64]) -> String {
        format!(
            "{}{}",
            self.prefix,
            self.plan.source_key_encoding.key(index)
        )
    }

    fn located(&self, key: &str) -> String {
        crate::store::located(&self.source.location, key)
    }

    fn not_copied(&self, key: &str, why: &str) -> Error {
        fail(
            &self.located(key),
            &format!("the stored chunk is corrupt: {why}; not copied"),
        )
    }

    /// The encoded source chunk at grid `index`, checked; `None` when it is absent.
    fn read(&self, index: &[u64]) -> Result<Option<Vec<u8>>> {
        let key = self.source_key(index);
        let store_key = StoreKey::new(key.clone()).map_err(|e| fail(&key, &e))?;
        let ranged = self.source.is_remote();
        let bytes = get_bounded(
            self.source.storage.as_ref(),
            &store_key,
            self.max_object,
            ranged,
        )
        .map_err(|e| fail(&self.located(&key), &e))?;
        if let Some(bytes) = &bytes {
            self.framing
                .check(bytes)
                .map_err(|why| self.not_copied(&key, &why))?;
        }
        Ok(bytes.map(|b| b.to_vec()))
    }

    /// A chunk file the kernel copies: opened as every read is (no link out of the store), then
    /// checked; `None` when the chunk is absent.
    fn open_checked(&self, index: &[u64]) -> Result<Option<(std::fs::File, std::path::PathBuf)>> {
        let key = self.source_key(index);
        let path = match self.source.root_dir() {
            Some(root) => root.join(&key),
            None => return Err(fail(&key, &"not a local store")),
        };
        let Some((mut file, len)) = self.open_file(&key, &path)? else {
            return Ok(None);
        };
        if len > self.max_object {
            return Err(self.not_copied(
                &key,
                &format!(
                    "{len} bytes, more than the {} its metadata allows",
                    self.max_object
                ),
            ));
        }
        self.framing
            .check_open(&mut file, len)
            .map_err(|why| self.not_copied(&key, &why))?;
        Ok(Some((file, path)))
    }

    /// The file of `key` and its length, through the store's own opener when it has one.
    fn open_file(&self, key: &str, path: &std::path::Path) -> Result<Option<(std::fs::File, u64)>> {
        if let Some(local) = self.source.local() {
            let store_key = StoreKey::new(key.to_string()).map_err(|e| fail(key, &e))?;
            return local
                .open_key(&store_key)
                .map_err(|e| fail(&self.located(key), &e));
        }
        match std::fs::File::open(path) {
            Ok(file) => {
                let len = file
                    .metadata()
                    .map_err(|e| fail(&self.located(key), &e))?
                    .len();
                Ok(Some((file, len)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(fail(&self.located(key), &e)),
        }
    }

    /// The grid indices of the inner chunks of the shard at `shard_index`, in C order within the
    /// shard; `None` for those outside the array.
    fn inner_chunks(&self, shards: &[u64], shard_index: &[u64]) -> Vec<Option<Vec<u64>>> {
        let per: Vec<u64> = shards
            .iter()
            .zip(&self.plan.target.chunks)
            .map(|(s, c)| s / c)
            .collect();
        let count: u64 = per.iter().product();
        (0..count)
            .map(|flat| {
                let mut rest = flat;
                let mut index = vec![0; per.len()];
                for axis in (0..per.len()).rev() {
                    index[axis] = shard_index[axis] * per[axis] + rest % per[axis];
                    rest /= per[axis];
                }
                index
                    .iter()
                    .zip(&self.chunk_counts)
                    .all(|(i, n)| i < n)
                    .then_some(index)
            })
            .collect()
    }
}

fn fail(key: &str, e: &dyn std::fmt::Display) -> Error {
    Error::rechunk(key.to_string(), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_index_their_chunks_and_checksum_the_index() {
        let shard = pack_shard(&[Some(vec![1, 2, 3]), None, Some(vec![4])]).unwrap();
        assert_eq!(&shard[..4], &[1, 2, 3, 4]);
        let index = &shard[4..4 + 48];
        let entry = |i: usize| -> (u64, u64) {
            let at = i * 16;
            (
                u64::from_le_bytes(index[at..at + 8].try_into().unwrap()),
                u64::from_le_bytes(index[at + 8..at + 16].try_into().unwrap()),
            )
        };
        assert_eq!(entry(0), (0, 3));
        assert_eq!(entry(1), (u64::MAX, u64::MAX));
        assert_eq!(entry(2), (3, 1));
        assert_eq!(&shard[52..], &crc32c::crc32c(index).to_le_bytes());
        assert!(pack_shard(&[None, None]).is_none());
    }
}
