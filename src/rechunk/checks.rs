//! Checks before a rechunk writes anything: the target is not the source, lies neither inside nor
//! around it, and is empty unless told otherwise; a split run's source has not changed.

use std::path::{Path, PathBuf};

use super::{JOURNAL_DIR, Journal};
use crate::error::{Error, Param, Result};
use crate::model::Store;
use crate::plan::rechunk_plan::RechunkPlan;
use crate::store::{OpenedStore, TargetStore};

/// Whether `inner` is `outer` or lies inside it (after resolving what exists of both).
fn is_within(inner: &Path, outer: &Path) -> bool {
    let resolve = |p: &Path| -> PathBuf {
        // The target may not exist yet: resolve its nearest existing ancestor.
        let mut existing = p.to_path_buf();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (
                existing.file_name().map(std::ffi::OsStr::to_os_string),
                existing.parent(),
            ) {
                (Some(name), Some(parent)) => {
                    rest.push(name);
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut resolved = std::fs::canonicalize(&existing).unwrap_or(existing);
        resolved.extend(rest.iter().rev());
        resolved
    };
    resolve(inner).starts_with(resolve(outer))
}

/// What to do with an existing target directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse a non-empty target.
    Refuse,
    /// Delete the target's contents first.
    Overwrite,
    /// Continue an interrupted run of the same plan.
    Resume,
}

/// Whether the object store URL `inner` is `outer` or lies under it.
fn url_within(inner: &str, outer: &str) -> bool {
    let norm = |u: &str| u.trim_end_matches('/').to_string();
    let (inner, outer) = (norm(inner), norm(outer));
    inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// Checks source and target before anything is written: the target must not be (or lie inside)
/// the source, nor contain it; a non-empty target needs `--overwrite` or `--resume`.
///
/// # Errors
/// [`Error::Usage`] explaining which rule is broken.
pub fn check_target(source: &OpenedStore, target: &TargetStore, existing: Existing) -> Result<()> {
    let (inside, contains) = match (source.root_dir(), &target.dir) {
        (Some(src), Some(dst)) => (is_within(dst, src), is_within(src, dst)),
        (None, None) => (
            url_within(&target.location, &source.location),
            url_within(&source.location, &target.location),
        ),
        _ => (false, false),
    };
    if inside {
        return Err(Error::refused(
            &target.location,
            "the target is the source or lies inside it".into(),
        ));
    }
    if contains {
        return Err(Error::refused(
            &target.location,
            "the target contains the source".into(),
        ));
    }
    let non_empty = !target.is_empty()?;
    if non_empty && existing == Existing::Refuse {
        return Err(Error::refused(
            &target.location,
            format!(
                "the target is not empty; use {} to replace it, or {} to continue an \
                 interrupted rechunk",
                Param::Overwrite,
                Param::Resume,
            ),
        ));
    }
    if existing == Existing::Resume && non_empty && Journal::find(target)?.is_none() {
        return Err(Error::refused(
            &target.location,
            format!(
                "nothing to resume (no {JOURNAL_DIR}/); it is complete or was not written by zlint",
            ),
        ));
    }
    Ok(())
}

/// Checks that the source still has the arrays `plan` was made for (same format, shape, data
/// type and chunks): a part may run long after `--init`.
///
/// # Errors
/// [`Error::Usage`] naming the first array that changed.
pub fn check_source_unchanged(plan: &RechunkPlan, source: &Store) -> Result<()> {
    for array in &plan.arrays {
        let same = source.array(&array.path).is_some_and(|now| {
            now.format == array.source_format
                && now.shape == array.shape
                && now.dtype.name == array.dtype
                && now.chunk_shape == array.source_chunks
        });
        if !same {
            return Err(Error::refused(
                crate::store::located(&plan.source, array.path.as_str()),
                format!(
                    "the source array changed since the rechunk was planned ({}); start again \
                 with {}",
                    Param::Init,
                    Param::Overwrite,
                ),
            ));
        }
    }
    Ok(())
}
