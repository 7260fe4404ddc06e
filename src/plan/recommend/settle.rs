//! The last pass of the planner: settling a proposed chunk inside the profile's windows and
//! below the count rules' limits (ZL104 chunks in one array, ZL302 files in one directory).

use super::LayoutRequest;
use crate::layout::{AxisRole, padding_share, spatial_aspect_ratio};
use crate::model::product;
use crate::profile::{Access, Thresholds};

/// Whether `count` read units of `chunk_bytes` each are more than ZL104 allows and larger
/// chunks would help. For an array beyond `max-chunks` × `chunk-max-bytes` / 2 (50 TB in the
/// analysis profile, 12.5 TB in cloud) only chunks at the read-unit ceiling packed without
/// padding would be few enough: there chunks of at least half the ceiling are enough, and ZL104
/// may remain.
pub(super) fn too_many_chunks(request: &LayoutRequest<'_>, count: u64, chunk_bytes: u64) -> bool {
    let t = request.thresholds;
    if count <= t.max_chunks {
        return false;
    }
    let unavoidable = array_bytes(request) / t.chunk_max_bytes.max(1) >= t.max_chunks / 2;
    !unavoidable || chunk_bytes.saturating_mul(2) < t.chunk_max_bytes
}

/// An axis along which more objects than `max-files-per-dir` would share one directory (zlint
/// writes nested keys, one directory level per axis: ZL302).
pub(super) fn crowded_axis(
    request: &LayoutRequest<'_>,
    objects: &[u64],
    t: &Thresholds,
) -> Option<usize> {
    (0..objects.len()).find(|&i| request.shape[i].div_ceil(objects[i].max(1)) > t.max_files_per_dir)
}

pub(super) fn array_bytes(request: &LayoutRequest<'_>) -> u64 {
    product(request.shape).saturating_mul(request.item_size)
}

/// Settles the chunk inside the profile's read-unit window with little edge padding: shrinks
/// the longest axis while above the ceiling, grows an axis while below the floor (preferring one
/// that becomes whole, then the shortest), and splits the axis with the most padding evenly (same
/// chunk count, least padding, as dask's `balance=True`). Bounded: a pathological shape may end
/// with some padding left.
pub(super) fn settle(request: &LayoutRequest<'_>, chunks: &mut [u64]) {
    for _ in 0..8 * chunks.len().max(1) + 64 {
        let stepped = match problem(request, chunks) {
            Some(Problem::TooLarge) => halve_longest(chunks),
            Some(Problem::TooSmall) => grow(request.shape, chunks),
            Some(Problem::TooMany) => fewer_chunks(request, chunks),
            Some(Problem::Crowded(i)) => uncrowd(request, chunks, i),
            Some(Problem::Elongated) => less_elongated(request, chunks),
            Some(Problem::Padded) => less_padding(request, chunks),
            None => false,
        };
        if !stepped {
            return;
        }
    }
}

/// What keeps a chunk from being settled, in the order [`settle`] mends it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Problem {
    /// Above the read-unit ceiling.
    TooLarge,
    /// Below the floor (or the whole array, when that is smaller).
    TooSmall,
    /// More chunks than ZL104 allows.
    TooMany,
    /// More objects along this axis than one directory should hold (ZL302).
    Crowded(usize),
    /// Too elongated for volume access.
    Elongated,
    /// Too much edge padding.
    Padded,
}

/// The first thing that keeps `chunks` from being settled, if any.
pub(super) fn problem(request: &LayoutRequest<'_>, chunks: &[u64]) -> Option<Problem> {
    let t = request.thresholds;
    let shape = request.shape;
    let floor = t
        .chunk_min_bytes
        .min(product(shape).saturating_mul(request.item_size));
    let bytes = chunk_bytes(request, chunks);
    if bytes > t.chunk_max_bytes {
        Some(Problem::TooLarge)
    } else if bytes < floor {
        Some(Problem::TooSmall)
    } else if too_many_chunks(request, crate::model::grid_count(shape, chunks), bytes) {
        Some(Problem::TooMany)
    } else if let Some(i) = crowded_axis(request, chunks, t) {
        Some(Problem::Crowded(i))
    } else if request.access == Access::Volume
        && spatial_aspect_ratio(shape, chunks, request.roles)
            .is_some_and(|r| r > t.max_aspect_ratio)
    {
        Some(Problem::Elongated)
    } else if crate::model::grid_count(shape, chunks) > 1
        && padding_share(shape, chunks) > t.edge_waste_max
    {
        Some(Problem::Padded)
    } else {
        None
    }
}

/// The bytes of one chunk of `chunks`.
fn chunk_bytes(request: &LayoutRequest<'_>, chunks: &[u64]) -> u64 {
    product(chunks).saturating_mul(request.item_size)
}

/// Over the ceiling: halves the longest axis. `false` when every axis is 1.
fn halve_longest(chunks: &mut [u64]) -> bool {
    let Some(i) = (0..chunks.len())
        .filter(|&i| chunks[i] > 1)
        .max_by_key(|&i| chunks[i])
    else {
        return false;
    };
    chunks[i] = chunks[i].div_ceil(2);
    true
}

/// Under the floor: doubles the first axis that becomes whole, else the shortest. `false` when
/// every axis is whole.
fn grow(shape: &[u64], chunks: &mut [u64]) -> bool {
    let growable: Vec<usize> = (0..chunks.len())
        .filter(|&i| chunks[i] < shape[i])
        .collect();
    let whole = growable
        .iter()
        .copied()
        .find(|&i| chunks[i].saturating_mul(2) >= shape[i]);
    let Some(i) = whole.or_else(|| growable.iter().copied().min_by_key(|&i| chunks[i])) else {
        return false;
    };
    chunks[i] = chunks[i].saturating_mul(2).min(shape[i]);
    true
}

