//! The rechunk plan: everything a rechunk will do, settled before any byte is written. It prints
//! as the `--dry-run` text ([`std::fmt::Display`]) and serialises as its JSON; the executor
//! carries it out and decides nothing.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::recommend::{LayoutRequest, recommend, reuse_layout};
use super::write_groups::{WriteGroups, peak_bytes, plan_write_groups};
use crate::error::{Error, Result};
use crate::layout::{Layout, axis_roles};
use crate::model::{ArrayInfo, ChunkKeyEncoding, Format, NodePath, Store, grid_count, product};
use crate::profile::{Access, Profile, Thresholds};
use crate::units::human_bytes;
use crate::units::{plural, shape_text};

/// A compressor chosen with `--codec`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "name")]
pub enum CodecChoice {
    /// No compression.
    None,
    /// Zstandard at a level.
    Zstd {
        /// Compression level.
        level: i32,
    },
    /// gzip at a level.
    Gzip {
        /// Compression level (0–9).
        level: u32,
    },
    /// Blosc with an inner compressor, level and shuffle.
    Blosc {
        /// `lz4`, `lz4hc`, `zstd`, `zlib`, `blosclz`.
        cname: String,
        /// Compression level (0–9).
        clevel: u32,
        /// `noshuffle`, `shuffle` or `bitshuffle`.
        shuffle: String,
    },
}

impl CodecChoice {
    /// Parses `none`, `zstd:3`, `gzip:6`, `blosc:zstd:5:shuffle` (level and shuffle optional).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the part that is not understood.
    pub fn parse(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split(':').collect();
        let number = |i: usize, default: i64| -> Result<i64> {
            parts.get(i).map_or(Ok(default), |p| {
                p.parse()
                    .map_err(|_| Error::Usage(format!("--codec {text}: `{p}` is not a level")))
            })
        };
        match parts[0] {
            "none" | "raw" => Ok(Self::None),
            "zstd" => Ok(Self::Zstd {
                level: i32::try_from(number(1, 3)?).unwrap_or(3),
            }),
            "gzip" => Ok(Self::Gzip {
                level: u32::try_from(number(1, 6)?.clamp(0, 9)).unwrap_or(6),
            }),
            "blosc" => {
                let cname = parts.get(1).copied().unwrap_or("zstd");
                if !["lz4", "lz4hc", "zstd", "zlib", "blosclz"].contains(&cname) {
                    return Err(Error::Usage(format!(
                        "--codec {text}: unknown Blosc compressor `{cname}`"
                    )));
                }
                let shuffle = parts.get(3).copied().unwrap_or("shuffle");
                if !["noshuffle", "shuffle", "bitshuffle"].contains(&shuffle) {
                    return Err(Error::Usage(format!(
                        "--codec {text}: unknown shuffle `{shuffle}`"
                    )));
                }
                Ok(Self::Blosc {
                    cname: cname.to_string(),
                    clevel: u32::try_from(number(2, 5)?.clamp(0, 9)).unwrap_or(5),
                    shuffle: shuffle.to_string(),
                })
            }
            other => Err(Error::Usage(format!(
                "--codec {text}: unknown codec `{other}` (none, zstd:L, gzip:L, blosc:CNAME:L:SHUFFLE)"
            ))),
        }
    }

    /// The Zarr v3 bytes-to-bytes codecs (none for `None`).
    fn zarr3_codecs(&self, item_size: u64) -> Vec<Value> {
        match self {
            Self::None => vec![],
            Self::Zstd { level } => {
                vec![json!({"name": "zstd", "configuration": {"level": level, "checksum": false}})]
            }
            Self::Gzip { level } => {
                vec![json!({"name": "gzip", "configuration": {"level": level}})]
            }
            Self::Blosc {
                cname,
                clevel,
                shuffle,
            } => vec![json!({"name": "blosc", "configuration": {
                "cname": cname, "clevel": clevel, "shuffle": shuffle,
                "typesize": item_size, "blocksize": 0}})],
        }
    }

    /// The N5 `compression` object.
    fn n5_compression(&self) -> Value {
        match self {
            Self::None => json!({"type": "raw"}),
            Self::Zstd { level } => json!({"type": "zstd", "level": level}),
            Self::Gzip { level } => json!({"type": "gzip", "level": level, "useZlib": false}),
            Self::Blosc {
                cname,
                clevel,
                shuffle,
            } => json!({"type": "blosc", "cname": cname,
                "clevel": clevel, "shuffle": blosc_shuffle_number(shuffle), "blocksize": 0}),
        }
    }

    /// The Zarr v2 `compressor` (null for `None`).
    fn zarr2_compressor(&self) -> Value {
        match self {
            Self::None => Value::Null,
            Self::Zstd { level } => json!({"id": "zstd", "level": level}),
            Self::Gzip { level } => json!({"id": "gzip", "level": level}),
            Self::Blosc {
                cname,
                clevel,
                shuffle,
            } => json!({"id": "blosc", "cname": cname,
                "clevel": clevel, "shuffle": blosc_shuffle_number(shuffle), "blocksize": 0}),
        }
    }
}

fn blosc_shuffle_number(shuffle: &str) -> u8 {
    match shuffle {
        "noshuffle" => 0,
        "bitshuffle" => 2,
        _ => 1,
    }
}

