//! Object stores: `s3://`, `gs://`, `az://` and `http(s)://` locations, through the
//! `object_store` crate and zarrs' async storage traits, driven from zlint's threads by one tokio
//! runtime.
//!
//! Credentials, region and endpoint come from the usual environment variables (`AWS_*`,
//! `GOOGLE_*`, `AZURE_*`; e.g. `AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP=true` for a local S3
//! server). Requests that fail with 5xx or 429 (throttling), or cannot connect, are retried with
//! exponential backoff, `ZLINT_MAX_RETRIES` times (default 8, within 180 s); every object write
//! is a single PUT, so an object is either whole or absent. A request to a web server ends
//! within `ZLINT_HTTP_TIMEOUT` seconds (default 30), body included.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::TryStreamExt;
use zarrs::storage::ReadableWritableListableStorageTraits;
use zarrs::storage::storage_adapter::async_to_sync::{
    AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
};
use zarrs_object_store::AsyncObjectStore;
use zarrs_object_store::object_store::{
    self, BackoffConfig, ObjectStore, ObjectStoreExt, ObjectStoreScheme, PutMode, PutOptions,
    RetryConfig, UpdateVersion, path::Path as ObjectPath, prefix::PrefixStore,
};

use super::metadata_reads::MetadataReads;
use super::whole_reads::WholeReads;
use crate::error::{Error, Result};

/// An object store opened at a prefix.
pub struct Remote {
    /// The URL as the user gave it.
    pub url: String,
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("zlint-io")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the I/O runtime: {e}"))
    })
}

/// Runs zarrs' async storage calls to completion on zlint's runtime.
#[derive(Clone)]
struct BlockOn;

impl AsyncToSyncBlockOn for BlockOn {
    fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
        runtime().handle().block_on(future)
    }
}

fn storage_error(url: &str, err: impl Into<crate::error::Cause>) -> Error {
    Error::storage(url.to_string(), err)
}

fn retry() -> std::result::Result<RetryConfig, String> {
    let max_retries = crate::units::env_number("ZLINT_MAX_RETRIES", 8, 0)?;
    let max_retries = usize::try_from(max_retries).map_err(|e| e.to_string())?;
    Ok(RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(15),
            base: 2.0,
        },
        max_retries,
        retry_timeout: Duration::from_secs(180),
    })
}

/// Configuration from the environment for the store's scheme (`AWS_ENDPOINT_URL` becomes
/// `aws_endpoint_url`, and so on; keys a builder does not know are skipped).
fn env_options(prefix: &str) -> impl Iterator<Item = (String, String)> + '_ {
    std::env::vars().filter_map(move |(key, value)| {
        key.starts_with(prefix)
            .then(|| (key.to_ascii_lowercase(), value))
    })
}

macro_rules! build {
    ($builder:ty, $url:expr, $prefix:expr, $retry:expr) => {{
        let builder = env_options($prefix).fold(
            <$builder>::new().with_url($url).with_retry($retry),
            |builder, (key, value)| match key.parse() {
                Ok(k) => builder.with_config(k, value),
                Err(_) => builder,
            },
        );
        Arc::new(builder.build()?) as Arc<dyn ObjectStore>
    }};
}

fn build_store(url: &url::Url) -> std::result::Result<(Arc<dyn ObjectStore>, ObjectPath), String> {
    let (scheme, path) = ObjectStoreScheme::parse(url).map_err(|e| e.to_string())?;
    let path = ObjectPath::parse(path).map_err(|e| e.to_string())?;
    let retry = retry()?;
    let whole_limit = crate::units::env_number(
        "ZLINT_MAX_WHOLE_OBJECT",
        super::whole_reads::MAX_WHOLE_OBJECT_BYTES,
        0,
    )?;
    // A request to a web server (headers and body) ends within this, retried as above: a body
    // that drips or never ends is an error, not a hang.
    let http_timeout = Duration::from_secs(crate::units::env_number("ZLINT_HTTP_TIMEOUT", 30, 1)?);
    let build = || -> std::result::Result<Arc<dyn ObjectStore>, object_store::Error> {
        Ok(match scheme {
            ObjectStoreScheme::AmazonS3 => {
                build!(
                    object_store::aws::AmazonS3Builder,
                    url.as_str(),
                    "AWS_",
                    retry.clone()
                )
            }
            ObjectStoreScheme::GoogleCloudStorage => {
                build!(
                    object_store::gcp::GoogleCloudStorageBuilder,
                    url.as_str(),
                    "GOOGLE_",
                    retry.clone()
                )
            }
            ObjectStoreScheme::MicrosoftAzure => {
                build!(
                    object_store::azure::MicrosoftAzureBuilder,
                    url.as_str(),
                    "AZURE_",
                    retry.clone()
                )
            }
            ObjectStoreScheme::Http => {
                let base = &url[..url::Position::BeforePath];
                // A plain `http://` URL is what the user asked for: the client must allow it.
                let client = object_store::ClientOptions::new()
                    .with_allow_http(url.scheme() == "http")
                    .with_timeout(http_timeout);
                let builder = env_options("HTTP_").fold(
                    object_store::http::HttpBuilder::new()
                        .with_url(base)
                        .with_retry(retry.clone())
                        .with_client_options(client),
                    |builder, (key, value)| match key.parse() {
                        Ok(k) => builder.with_config(k, value),
                        Err(_) => builder,
                    },
                );
                // Servers that ignore `Range` are read whole, within a bound; metadata
                // documents are read once, with one request each.
                let whole = WholeReads::new(Box::new(builder.build()?), whole_limit);
                Arc::new(MetadataReads::new(
                    Box::new(whole),
                    crate::store::bounded::max_metadata_bytes(),
                )) as Arc<dyn ObjectStore>
            }
            other => {
                return Err(object_store::Error::NotSupported {
                    source: format!("{other:?} URLs").into(),
                });
            }
        })
    };
    build()
        .map(|store| (store, path))
        .map_err(|e| e.to_string())
}

