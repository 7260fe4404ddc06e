//! `zlint verify SRC DST` and `zlint rechunk --verify`: both sides re-read and compared.

use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use zarrs::array::ArraySubset;
use zarrs::array::{Array, ArrayBytes};

use super::{source_metadata, zarrs_path};
use crate::error::Result;
use crate::model::{ArrayInfo, Store};
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
    /// Every difference found, naming the array (and region).
    pub mismatches: Vec<String>,
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
    let mut report = VerifyReport::default();
    for group in &src_store.groups {
        match dst_store.group(&group.path) {
            None if group.implicit => {}
            None => report
                .mismatches
                .push(format!("{}: group missing from the target", group.path)),
            Some(other) if other.attributes != group.attributes => {
                report
                    .mismatches
                    .push(format!("{}: group attributes differ", group.path));
            }
            Some(_) => {}
        }
    }
    let total: u64 = src_store
        .arrays
        .iter()
        .filter_map(ArrayInfo::size_bytes)
        .sum();
    progress.begin("bytes", Some(total));
    for array in &src_store.arrays {
        let Some(other) = dst_store.array(&array.path) else {
            report
                .mismatches
                .push(format!("{}: array missing from the target", array.path));
            continue;
        };
        report.arrays += 1;
        let before = report.mismatches.len();
        if other.shape != array.shape {
            report.mismatches.push(format!(
                "{}: shape {:?} became {:?}",
                array.path, array.shape, other.shape
            ));
        }
        if other.dtype != array.dtype {
            report.mismatches.push(format!(
                "{}: data type {} became {}",
                array.path, array.dtype.name, other.dtype.name
            ));
        }
        if other.attributes != array.attributes {
            report
                .mismatches
                .push(format!("{}: attributes differ", array.path));
        }
        let (a, b) = (
            source_metadata(src_opened, array)?,
            source_metadata(dst_opened, other)?,
        );
        if a.v3["fill_value"] != b.v3["fill_value"] || a.v3["data_type"] != b.v3["data_type"] {
            report.mismatches.push(format!(
                "{}: fill value {} ({}) became {} ({})",
                array.path,
                a.v3["fill_value"],
                a.v3["data_type"],
                b.v3["fill_value"],
                b.v3["data_type"]
            ));
        }
        if report.mismatches.len() > before {
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

fn compare_values(
    src_opened: &OpenedStore,
    dst_opened: &OpenedStore,
    array: &ArrayInfo,
    other: &ArrayInfo,
    max_mem_bytes: u64,
    threads: usize,
    progress: &dyn Progress,
) -> Result<(u64, Vec<String>)> {
    let err = |e: &dyn std::fmt::Display| crate::Error::Rechunk {
        location: array.path.to_string(),
        message: e.to_string(),
    };
    let path = zarrs_path(&array.path);
    let src = Array::open(src_opened.storage.clone(), &path).map_err(|e| err(&e))?;
    let dst = Array::open(dst_opened.storage.clone(), &path).map_err(|e| err(&e))?;
    let item = array.item_size().unwrap_or(1);
    // Blocks aligned to both grids, with two copies (one per side) in memory each.
    let groups = plan_write_groups(
        &array.shape,
        item,
        &array.chunk_shape,
        other.object_shape(),
        max_mem_bytes / 2,
        threads as u64,
    )
    .ok_or_else(|| err(&"--max-mem cannot hold one block of both sides"))?;
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
            let subset: ArraySubset = super::region(g, &counts, &block, &array.shape);
            let left: ArrayBytes<'static> =
                src.retrieve_array_subset(&subset).map_err(|e| err(&e))?;
            let right: ArrayBytes<'static> =
                dst.retrieve_array_subset(&subset).map_err(|e| err(&e))?;
            if left != right {
                mismatches
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(format!("{}: values differ in region {subset}", array.path));
            }
            let n = subset.num_elements() * item;
            progress.advance(n);
            Ok(n)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let mut mismatches = mismatches.into_inner().unwrap_or_else(|p| p.into_inner());
    mismatches.sort();
    Ok((bytes, mismatches))
}
