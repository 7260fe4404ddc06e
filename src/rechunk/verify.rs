//! `zlint verify SRC DST` and `zlint rechunk --verify`: both sides re-read and compared.

use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use zarrs::array::ArraySubset;

use super::io::{Reader, read_region};
use super::zarrs_path;
use crate::error::{Error, Param, Result};
use crate::formats::target::from_n5_user_attributes;
use crate::formats::{SourceMetadata, ome};
use crate::model::{ArrayInfo, Format, GroupInfo, NodePath, Store};
use crate::plan::carried_arrays::undecodable;
use crate::plan::write_groups::plan_write_groups;
use crate::progress::Progress;
use crate::store::OpenedStore;

/// The outcome of a verification.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Arrays compared.
    pub arrays: usize,
    /// Uncompressed bytes compared on each side.
    pub bytes_compared: u64,
    /// Files carried byte for byte (see [`crate::plan::inventory`]) that were compared.
    pub files_compared: usize,
    /// Arrays zlint cannot decode, whose metadata and stored objects were compared byte for
    /// byte instead of their values (see [`crate::plan::carried_arrays`]).
    pub compared_stored: usize,
    /// Every difference found, naming the node (and region).
    pub mismatches: Vec<Mismatch>,
}

/// One difference between a source and its output.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Mismatch {
    /// The array or group that differs.
    pub path: String,
    /// What differs: `values differ in region …`, `attributes differ`, ….
    pub message: String,
}