/// A layout asked for one array (`PATH=...`) or all (`...`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShapeRequests {
    /// The shape for every array without its own.
    pub all: Option<Vec<u64>>,
    /// Per-array shapes.
    pub by_path: Vec<(NodePath, Vec<u64>)>,
}

impl ShapeRequests {
    /// Parses `--chunks` values: `64,256,256` or `PATH=64,256,256`.
    ///
    /// # Errors
    /// [`Error::Usage`] for anything else.
    pub fn parse(flag: &str, values: &[String]) -> Result<Self> {
        let mut requests = Self::default();
        for value in values {
            let (path, numbers) = match value.split_once('=') {
                Some((path, numbers)) => (Some(NodePath::new(path)), numbers),
                None => (None, value.as_str()),
            };
            let shape: Vec<u64> = numbers
                .split(',')
                .map(|n| n.trim().parse::<u64>().ok().filter(|&n| n > 0))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{flag} {value}: expected positive integers separated by commas"
                    ))
                })?;
            match path {
                Some(path) => requests.by_path.push((path, shape)),
                None => requests.all = Some(shape),
            }
        }
        Ok(requests)
    }

    fn get(&self, path: &NodePath) -> Option<&Vec<u64>> {
        self.by_path
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, s)| s)
            .or(self.all.as_ref())
    }
}

/// What the rechunk should produce.
#[derive(Clone, Debug)]
pub struct Targets {
    /// `--chunks`.
    pub chunks: ShapeRequests,
    /// `--shards`.
    pub shards: ShapeRequests,
    /// `--auto`: the linter's recommended layout.
    pub auto: bool,
    /// Profile for `--auto`.
    pub profile: Profile,
    /// Access pattern for `--auto`.
    pub access: Access,
    /// Output format (default: the source's).
    pub format: Option<Format>,
    /// Compressor (default: the source's).
    pub codec: Option<CodecChoice>,
    /// Whether an array whose write groups cannot align with both grids within the budget may
    /// go through an intermediate array in two passes (not for runs split into parts, whose
    /// parts cannot wait for each other between passes).
    pub two_pass: bool,
}

/// Memory and threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Peak memory for data in flight.
    pub max_mem_bytes: u64,
    /// Worker threads.
    pub threads: usize,
}

/// One array's part of the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArrayPlan {
    /// Path inside both stores.
    pub path: NodePath,
    /// Shape.
    pub shape: Vec<u64>,
    /// Zarr v3 data type name.
    pub dtype: String,
    /// Bytes per element.
    pub item_size: u64,
    /// Source format.
    pub source_format: Format,
    /// Source read unit.
    pub source_chunks: Vec<u64>,
    /// Source shards.
    pub source_shards: Option<Vec<u64>>,
    /// Target format.
    pub target_format: Format,
    /// Target layout.
    pub target: Layout,
    /// The metadata document(s) written last: file name → JSON.
    pub target_metadata: Vec<(String, Value)>,
    /// Write groups.
    pub write_groups: WriteGroups,
    /// Groups processed at once.
    pub concurrent_groups: u64,
    /// Peak memory of the data in flight.
    pub peak_memory_bytes: u64,
    /// Uncompressed bytes decoded from the source (with amplification).
    pub bytes_read: u64,
    /// Uncompressed bytes encoded into the target.
    pub bytes_written: u64,
    /// Stored objects of the source grid.
    pub objects_before: u64,
    /// Stored objects of the target grid.
    pub objects_after: u64,
    /// How the source's chunk keys are spelled.
    pub source_key_encoding: ChunkKeyEncoding,
    /// How the target's chunk keys are spelled.
    pub target_key_encoding: ChunkKeyEncoding,
    /// Whether encoded chunks are copied as they are (only their keys change, or they are packed
    /// into shards): same chunk shape, and chunks that decode the same way in the target.
    pub repack: bool,
    /// A first pass into an intermediate array, when groups aligned to both the source and the
    /// target grid do not fit the budget but groups aligned to each side of an intermediate grid
    /// do: each chunk is then decoded once per pass instead of many times in one. `write_groups`
    /// are then the second pass's (intermediate to target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intermediate: Option<IntermediatePass>,
}

/// The first pass of a two-pass rechunk: source to an intermediate array kept in the output's
/// journal, removed once the second pass has read it. On a local disk its chunks are stored
/// raw: the operating system's page cache absorbs them, and compressing and decompressing every
/// byte twice would cost more CPU time than the writes it saves. In an object store, where each
/// byte crosses the network twice, they are compressed with fast Blosc LZ4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntermediatePass {
    /// The intermediate chunk shape: per axis the smaller of the source chunk and the target
    /// object, so that it aligns with both.
    pub chunks: Vec<u64>,
    /// Write groups of the first pass.
    pub write_groups: WriteGroups,
    /// The intermediate array's `zarr.json`.
    pub metadata: Value,
}

