//! A store in memory holding the fuzzed bytes, scanned, linted, planned and read back.

use std::sync::Arc;

use zarrs::storage::store::MemoryStore;
use zarrs::storage::{Bytes, StoreKey, WritableStorageTraits};
use zlint::model::Format;
use zlint::plan::{Budget, RechunkPlan, ShapeRequests, Targets};
use zlint::progress::NoProgress;
use zlint::scan::{ScanOptions, scan};
use zlint::store::OpenedStore;

/// A store in memory holding `objects` (key → bytes). (The zip target brings its own store.)
#[allow(dead_code)]
pub fn store(objects: &[(&str, &[u8])]) -> OpenedStore {
    let memory = Arc::new(MemoryStore::new());
    for (key, bytes) in objects {
        if let Ok(key) = StoreKey::new(*key) {
            let _ = memory.set(&key, Bytes::copy_from_slice(bytes));
        }
    }
    OpenedStore::other("fuzz".into(), memory)
}

/// Everything zlint does with a store short of writing one: scan, lint, plan a rechunk, and
/// read every value (a verification of the store against itself). Errors are fine; panics,
/// aborts and hangs are what the fuzzer finds.
pub fn exercise(opened: &OpenedStore) {
    let Ok(found) = scan(opened, ScanOptions::default(), &NoProgress) else {
        return;
    };
    let _ = zlint::lint::lint(&found, &Default::default());
    let budget = Budget {
        max_mem_bytes: 64 << 20,
        threads: 1,
    };
    // The linter's recommended layout, to every format.
    for format in [None, Some(Format::Zarr2), Some(Format::N5)] {
        let targets = Targets {
            chunks: ShapeRequests::default(),
            shards: ShapeRequests::default(),
            auto: true,
            profile: Default::default(),
            access: Default::default(),
            format,
            codec: None,
            two_pass: true,
            exclude: Vec::new(),
        };
        let _ = RechunkPlan::build(&found, "fuzz-out".into(), &targets, budget);
    }
    // Reading every value takes time in proportion to the array and its chunks (fill values
    // included), the more so instrumented: only arrays small enough, in few enough chunks, to
    // read in a moment are read (4,096 chunks of a 16 MiB array took over ten seconds).
    let small = found.arrays.iter().all(|a| {
        a.size_bytes().is_some_and(|n| n <= 16 << 20) && a.object_count() <= 1024
    });
    if small {
        let _ =
            zlint::rechunk::verify((opened, &found), (opened, &found), 64 << 20, 1, &NoProgress);
    }
}
