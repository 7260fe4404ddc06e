//! Repacking without recompression: when only the grouping of chunks changes (new keys, or
//! chunks packed into shards) and each chunk's encoded bytes decode the same way in the target,
//! the encoded bytes are copied as they are. Nothing is decoded or encoded.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use zarrs::array::ArraySubset;
use zarrs::storage::StoreKey;

use super::framing::Framing;
use super::io::grid_objects;
use crate::error::{Error, Result};
use crate::model::product;
use crate::plan::rechunk_plan::ArrayPlan;
use crate::progress::Progress;
use crate::store::atomic::{copy_file_atomic, pack_shard_files, shard_index};
use crate::store::bounded::{get_bounded, max_object_bytes};
use crate::store::{OpenedStore, TargetStore};

/// Distinguishes temporary file names of concurrent writes.
static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// Packs encoded inner chunks (C order over the shard's inner grid; `None` = absent) into a
/// `sharding_indexed` shard with its index at the end, checksummed with crc32c (the index codecs
/// zlint writes). `None` when every inner chunk is absent: the shard is not written.
#[must_use]
pub(crate) fn pack_shard(inner: &[Option<Vec<u8>>]) -> Option<Vec<u8>> {
    if inner.iter().all(Option::is_none) {
        return None;
    }
    let payload: usize = inner.iter().flatten().map(Vec::len).sum();
    let mut shard = Vec::with_capacity(payload + inner.len() * 16 + 4);
    let mut spans = Vec::with_capacity(inner.len());
    for chunk in inner {
        spans.push(chunk.as_ref().map(|bytes| {
            let span = (shard.len() as u64, bytes.len() as u64);
            shard.extend_from_slice(bytes);
            span
        }));
    }
    shard.extend_from_slice(&shard_index(&spans));
    Some(shard)
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
    let fail =
        |key: &str, e: &dyn std::fmt::Display| Error::rechunk(key.to_string(), e.to_string());
    let source_location = |key: &str| crate::store::located(&source.location, key);
    let prefix = plan.path.key_prefix();
    let chunk_counts: Vec<u64> = plan
        .shape
        .iter()
        .zip(&plan.target.chunks)
        .map(|(s, c)| s.div_ceil((*c).max(1)))
        .collect();
    let framing = Framing::of(plan);
    // A chunk is read only within what its metadata allows (see `store::bounded`).
    let max_object = max_object_bytes(
        (!plan.variable).then(|| product(&plan.source_chunks).saturating_mul(plan.item_size)),
    );
    let ranged = source.remote.is_some();
    let not_copied = |key: &str, why: String| {
        fail(
            &source_location(key),
            &format!("the stored chunk is corrupt: {why}; not copied"),
        )
    };
    let read = |index: &[u64]| -> Result<Option<Vec<u8>>> {
        let key = format!("{prefix}{}", plan.source_key_encoding.key(index));
        let store_key = StoreKey::new(key.clone()).map_err(|e| fail(&key, &e))?;
        let bytes = get_bounded(source.storage.as_ref(), &store_key, max_object, ranged)
            .map_err(|e| fail(&source_location(&key), &e))?;
        if let Some(bytes) = &bytes {
            framing.check(bytes).map_err(|why| not_copied(&key, why))?;
        }
        Ok(bytes.map(|b| b.to_vec()))
    };
    // A chunk file the kernel copies: opened as every read is (no link out of the store), then
    // checked; `None` when the chunk is absent.
    let open_checked = |index: &[u64]| -> Result<Option<(std::fs::File, std::path::PathBuf)>> {
        let key = format!("{prefix}{}", plan.source_key_encoding.key(index));
        let path = match &source.root_dir {
            Some(root) => root.join(&key),
            None => return Err(fail(&key, &"not a local store")),
        };
        let opened = match &source.local {
            Some(local) => StoreKey::new(key.clone())
                .map_err(|e| fail(&key, &e))
                .and_then(|k| {
                    local
                        .open_key(&k)
                        .map_err(|e| fail(&source_location(&key), &e))
                })?,
            None => match std::fs::File::open(&path) {
                Ok(file) => {
                    let len = file
                        .metadata()
                        .map_err(|e| fail(&source_location(&key), &e))?
                        .len();
                    Some((file, len))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(fail(&source_location(&key), &e)),
            },
        };
        let Some((mut file, len)) = opened else {
            return Ok(None);
        };
        if len > max_object {
            return Err(not_copied(
                &key,
                format!("{len} bytes, more than the {max_object} its metadata allows"),
            ));
        }
        framing
            .check_open(&mut file, len)
            .map_err(|why| not_copied(&key, why))?;
        Ok(Some((file, path)))
    };
    // The grid indices of the inner chunks of the shard at `shard_index`, in C order within the
    // shard; `None` for those outside the array.
    let inner_chunks = |shards: &[u64], shard_index: &[u64]| -> Vec<Option<Vec<u64>>> {
        let per: Vec<u64> = shards
            .iter()
            .zip(&plan.target.chunks)
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
                    .zip(&chunk_counts)
                    .all(|(i, n)| i < n)
                    .then_some(index)
            })
            .collect()
    };
    let object_shape = plan.target.object();
    grid_objects(&plan.shape, object_shape, region)
        .par_iter()
        .try_for_each(|object| -> Result<()> {
            let key = format!("{prefix}{}", plan.target_key_encoding.key(&object.index));
            let bytes = match (&plan.target.shards, &source.root_dir, &target.dir) {
                // A file to a file: let the kernel copy it.
                (None, Some(_), Some(dir)) => {
                    if let Some((mut file, from)) = open_checked(&object.index)? {
                        let path = dir.join(&key);
                        copy_file_atomic(
                            &mut file,
                            &from,
                            &path,
                            UNIQUE.fetch_add(1, Ordering::Relaxed),
                        )
                        .map_err(|e| fail(&path.display().to_string(), &e))?;
                    }
                    None
                }
                (None, _, _) => read(&object.index)?,
                // Chunk files into a shard file: the kernel copies each chunk.
                (Some(shards), Some(_), Some(dir)) => {
                    let mut files = inner_chunks(shards, &object.index)
                        .iter()
                        .map(|index| match index {
                            Some(index) => open_checked(index),
                            // Outside the array.
                            None => Ok(None),
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let path = dir.join(&key);
                    pack_shard_files(&mut files, &path, UNIQUE.fetch_add(1, Ordering::Relaxed))
                        .map_err(|e| fail(&path.display().to_string(), &e))?;
                    None
                }
                (Some(shards), _, _) => {
                    let mut inner = Vec::new();
                    for index in inner_chunks(shards, &object.index) {
                        inner.push(match index {
                            Some(index) => read(&index)?,
                            None => None,
                        });
                    }
                    pack_shard(&inner)
                }
            };
            if let Some(bytes) = bytes {
                target.put(&key, bytes)?;
            }
            progress.advance(object.bounded.num_elements() * plan.item_size);
            Ok(())
        })
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