impl ArrayPlan {
    /// Peak memory of the data in flight on `threads` threads: the larger of the two passes'
    /// peaks when there are two (see [`peak_bytes`]).
    #[must_use]
    pub fn peak_memory(&self, threads: u64) -> u64 {
        let object = self.target.object();
        let read_unit = self
            .intermediate
            .as_ref()
            .map_or(&self.source_chunks, |pass| &pass.chunks);
        let last = peak_bytes(
            &self.write_groups.group_shape,
            self.item_size,
            read_unit,
            object,
            self.concurrent_groups,
            threads,
        );
        self.intermediate.as_ref().map_or(last, |pass| {
            last.max(peak_bytes(
                &pass.write_groups.group_shape,
                self.item_size,
                &self.source_chunks,
                &pass.chunks,
                pass.write_groups.in_flight,
                threads,
            ))
        })
    }
}

impl IntermediatePass {
    /// Whether the intermediate chunks are compressed rather than stored raw.
    #[must_use]
    pub fn compressed(&self) -> bool {
        self.metadata["codecs"]
            .as_array()
            .is_some_and(|codecs| codecs.iter().any(|c| c["name"] != "bytes"))
    }
}

/// A group to recreate in the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupPlan {
    /// Path inside both stores.
    pub path: NodePath,
    /// The metadata document(s): file name → JSON.
    pub metadata: Vec<(String, Value)>,
}

/// The whole plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RechunkPlan {
    /// Source location.
    pub source: String,
    /// Target location (a directory or an object store URL).
    pub target: String,
    /// Memory and threads.
    pub budget: Budget,
    /// Arrays, sorted by path.
    pub arrays: Vec<ArrayPlan>,
    /// Groups, sorted by path.
    pub groups: Vec<GroupPlan>,
}

/// What the source's metadata says in Zarr v3 terms (read through zarrs), for target documents.
#[derive(Clone, Debug)]
pub struct SourceMetadata {
    /// The Zarr v3 form of the array metadata (converted from v2 where needed).
    pub v3: Value,
    /// The raw Zarr v2 `.zarray` document, for Zarr v2 sources.
    pub v2: Option<Value>,
    /// The N5 `compression` object, for N5 sources.
    pub n5_compression: Option<Value>,
}

impl RechunkPlan {
    /// Builds the plan for every array and group of `store`. `source_metadata` gives each
    /// array's metadata as zarrs reads it (see [`crate::rechunk::source_metadata`]).
    ///
    /// # Errors
    /// [`Error::Usage`] when a requested layout does not fit an array or the format, or the
    /// budget cannot hold one target object; [`Error::Rechunk`] for unreadable source metadata.
    pub fn build(
        store: &Store,
        target: String,
        targets: &Targets,
        budget: Budget,
        source_metadata: &dyn Fn(&ArrayInfo) -> Result<SourceMetadata>,
    ) -> Result<Self> {
        if !store.errors.is_empty() {
            let first = &store.errors[0];
            return Err(Error::Rechunk {
                location: first.location.clone(),
                message: format!("the source has unreadable nodes: {}", first.message),
            });
        }
        let thresholds = Thresholds::for_profile(targets.profile);
        let mut chosen = Vec::new();
        let mut auto_layouts: Vec<(NodePath, Layout)> = Vec::new();
        for array in &store.arrays {
            let layout = target_layout(store, array, targets, &thresholds, &auto_layouts)?;
            if targets.auto {
                auto_layouts.push((array.path.clone(), layout.clone()));
            }
            let meta = source_metadata(array)?;
            chosen.push((array, layout, meta));
        }
        // Threads are at most the budget's, and fewer when --max-mem cannot hold the chunks that
        // many threads decode at once, for some array.
        let fits = |threads: usize| {
            chosen.iter().all(|(array, layout, _)| {
                array.item_size().is_none_or(|item_size| {
                    plan_write_groups(
                        &array.shape,
                        item_size,
                        &array.chunk_shape,
                        layout.object(),
                        budget.max_mem_bytes,
                        threads as u64,
                    )
                    .is_some()
                })
            })
        };
        let budget = Budget {
            threads: (1..=budget.threads.max(1))
                .rev()
                .find(|&threads| fits(threads))
                .unwrap_or(1),
            ..budget
        };
        let remote = crate::store::is_url(&target);
        let arrays = chosen
            .into_iter()
            .map(|(array, layout, meta)| plan_array(array, layout, targets, budget, &meta, remote))
            .collect::<Result<Vec<_>>>()?;
        let target_format = |f: Format| targets.format.unwrap_or(f);
        let mut groups: Vec<GroupPlan> = store
            .groups
            .iter()
            .map(|g| GroupPlan {
                path: g.path.clone(),
                metadata: group_metadata(target_format(g.format), &g.attributes, g.path.is_root()),
            })
            .collect();
        // Zarr v2 readers find arrays only below explicit groups: give implicit parents one.
        if store.groups.is_empty() && store.arrays.iter().any(|a| !a.path.is_root()) {
            let format = arrays.first().map_or(Format::Zarr3, |a| a.target_format);
            groups.push(GroupPlan {
                path: NodePath::root(),
                metadata: group_metadata(format, &Map::new(), true),
            });
        }
        Ok(Self {
            source: store.location.clone(),
            target,
            budget,
            arrays,
            groups,
        })
    }

    /// The most threads, up to `threads`, on which every array's planned groups stay within the
    /// budget's memory (at least one): for a run of a plan made elsewhere, on another machine.
    #[must_use]
    pub fn threads_within_budget(&self, threads: usize) -> usize {
        (1..=threads.max(1))
            .rev()
            .find(|&t| {
                self.arrays
                    .iter()
                    .all(|a| a.peak_memory(t as u64) <= self.budget.max_mem_bytes)
            })
            .unwrap_or(1)
    }

