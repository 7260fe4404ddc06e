//! The rechunk plan: everything a rechunk will do, settled before any byte is written. It prints
//! as the `--dry-run` text ([`std::fmt::Display`]) and serialises as its JSON; the executor
//! carries it out and decides nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::carried_arrays::{CarriedArray, Prepared, named_arrays, prepare};
use super::group_plans::group_plans;
use super::intermediate::intermediate_pass;
use super::inventory::Inventory;
use super::request::Targets;
use super::target_layout::target_layouts;
use super::write_groups::{WriteGroups, direct_write_groups, peak_bytes, plan_write_groups};
use crate::error::{Error, Result};
use crate::formats::{ArrayDocuments, SourceMetadata};
use crate::layout::Layout;
use crate::model::{ArrayInfo, ChunkKeyEncoding, Format, NodePath, Store, grid_count, product};

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
    /// What translating the metadata did that a user should know (see
    /// [`crate::formats::ArrayDocuments::notes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Whether the data type has no fixed size (variable-length strings or bytes): elements are
    /// copied as zarrs decodes them, and sizes use [`VARIABLE_ITEM_ESTIMATE`] bytes an element.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub variable: bool,
}

/// The bytes an element of a variable-length type (strings, bytes) is planned with: the metadata
/// gives no size, so memory and progress figures for such arrays are estimates.
pub const VARIABLE_ITEM_ESTIMATE: u64 = 32;

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
    /// Whether the target is the source as it is: the same format, chunks and shards, and
    /// encoded chunks copied as they are (so the same codecs).
    #[must_use]
    pub fn unchanged(&self) -> bool {
        self.repack
            && self.source_format == self.target_format
            && self.source_chunks == self.target.chunks
            && self.source_shards == self.target.shards
    }

    /// Gives a Zarr v3 target the dimension `names` (when they fit its rank and it has none):
    /// the axes a migration named for the multiscale this array is a level of.
    pub(crate) fn name_dimensions(&mut self, names: &[String]) {
        if self.target_format != Format::Zarr3 || names.len() != self.shape.len() {
            return;
        }
        for (key, doc) in &mut self.target_metadata {
            if key == "zarr.json"
                && let Some(doc) = doc.as_object_mut()
                && !doc.contains_key("dimension_names")
            {
                doc.insert("dimension_names".into(), serde_json::json!(names));
            }
        }
    }

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
    /// What the translation of its attributes did (OME-NGFF metadata migrated, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
    /// Every other object of the source and what the output does with it (see
    /// [`super::inventory`]); empty until [`RechunkPlan::set_inventory`].
    #[serde(default)]
    pub inventory: Inventory,
    /// Arrays zlint cannot decode, carried over unchanged (see [`super::carried_arrays`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried_arrays: Vec<CarriedArray>,
}

impl RechunkPlan {
    /// Builds the plan for every array and group of `store`, from the metadata its scan read:
    /// no I/O.
    ///
    /// # Errors
    /// [`Error::Usage`] when a requested layout does not fit an array or the format, or the
    /// budget cannot hold one target object; [`Error::Rechunk`] for unreadable source metadata.
    pub fn build(store: &Store, target: String, targets: &Targets, budget: Budget) -> Result<Self> {
        if let Some(first) = store.errors.first() {
            return Err(Error::rechunk(
                first.location.clone(),
                format!("the source has unreadable nodes: {}", first.message),
            ));
        }
        let (chosen, carried) = sort_arrays(store, targets)?;
        let budget = fitting_budget(&chosen, budget);
        let remote = crate::store::is_url(&target);
        let mut arrays = chosen
            .into_iter()
            .map(|(array, layout, meta, documents)| {
                plan_array(array, layout, targets, budget, (&meta, documents), remote)
            })
            .collect::<Result<Vec<_>>>()?;
        let groups = group_plans(store, targets, &mut arrays, &carried)?;
        let mut plan = Self {
            source: store.location.clone(),
            target,
            budget,
            arrays,
            groups,
            inventory: Inventory::default(),
            carried_arrays: carried,
        };
        let consolidated = store
            .group(&NodePath::root())
            .and_then(|g| g.consolidated.as_ref());
        if let Some(note) = consolidated.and_then(|c| plan.consolidate(&c.kind))
            && let Some(root) = plan.groups.iter_mut().find(|g| g.path.is_root())
        {
            root.notes.push(note);
        }
        Ok(plan)
    }

