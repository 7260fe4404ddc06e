//! The rechunker: random arrays round-trip to identical values across formats and layouts; the
//! source is never touched; bad input fails naming the array and leaves no complete-looking output.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{Value, json};
use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::filesystem::FilesystemStore;
use zlint::model::Format;
use zlint::plan::{Budget, CodecChoice, RechunkPlan, ShapeRequests, Targets};
use zlint::progress::NoProgress;
use zlint::rechunk::{self, Existing};
use zlint::scan::{ScanOptions, scan};

/// Deterministic pseudo-random bytes.
fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Runs of zeros keep some chunks equal to the fill value (not stored).
            if (state >> 60) < 3 {
                0
            } else {
                (state >> 33) as u8
            }
        })
        .collect()
}

const DTYPES: &[(&str, &str, u64)] = &[
    ("uint8", "|u1", 1),
    ("uint16", "<u2", 2),
    ("int32", "<i4", 4),
    ("float32", "<f4", 4),
    ("float64", "<f8", 8),
];

/// Writes a source array with zarrs: Zarr v2 (zstd) or Zarr v3 (gzip, optionally sharded).
fn write_source(
    dir: &Path,
    format: Format,
    shape: &[u64],
    chunks: &[u64],
    shards: Option<&[u64]>,
    dtype: usize,
    seed: u64,
) {
    let (v3_name, v2_name, item) = DTYPES[dtype];
    std::fs::create_dir_all(dir).unwrap();
    let doc = match format {
        Format::Zarr2 => {
            let doc = json!({"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": v2_name,
                "compressor": {"id": "zstd", "level": 1}, "fill_value": 0, "order": "C",
                "filters": null, "dimension_separator": "/"});
            std::fs::write(dir.join(".zarray"), doc.to_string()).unwrap();
            let mut tagged = doc;
            tagged["node_type"] = json!("array");
            tagged
        }
        _ => {
            let inner = json!([{"name": "bytes", "configuration": {"endian": "little"}},
                               {"name": "gzip", "configuration": {"level": 1}}]);
            let (grid, codecs) = match shards {
                Some(shards) => (
                    shards.to_vec(),
                    json!([{"name": "sharding_indexed", "configuration": {
                    "chunk_shape": chunks, "codecs": inner,
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                    "index_location": "end"}}]),
                ),
                None => (chunks.to_vec(), inner),
            };
            let doc = json!({"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": v3_name,
                "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
                "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
                "fill_value": 0, "codecs": codecs, "attributes": {"seed": seed}});
            std::fs::write(dir.join("zarr.json"), doc.to_string()).unwrap();
            doc
        }
    };
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    let array = Array::new_with_metadata(store, "/", serde_json::from_value(doc).unwrap()).unwrap();
    let n: u64 = shape.iter().product();
    let data = bytes((n * item) as usize, seed);
    let all = ArraySubset::new_with_shape(shape.to_vec());
    array
        .store_array_subset(&all, ArrayBytes::new_flen(data))
        .unwrap();
}

fn read_all(dir: &Path) -> Vec<u8> {
    let store = Arc::new(FilesystemStore::new(dir).unwrap());
    let array = Array::open(store, "/").unwrap();
    let all = ArraySubset::new_with_shape(array.shape().to_vec());
    let data: ArrayBytes<'static> = array.retrieve_array_subset(&all).unwrap();
    data.into_fixed().unwrap().into_owned()
}

fn targets(
    chunks: Option<Vec<u64>>,
    shards: Option<Vec<u64>>,
    format: Option<Format>,
    codec: Option<CodecChoice>,
) -> Targets {
    Targets {
        chunks: ShapeRequests {
            all: chunks,
            ..ShapeRequests::default()
        },
        shards: ShapeRequests {
            all: shards,
            ..ShapeRequests::default()
        },
        auto: false,
        profile: Default::default(),
        access: Default::default(),
        format,
        codec,
        two_pass: true,
        exclude: Vec::new(),
    }
}