    /// Total uncompressed bytes written.
    #[must_use]
    pub fn bytes_written(&self) -> u64 {
        self.arrays.iter().map(|a| a.bytes_written).sum()
    }
}

fn target_layout(
    store: &Store,
    array: &ArrayInfo,
    targets: &Targets,
    thresholds: &Thresholds,
    earlier: &[(NodePath, Layout)],
) -> Result<Layout> {
    let ndim = array.shape.len();
    let check = |what: &str, shape: &Vec<u64>| -> Result<()> {
        if shape.len() == ndim {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "{what} {} has {} dimensions but `{}` has {ndim}",
                shape_text(shape),
                shape.len(),
                array.path
            )))
        }
    };
    let requested_chunks = targets.chunks.get(&array.path);
    let requested_shards = targets.shards.get(&array.path);
    let mut layout = if let Some(chunks) = requested_chunks {
        check("--chunks", chunks)?;
        Layout {
            chunks: chunks.clone(),
            shards: None,
        }
    } else if targets.auto {
        auto_layout(store, array, targets, thresholds, earlier)
    } else {
        Layout {
            chunks: array.chunk_shape.clone(),
            shards: array.shard_shape.clone(),
        }
    };
    if let Some(shards) = requested_shards {
        check("--shards", shards)?;
        layout.shards = Some(shards.clone());
    } else if requested_chunks.is_some() {
        // Asking for chunks alone means unsharded chunks of that shape, never silently the old
        // shards around them.
        layout.shards = None;
    }
    let format = targets.format.unwrap_or(array.format);
    // Shards kept from the source give way to their inner chunks in a format that cannot shard.
    if format != Format::Zarr3 && requested_shards.is_none() && !targets.auto {
        layout.shards = None;
    }
    if let Some(shards) = &layout.shards {
        if format != Format::Zarr3 {
            return Err(Error::Usage(format!(
                "`{}`: shards need Zarr v3 output (--format zarr3), not {format}",
                array.path
            )));
        }
        let whole = shards
            .iter()
            .zip(&layout.chunks)
            .all(|(s, c)| s.is_multiple_of(*c));
        if !whole {
            return Err(Error::Usage(format!(
                "`{}`: shards {} are not whole multiples of chunks {}",
                array.path,
                shape_text(shards),
                shape_text(&layout.chunks)
            )));
        }
    }
    Ok(layout)
}

fn auto_layout(
    store: &Store,
    array: &ArrayInfo,
    targets: &Targets,
    thresholds: &Thresholds,
    earlier: &[(NodePath, Layout)],
) -> Layout {
    let roles = axis_roles(array);
    let format = targets.format.unwrap_or(array.format);
    let Some(mut request) =
        LayoutRequest::for_array(array, &roles, targets.profile, targets.access, thresholds)
    else {
        return Layout {
            chunks: array.chunk_shape.clone(),
            shards: array.shard_shape.clone(),
        };
    };
    request.format = format;
    // Levels of one pyramid share one chunk shape: reuse an earlier level's if it suits.
    if let Some(multiscale) = store.multiscale_of(&array.path) {
        let earlier_levels = earlier
            .iter()
            .filter(|(path, _)| multiscale.levels.iter().any(|l| &l.path == path))
            .map(|(_, layout)| layout);
        if let Some(layout) = reuse_layout(&request, earlier_levels) {
            return layout;
        }
    }
    recommend(&request)
}

