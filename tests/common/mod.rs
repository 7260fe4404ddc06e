//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use zlint::model::Store;
use zlint::progress::NoProgress;
use zlint::scan::{ScanOptions, scan};

/// The absolute path of a fixture store.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Scans a fixture store through the library.
pub(crate) fn scan_fixture(rel: &str, deep: bool) -> Store {
    let opened = zlint::store::open(fixture(rel).to_str().expect("utf-8 path")).expect("open");
    scan(&opened, ScanOptions { deep }, &NoProgress).expect("scan")
}
