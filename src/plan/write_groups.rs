//! Write groups: blocks of whole target objects (chunks, or shards) processed as one unit.
//!
//! A source chunk is decoded exactly once when group extents are multiples of
//! `lcm(source chunk, target object)` along every axis (or span the axis): then every source
//! chunk lies inside one group. When even one such group does not fit the memory budget, groups
//! shrink to whole target objects and source chunks straddling them are decoded more than once;
//! the plan reports that as read amplification (docs/guidance.md, "How a rechunk runs").

use serde::{Deserialize, Serialize};

use super::rechunk_plan::Budget;
use crate::error::{Error, Param, Result};
use crate::model::{ArrayInfo, product};
use crate::units::{human_bytes, plural};

/// The chosen write-group shape and what it costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WriteGroups {
    /// Extent of one group per axis, in elements (a multiple of the target object shape, or the
    /// whole axis).
    pub group_shape: Vec<u64>,
    /// Number of groups.
    pub count: u64,
    /// Uncompressed bytes of one full group.
    pub group_bytes: u64,
    /// Source chunks decoded ÷ source chunks (1.0 when each is decoded once).
    pub read_amplification: f64,
    /// Whether groups are aligned so each source chunk is decoded once.
    pub aligned: bool,
    /// Groups processed at once: one when a group alone holds enough objects to keep every
    /// thread busy (more groups would only cost memory), else as many as the budget holds.
    pub in_flight: u64,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

/// Rounds `extent` up to a whole number of `unit`s, but never past the axis (rounded up to `unit`).
fn whole(extent: u64, unit: u64, axis: u64) -> u64 {
    extent
        .div_ceil(unit)
        .max(1)
        .saturating_mul(unit)
        .min(axis.div_ceil(unit).saturating_mul(unit))
}

/// Source chunks along one axis touched by groups of extent `group`, summed over the groups, in
/// closed form: each group touches one chunk, plus one more for every source chunk boundary
/// inside it, that is every multiple of `source` in the axis that is not also a group boundary
/// (a multiple of both).
fn touched_along(axis: u64, group: u64, source: u64) -> u64 {
    let (group, source) = (group.max(1), source.max(1));
    if axis == 0 {
        return 0;
    }
    let inner_multiples = |step: u64| (axis - 1) / step;
    let both = (source / gcd(source, group))
        .checked_mul(group)
        .map_or(0, inner_multiples);
    axis.div_ceil(group) + inner_multiples(source) - both
}

/// Chooses write groups for an array of `shape` with `item_size`-byte elements read in
/// `source_chunks` and written in `target_objects`, so that `concurrency` groups in flight stay
/// within `budget_bytes`. `None` if not even one target object fits.
#[must_use]
pub fn plan_write_groups(
    shape: &[u64],
    item_size: u64,
    source_chunks: &[u64],
    target_objects: &[u64],
    budget_bytes: u64,
    concurrency: u64,
) -> Option<WriteGroups> {
    let n = shape.len();
    let threads = concurrency.max(1);
    let peak = |group: &[u64], in_flight: u64| {
        peak_bytes(
            group,
            item_size,
            source_chunks,
            target_objects,
            in_flight,
            threads,
        )
    };
    let cost = |group: &[u64]| peak(group, 1);
    let target: Vec<u64> = (0..n)
        .map(|i| target_objects[i].min(whole(shape[i], target_objects[i], shape[i])))
        .collect();
    let aligned_unit: Vec<u64> = (0..n)
        .map(|i| {
            whole(
                lcm(source_chunks[i].max(1), target_objects[i].max(1)),
                target_objects[i],
                shape[i],
            )
        })
        .collect();

    // Aligned groups are worth running fewer at a time (each is decoded and encoded in parallel
    // inside): only when not even one fits does the plan give up alignment.
    let (mut group, aligned) = if cost(&aligned_unit) <= budget_bytes {
        (aligned_unit, true)
    } else if cost(&target) <= budget_bytes {
        (target, false)
    } else {
        return None;
    };
    let per_group = budget_bytes / (budget_bytes / cost(&group).max(1)).clamp(1, threads);
    // Objects a group holds: its parallel work (each is decoded or encoded by one thread).
    let work = |g: &[u64]| {
        crate::model::grid_count(g, target_objects).min(crate::model::grid_count(g, source_chunks))
    };
    // Grow whole multiples along the last axes first (C order keeps groups contiguous), while a
    // group stays within its share of the budget, has too little work for every thread, and the
    // array still yields more than one group per thread.
    let enough_groups = |g: &[u64]| crate::model::grid_count(shape, g) >= threads * 2;
    for i in (0..n).rev() {
        loop {
            if group[i] >= shape[i] {
                break;
            }
            let mut bigger = group.clone();
            bigger[i] = whole(group[i] * 2, group[i], shape[i]);
            if cost(&bigger) > per_group || !enough_groups(&bigger) || work(&group) >= 4 * threads {
                break;
            }
            group = bigger;
        }
    }
    let count = crate::model::grid_count(shape, &group);
    let in_flight = if work(&group) >= 2 * threads {
        1
    } else {
        (1..=threads.min(count.max(1)))
            .rev()
            .find(|k| peak(&group, *k) <= budget_bytes)
            .unwrap_or(1)
    };
    let touched: u64 = (0..n)
        .map(|i| touched_along(shape[i], group[i], source_chunks[i].max(1)))
        .product();
    let chunks = crate::model::grid_count(shape, source_chunks).max(1);
    Some(WriteGroups {
        group_bytes: product(&group) * item_size,
        count,
        read_amplification: touched as f64 / chunks as f64,
        group_shape: group,
        aligned,
        in_flight,
    })
}