fn plan_array(
    array: &ArrayInfo,
    target: Layout,
    targets: &Targets,
    budget: Budget,
    meta: &SourceMetadata,
    remote: bool,
) -> Result<ArrayPlan> {
    let item_size = array.item_size().ok_or_else(|| Error::Rechunk {
        location: array.path.to_string(),
        message: format!(
            "data type `{}` has no fixed size; zlint rechunks fixed-size types only",
            array.dtype.name
        ),
    })?;
    let target_format = targets.format.unwrap_or(array.format);
    let target_metadata =
        array_metadata(array, &target, target_format, targets.codec.as_ref(), meta)?;
    let object = target.object().to_vec();
    let threads = budget.threads.max(1) as u64;
    let write_groups = plan_write_groups(
        &array.shape,
        item_size,
        &array.chunk_shape,
        &object,
        budget.max_mem_bytes,
        threads,
    )
    .ok_or_else(|| {
        let needed = peak_bytes(&object, item_size, &array.chunk_shape, &object, 1, threads);
        Error::Usage(format!(
            "`{}`: --max-mem {} cannot hold one target object of {} with the source chunks \
             decoded for it ({} on {})",
            array.path,
            human_bytes(budget.max_mem_bytes),
            human_bytes(product(&object) * item_size),
            human_bytes(needed),
            plural(threads as usize, "thread")
        ))
    })?;
    let intermediate = if write_groups.aligned || !targets.two_pass {
        None
    } else {
        intermediate_pass(array, &object, item_size, budget, meta, remote)
    };
    let write_groups = match &intermediate {
        Some(pass) => plan_write_groups(
            &array.shape,
            item_size,
            &pass.chunks,
            &object,
            budget.max_mem_bytes,
            threads,
        )
        .unwrap_or(write_groups),
        None => write_groups,
    };
    let concurrent_groups = write_groups.in_flight;
    let size = product(&array.shape) * item_size;
    let source_doc = meta.v2.as_ref().unwrap_or(&meta.v3);
    let repack = targets.codec.is_none()
        && array.shard_shape.is_none()
        && target.chunks == array.chunk_shape
        && array.format != Format::N5
        && target_format != Format::N5
        && target_metadata.first().is_some_and(|(_, doc)| {
            let source_form = decode_form(array.format.as_str(), source_doc);
            source_form.is_some() && source_form == decode_form(target_format.as_str(), doc)
        });
    let target_key_encoding = match target_format {
        Format::Zarr3 => ChunkKeyEncoding::Default { separator: '/' },
        Format::Zarr2 => ChunkKeyEncoding::V2 { separator: '/' },
        Format::N5 => ChunkKeyEncoding::N5,
    };
    let mut plan = ArrayPlan {
        path: array.path.clone(),
        shape: array.shape.clone(),
        dtype: array.dtype.name.clone(),
        item_size,
        source_format: array.format,
        source_chunks: array.chunk_shape.clone(),
        source_shards: array.shard_shape.clone(),
        target_format,
        peak_memory_bytes: 0,
        bytes_read: if intermediate.is_some() {
            2 * size
        } else {
            (size as f64 * write_groups.read_amplification) as u64
        },
        bytes_written: size,
        objects_before: array.object_count(),
        objects_after: grid_count(&array.shape, &object),
        source_key_encoding: array.chunk_key_encoding.clone(),
        target_key_encoding,
        repack,
        intermediate: if repack { None } else { intermediate },
        target,
        target_metadata,
        write_groups,
        concurrent_groups,
    };
    plan.peak_memory_bytes = plan.peak_memory(threads);
    Ok(plan)
}

/// The size intermediate chunks grow to (when both passes allow it).
const INTERMEDIATE_CHUNK_BYTES: u64 = 1 << 20;

/// The first pass through an intermediate grid, when groups aligned to source and intermediate,
/// and to intermediate and target, both fit the budget (see [`IntermediatePass`]); compressed
/// when the target is `remote` (an object store).
fn intermediate_pass(
    array: &ArrayInfo,
    object: &[u64],
    item_size: u64,
    budget: Budget,
    meta: &SourceMetadata,
    remote: bool,
) -> Option<IntermediatePass> {
    let threads = budget.threads.max(1) as u64;
    let plan = |from: &[u64], to: &[u64]| {
        plan_write_groups(
            &array.shape,
            item_size,
            from,
            to,
            budget.max_mem_bytes,
            threads,
        )
        .filter(|g| g.aligned)
    };
    let fits = |chunks: &[u64]| {
        plan(&array.chunk_shape, chunks).is_some() && plan(chunks, object).is_some()
    };
    let mut chunks: Vec<u64> = array
        .chunk_shape
        .iter()
        .zip(object)
        .map(|(s, t)| (*s).min(*t).max(1))
        .collect();
    if !fits(&chunks) {
        return None;
    }
    // Fewer, larger intermediate objects cost less to write and read: double an axis while the
    // chunk stays a divisor of the larger of source chunk and target object, under
    // INTERMEDIATE_CHUNK_BYTES, and both passes still fit.
    for axis in 0..chunks.len() {
        let limit = array.chunk_shape[axis].max(object[axis]);
        loop {
            let mut bigger = chunks.clone();
            bigger[axis] *= 2;
            if bigger[axis] > limit
                || !limit.is_multiple_of(bigger[axis])
                || product(&bigger) * item_size > INTERMEDIATE_CHUNK_BYTES
                || !fits(&bigger)
            {
                break;
            }
            chunks = bigger;
        }
    }
    let first = plan(&array.chunk_shape, &chunks)?;
    let mut codecs = vec![json!({"name": "bytes", "configuration": {"endian": "little"}})];
    if remote {
        codecs.push(
            json!({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 1,
            "shuffle": if item_size > 1 { "shuffle" } else { "noshuffle" },
            "typesize": item_size, "blocksize": 0}}),
        );
    }
    let metadata = json!({
        "zarr_format": 3, "node_type": "array", "shape": array.shape,
        "data_type": meta.v3["data_type"], "fill_value": meta.v3["fill_value"],
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": codecs
    });
    Some(IntermediatePass {
        chunks,
        write_groups: first,
        metadata,
    })
}

/// The group metadata documents of `format`.
fn group_metadata(
    format: Format,
    attributes: &Map<String, Value>,
    root: bool,
) -> Vec<(String, Value)> {
    match format {
        Format::Zarr3 => vec![(
            "zarr.json".into(),
            json!({"zarr_format": 3, "node_type": "group", "attributes": attributes}),
        )],
        Format::Zarr2 => {
            let mut docs = vec![(".zgroup".into(), json!({"zarr_format": 2}))];
            if !attributes.is_empty() {
                docs.push((".zattrs".into(), Value::Object(attributes.clone())));
            }
            docs
        }
        Format::N5 => vec![("attributes.json".into(), {
            // The N5 version marks the container's root.
            let mut attrs = attributes.clone();
            if root {
                attrs
                    .entry("n5".to_string())
                    .or_insert_with(|| json!("4.0.0"));
            }
            Value::Object(attrs)
        })],
    }
}

