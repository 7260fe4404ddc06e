//! Helpers of the `zlint rechunk` and `zlint verify` end-to-end tests.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{Value, json};
use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::filesystem::FilesystemStore;

pub(crate) fn zlint() -> Command {
    let mut cmd = Command::cargo_bin("zlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A Zarr v3 uint16 stack of `planes` 512×512 planes, one plane per chunk, gzip.
pub(crate) fn stack(dir: &Path, planes: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let doc = json!({"zarr_format": 3, "node_type": "array", "shape": [planes, 512, 512],
        "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, 512, 512]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                    {"name": "gzip", "configuration": {"level": 1}}],
        "attributes": {"note": "crash test"}, "dimension_names": ["z", "y", "x"]});
    std::fs::write(dir.join("zarr.json"), doc.to_string()).unwrap();
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    let array = Array::new_with_metadata(store, "/", serde_json::from_value(doc).unwrap()).unwrap();
    let plane: Vec<u8> = (0..512u32 * 512)
        .flat_map(|i| ((i.wrapping_mul(2_654_435_761) >> 20) as u16).to_le_bytes())
        .collect();
    for z in 0..planes {
        let subset = ArraySubset::new_with_ranges(&[z..z + 1, 0..512, 0..512]);
        array
            .store_array_subset(&subset, ArrayBytes::new_flen(plane.clone()))
            .unwrap();
    }
}

/// Every file under `dir` with its bytes, by relative path.
pub(crate) fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    all.sort();
    all
}

pub(crate) fn walkdir_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            names.extend(walkdir_names(&path));
        } else {
            names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    names
}

pub(crate) fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Waits until `log` has `lines` lines, while `child` runs.
pub(crate) fn wait_for_lines(log: &Path, lines: usize, child: &mut std::process::Child) {
    let started = Instant::now();
    while std::fs::read_to_string(log).map_or(0, |t| t.lines().count()) < lines {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no progress to interrupt"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}