/// Peak bytes held while `in_flight` groups of `group` run on `threads` threads: the decoded
/// groups, plus what each busy thread holds for its task. A thread decoding a source chunk holds
/// it encoded and decoded; one encoding a target object holds it gathered and encoded (each
/// counted at its uncompressed size, which compressed data does not exceed by much). Only as
/// many threads are busy as the groups have tasks: one group decodes all its chunks, then
/// encodes all its objects; groups in flight together may be in either phase.
#[must_use]
pub fn peak_bytes(
    group: &[u64],
    item_size: u64,
    source_chunks: &[u64],
    target_objects: &[u64],
    in_flight: u64,
    threads: u64,
) -> u64 {
    let (chunk, object) = (
        product(source_chunks) * item_size,
        product(target_objects) * item_size,
    );
    let decoding = threads.min(in_flight * straddled(group, source_chunks)) * 2 * chunk;
    let encoding = threads.min(in_flight * straddled(group, target_objects)) * 2 * object;
    let working = if in_flight <= 1 {
        decoding.max(encoding)
    } else {
        (threads * 2 * chunk.max(object)).min(decoding + encoding)
    };
    in_flight * product(group) * item_size + working
}

/// The most cells of a grid of `cell` that one box of `extent` can meet (one more per axis
/// when the box does not hold whole cells).
fn straddled(extent: &[u64], cell: &[u64]) -> u64 {
    extent
        .iter()
        .zip(cell)
        .map(|(e, c)| {
            let c = (*c).max(1);
            e.div_ceil(c) + u64::from(e % c != 0)
        })
        .product()
}

/// The write groups of a rewrite of `array` into objects of `object` straight from its chunks.
///
/// # Errors
/// [`Error::Usage`] when the budget cannot hold one target object with its source chunks.
pub(super) fn direct_write_groups(
    array: &ArrayInfo,
    object: &[u64],
    item_size: u64,
    budget: Budget,
) -> Result<WriteGroups> {
    let threads = budget.threads.max(1) as u64;
    let chunks = &array.chunk_shape;
    plan_write_groups(
        &array.shape,
        item_size,
        chunks,
        object,
        budget.max_mem_bytes,
        threads,
    )
    .ok_or_else(|| {
        let needed = peak_bytes(object, item_size, chunks, object, 1, threads);
        Error::Usage(format!(
            "`{}`: {} cannot hold one target object of {} with the source chunks decoded for \
             it ({} on {})",
            array.path,
            Param::MaxMem.with(human_bytes(budget.max_mem_bytes)),
            human_bytes(product(object).saturating_mul(item_size)),
            human_bytes(needed),
            plural(threads as usize, "thread")
        ))
    })
}

#[cfg(test)]
mod tests {

    /// The loop the closed form replaces.
    fn touched_by_walking(axis: u64, group: u64, source: u64) -> u64 {
        let mut total = 0;
        let mut start = 0;
        while start < axis {
            let end = (start + group).min(axis);
            total += (end - 1) / source - start / source + 1;
            start = end;
        }
        total
    }