/// The array metadata documents for the target.
fn array_metadata(
    array: &ArrayInfo,
    target: &Layout,
    format: Format,
    codec: Option<&CodecChoice>,
    meta: &SourceMetadata,
) -> Result<Vec<(String, Value)>> {
    let unsupported = |message: String| Error::Rechunk {
        location: array.path.to_string(),
        message,
    };
    let item_size = array.item_size().unwrap_or(1);
    match format {
        Format::Zarr3 => {
            let v3 = meta
                .v3
                .as_object()
                .ok_or_else(|| unsupported("metadata is not an object".into()))?;
            // The codecs applied to each read unit: the inner codecs of a sharded source.
            let inner = read_unit_codecs(&meta.v3);
            let inner = match codec {
                Some(choice) => {
                    let mut kept: Vec<Value> = inner
                        .into_iter()
                        .filter(|c| is_array_to_array(c) || is_array_to_bytes(c))
                        .collect();
                    if !kept.iter().any(is_array_to_bytes) {
                        kept.push(json!({"name": "bytes", "configuration": {"endian": "little"}}));
                    }
                    kept.extend(choice.zarr3_codecs(item_size));
                    kept
                }
                None => inner,
            };
            let codecs = match &target.shards {
                Some(_) => vec![json!({"name": "sharding_indexed", "configuration": {
                    "chunk_shape": target.chunks,
                    "codecs": inner,
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                     {"name": "crc32c"}],
                    "index_location": "end"}})],
                None => inner,
            };
            let grid = target.object();
            let mut doc = Map::new();
            doc.insert("zarr_format".into(), json!(3));
            doc.insert("node_type".into(), json!("array"));
            doc.insert("shape".into(), json!(array.shape));
            doc.insert(
                "data_type".into(),
                v3.get("data_type").cloned().unwrap_or(Value::Null),
            );
            doc.insert(
                "chunk_grid".into(),
                json!({"name": "regular", "configuration": {"chunk_shape": grid}}),
            );
            doc.insert(
                "chunk_key_encoding".into(),
                json!({"name": "default", "configuration": {"separator": "/"}}),
            );
            doc.insert(
                "fill_value".into(),
                v3.get("fill_value").cloned().unwrap_or(Value::Null),
            );
            doc.insert("codecs".into(), Value::Array(codecs));
            doc.insert("attributes".into(), Value::Object(array.attributes.clone()));
            let names = array.dimension_names.clone().filter(|_| {
                array.format == Format::Zarr3 || array.attributes.get("_ARRAY_DIMENSIONS").is_some()
            });
            if let Some(names) = names {
                doc.insert("dimension_names".into(), json!(names));
            }
            Ok(vec![("zarr.json".into(), Value::Object(doc))])
        }
        Format::Zarr2 => {
            let mut doc = match &meta.v2 {
                Some(v2) => v2.as_object().cloned().unwrap_or_default(),
                None => zarr2_from_v3(&meta.v3, array).map_err(unsupported)?,
            };
            doc.insert("chunks".into(), json!(target.chunks));
            doc.insert("dimension_separator".into(), json!("/"));
            doc.remove("node_type");
            if let Some(choice) = codec {
                doc.insert("compressor".into(), choice.zarr2_compressor());
            }
            let mut docs = vec![(".zarray".into(), Value::Object(doc))];
            if !array.attributes.is_empty() {
                docs.push((".zattrs".into(), Value::Object(array.attributes.clone())));
            }
            Ok(docs)
        }
        Format::N5 => {
            let data_type = crate::store::n5::n5_data_type(&array.dtype.name).ok_or_else(|| {
                unsupported(format!(
                    "data type `{}` has no N5 equivalent",
                    array.dtype.name
                ))
            })?;
            let fill = &meta.v3["fill_value"];
            let zero = fill.as_f64() == Some(0.0) || fill.is_null();
            if !zero {
                return Err(unsupported(format!(
                    "fill value {fill}: N5 has none (absent blocks read as 0), so only arrays with fill value 0 can become N5"
                )));
            }
            let compression = match (codec, &meta.n5_compression) {
                (Some(choice), _) => choice.n5_compression(),
                (None, Some(source)) => source.clone(),
                (None, None) => n5_from_v3(&meta.v3).map_err(unsupported)?,
            };
            let mut attributes = array.attributes.clone();
            if array.path.is_root() {
                // The container's root carries the N5 version, even when it is the dataset.
                attributes
                    .entry("n5".to_string())
                    .or_insert_with(|| json!("4.0.0"));
            }
            Ok(vec![(
                "attributes.json".into(),
                crate::store::n5::N5Array::attributes(
                    &array.shape,
                    &target.chunks,
                    data_type,
                    &compression,
                    &attributes,
                ),
            )])
        }
    }
}

