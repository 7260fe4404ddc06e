//! Web servers that ignore `Range` (Python's `http.server`, many CDNs) answer a byte-range request
//! with the whole object and `200 OK`, which `object_store` refuses. This store wraps a plain HTTP
//! one: such a request is made again without a range, and the range cut from the body, when the
//! object is within [`MAX_WHOLE_OBJECT_BYTES`]; a larger one is refused, saying that the server
//! ignores ranges. Bodies are counted as they arrive, so a server that sends more than it
//! declares is cut off at the bound, not believed.

use std::fmt;
use std::ops::Range;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures::stream::{BoxStream, StreamExt};
use zarrs_object_store::object_store::{
    self, CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult,
    path::Path as ObjectPath,
};

/// The largest object read whole from a server that ignores ranges (`ZLINT_MAX_WHOLE_OBJECT`
/// bytes overrides it): metadata documents, chunks and small shards fit.
pub(super) const MAX_WHOLE_OBJECT_BYTES: u64 = 256 << 20;

/// An HTTP store whose range requests fall back to whole reads (see the module).
#[derive(Debug)]
pub(crate) struct WholeReads {
    inner: Box<dyn ObjectStore>,
    limit: u64,
}

impl WholeReads {
    pub(crate) fn new(inner: Box<dyn ObjectStore>, limit: u64) -> Self {
        Self { inner, limit }
    }
}

impl fmt::Display for WholeReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WholeReads({})", self.inner)
    }
}

fn ignores_ranges(err: &object_store::Error) -> bool {
    matches!(err, object_store::Error::NotSupported { source }
        if source.to_string().starts_with("Range request not supported"))
}

fn refused(location: &ObjectPath, why: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "HTTP",
        source: format!("{location}: {why}").into(),
    }
}

impl WholeReads {
    /// The whole object at `location`, read without a range, at most `self.limit` bytes.
    async fn whole(
        &self,
        location: &ObjectPath,
        options: GetOptions,
    ) -> object_store::Result<(Bytes, GetResult)> {
        let limit = self.limit;
        let too_big = |size: u64| {
            refused(
                location,
                format!(
                    "the server ignores byte ranges, and the object is {size} bytes, more than \
                     the {limit} zlint reads whole (ZLINT_MAX_WHOLE_OBJECT)"
                ),
            )
        };
        let options = GetOptions {
            range: None,
            head: false,
            ..options
        };
        let mut result = self.inner.get_opts(location, options).await?;
        if result.meta.size > limit {
            return Err(too_big(result.meta.size));
        }
        let payload = std::mem::replace(
            &mut result.payload,
            GetResultPayload::Stream(futures::stream::empty().boxed()),
        );
        // HTTP bodies are streams (the file payload exists for local stores only).
        let GetResultPayload::Stream(mut stream) = payload;
        let mut body = BytesMut::new();
        while let Some(part) = stream.next().await {
            let part = part?;
            if body.len() as u64 + part.len() as u64 > limit {
                return Err(too_big(body.len() as u64 + part.len() as u64));
            }
            body.extend_from_slice(&part);
        }
        if body.len() as u64 != result.meta.size {
            return Err(refused(
                location,
                format!(
                    "the server sent {} bytes of an object it declared as {}",
                    body.len(),
                    result.meta.size
                ),
            ));
        }
        Ok((body.freeze(), result))
    }
}

#[async_trait]
impl ObjectStore for WholeReads {
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
        let Some(range) = options.range.clone() else {
            return self.inner.get_opts(location, options).await;
        };
        match self.inner.get_opts(location, options.clone()).await {
            Err(err) if ignores_ranges(&err) => {
                let (body, mut result) = self.whole(location, options).await?;
                let wanted: Range<u64> = range
                    .as_range(body.len() as u64)
                    .map_err(|e| refused(location, e.to_string()))?;
                let part = body.slice(
                    usize::try_from(wanted.start).unwrap_or(usize::MAX)
                        ..usize::try_from(wanted.end).unwrap_or(usize::MAX),
                );
                result.range = wanted;
                result.payload = GetResultPayload::Stream(
                    futures::stream::once(async move { Ok(part) }).boxed(),
                );
                Ok(result)
            }
            other => other,
        }
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
