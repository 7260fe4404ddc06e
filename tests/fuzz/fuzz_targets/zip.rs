//! Zip files: the bytes are a zip (of a store or of anything), opened as zlint opens a zip
//! store (central directory, entry names, stored and deflated entries), then scanned, linted,
//! planned and read.
#![no_main]

mod common;

use std::sync::Arc;

use zlint::store::{Backend, OpenedStore};
use zlint::store::zip::ZipStore;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("zlint-fuzz-{}.zip", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(zip) = ZipStore::open(&path) {
        let zip = Arc::new(zip);
        common::exercise(&OpenedStore {
            backend: Backend::Zip(zip.clone()),
            ..OpenedStore::other(path.display().to_string(), zip)
        });
    }
});