/// Rechunks `src` into `dst` through the library, as `zlint rechunk` does.
fn rechunk(
    src: &Path,
    dst: &Path,
    targets: &Targets,
    budget: Budget,
) -> zlint::Result<rechunk::RechunkSummary> {
    let opened = zlint::store::open(src.to_str().unwrap())?;
    let target = zlint::store::TargetStore::open(dst.to_str().unwrap())?;
    rechunk::check_target(&opened, &target, Existing::Refuse)?;
    let found = scan(&opened, ScanOptions::default(), &NoProgress)?;
    let plan = RechunkPlan::build(&found, dst.display().to_string(), targets, budget)?;
    rechunk::execute(
        &plan,
        &opened,
        &target,
        Existing::Refuse,
        &NoProgress,
        &mut |_| Ok(true),
    )
}

fn verify(src: &Path, dst: &Path) -> rechunk::VerifyReport {
    let a = zlint::store::open(src.to_str().unwrap()).unwrap();
    let b = zlint::store::open(dst.to_str().unwrap()).unwrap();
    let sa = scan(&a, ScanOptions::default(), &NoProgress).unwrap();
    let sb = scan(&b, ScanOptions::default(), &NoProgress).unwrap();
    rechunk::verify((&a, &sa), (&b, &sb), 64 << 20, 2, &NoProgress).unwrap()
}

/// A hash of every file under `dir` (path, size and content), to prove the source untouched.
fn tree_hash(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[derive(Debug, Clone, Copy)]
enum Case {
    Zarr2ToZarr3,
    Zarr3ToZarr3Sharded,
    Zarr2ToZarr2,
    Zarr3ShardedToZarr2,
    /// Zarr v3 → N5 (target chunks) → Zarr v3 (source chunks): both N5 directions.
    Zarr3ToN5AndBack,
    /// Zarr v2 → Zarr v3 shards of the same chunks: a repack, nothing decoded.
    Zarr2RepackIntoShards,
}

prop_compose! {
    fn layouts()(ndim in 1usize..4)(
        shape in prop::collection::vec(1u64..40, ndim),
        src in prop::collection::vec(1u64..24, ndim),
        dst in prop::collection::vec(1u64..24, ndim),
        shard_factor in prop::collection::vec(1u64..4, ndim),
        dtype in 0usize..DTYPES.len(),
        seed in any::<u64>(),
        case in prop::sample::select(vec![Case::Zarr2ToZarr3, Case::Zarr3ToZarr3Sharded, Case::Zarr2ToZarr2, Case::Zarr3ShardedToZarr2, Case::Zarr3ToN5AndBack, Case::Zarr2RepackIntoShards]),
        budget in prop::sample::select(vec![4u64 << 10, 1 << 20]),
    ) -> (Vec<u64>, Vec<u64>, Vec<u64>, Vec<u64>, usize, u64, Case, u64) {
        (shape, src, dst, shard_factor, dtype, seed, case, budget)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn random_arrays_round_trip_to_identical_values(
        (shape, src_chunks, dst_chunks, factor, dtype, seed, case, budget) in layouts()
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
        let shards: Vec<u64> = dst_chunks.iter().zip(&factor).map(|(c, f)| c * f).collect();
        let src_shards: Vec<u64> = src_chunks.iter().map(|c| c * 2).collect();
        let (source_format, source_shards, format, target_shards) = match case {
            Case::Zarr2ToZarr3 => (Format::Zarr2, None, Some(Format::Zarr3), None),
            Case::Zarr3ToZarr3Sharded => (Format::Zarr3, None, None, Some(shards.clone())),
            Case::Zarr2ToZarr2 => (Format::Zarr2, None, None, None),
            Case::Zarr3ShardedToZarr2 => (Format::Zarr3, Some(src_shards.as_slice()), Some(Format::Zarr2), None),
            Case::Zarr3ToN5AndBack => (Format::Zarr3, None, Some(Format::N5), None),
            Case::Zarr2RepackIntoShards => (Format::Zarr2, None, Some(Format::Zarr3), Some(src_shards.clone())),
        };
        let dst_chunks = if matches!(case, Case::Zarr2RepackIntoShards) { src_chunks.clone() } else { dst_chunks };
        write_source(&src, source_format, &shape, &src_chunks, source_shards, dtype, seed);
        let before = tree_hash(&src);
        let t = targets(Some(dst_chunks.clone()), target_shards, format, None);
        let item = DTYPES[dtype].2;
        let target_object: Vec<u64> = t.shards.all.clone().unwrap_or_else(|| dst_chunks.clone());
        let min_budget = 4 * (target_object.iter().product::<u64>() + src_chunks.iter().product::<u64>() * 2) * item;
        let budget = Budget { max_mem_bytes: budget.max(min_budget), threads: 2 };
        rechunk(&src, &dst, &t, budget).unwrap();
        let dst = if matches!(case, Case::Zarr3ToN5AndBack) {
            let report = verify(&src, &dst);
            prop_assert!(report.mismatches.is_empty(), "zarr3 → n5: {:?}", report.mismatches);
            let back = dir.path().join("back");
            let t = targets(Some(src_chunks.clone()), None, Some(Format::Zarr3), None);
            rechunk(&dst, &back, &t, budget).unwrap();
            back
        } else {
            dst
        };
        prop_assert_eq!(read_all(&src), read_all(&dst));
        let report = verify(&src, &dst);
        prop_assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        prop_assert_eq!(before, tree_hash(&src), "the source changed");
        prop_assert!(!dst.join(rechunk::JOURNAL_DIR).exists());
    }
}

fn plan_for(src: &Path, dst: &Path, targets: &Targets) -> RechunkPlan {
    let opened = zlint::store::open(src.to_str().unwrap()).unwrap();
    let found = scan(&opened, ScanOptions::default(), &NoProgress).unwrap();
    let budget = Budget {
        max_mem_bytes: 1 << 20,
        threads: 2,
    };
    RechunkPlan::build(&found, dst.display().to_string(), targets, budget).unwrap()
}

#[test]
fn a_format_change_with_the_same_chunks_copies_encoded_chunks_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr2, &[30, 20], &[8, 8], None, 2, 9);
    let t = targets(None, None, Some(Format::Zarr3), None);
    assert!(plan_for(&src, &dst, &t).arrays[0].repack);
    rechunk(
        &src,
        &dst,
        &t,
        Budget {
            max_mem_bytes: 1 << 20,
            threads: 2,
        },
    )
    .unwrap();
    // Zarr v2 key `1/2` (the test writes `/`-separated keys) becomes Zarr v3 `c/1/2`, same bytes.
    assert_eq!(
        std::fs::read(src.join("1/2")).unwrap(),
        std::fs::read(dst.join("c/1/2")).unwrap()
    );
    assert_eq!(read_all(&src), read_all(&dst));
}

