//! Object stores in a build without the `cloud` feature: URLs are recognised and refused with a
//! clear message.

use std::sync::Arc;

use zarrs::storage::ReadableWritableListableStorageTraits;

use crate::error::{Error, Result};

/// An object store; none can exist in this build.
#[derive(Debug)]
pub enum Remote {}

impl Remote {
    /// Refuses: this build has no object store support.
    ///
    /// # Errors
    /// Always [`Error::Usage`].
    pub fn open(url: &str) -> Result<Self> {
        Err(Error::Usage(format!(
            "{url}: this zlint was built without object store support (cargo feature `cloud`)"
        )))
    }

    /// Unreachable: no [`Remote`] exists in this build.
    #[must_use]
    pub fn storage(&self) -> Arc<dyn ReadableWritableListableStorageTraits> {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn list_sizes(&self, _prefix: &str) -> Result<Vec<(String, u64)>> {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn check_reachable(&self, _must_hold_objects: bool) -> Result<()> {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn is_empty(&self) -> Result<bool> {
        match *self {}
    }
}
