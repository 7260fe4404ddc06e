//! One bound on every read of untrusted input: a metadata document or a stored chunk is read
//! only when it is within what the metadata allows, whatever the bytes (or the server) say.
//!
//! - Metadata documents: at most [`max_metadata_bytes`] (64 MiB; `ZLINT_MAX_METADATA_BYTES`).
//! - Chunks and shards of an array: at most [`max_object_bytes`] of its decoded object size
//!   (twice it, plus 1 MiB: no codec zlint reads expands data more), or
//!   [`MAX_VARIABLE_OBJECT_BYTES`] for variable-length elements.
//!
//! On a local disk or in a zip the size is known before reading; an object store or web server
//! is asked for the first `bound + 1` bytes only, so a larger body is never downloaded.

use zarrs::storage::byte_range::{ByteRange, ByteRangeIterator};
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytes, MaybeBytesIterator, ReadableListableStorageTraits,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
};

use std::sync::Arc;

/// The default bound on a metadata document.
pub const MAX_METADATA_BYTES: u64 = 64 << 20;

/// The bound on a stored object of an array of variable-length elements (strings), whose
/// decoded size the metadata does not give.
pub const MAX_VARIABLE_OBJECT_BYTES: u64 = 1 << 30;

/// The bound on a metadata document: [`MAX_METADATA_BYTES`], or `ZLINT_MAX_METADATA_BYTES`.
#[must_use]
pub fn max_metadata_bytes() -> u64 {
    crate::units::env_number("ZLINT_MAX_METADATA_BYTES", MAX_METADATA_BYTES, 1)
        .unwrap_or(MAX_METADATA_BYTES)
}

/// The bound on one stored chunk or shard whose decoded size is `decoded` bytes (`None`:
/// variable-length elements): twice that and 1 MiB.
#[must_use]
pub fn max_object_bytes(decoded: Option<u64>) -> u64 {
    decoded.map_or(MAX_VARIABLE_OBJECT_BYTES, |d| {
        d.saturating_mul(2).saturating_add(1 << 20)
    })
}

/// The object at `key`, refused when it holds more than `max` bytes: an object store (`ranged`)
/// is asked for `max + 1` bytes only; another store is asked its size first.
///
/// # Errors
/// [`StorageError::Other`] naming the key and the bound, or the store's error.
pub fn get_bounded(
    storage: &dyn ReadableStorageTraits,
    key: &StoreKey,
    max: u64,
    ranged: bool,
) -> Result<MaybeBytes, StorageError> {
    let too_big = |size: String| {
        StorageError::Other(format!(
            "{key}: {size} bytes, more than the {max} its metadata allows; not read"
        ))
    };
    if ranged {
        let bytes = storage.get_partial(key, ByteRange::FromStart(0, Some(max.saturating_add(1))));
        return match bytes {
            Ok(Some(bytes)) if bytes.len() as u64 > max => Err(too_big(format!("over {max}"))),
            // A range past the end of a small object: some stores say so, and it is small.
            Err(_) if storage.size_key(key)?.is_some_and(|size| size <= max) => storage.get(key),
            other => other,
        };
    }
    match storage.size_key(key)? {
        None => Ok(None),
        Some(size) if size > max => Err(too_big(size.to_string())),
        Some(_) => match storage.get(key)? {
            // The object grew between the two requests.
            Some(bytes) if bytes.len() as u64 > max => Err(too_big(bytes.len().to_string())),
            other => Ok(other),
        },
    }
}

/// A store whose whole-object reads are bounded (see [`get_bounded`]); ranges, sizes and listings
/// pass through (a range's length comes from metadata or a checked shard index).
pub struct Bounded {
    inner: Arc<dyn ReadableListableStorageTraits>,
    max: u64,
    ranged: bool,
}

impl Bounded {
    /// `inner`, its whole reads bounded by `max` bytes; `ranged` for object stores.
    #[must_use]
    pub fn new(inner: Arc<dyn ReadableListableStorageTraits>, max: u64, ranged: bool) -> Self {
        Self { inner, max, ranged }
    }
}

impl ReadableStorageTraits for Bounded {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        let name = key.as_str().rsplit('/').next().unwrap_or("");
        let max = if super::METADATA_KEYS.contains(&name) {
            max_metadata_bytes()
        } else {
            self.max
        };
        get_bounded(self.inner.as_ref(), key, max, self.ranged)
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        // zarrs asks for a whole object as one range from the start to the end.
        let ranges: Vec<ByteRange> = byte_ranges.collect();
        if let [ByteRange::FromStart(0, None)] = ranges.as_slice() {
            let bytes = self.get(key)?;
            return Ok(bytes.map(|b| {
                Box::new(std::iter::once(Ok::<Bytes, StorageError>(b)))
                    as Box<dyn Iterator<Item = Result<Bytes, StorageError>> + 'a>
            }));
        }
        self.inner
            .get_partial_many(key, Box::new(ranges.into_iter()))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl ListableStorageTraits for Bounded {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.inner.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.inner.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.inner.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}
