//! The codec floor of a rechunk: the time to decode every source chunk once plus encode every
//! target chunk once, with zlint's codec path (zarrs), on one thread, divided by the thread count.
//! What a rechunk takes beyond it is what zlint adds (copies, I/O waits, scheduling).
//!
//! Usage: cargo bench --bench codec_floor -- SRC.zarr 64,256,256 [THREADS]
//! (SRC: a single Zarr array; the target keeps its codecs, as `zlint rechunk --chunks` does.)
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)] // a measuring script

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use zarrs::array::{Array, ArrayBytes, ArrayMetadata, ArraySubset};
use zarrs::filesystem::FilesystemStore;
use zarrs::storage::store::MemoryStore;
use zlint::rechunk::copy::{At, copy_box};

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let (src_path, target) = (&args[1], &args[2]);
    let threads: f64 = args.get(3).and_then(|t| t.parse().ok()).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get) as f64
    });
    let chunks: Vec<u64> = target.split(',').map(|c| c.parse().unwrap()).collect();
    let src = Array::open(Arc::new(FilesystemStore::new(src_path).unwrap()), "/").unwrap();
    let shape = src.shape().to_vec();
    let item = src.data_type().fixed_size().unwrap() as u64;

    // Decode every source chunk once, into one buffer (decode timed, copy not).
    let mut whole = vec![0u8; (shape.iter().product::<u64>() * item) as usize];
    let grid = src.chunk_grid_shape().to_vec();
    let mut decode = 0.0;
    for index in ArraySubset::new_with_shape(grid).indices() {
        let started = Instant::now();
        let bytes: ArrayBytes<'static> = src.retrieve_chunk(&index).unwrap();
        decode += started.elapsed().as_secs_f64();
        let region = src.chunk_subset_bounded(&index).unwrap();
        let full = src.chunk_subset(&index).unwrap();
        let data = bytes.into_fixed().unwrap();
        let origin = vec![0; shape.len()];
        copy_box(
            &data,
            At {
                shape: full.shape(),
                start: &origin,
            },
            &mut whole,
            At {
                shape: &shape,
                start: region.start(),
            },
            region.shape(),
            item,
        );
    }

    // Encode every target chunk once, into memory (encode timed, extraction not).
    let mut metadata = serde_json::to_value(src.metadata()).unwrap();
    if let ArrayMetadata::V3(_) = src.metadata() {
        metadata["chunk_grid"]["configuration"]["chunk_shape"] = serde_json::json!(chunks);
    } else {
        metadata["chunks"] = serde_json::json!(chunks);
        metadata["node_type"] = serde_json::json!("array");
    }
    let dst = Array::new_with_metadata(
        Arc::new(MemoryStore::new()),
        "/",
        serde_json::from_value(metadata).unwrap(),
    )
    .unwrap();
    let mut encode = 0.0;
    let mut extracted = Vec::new();
    for index in ArraySubset::new_with_shape(dst.chunk_grid_shape().to_vec()).indices() {
        let full = dst.chunk_subset(&index).unwrap();
        let bounded = dst.chunk_subset_bounded(&index).unwrap();
        let mut out = vec![0u8; (full.num_elements() * item) as usize];
        let origin = vec![0; shape.len()];
        copy_box(
            &whole,
            At {
                shape: &shape,
                start: bounded.start(),
            },
            &mut out,
            At {
                shape: full.shape(),
                start: &origin,
            },
            bounded.shape(),
            item,
        );
        extracted.push((index.to_vec(), out.clone()));
        let started = Instant::now();
        dst.store_chunk(&index, ArrayBytes::new_flen(out)).unwrap();
        encode += started.elapsed().as_secs_f64();
    }

    // The same work on every thread at once (wall time of each phase): what the machine really
    // does in parallel, where the line above assumes perfect scaling.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads as usize)
        .build()
        .unwrap();
    let sources: Vec<Vec<u64>> = ArraySubset::new_with_shape(src.chunk_grid_shape().to_vec())
        .indices()
        .into_iter()
        .map(|index| index.to_vec())
        .collect();
    let started = Instant::now();
    pool.install(|| {
        sources.par_iter().for_each(|index| {
            let bytes: ArrayBytes<'static> = src.retrieve_chunk(index).unwrap();
            std::hint::black_box(bytes);
        });
    });
    let parallel_decode = started.elapsed().as_secs_f64();
    let started = Instant::now();
    pool.install(|| {
        extracted.into_par_iter().for_each(|(index, out)| {
            dst.store_chunk(&index, ArrayBytes::new_flen(out)).unwrap();
        });
    });
    let parallel_encode = started.elapsed().as_secs_f64();
    println!(
        "codec floor on {threads} threads at once: decode {parallel_decode:.2} s + encode {parallel_encode:.2} s = {:.2} s",
        parallel_decode + parallel_encode
    );
    println!(
        "codec floor for {src_path} -> chunks {target}: decode {decode:.2} s + encode {encode:.2} s on one thread = {:.2} s; / {threads} threads = {:.2} s",
        decode + encode,
        (decode + encode) / threads
    );
}