/// The N5 compression equivalent to a Zarr v3 source's codecs (the inner codecs when sharded).
fn n5_from_v3(v3: &Value) -> std::result::Result<Value, String> {
    let codecs = read_unit_codecs(v3);
    let mut compression = json!({"type": "raw"});
    for codec in &codecs {
        let cfg = &codec["configuration"];
        match codec["name"].as_str() {
            Some("bytes" | "crc32c") => {}
            Some("zstd") => compression = json!({"type": "zstd", "level": cfg["level"]}),
            Some("gzip") => {
                compression = json!({"type": "gzip", "level": cfg["level"], "useZlib": false})
            }
            Some("blosc") => {
                compression = json!({"type": "blosc", "cname": cfg["cname"], "clevel": cfg["clevel"],
                    "shuffle": blosc_shuffle_number(cfg["shuffle"].as_str().unwrap_or("shuffle")),
                    "blocksize": cfg["blocksize"].as_u64().unwrap_or(0)});
            }
            Some(other) => {
                return Err(format!(
                    "codec `{other}` has no N5 equivalent here; use --codec"
                ));
            }
            None => {}
        }
    }
    Ok(compression)
}

/// The codecs applied to each read unit, in object form: the inner codecs of a sharded array.
fn read_unit_codecs(v3: &Value) -> Vec<Value> {
    let outer = object_form(v3["codecs"].as_array().map_or(&[][..], Vec::as_slice));
    match outer.iter().find(|c| c["name"] == "sharding_indexed") {
        Some(sharding) => object_form(
            sharding["configuration"]["codecs"]
                .as_array()
                .map_or(&[][..], Vec::as_slice),
        ),
        None => outer,
    }
}

/// Codecs in the object form (`{"name": "bytes"}`), which every reader accepts; zarrs writes
/// configuration-less codecs as bare names, which zarr-python 3.1 refuses.
fn object_form(codecs: &[Value]) -> Vec<Value> {
    codecs
        .iter()
        .map(|codec| match codec {
            Value::String(name) => json!({"name": name}),
            other => other.clone(),
        })
        .collect()
}

fn is_array_to_array(codec: &Value) -> bool {
    codec["name"] == "transpose"
}

fn is_array_to_bytes(codec: &Value) -> bool {
    matches!(
        codec["name"].as_str(),
        Some("bytes" | "vlen-utf8" | "vlen-bytes" | "packbits")
    )
}

/// A Zarr v2 `.zarray` for a Zarr v3 source whose codecs Zarr v2 can express.
fn zarr2_from_v3(v3: &Value, array: &ArrayInfo) -> std::result::Result<Map<String, Value>, String> {
    let item = array.item_size().unwrap_or(1);
    let kind = match array.dtype.name.as_str() {
        "bool" => "b".to_string(),
        name if name.starts_with("uint") => "u".to_string(),
        name if name.starts_with("int") => "i".to_string(),
        name if name.starts_with("float") => "f".to_string(),
        name if name.starts_with("complex") => "c".to_string(),
        other => {
            return Err(format!(
                "data type `{other}` has no Zarr v2 equivalent here"
            ));
        }
    };
    let mut endian = "<";
    let mut compressor = Value::Null;
    // A sharded source: the codecs that matter are those of each inner chunk.
    let codecs = read_unit_codecs(v3);
    for codec in &codecs {
        let cfg = &codec["configuration"];
        match codec["name"].as_str() {
            Some("bytes") if cfg["endian"] == "big" => {
                endian = ">";
            }
            Some("zstd") => compressor = json!({"id": "zstd", "level": cfg["level"]}),
            Some("gzip") => compressor = json!({"id": "gzip", "level": cfg["level"]}),
            Some("blosc") => {
                compressor = json!({"id": "blosc", "cname": cfg["cname"], "clevel": cfg["clevel"],
                    "shuffle": blosc_shuffle_number(cfg["shuffle"].as_str().unwrap_or("shuffle")),
                    "blocksize": cfg["blocksize"].as_u64().unwrap_or(0)})
            }
            // Little-endian bytes is the Zarr v2 default; checksums have no v2 form and are dropped.
            Some("bytes" | "crc32c") => {}
            Some(other) => {
                return Err(format!(
                    "codec `{other}` has no Zarr v2 equivalent here; use --codec"
                ));
            }
            None => {}
        }
    }
    let typestr = if item == 1 && kind != "c" {
        format!("|{kind}1")
    } else {
        format!("{endian}{kind}{item}")
    };
    let mut doc = Map::new();
    doc.insert("zarr_format".into(), json!(2));
    doc.insert("shape".into(), json!(array.shape));
    doc.insert("chunks".into(), json!(array.chunk_shape));
    doc.insert("dtype".into(), json!(typestr));
    doc.insert("compressor".into(), compressor);
    doc.insert("fill_value".into(), v3["fill_value"].clone());
    doc.insert("order".into(), json!("C"));
    doc.insert("filters".into(), Value::Null);
    Ok(doc)
}

