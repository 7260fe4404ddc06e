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
    pub fn url(&self) -> &str {
        match *self {}
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
    #[must_use]
    pub fn head_sizes(
        &self,
        _keys: &[String],
        _in_flight: usize,
        _answered: &(dyn Fn() + Sync),
    ) -> Vec<std::result::Result<Option<u64>, String>> {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    #[must_use]
    pub fn listable(&self) -> bool {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn list_stamped(&self, _prefix: &str) -> Result<Vec<(String, u64, u128)>> {
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

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn create_exclusive(&self, _key: &str, _bytes: Vec<u8>) -> Result<Option<Version>> {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn replace_if(
        &self,
        _key: &str,
        _bytes: Vec<u8>,
        _version: &Version,
    ) -> Result<Option<Version>> {
        match *self {}
    }

    /// Unreachable: no [`Remote`] exists in this build.
    ///
    /// # Errors
    /// Never.
    pub fn get_versioned(&self, _key: &str) -> Result<Option<(Vec<u8>, Version)>> {
        match *self {}
    }
}

/// The version of an object; none exist in this build.
#[derive(Clone, Debug)]
pub struct Version;