/// `dir/src`: 32 planes of 256×256 uint16, one 128 KiB chunk each. Rechunked to 8×64×64 within
/// 1 MiB ([`plan_for`]'s budget), an aligned group of 8 planes does not fit with its chunks, so
/// the plan goes through an intermediate array.
fn plane_stack(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("src");
    write_source(
        &src,
        Format::Zarr3,
        &[32, 256, 256],
        &[1, 256, 256],
        None,
        1,
        3,
    );
    src
}

#[test]
fn the_intermediate_is_stored_raw_on_disk_and_compressed_in_an_object_store() {
    let dir = tempfile::tempdir().unwrap();
    let src = plane_stack(dir.path());
    let t = targets(Some(vec![8, 64, 64]), None, None, None);
    let local = plan_for(&src, &dir.path().join("dst"), &t);
    let pass = local.arrays[0].intermediate.as_ref().expect("two passes");
    assert!(!pass.compressed(), "{}", pass.metadata);
    let remote = plan_for(&src, Path::new("s3://bucket/dst.zarr"), &t);
    let pass = remote.arrays[0].intermediate.as_ref().expect("two passes");
    assert!(pass.compressed(), "{}", pass.metadata);
}

#[test]
fn a_plan_run_elsewhere_takes_the_most_threads_its_budget_holds() {
    let dir = tempfile::tempdir().unwrap();
    let src = plane_stack(dir.path());
    let plan = plan_for(
        &src,
        &dir.path().join("dst"),
        &targets(Some(vec![8, 64, 64]), None, None, None),
    );
    let fits = |t: usize| {
        plan.arrays
            .iter()
            .all(|a| a.peak_memory(t as u64) <= plan.budget.max_mem_bytes)
    };
    assert!(fits(plan.budget.threads), "the plan fits its own threads");
    let t = plan.threads_within_budget(64);
    assert!(fits(t) && (t == 64 || !fits(t + 1)), "{t} threads");
    assert!(t < 64, "1 MiB cannot hold 64 threads' 128 KiB planes");
    assert_eq!(plan.threads_within_budget(1), 1);
}