/// How one chunk's bytes are decoded, without the parameters that only matter when encoding
/// (levels, Blosc settings): two arrays with the same form can exchange encoded chunks.
/// `None` when zlint does not repack that encoding (filters, big-endian or Fortran-order data).
#[must_use]
fn decode_form(format: &str, doc: &Value) -> Option<Vec<String>> {
    match format {
        "zarr3" => {
            let codecs = doc.get("codecs")?.as_array()?;
            let sharded = codecs
                .iter()
                .any(|c| c.get("name").and_then(Value::as_str) == Some("sharding_indexed"));
            let codecs = if sharded {
                codecs
                    .first()?
                    .get("configuration")?
                    .get("codecs")?
                    .as_array()?
            } else {
                codecs
            };
            codecs
                .iter()
                .map(|codec| {
                    let (name, cfg) = match codec {
                        Value::String(name) => (name.as_str(), None),
                        other => (other.get("name")?.as_str()?, other.get("configuration")),
                    };
                    Some(match name {
                        "bytes" => {
                            let endian = cfg
                                .and_then(|c| c.get("endian"))
                                .and_then(Value::as_str)
                                .unwrap_or("little");
                            if endian != "little" {
                                return None;
                            }
                            "bytes".to_string()
                        }
                        "transpose" => return None,
                        other => other.to_string(),
                    })
                })
                .collect()
        }
        "zarr2" => {
            let filters = doc.get("filters");
            if filters.is_some_and(|f| !f.is_null() && f.as_array().is_none_or(|a| !a.is_empty())) {
                return None;
            }
            if doc.get("order").and_then(Value::as_str) != Some("C") {
                return None;
            }
            if doc
                .get("dtype")
                .and_then(Value::as_str)
                .is_none_or(|d| d.starts_with('>'))
            {
                return None;
            }
            let mut form = vec!["bytes".to_string()];
            match doc.get("compressor") {
                None | Some(Value::Null) => {}
                Some(compressor) => form.push(compressor.get("id")?.as_str()?.to_string()),
            }
            Some(form)
        }
        _ => None,
    }
}

impl fmt::Display for RechunkPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "rechunk {} -> {} ({}, {}; --max-mem {}, {})",
            self.source,
            self.target,
            plural(self.arrays.len(), "array"),
            plural(self.groups.len(), "group"),
            human_bytes(self.budget.max_mem_bytes),
            plural(self.budget.threads, "thread")
        )?;
        for a in &self.arrays {
            let name = if a.path.is_root() {
                "/".to_string()
            } else {
                a.path.to_string()
            };
            let shards = |s: &Option<Vec<u64>>| {
                s.as_ref()
                    .map(|s| format!(" in shards {}", shape_text(s)))
                    .unwrap_or_default()
            };
            writeln!(
                f,
                "\n{name}: {} {} {}",
                shape_text(&a.shape),
                a.dtype,
                human_bytes(a.bytes_written)
            )?;
            writeln!(
                f,
                "  source  {} chunks {}{} ({})",
                a.source_format,
                shape_text(&a.source_chunks),
                shards(&a.source_shards),
                plural(a.objects_before as usize, "object")
            )?;
            writeln!(
                f,
                "  target  {} chunks {}{} ({})",
                a.target_format,
                shape_text(&a.target.chunks),
                shards(&a.target.shards),
                plural(a.objects_after as usize, "object")
            )?;
            let g = &a.write_groups;
            writeln!(
                f,
                "  write groups  {} of {} ({}), {} at once, peak memory {}",
                g.count,
                shape_text(&g.group_shape),
                human_bytes(g.group_bytes),
                a.concurrent_groups,
                human_bytes(a.peak_memory_bytes)
            )?;
            write!(
                f,
                "  read {} (amplification {:.2}), write {}",
                human_bytes(a.bytes_read),
                g.read_amplification,
                human_bytes(a.bytes_written)
            )?;
            if let Some(pass) = &a.intermediate {
                writeln!(
                    f,
                    "; in two passes through {} intermediate chunks {} ({} groups of {} first), each chunk decoded once per pass",
                    if pass.compressed() { "LZ4" } else { "raw" },
                    shape_text(&pass.chunks),
                    pass.write_groups.count,
                    shape_text(&pass.write_groups.group_shape)
                )?;
            } else if a.repack {
                writeln!(
                    f,
                    "; encoded chunks copied as they are (no decoding or encoding)"
                )?;
            } else if g.aligned {
                writeln!(f, "; each source chunk decoded once")?;
            } else {
                writeln!(
                    f,
                    "; groups aligned to both grids do not fit --max-mem, so source chunks straddling target objects are decoded {:.2}× on average",
                    g.read_amplification
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_forms_ignore_levels_but_not_codecs_filters_or_byte_order() {
        let v2 = json!({"compressor": {"id": "blosc", "clevel": 5}, "filters": null, "order": "C", "dtype": "<u2"});
        let v3 = json!({"codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                   {"name": "blosc", "configuration": {"clevel": 9}}]});
        assert_eq!(decode_form("zarr2", &v2), decode_form("zarr3", &v3));
        let sharded = json!({"codecs": [{"name": "sharding_indexed", "configuration": {"codecs": ["bytes", {"name": "blosc"}]}}]});
        assert_eq!(decode_form("zarr3", &sharded), decode_form("zarr3", &v3));
        let filtered =
            json!({"compressor": null, "filters": [{"id": "delta"}], "order": "C", "dtype": "<u2"});
        assert_eq!(decode_form("zarr2", &filtered), None);
        let big = json!({"compressor": null, "filters": null, "order": "C", "dtype": ">u2"});
        assert_eq!(decode_form("zarr2", &big), None);
        let gzip = json!({"codecs": ["bytes", {"name": "gzip"}]});
        assert_ne!(decode_form("zarr3", &gzip), decode_form("zarr3", &v3));
    }
}
