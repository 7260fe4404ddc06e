//! Metadata documents read from a web server once, with one request each. zarrs asks an object
//! store for an object's size (a `HEAD`) before every range it reads, and a walk reads some
//! documents more than once (a node's `.zattrs` for its group and again for its attributes):
//! five requests or more a document. This store wraps a read-only HTTP store: the first
//! request for a document (`zarr.json`, `.zarray`, `.zgroup`, `.zattrs`, `.zmetadata`,
//! `attributes.json`) is one `GET` of at most the metadata bound plus one byte, whose answer (or
//! its absence) serves every later size, range or whole read of it in this run. Other objects
//! pass through. The cache holds at most [`CACHE_BYTES`]; past that, documents are read as
//! before.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures::stream::{BoxStream, StreamExt};
use zarrs_object_store::object_store::{
    self, CopyOptions, GetOptions, GetRange, GetResult, GetResultPayload, ListResult,
    MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload,
    PutResult, path::Path as ObjectPath,
};

/// The most bytes of documents kept.
const CACHE_BYTES: usize = 256 << 20;

/// Names of the documents read once.
const DOCUMENTS: &[&str] = &[
    "zarr.json",
    ".zarray",
    ".zgroup",
    ".zattrs",
    ".zmetadata",
    "attributes.json",
];

/// A document as first read: its metadata and its first bytes (all of them when the object is
/// within the bound), or `None` when the server has no such object.
type Entry = Option<(ObjectMeta, Bytes)>;

/// A read-only web store whose metadata documents are read once (see the module).
pub(crate) struct MetadataReads {
    inner: Box<dyn ObjectStore>,
    /// The most bytes a document may hold (`ZLINT_MAX_METADATA_BYTES`).
    bound: u64,
    cache: Mutex<(HashMap<ObjectPath, Entry>, usize)>,
}

impl fmt::Debug for MetadataReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataReads")
            .field("inner", &self.inner.to_string())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for MetadataReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MetadataReads({})", self.inner)
    }
}

impl MetadataReads {
    pub(crate) fn new(inner: Box<dyn ObjectStore>, bound: u64) -> Self {
        Self {
            inner,
            bound,
            cache: Mutex::new((HashMap::new(), 0)),
        }
    }

    fn cached(&self, location: &ObjectPath) -> Option<Entry> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.0.get(location).cloned()
    }

    fn keep(&self, location: &ObjectPath, entry: &Entry) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let size = entry.as_ref().map_or(0, |(_, bytes)| bytes.len());
        if cache.1 + size <= CACHE_BYTES {
            cache.1 += size;
            cache.0.insert(location.clone(), entry.clone());
        }
    }

    /// The document at `location`: one `GET` of its first `bound + 1` bytes. `None` for an
    /// answer this store does not keep (an empty object, which a range cannot ask for).
    async fn fetch(&self, location: &ObjectPath) -> Option<object_store::Result<Entry>> {
        let options = GetOptions {
            range: Some(GetRange::Bounded(0..self.bound.saturating_add(1))),
            ..GetOptions::default()
        };
        let result = match self.inner.get_opts(location, options).await {
            Err(object_store::Error::NotFound { .. }) => return Some(Ok(None)),
            Err(_) => return None,
            Ok(result) => result,
        };
        let meta = result.meta.clone();
        // HTTP bodies are streams (the file payload exists for local stores only).
        let GetResultPayload::Stream(mut stream) = result.payload;
        let mut body = BytesMut::new();
        while let Some(part) = stream.next().await {
            match part {
                Ok(part) => body.extend_from_slice(&part),
                Err(err) => return Some(Err(err)),
            }
            if body.len() as u64 > self.bound.saturating_add(1) {
                return None;
            }
        }
        Some(Ok(Some((meta, body.freeze()))))
    }

    /// `options` answered from `entry`, or `None` when it asks for more than was read.
    fn answer(
        location: &ObjectPath,
        entry: Entry,
        options: &GetOptions,
    ) -> Option<object_store::Result<GetResult>> {
        let Some((meta, bytes)) = entry else {
            return Some(Err(object_store::Error::NotFound {
                path: location.to_string(),
                source: "not on the server (asked before in this run)".into(),
            }));
        };
        let range = match &options.range {
            Some(range) => range.as_range(meta.size).ok()?,
            None => 0..meta.size,
        };
        if range.end > bytes.len() as u64 {
            return None;
        }
        let part = if options.head {
            Bytes::new()
        } else {
            bytes.slice(usize::try_from(range.start).ok()?..usize::try_from(range.end).ok()?)
        };
        Some(Ok(GetResult {
            payload: GetResultPayload::Stream(
                futures::stream::once(async move { Ok(part) }).boxed(),
            ),
            meta,
            range,
            attributes: Default::default(),
            extensions: Default::default(),
        }))
    }
}

/// Whether `location` names a metadata document and `options` asks nothing but bytes.
fn is_document(location: &ObjectPath, options: &GetOptions) -> bool {
    location
        .filename()
        .is_some_and(|name| DOCUMENTS.contains(&name))
        && options.if_match.is_none()
        && options.if_none_match.is_none()
        && options.if_modified_since.is_none()
        && options.if_unmodified_since.is_none()
        && options.version.is_none()
}

#[async_trait]
impl ObjectStore for MetadataReads {
    async fn put_opts(
        &self,
        location: &ObjectPath,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &ObjectPath,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &ObjectPath,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        if is_document(location, &options) {
            let entry = match self.cached(location) {
                Some(entry) => Some(entry),
                None => match self.fetch(location).await {
                    Some(Ok(entry)) => {
                        self.keep(location, &entry);
                        Some(entry)
                    }
                    Some(Err(err)) => return Err(err),
                    None => None,
                },
            };
            if let Some(answer) = entry.and_then(|entry| Self::answer(location, entry, &options)) {
                return answer;
            }
        }
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<ObjectPath>>,
    ) -> BoxStream<'static, object_store::Result<ObjectPath>> {
        self.inner.delete_stream(locations)
    }

    fn list(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