impl Remote {
    /// Opens the object store at `url`, scoped to its path.
    ///
    /// # Errors
    /// [`Error::Storage`] naming the URL when it cannot be parsed or the store configured.
    pub fn open(url: &str) -> Result<Self> {
        let parsed = url::Url::parse(url).map_err(|e| storage_error(url, e))?;
        let (store, path) = build_store(&parsed).map_err(|e| storage_error(url, e))?;
        let store: Arc<dyn ObjectStore> = if path.as_ref().is_empty() {
            store
        } else {
            Arc::new(PrefixStore::new(store, path))
        };
        Ok(Self {
            url: url.to_string(),
            store,
        })
    }

    /// An empty in-memory object store (with conditional writes), for tests.
    #[cfg(test)]
    pub(crate) fn in_memory() -> Self {
        Self {
            url: "memory://test".into(),
            store: Arc::new(object_store::memory::InMemory::new()),
        }
    }

    /// The URL as the user gave it.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the store can be listed: object stores can; a plain HTTP server cannot (zlint
    /// then reads the metadata documents it is pointed at, and the nodes consolidated metadata
    /// names).
    #[must_use]
    pub fn listable(&self) -> bool {
        !(self.url.starts_with("http://") || self.url.starts_with("https://"))
    }

    /// zarrs' synchronous storage traits over the store.
    #[must_use]
    pub fn storage(&self) -> Arc<dyn ReadableWritableListableStorageTraits> {
        let store = Arc::new(AsyncObjectStore::new(self.store.clone()));
        Arc::new(AsyncToSyncStorageAdapter::new(store, BlockOn))
    }

    /// Every object under `prefix` (`""` for all) with its size in bytes, in no set order.
    ///
    /// # Errors
    /// [`Error::Storage`] when listing fails (after retries).
    pub fn list_sizes(&self, prefix: &str) -> Result<Vec<(String, u64)>> {
        Ok(self
            .list_stamped(prefix)?
            .into_iter()
            .map(|(key, size, _)| (key, size))
            .collect())
    }

    /// Every object under `prefix` with its size and last modification (nanoseconds since the
    /// epoch), in no set order.
    ///
    /// # Errors
    /// [`Error::Storage`] when listing fails (after retries).
    pub fn list_stamped(&self, prefix: &str) -> Result<Vec<(String, u64, u128)>> {
        let prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
        let stream = self.store.list(prefix.as_ref());
        runtime()
            .handle()
            .block_on(
                stream
                    .map_ok(|meta| {
                        let modified = meta
                            .last_modified
                            .timestamp_nanos_opt()
                            .map_or(0, |n| u128::try_from(n).unwrap_or(0));
                        (meta.location.to_string(), meta.size, modified)
                    })
                    .try_collect::<Vec<_>>(),
            )
            .map_err(|e| storage_error(&self.url, e))
    }