impl Mismatch {
    pub(crate) fn new(path: &NodePath, message: impl Into<String>) -> Self {
        Self {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// Whether the message contains `text`.
    #[must_use]
    pub fn contains(&self, text: &str) -> bool {
        self.message.contains(text)
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Compares every array and group of `source` with `target`: shape, data type, fill value,
/// attributes and every value, block by block in parallel within `max_mem_bytes`.
///
/// # Errors
/// Errors reading either side (a difference is not an error: it is reported).
pub fn verify(
    source: (&OpenedStore, &Store),
    target: (&OpenedStore, &Store),
    max_mem_bytes: u64,
    threads: usize,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let (src_opened, src_store) = source;
    let (dst_opened, dst_store) = target;
    let mut report = VerifyReport {
        mismatches: group_differences(src_store, dst_store),
        ..VerifyReport::default()
    };
    begin_progress(src_store, dst_store, progress);
    for array in &src_store.arrays {
        let Some(other) = dst_store.array(&array.path) else {
            report
                .mismatches
                .push(Mismatch::new(&array.path, "array missing from the target"));
            continue;
        };
        report.arrays += 1;
        report.mismatches.extend(layout_differences(array, other));
        // An array zlint cannot decode was carried over unchanged: its metadata must be the
        // same, and its stored objects are compared byte for byte with the carried files.
        if other.format == array.format && undecodable(array).is_some() {
            let parsed =
                |a: &ArrayInfo| serde_json::from_slice::<serde_json::Value>(&a.metadata).ok();
            if parsed(array) != parsed(other) {
                report.mismatches.push(Mismatch::new(
                    &array.path,
                    "metadata differs from the source's (an array zlint cannot decode is carried \
                     over unchanged)",
                ));
            }
            report.compared_stored += 1;
            continue;
        }
        let (a, b) = (
            metadata_of(src_opened, array)?,
            metadata_of(dst_opened, other)?,
        );
        if !same_fill(&a.fill_value, &b.fill_value) || a.data_type != b.data_type {
            report.mismatches.push(Mismatch::new(
                &array.path,
                format!(
                    "fill value {} ({}) became {} ({})",
                    a.fill_value, a.data_type, b.fill_value, b.data_type
                ),
            ));
        }
        // Values are compared whenever they can be (same shape and data type), even when
        // attributes or fill values differ: a report should say everything that differs.
        if other.shape != array.shape || other.dtype != array.dtype {
            continue;
        }
        let compared = compare_values(
            src_opened,
            dst_opened,
            array,
            other,
            max_mem_bytes,
            threads,
            progress,
        )?;
        report.bytes_compared += compared.0;
        report.mismatches.extend(compared.1);
    }
    progress.end();
    Ok(report)
}

/// Groups of the source missing from the target, or whose attributes differ from the source's
/// as a rewrite into the target's format writes them.
fn group_differences(source: &Store, target: &Store) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    for group in &source.groups {
        match target.group(&group.path) {
            None if group.implicit => {}
            None => mismatches.push(Mismatch::new(&group.path, "group missing from the target")),
            Some(other)
                if user_attributes(&other.attributes, false)
                    != user_attributes(&migrated(group, other.format), false) =>
            {
                mismatches.push(Mismatch::new(&group.path, "group attributes differ"));
            }
            Some(_) => {}
        }
    }
    mismatches
}

/// Starts `progress`: the source's bytes, and the target's stored objects to compare.
fn begin_progress(source: &Store, target: &Store, progress: &dyn Progress) {
    let total: u64 = source.arrays.iter().filter_map(ArrayInfo::size_bytes).sum();
    progress.begin("verify bytes", Some(total));
    let objects = source
        .arrays
        .iter()
        .filter_map(|a| target.array(&a.path))
        .map(ArrayInfo::object_count)
        .sum();
    let sharded = target.arrays.iter().any(|a| a.shard_shape.is_some());
    progress.count(if sharded { "shards" } else { "chunks" }, objects);
}

/// How `other` differs from `array` in shape, data type, attributes and dimension names.
fn layout_differences(array: &ArrayInfo, other: &ArrayInfo) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let mut differ = |message: String| mismatches.push(Mismatch::new(&array.path, message));
    if other.shape != array.shape {
        differ(format!("shape {:?} became {:?}", array.shape, other.shape));
    }
    if other.dtype != array.dtype {
        differ(format!(
            "data type {} became {}",
            array.dtype.name, other.dtype.name
        ));
    }
    if !same_attributes(array, other) {
        differ("attributes differ".into());
    }
    if let (Some(a), Some(b)) = (&array.dimension_names, &other.dimension_names)
        && a != b
    {
        differ(format!(
            "dimension names {} became {}",
            serde_json::json!(a),
            serde_json::json!(b)
        ));
    }
    mismatches
}

/// Attributes are the same, but for N5's container version key (`n5`), which is format, not data.
/// The user attributes of two arrays are the same, but for what is format metadata in one
/// format and an attribute in another: N5's version, N5's `axes`, which are the dimension names
/// of Zarr v3 (compared on their own), and attributes an N5 dataset holds aside.
fn same_attributes(a: &ArrayInfo, b: &ArrayInfo) -> bool {
    let across = a.format != b.format;
    let user = |array: &ArrayInfo| {
        if array.format == Format::N5 {
            // Attributes an N5 dataset holds aside count where they were.
            user_attributes(&from_n5_user_attributes(&array.attributes), across)
        } else {
            user_attributes(&array.attributes, false)
        }
    };
    user(a) == user(b)
}

/// A source group's attributes as a rechunk into `format` writes them: OME-NGFF metadata in the
/// form of the target's Zarr version, pyramid metadata for the target's readers (see
/// [`ome::migrate_group`]).
fn migrated(group: &GroupInfo, format: Format) -> serde_json::Map<String, serde_json::Value> {
    ome::migrate_group(group, format).map_or_else(|_| group.attributes.clone(), |m| m.attributes)
}

/// `attributes` without N5's version, and without N5's `axes` when `axes_are_names`.
fn user_attributes(
    attributes: &serde_json::Map<String, serde_json::Value>,
    axes_are_names: bool,
) -> serde_json::Map<String, serde_json::Value> {
    let mut user = attributes.clone();
    user.remove("n5");
    if axes_are_names {
        user.remove("axes");
    }
    user
}

/// Fill values are the same: equal as written, or equal numbers (`0` and `0.0`).
fn same_fill(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    a == b || matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}

fn compare_values(
    src_opened: &OpenedStore,
    dst_opened: &OpenedStore,
    array: &ArrayInfo,
    other: &ArrayInfo,
    max_mem_bytes: u64,
    threads: usize,
    progress: &dyn Progress,
) -> Result<(u64, Vec<Mismatch>)> {
    let err =
        |e: &dyn std::fmt::Display| crate::Error::rechunk(array.path.to_string(), e.to_string());
    let path = zarrs_path(&array.path);
    let open = |opened: &OpenedStore, info: &ArrayInfo| {
        Reader::open(
            opened.bounded_for(info.object_bytes()),
            &path,
            info.format == Format::N5,
            &opened.location,
        )
    };
    let (src, dst) = (open(src_opened, array)?, open(dst_opened, other)?);
    let variable = array.item_size().is_none();
    let item = array
        .item_size()
        .unwrap_or(crate::plan::VARIABLE_ITEM_ESTIMATE);
    // Blocks aligned to both grids, with two copies (one per side) in memory each.
    let groups = plan_write_groups(
        &array.shape,
        item,
        &array.chunk_shape,
        other.object_shape(),
        max_mem_bytes / 2,
        threads as u64,
    )
    .ok_or_else(|| {
        err(&format!(
            "{} cannot hold one block of both sides",
            Param::MaxMem
        ))
    })?;
    let block = groups.group_shape;
    let counts: Vec<u64> = array
        .shape
        .iter()
        .zip(&block)
        .map(|(s, b)| s.div_ceil((*b).max(1)))
        .collect();
    let mismatches = Mutex::new(Vec::new());
    let bytes = (0..groups.count)
        .into_par_iter()
        .map(|g| -> Result<u64> {
            let location = array.path.to_string();
            if progress.cancelled() {
                return Err(Error::Interrupted(location));
            }
            let subset: ArraySubset = super::region(g, &counts, &block, &array.shape);
            let difference = if variable {
                (src.read_elements(&subset)? != dst.read_elements(&subset)?)
                    .then(|| format!("values differ in region {subset}"))
            } else {
                let (a, b) = (
                    read_region(&src, &subset, item, &location)?,
                    read_region(&dst, &subset, item, &location)?,
                );
                element_difference(&a, &b, item, &subset, &other.chunk_shape)
            };
            if let Some(difference) = difference {
                mismatches
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Mismatch::new(&array.path, difference));
            }
            let n = subset.num_elements() * item;
            progress.advance(n);
            progress.counted(crate::plan::parts::block_objects(
                &array.shape,
                &block,
                other.object_shape(),
                g,
            ));
            Ok(n)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let mut mismatches = mismatches.into_inner().unwrap_or_else(|p| p.into_inner());
    if variable {
        mismatches.extend(super::absent_fill::check(src_opened, &dst, array, other)?);
    }
    mismatches.sort();
    Ok((bytes, mismatches))
}

/// How two reads of `subset` (elements of `item` bytes, C order) differ: how many elements,
/// where the first is in array coordinates, and which of the target's `chunks` holds it; `None`
/// when they are equal.
fn element_difference(
    a: &[u8],
    b: &[u8],
    item: u64,
    subset: &ArraySubset,
    chunks: &[u64],
) -> Option<String> {
    if a == b {
        return None;
    }
    let item = usize::try_from(item.max(1)).unwrap_or(1);
    let mut differing = a
        .chunks(item)
        .zip(b.chunks(item))
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i as u64);
    let first = differing.next();
    let count = first.map_or(0, |_| 1 + differing.count() as u64);
    let total = subset.num_elements();
    let at = first.map(|mut flat| {
        let shape = subset.shape();
        let mut index = vec![0u64; shape.len()];
        for axis in (0..shape.len()).rev() {
            let extent = shape[axis].max(1);
            index[axis] = subset.start()[axis] + flat % extent;
            flat /= extent;
        }
        index
    });
    Some(match at {
        Some(at) => {
            let chunk: Vec<u64> = at
                .iter()
                .zip(chunks)
                .map(|(i, c)| i / (*c).max(1))
                .collect();
            format!(
                "{count} of {total} values differ in region {subset}, the first at {at:?} (in the target's chunk {chunk:?})"
            )
        }
        // Lengths differ (cannot happen for reads of one subset): say the region.
        None => format!("values differ in region {subset}"),
    })
}

/// The Zarr v3 view of an array's metadata, the error naming the array in `opened`.
fn metadata_of(opened: &OpenedStore, array: &ArrayInfo) -> Result<SourceMetadata> {
    SourceMetadata::of_array(array).map_err(|e| {
        crate::Error::rechunk(
            crate::store::located(&opened.location, array.path.as_str()),
            e,
        )
    })
}