/// Too many chunks: fewer chunks along one axis, about by the factor the count is over, in
/// extents that divide it evenly (no edge padding comes of it); when that passes the ceiling,
/// the longest other axis gives way. The candidate leaving the fewest chunks is taken, time and
/// channel axes last. `false` when no axis can give.
fn fewer_chunks(request: &LayoutRequest<'_>, chunks: &mut [u64]) -> bool {
    let t = request.thresholds;
    let shape = request.shape;
    let bytes = |c: &[u64]| chunk_bytes(request, c);
    let total = crate::model::grid_count(shape, chunks);
    // The factor the count is over, but no more than the ceiling lets chunks grow.
    let over = (total as f64 / t.max_chunks as f64)
        .min(t.chunk_max_bytes as f64 / bytes(chunks).max(1) as f64 / 1.02);
    let leading = |i: usize| {
        matches!(
            request.roles.get(i),
            Some(AxisRole::Time | AxisRole::Channel)
        )
    };
    let candidate = |i: usize| -> Option<Vec<u64>> {
        let count = shape[i].div_ceil(chunks[i]);
        if count <= 1 {
            return None;
        }
        let n = ((count as f64 / (over * 1.02)).floor() as u64).clamp(1, count - 1);
        let mut next = chunks.to_vec();
        next[i] = shape[i].div_ceil(n);
        if bytes(&next) > t.chunk_max_bytes {
            let j = (0..next.len())
                .filter(|&j| j != i && !leading(j) && next[j] > 1)
                .max_by_key(|&j| next[j])?;
            let others = bytes(&next) / next[j];
            next[j] = (t.chunk_max_bytes / others.max(1)).max(1);
        }
        (bytes(&next) <= t.chunk_max_bytes && crate::model::grid_count(shape, &next) < total)
            .then_some(next)
    };
    let best = [false, true].into_iter().find_map(|leading_too| {
        (0..chunks.len())
            .filter(|&i| leading(i) == leading_too)
            .filter_map(candidate)
            .min_by_key(|next| crate::model::grid_count(shape, next))
    });
    let Some(next) = best else {
        return false;
    };
    chunks.copy_from_slice(&next);
    true
}

/// Too many files along axis `i`: whole extents that leave at most `max-files-per-dir` along
/// it; the longest other axis gives way when that passes the ceiling.
fn uncrowd(request: &LayoutRequest<'_>, chunks: &mut [u64], i: usize) -> bool {
    let t = request.thresholds;
    let shape = request.shape;
    let n = t.max_files_per_dir.max(1);
    chunks[i] = shape[i].div_ceil(shape[i].div_ceil(shape[i].div_ceil(n)));
    let bytes = chunk_bytes(request, chunks);
    if bytes > t.chunk_max_bytes {
        let Some(j) = (0..chunks.len())
            .filter(|&j| j != i && chunks[j] > 1)
            .max_by_key(|&j| chunks[j])
        else {
            return false;
        };
        let others = bytes / chunks[j];
        chunks[j] = (t.chunk_max_bytes / others.max(1)).max(1);
    }
    true
}

/// Spatial extents too unequal for volume access: doubles the shortest split spatial axis if
/// the ceiling allows, else halves the longest.
fn less_elongated(request: &LayoutRequest<'_>, chunks: &mut [u64]) -> bool {
    let shape = request.shape;
    let bytes = chunk_bytes(request, chunks);
    let spatial = (0..chunks.len()).filter(|&i| request.roles.get(i) == Some(&AxisRole::Space));
    let split: Vec<usize> = spatial.clone().filter(|&i| chunks[i] < shape[i]).collect();
    let shortest = split.iter().copied().min_by_key(|&i| chunks[i]);
    let longest = spatial.max_by_key(|&i| chunks[i].min(shape[i]));
    match (shortest, longest) {
        (Some(i), _)
            if (bytes / chunks[i]).saturating_mul(chunks[i].saturating_mul(2).min(shape[i]))
                <= request.thresholds.chunk_max_bytes =>
        {
            chunks[i] = chunks[i].saturating_mul(2).min(shape[i]);
        }
        (_, Some(i)) => chunks[i] = chunks[i].min(shape[i]).div_ceil(2),
        _ => return false,
    }
    true
}

/// Too much edge padding: balances the most wasteful axis (same chunk count, least padding);
/// once balanced, takes the most wasteful axis whole if the chunk may grow so far.
fn less_padding(request: &LayoutRequest<'_>, chunks: &mut [u64]) -> bool {
    let shape = request.shape;
    let waste = |i: usize| {
        let n = shape[i].div_ceil(chunks[i]);
        (n as f64 * chunks[i] as f64 - shape[i] as f64) / (n as f64 * chunks[i] as f64)
    };
    let balanced = |i: usize| shape[i].div_ceil(shape[i].div_ceil(chunks[i]));
    let worst = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.max_by(|&a, &b| waste(a).total_cmp(&waste(b)))
    };
    if let Some(i) = worst(&mut (0..chunks.len()).filter(|&i| balanced(i) < chunks[i])) {
        chunks[i] = balanced(i);
        return true;
    }
    let bytes = chunk_bytes(request, chunks);
    let whole_fits = |i: usize| {
        (bytes / chunks[i]).saturating_mul(shape[i]) <= request.thresholds.chunk_max_bytes
    };
    let padded =
        (0..chunks.len()).filter(|&i| !shape[i].is_multiple_of(chunks[i]) && whole_fits(i));
    let Some(i) = worst(&mut padded.into_iter()) else {
        return false;
    };
    chunks[i] = shape[i];
    true
}