    /// This plan, made elsewhere or earlier, continued from `source` into `target` on at most
    /// `threads` threads: as many as its groups' budget holds (see
    /// [`RechunkPlan::threads_within_budget`]). Its write groups stay as they are.
    #[must_use]
    pub fn continued(mut self, source: &str, target: &str, threads: usize) -> Self {
        source.clone_into(&mut self.source);
        target.clone_into(&mut self.target);
        self.budget.threads = self.threads_within_budget(threads);
        self
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

    /// Every metadata document the output gets, arrays' then groups', by store key
    /// (`PATH/NAME`, `NAME` for the root).
    pub fn documents(&self) -> impl Iterator<Item = (String, &Value)> {
        self.arrays
            .iter()
            .map(|a| (&a.path, &a.target_metadata))
            .chain(self.carried_arrays.iter().map(|a| (&a.path, &a.documents)))
            .chain(self.groups.iter().map(|g| (&g.path, &g.metadata)))
            .flat_map(|(path, docs)| {
                docs.iter().map(move |(name, doc)| {
                    let key = if path.is_root() {
                        name.clone()
                    } else {
                        format!("{}/{name}", path.as_str())
                    };
                    (key, doc)
                })
            })
    }

    /// Total uncompressed bytes written.
    #[must_use]
    pub fn bytes_written(&self) -> u64 {
        self.arrays.iter().map(|a| a.bytes_written).sum()
    }
}

/// `LOCATION/PATH` of an array, for messages (`LOCATION` for the root).
pub(super) fn array_location(store: &str, path: &NodePath) -> String {
    crate::store::located(store, path.as_str())
}

/// An array the plan rewrites: its target layout, source metadata and output documents.
type Chosen<'a> = (&'a ArrayInfo, Layout, SourceMetadata, ArrayDocuments);

/// The store's arrays sorted into those rewritten and those carried over unchanged. A rewrite
/// that could rewrite no array at all is not what was asked for: an error naming the first.
fn sort_arrays<'a>(
    store: &'a Store,
    targets: &Targets,
) -> Result<(Vec<Chosen<'a>>, Vec<CarriedArray>)> {
    let named = named_arrays(store, targets)?;
    let mut chosen = Vec::new();
    let mut carried = Vec::new();
    for (array, layout) in store.arrays.iter().zip(target_layouts(store, targets)?) {
        let location = array_location(&store.location, &array.path);
        match prepare(array, &layout, targets, &named).map_err(|e| Error::rechunk(location, e))? {
            Prepared::Rewrite(rewrite) => {
                let (meta, documents) = *rewrite;
                chosen.push((array, layout, meta, documents));
            }
            Prepared::Carry(array) => carried.push(array),
        }
    }
    if chosen.is_empty()
        && let Some(first) = carried.first()
    {
        return Err(Error::rechunk(
            array_location(&store.location, &first.path),
            first.why.clone(),
        ));
    }
    Ok((chosen, carried))
}

/// `budget` with at most its threads, and fewer when its memory cannot hold the chunks that
/// many threads decode at once, for some array.
fn fitting_budget(chosen: &[Chosen<'_>], budget: Budget) -> Budget {
    let fits = |threads: usize| {
        chosen.iter().all(|(array, layout, _, _)| {
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
    Budget {
        threads: (1..=budget.threads.max(1))
            .rev()
            .find(|&threads| fits(threads))
            .unwrap_or(1),
        ..budget
    }
}

fn plan_array(
    array: &ArrayInfo,
    target: Layout,
    targets: &Targets,
    budget: Budget,
    (meta, documents): (&SourceMetadata, ArrayDocuments),
    remote: bool,
) -> Result<ArrayPlan> {
    let variable = array.item_size().is_none();
    let item_size = array.item_size().unwrap_or(VARIABLE_ITEM_ESTIMATE);
    let target_format = targets.format.unwrap_or(array.format);
    let object = target.object().to_vec();
    let threads = budget.threads.max(1) as u64;
    let write_groups = direct_write_groups(array, &object, item_size, budget)?;
    // Variable-length elements have no fixed-size form for the intermediate array.
    let intermediate = if write_groups.aligned || !targets.two_pass || variable {
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
    let size = product(&array.shape).saturating_mul(item_size);
    let repack = targets.codec.is_none()
        && array.shard_shape.is_none()
        && target.chunks == array.chunk_shape
        && array.format != Format::N5
        && target_format != Format::N5
        && documents.decode_form.is_some()
        && meta.decode_form(array.format) == documents.decode_form;
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
            size.saturating_mul(2)
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
        target_metadata: documents.documents,
        notes: {
            let mut notes = documents.notes;
            if variable {
                notes.push(format!(
                    "`{}` elements have no fixed size: sizes here are estimates at {VARIABLE_ITEM_ESTIMATE} B an element",
                    array.dtype.name
                ));
            }
            notes
        },
        variable,
        write_groups,
        concurrent_groups,
    };
    plan.peak_memory_bytes = plan.peak_memory(threads);
    Ok(plan)
}