    /// The size of the object at each of `keys` (`None` when there is none), asked for by HEAD
    /// requests, at most `in_flight` at a time (with the store's retries): how chunks are found
    /// in a store that cannot be listed. `answered` is called as each answer arrives.
    #[must_use]
    pub fn head_sizes(
        &self,
        keys: &[String],
        in_flight: usize,
        answered: &(dyn Fn() + Sync),
    ) -> Vec<std::result::Result<Option<u64>, String>> {
        use futures::StreamExt;
        let heads = futures::stream::iter(keys.iter().enumerate())
            .map(|(i, key)| async move {
                let answer = match self.store.head(&ObjectPath::from(key.as_str())).await {
                    Ok(meta) => Ok(Some(meta.size)),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(format!("{}/{key}: {e}", self.url.trim_end_matches('/'))),
                };
                answered();
                (i, answer)
            })
            .buffer_unordered(in_flight.max(1))
            .collect::<Vec<_>>();
        let mut sizes = vec![Ok(None); keys.len()];
        for (i, answer) in runtime().handle().block_on(heads) {
            sizes[i] = answer;
        }
        sizes
    }

    /// Checks the store answers and holds something at its prefix (one listing request), so a
    /// wrong endpoint, bad credentials or a missing bucket fail here with the store's message.
    ///
    /// # Errors
    /// [`Error::Storage`] with the store's answer, or "nothing stored here".
    pub fn check_reachable(&self, must_hold_objects: bool) -> Result<()> {
        if !self.listable() {
            // One metadata document must be there (a GET each, since nothing can be listed).
            let storage = self.storage();
            for name in crate::store::METADATA_KEYS {
                let key = zarrs::storage::StoreKey::new(*name)
                    .map_err(|e| storage_error(&self.url, e))?;
                if storage
                    .get(&key)
                    .map_err(|e| storage_error(&self.url, e))?
                    .is_some()
                {
                    return Ok(());
                }
            }
            return Err(storage_error(
                &self.url,
                "no Zarr or N5 metadata here (an HTTP server cannot be listed: give the URL of an \
                 array or group)",
            ));
        }
        if self.is_empty()? && must_hold_objects {
            return Err(storage_error(&self.url, "nothing is stored under this URL"));
        }
        Ok(())
    }

    /// Whether nothing is stored under the prefix.
    ///
    /// # Errors
    /// As [`Remote::check_reachable`].
    pub fn is_empty(&self) -> Result<bool> {
        let listing = runtime()
            .handle()
            .block_on(self.store.list_with_delimiter(None))
            .map_err(|e| storage_error(&self.url, e))?;
        Ok(listing.objects.is_empty() && listing.common_prefixes.is_empty())
    }

    /// Writes `key` only if it does not exist: `Ok(Some(version))` when written, `Ok(None)` when
    /// it exists. Stores without conditional writes (plain HTTP) give [`Error::Usage`].
    ///
    /// # Errors
    /// [`Error::Storage`] for other failures.
    pub fn create_exclusive(&self, key: &str, bytes: Vec<u8>) -> Result<Option<Version>> {
        self.put_mode(key, bytes, PutMode::Create)
    }

    /// Replaces `key` only if it is still at `version`: `Ok(Some(new version))` when written,
    /// `Ok(None)` when someone changed or removed it since.
    ///
    /// # Errors
    /// As [`Remote::create_exclusive`].
    pub fn replace_if(
        &self,
        key: &str,
        bytes: Vec<u8>,
        version: &Version,
    ) -> Result<Option<Version>> {
        self.put_mode(key, bytes, PutMode::Update(version.0.clone()))
    }

    fn put_mode(&self, key: &str, bytes: Vec<u8>, mode: PutMode) -> Result<Option<Version>> {
        let path = ObjectPath::from(key);
        let options = PutOptions {
            mode,
            ..PutOptions::default()
        };
        let put = self.store.put_opts(&path, bytes.into(), options);
        match runtime().handle().block_on(put) {
            Ok(result) => Ok(Some(Version(result.into()))),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Ok(None),
            Err(object_store::Error::NotImplemented { .. }) => Err(Error::refused(
                &self.url,
                "this store has no conditional writes, needed to run a part safely".into(),
            )),
            Err(e) => Err(storage_error(&format!("{}/{key}", self.url), e)),
        }
    }

    /// Reads `key` with its version, `None` when absent.
    ///
    /// # Errors
    /// [`Error::Storage`] when it cannot be read.
    pub fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>> {
        let path = ObjectPath::from(key);
        let read = async {
            let got = self.store.get(&path).await?;
            let version = UpdateVersion {
                e_tag: got.meta.e_tag.clone(),
                version: got.meta.version.clone(),
            };
            Ok::<_, object_store::Error>((got.bytes().await?.to_vec(), Version(version)))
        };
        match runtime().handle().block_on(read) {
            Ok(found) => Ok(Some(found)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(storage_error(&format!("{}/{key}", self.url), e)),
        }
    }
}

/// The version of an object, for conditional writes.
#[derive(Clone, Debug)]
pub struct Version(UpdateVersion);