#[test]
fn repack_is_not_chosen_when_chunks_must_be_re_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr2, &[30, 20], &[8, 8], None, 2, 9);
    for t in [
        targets(Some(vec![8, 4]), None, Some(Format::Zarr3), None),
        targets(
            None,
            None,
            Some(Format::Zarr3),
            Some(CodecChoice::parse("zstd:1").unwrap()),
        ),
        targets(None, None, Some(Format::N5), None),
    ] {
        assert!(!plan_for(&src, &dst, &t).arrays[0].repack, "{t:?}");
    }
}

#[test]
fn the_target_must_not_be_inside_the_source_nor_hold_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.zarr");
    write_source(&src, Format::Zarr3, &[8], &[4], None, 0, 1);
    let t = targets(None, None, None, None);
    let budget = Budget {
        max_mem_bytes: 1 << 20,
        threads: 1,
    };
    for dst in [src.clone(), src.join("inner"), dir.path().to_path_buf()] {
        let err = rechunk(&src, &dst, &t, budget).unwrap_err().to_string();
        assert!(err.contains("source"), "{dst:?}: {err}");
    }
}

#[test]
fn a_non_empty_target_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr3, &[8], &[4], None, 0, 1);
    std::fs::create_dir_all(&dst).unwrap();
    std::fs::write(dst.join("precious.txt"), "keep").unwrap();
    let t = targets(None, None, None, None);
    let err = rechunk(
        &src,
        &dst,
        &t,
        Budget {
            max_mem_bytes: 1 << 20,
            threads: 1,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dst.join("precious.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn a_truncated_source_chunk_fails_naming_the_chunk_and_leaves_no_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr3, &[64, 64], &[16, 16], None, 1, 7);
    let chunk = src.join("c/1/1");
    let data = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &data[..data.len() / 2]).unwrap();
    let t = targets(Some(vec![32, 32]), None, None, None);
    let err = rechunk(
        &src,
        &dst,
        &t,
        Budget {
            max_mem_bytes: 1 << 20,
            threads: 2,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("src/c/1/1: reading elements"), "{err}");
    assert!(
        !dst.join("zarr.json").exists(),
        "no metadata: the output must not look complete"
    );
    assert!(
        dst.join(rechunk::JOURNAL_DIR).exists(),
        "the journal stays for --resume"
    );
}

#[test]
fn verify_finds_a_changed_value() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr3, &[32, 32], &[8, 8], None, 1, 3);
    rechunk(
        &src,
        &dst,
        &targets(Some(vec![16, 16]), None, None, None),
        Budget {
            max_mem_bytes: 1 << 20,
            threads: 2,
        },
    )
    .unwrap();
    assert!(verify(&src, &dst).mismatches.is_empty());
    // Rewrite one target chunk with other values, through zarrs.
    let store = Arc::new(FilesystemStore::new(&dst).unwrap());
    let array = Array::open(store, "/").unwrap();
    let subset = ArraySubset::new_with_ranges(&[16..32, 0..16]);
    array
        .store_array_subset(&subset, ArrayBytes::new_flen(vec![7u8; 16 * 16 * 2]))
        .unwrap();
    let report = verify(&src, &dst);
    assert_eq!(report.mismatches.len(), 1, "{:?}", report.mismatches);
    assert!(report.mismatches[0].contains("values differ in region"));
}

#[test]
fn codec_and_format_change_keep_values_fill_and_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr3, &[30, 20], &[7, 9], None, 4, 11);
    let t = targets(
        Some(vec![10, 20]),
        None,
        Some(Format::Zarr2),
        Some(CodecChoice::parse("blosc:lz4:3:bitshuffle").unwrap()),
    );
    rechunk(
        &src,
        &dst,
        &t,
        Budget {
            max_mem_bytes: 1 << 20,
            threads: 2,
        },
    )
    .unwrap();
    let zarray: Value =
        serde_json::from_str(&std::fs::read_to_string(dst.join(".zarray")).unwrap()).unwrap();
    assert_eq!(zarray["compressor"]["cname"], "lz4");
    assert_eq!(zarray["compressor"]["shuffle"], 2);
    assert!(
        zarray.get("node_type").is_none(),
        "no non-standard keys in .zarray"
    );
    let zattrs: Value =
        serde_json::from_str(&std::fs::read_to_string(dst.join(".zattrs")).unwrap()).unwrap();
    assert_eq!(zattrs["seed"], 11);
    assert_eq!(read_all(&src), read_all(&dst));
}