    #[test]
    fn touched_chunks_in_closed_form_equal_the_walk() {
        for axis in 0..60 {
            for group in 1..13 {
                for source in 1..13 {
                    assert_eq!(
                        super::touched_along(axis, group, source),
                        touched_by_walking(axis, group, source),
                        "axis {axis}, group {group}, source {source}"
                    );
                }
            }
        }
        // Answered at once for an axis of 2^64 - 1 elements.
        assert!(super::touched_along(u64::MAX, 2000, 1000) > 0);
    }
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn planes_to_blocks_align_to_the_lcm() {
        // 256×2048×1024 uint16, one plane per source chunk, to 64×256×256.
        let g = plan_write_groups(
            &[256, 2048, 1024],
            2,
            &[1, 2048, 1024],
            &[64, 256, 256],
            1024 * MIB,
            2,
        )
        .expect("fits");
        assert!(g.aligned);
        assert_eq!(g.read_amplification, 1.0);
        assert_eq!(g.group_shape[0] % 64, 0);
        assert_eq!(g.group_shape[1], 2048, "a whole plane per group");
        assert_eq!(g.group_shape[2], 1024);
    }

    #[test]
    fn a_group_with_work_for_every_thread_runs_alone() {
        // Aligned groups of 64 planes hold 32 target chunks: enough for two threads, so one group
        // at a time, and they do not grow past that.
        let g = plan_write_groups(
            &[256, 2048, 1024],
            2,
            &[1, 2048, 1024],
            &[64, 256, 256],
            1024 * MIB,
            2,
        )
        .expect("fits");
        assert_eq!(g.in_flight, 1);
        assert_eq!(g.group_shape, [64, 2048, 1024]);
        // Tiny groups run several at once.
        let g = plan_write_groups(&[64], 1, &[8], &[8], 1024 * MIB, 2).expect("fits");
        assert_eq!(g.in_flight, 2);
    }

    #[test]
    fn aligned_groups_run_one_at_a_time_rather_than_lose_alignment() {
        // 128³ blocks from whole planes: one aligned group is 512 MiB, which 1 GiB holds once.
        let g = plan_write_groups(
            &[256, 2048, 1024],
            2,
            &[1, 2048, 1024],
            &[128, 128, 128],
            1024 * MIB,
            2,
        )
        .expect("fits");
        assert!(g.aligned);
        assert_eq!(g.read_amplification, 1.0);
    }

    #[test]
    fn a_small_budget_trades_amplification_for_memory() {
        let g = plan_write_groups(
            &[256, 2048, 1024],
            2,
            &[1, 2048, 1024],
            &[64, 256, 256],
            64 * MIB,
            2,
        )
        .expect("fits");
        assert!(!g.aligned);
        assert!(g.read_amplification > 1.0);
        let peak = peak_bytes(
            &g.group_shape,
            2,
            &[1, 2048, 1024],
            &[64, 256, 256],
            g.in_flight,
            2,
        );
        assert!(peak <= 64 * MIB);
    }

    #[test]
    fn peak_memory_counts_one_task_per_busy_thread() {
        let (plane, block) = ([1, 2048, 1024], [64, 256, 256]); // 4 MiB and 8 MiB of u16
        // A group of 64 planes: both threads decode planes, then both encode blocks, each
        // holding its task's bytes twice (encoded and decoded).
        let slab = peak_bytes(&[64, 2048, 1024], 2, &plane, &block, 1, 2);
        assert_eq!(slab, 256 * MIB + 2 * 2 * 8 * MIB);
        // A group of one block has one object to encode: one thread holds it, however many run.
        let small = [8, 256, 256]; // 1 MiB
        assert_eq!(
            peak_bytes(&block, 2, &small, &block, 1, 2),
            8 * MIB + 2 * 8 * MIB
        );
        // Two such groups at once: both threads may encode.
        assert_eq!(
            peak_bytes(&block, 2, &small, &block, 2, 2),
            2 * 8 * MIB + 2 * 2 * 8 * MIB
        );
        // Unaligned groups meet one more source chunk per axis they cut.
        assert_eq!(straddled(&[3, 4], &[2, 4]), 3);
    }

    #[test]
    fn nothing_fits_a_budget_below_one_object() {
        assert!(plan_write_groups(&[1024], 1, &[64], &[512], 100, 1).is_none());
    }

    #[test]
    fn amplification_counts_straddling_chunks() {
        // Source chunks of 3, groups of 2 over 6 elements: groups [0,2) [2,4) [4,6) touch
        // chunks {0}, {0,1}, {1}: 4 decodes of 2 chunks.
        assert_eq!(touched_along(6, 2, 3), 4);
        assert_eq!(touched_along(6, 6, 3), 2);
    }
}
