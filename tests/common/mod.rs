//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use zlint::model::Store;
use zlint::profile::{Access, Profile};
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

/// Copies the directory tree `from` to `to` (created).
pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every profile, for tests that range over them.
pub(crate) const PROFILES: [Profile; 3] =
    [Profile::Analysis, Profile::Cloud, Profile::Visualization];

/// Every access pattern, for tests that range over them.
pub(crate) const ACCESSES: [Access; 4] = [
    Access::Auto,
    Access::Volume,
    Access::Plane,
    Access::Timeseries,
];
