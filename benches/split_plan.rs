//! Planning a rechunk split into many parts, on a volume that exists as metadata only: how long
//! the plan and the split take, and how balanced the parts are.
//!
//! Usage: cargo bench --bench split_plan -- [SHAPE] [SOURCE_CHUNKS] [TARGET_CHUNKS] [PARTS] [MAX_MEM_MIB]
//! Defaults: a 10 TB uint16 light-sheet volume 5000×32768×32768 in 1×1024×1024 planes, rechunked
//! to 64×256×256, 1,000 parts, 4 GiB. Nothing but one `zarr.json` is written (to a temp dir).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)] // a measuring script

use std::time::Instant;

use zlint::plan::parts::partition;
use zlint::plan::{Budget, RechunkPlan, ShapeRequests, Targets};
use zlint::progress::NoProgress;
use zlint::scan::{ScanOptions, scan};

fn shape(text: &str) -> Vec<u64> {
    text.split(',').map(|n| n.parse().unwrap()).collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let (volume, source, target) = (
        shape(&arg(0, "5000,32768,32768")),
        shape(&arg(1, "1,1024,1024")),
        arg(2, "64,256,256"),
    );
    let parts: u64 = arg(3, "1000").parse().unwrap();
    let max_mem: u64 = arg(4, "4096").parse::<u64>().unwrap() << 20;

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("volume.zarr");
    std::fs::create_dir_all(&src).unwrap();
    let doc = serde_json::json!({"zarr_format": 3, "node_type": "array", "shape": volume,
        "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": source}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                    {"name": "zstd", "configuration": {"level": 3, "checksum": false}}]});
    std::fs::write(src.join("zarr.json"), doc.to_string()).unwrap();

    let started = Instant::now();
    let opened = zlint::store::open(src.to_str().unwrap()).unwrap();
    let found = scan(&opened, ScanOptions::default(), &NoProgress).unwrap();
    let targets = Targets {
        chunks: ShapeRequests::parse(zlint::Param::Chunks, std::slice::from_ref(&target)).unwrap(),
        shards: ShapeRequests::default(),
        auto: false,
        profile: zlint::profile::Profile::Analysis,
        access: zlint::profile::Access::Auto,
        format: None,
        codec: None,
        two_pass: false,
        exclude: Vec::new(),
    };
    let budget = Budget {
        max_mem_bytes: max_mem,
        threads: 32,
    };
    let plan = RechunkPlan::build(
        &found,
        dir.path().join("out.zarr").display().to_string(),
        &targets,
        budget,
    )
    .unwrap();
    let planned = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let split = partition(&plan, parts);
    let split_secs = started.elapsed().as_secs_f64();

    let total: u64 = split.iter().map(|p| p.bytes).sum();
    let mean = total as f64 / parts as f64;
    let largest = split.iter().map(|p| p.bytes).max().unwrap_or(0) as f64;
    let smallest = split.iter().map(|p| p.bytes).min().unwrap_or(0) as f64;
    let groups: u64 = plan.arrays.iter().map(|a| a.write_groups.count).sum();
    let array = &plan.arrays[0];
    println!(
        "volume {:?} uint16 ({:.2} TB), chunks {:?} -> {target}, --max-mem {} MiB",
        volume,
        total as f64 / 1e12,
        source,
        max_mem >> 20
    );
    println!(
        "write groups: {groups} of {:?} ({} MiB each)",
        array.write_groups.group_shape,
        array.write_groups.group_bytes >> 20
    );
    println!("plan (scan + build): {planned:.3} s; split into {parts} parts: {split_secs:.3} s");
    println!(
        "part bytes: mean {:.2} GB, largest {:.4}× mean, smallest {:.4}× mean",
        mean / 1e9,
        largest / mean,
        smallest / mean
    );
}
