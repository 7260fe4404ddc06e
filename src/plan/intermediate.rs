//! The first pass of a two-pass rechunk: the intermediate grid that aligns with both sides.

use super::rechunk_plan::{Budget, IntermediatePass};
use super::write_groups::plan_write_groups;
use crate::formats::SourceMetadata;
use crate::formats::target::intermediate_document;
use crate::model::{ArrayInfo, product};

/// The size intermediate chunks grow to (when both passes allow it).
const INTERMEDIATE_CHUNK_BYTES: u64 = 1 << 20;

/// The first pass through an intermediate grid, when groups aligned to source and intermediate,
/// and to intermediate and target, both fit the budget (see [`IntermediatePass`]); compressed
/// when the target is `remote` (an object store).
pub(super) fn intermediate_pass(
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
    let metadata = intermediate_document(&array.shape, &chunks, item_size, meta, remote);
    Some(IntermediatePass {
        chunks,
        write_groups: first,
        metadata,
    })
}