#[test]
fn requested_chunks_alone_never_keep_old_shards() {
    // zarrs_tools silently kept the source chunks when only a chunk shape was given.
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(
        &src,
        Format::Zarr3,
        &[32, 32],
        &[4, 4],
        Some(&[16, 16]),
        0,
        5,
    );
    rechunk(
        &src,
        &dst,
        &targets(Some(vec![8, 32]), None, None, None),
        Budget {
            max_mem_bytes: 1 << 20,
            threads: 2,
        },
    )
    .unwrap();
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dst.join("zarr.json")).unwrap()).unwrap();
    assert_eq!(
        meta["chunk_grid"]["configuration"]["chunk_shape"],
        json!([8, 32])
    );
    assert!(
        meta["codecs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "sharding_indexed")
    );
    assert_eq!(read_all(&src), read_all(&dst));
}

/// The check `finalize` runs (verification) sees the output as it will be, while nothing on disk
/// makes it a store yet (issue 14, item 7: a kill during `--finalize --verify` left an output
/// that zarr-python opened as complete); a failed check writes no metadata at all.
#[test]
fn finalize_checks_the_output_before_any_metadata_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
    write_source(&src, Format::Zarr3, &[32, 32], &[8, 8], None, 1, 3);
    let opened = zlint::store::open(src.to_str().unwrap()).unwrap();
    let found = scan(&opened, ScanOptions::default(), &NoProgress).unwrap();
    let t = targets(Some(vec![16, 16]), None, None, None);
    let budget = Budget {
        max_mem_bytes: 1 << 20,
        threads: 2,
    };
    for passes in [false, true] {
        let _ = std::fs::remove_dir_all(&dst);
        let target = zlint::store::TargetStore::open(dst.to_str().unwrap()).unwrap();
        let plan = RechunkPlan::build(&found, dst.display().to_string(), &t, budget).unwrap();
        let mut seen = false;
        rechunk::execute(
            &plan,
            &opened,
            &target,
            Existing::Refuse,
            &NoProgress,
            &mut |output| {
                assert!(
                    !dst.join("zarr.json").exists(),
                    "metadata written before the check"
                );
                let as_it_will_be = scan(output, ScanOptions::default(), &NoProgress)?;
                assert_eq!(as_it_will_be.arrays.len(), 1);
                assert_eq!(as_it_will_be.arrays[0].chunk_shape, [16, 16]);
                seen = true;
                Ok(passes)
            },
        )
        .unwrap();
        assert!(seen);
        assert_eq!(dst.join("zarr.json").exists(), passes);
        assert_eq!(dst.join(rechunk::JOURNAL_DIR).exists(), !passes);
    }
}

/// Records what a run reports: each phase's counted noun and total, and the objects counted.
#[derive(Default)]
struct Counting {
    phases: std::sync::Mutex<Vec<(&'static str, u64)>>,
    counted: std::sync::atomic::AtomicU64,
}

impl zlint::progress::Progress for Counting {
    fn begin(&self, _what: &str, _total: Option<u64>) {}
    fn advance(&self, _amount: u64) {}
    fn end(&self) {}
    fn count(&self, noun: &'static str, total: u64) {
        self.phases.lock().unwrap().push((noun, total));
    }
    fn counted(&self, amount: u64) {
        self.counted
            .fetch_add(amount, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn progress_counts_every_target_object_once_in_one_and_two_passes() {
    let dir = tempfile::tempdir().unwrap();
    let src = plane_stack(dir.path());
    // (chunks, shards, memory, noun, objects): two passes (see plane_stack) into 4 × 4 × 4
    // chunks; one pass into 2 × 1 × 1 shards.
    let cases = [
        (vec![8, 64, 64], None, 1 << 20, "chunks", 64),
        (
            vec![8, 64, 64],
            Some(vec![16, 256, 256]),
            64 << 20,
            "shards",
            2,
        ),
    ];
    for (i, (chunks, shards, max_mem_bytes, noun, objects)) in cases.into_iter().enumerate() {
        let dst = dir.path().join(format!("dst{i}"));
        let t = targets(Some(chunks), shards, None, None);
        let budget = Budget {
            max_mem_bytes,
            threads: 2,
        };
        let opened = zlint::store::open(src.to_str().unwrap()).unwrap();
        let target = zlint::store::TargetStore::open(dst.to_str().unwrap()).unwrap();
        let found = scan(&opened, ScanOptions::default(), &NoProgress).unwrap();
        let plan = RechunkPlan::build(&found, dst.display().to_string(), &t, budget).unwrap();
        assert_eq!(plan.arrays[0].objects_after, objects);
        assert_eq!(plan.arrays[0].intermediate.is_some(), i == 0);
        let progress = Counting::default();
        rechunk::execute(
            &plan,
            &opened,
            &target,
            Existing::Refuse,
            &progress,
            &mut |_| Ok(true),
        )
        .unwrap();
        assert_eq!(*progress.phases.lock().unwrap(), [(noun, objects)]);
        assert_eq!(progress.counted.into_inner(), objects, "case {i}");

        let (a, b) = (opened, zlint::store::open(dst.to_str().unwrap()).unwrap());
        let sb = scan(&b, ScanOptions::default(), &NoProgress).unwrap();
        let progress = Counting::default();
        let report = rechunk::verify((&a, &found), (&b, &sb), 64 << 20, 2, &progress).unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        assert_eq!(*progress.phases.lock().unwrap(), [(noun, objects)]);
        assert_eq!(progress.counted.into_inner(), objects, "verify, case {i}");
    }
}

/// Asks the work to stop once `after` objects were counted.
struct StopAfter {
    after: u64,
    counted: std::sync::atomic::AtomicU64,
}

impl zlint::progress::Progress for StopAfter {
    fn begin(&self, _what: &str, _total: Option<u64>) {}
    fn advance(&self, _amount: u64) {}
    fn end(&self) {}
    fn counted(&self, amount: u64) {
        self.counted
            .fetch_add(amount, std::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.counted.load(std::sync::atomic::Ordering::Relaxed) >= self.after
    }
}

#[test]
fn a_cancelled_rechunk_stops_between_groups_leaves_no_metadata_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    // 4 MiB in 8 target chunks of 512 KiB: 4 write groups of two, one at a time (2 MiB, 1 thread).
    write_source(
        &src,
        Format::Zarr3,
        &[32, 256, 256],
        &[8, 64, 64],
        None,
        1,
        5,
    );
    let dst = dir.path().join("dst");
    let t = targets(Some(vec![16, 128, 128]), None, None, None);
    let budget = Budget {
        max_mem_bytes: 2 << 20,
        threads: 1,
    };
    let opened = zlint::store::open(src.to_str().unwrap()).unwrap();
    let target = zlint::store::TargetStore::open(dst.to_str().unwrap()).unwrap();
    let found = scan(&opened, ScanOptions::default(), &NoProgress).unwrap();
    let plan = RechunkPlan::build(&found, dst.display().to_string(), &t, budget).unwrap();
    assert_eq!(plan.arrays[0].write_groups.count, 4, "{plan:?}");

    let stop = StopAfter {
        after: 1,
        counted: 0.into(),
    };
    let run = |existing, progress: &dyn zlint::progress::Progress| {
        rechunk::execute(&plan, &opened, &target, existing, progress, &mut |_| {
            Ok(true)
        })
    };
    let err = run(Existing::Refuse, &stop).unwrap_err();
    assert!(matches!(err, zlint::Error::Interrupted(_)), "{err}");
    assert!(err.to_string().contains("interrupted"), "{err}");
    assert_eq!(err.location().as_deref(), Some(dst.to_str().unwrap()));
    // Stopped after the first group: not complete, resumable.
    assert!(!dst.join("zarr.json").exists());
    assert!(dst.join(rechunk::JOURNAL_DIR).exists());

    let summary = run(Existing::Resume, &NoProgress).unwrap();
    assert!(summary.groups_resumed >= 1, "{summary:?}");
    assert!(summary.groups_written >= 1, "{summary:?}");
    assert_eq!(read_all(&src), read_all(&dst));

    // A verification stops too.
    let b = zlint::store::open(dst.to_str().unwrap()).unwrap();
    let sb = scan(&b, ScanOptions::default(), &NoProgress).unwrap();
    let stop = StopAfter {
        after: 0,
        counted: 0.into(),
    };
    let err = rechunk::verify((&opened, &found), (&b, &sb), 64 << 20, 1, &stop).unwrap_err();
    assert!(matches!(err, zlint::Error::Interrupted(_)), "{err}");
}
