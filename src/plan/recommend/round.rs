//! Extents a person would choose: after the planner has settled a chunk, each split axis moves to
//! the nearest extent that divides the axis or is a round size (a power of two, or a multiple
//! of 64), as long as the chunk stays settled and keeps its alignment with the stored chunks.
//! `recommend((512, 2048, 2048), "uint16")` so gives 256³, not 256×322×322.

use super::LayoutRequest;
use super::settle::problem;

/// How far (as a factor, either way) an extent may move to become a nicer one.
const REACH: u64 = 2;

/// The most candidates of one kind looked at per axis (a huge axis is not searched through).
const MAX_CANDIDATES: u64 = 4096;

/// How much less an extent is liked than one that divides the axis and is a power of two, in
/// units of the natural logarithm of the distance moved: a divisor that is a multiple of 64 is
/// nearly as good, a divisor alone or a power of two alone are worth moving some way for, a
/// multiple of 64 alone a little, and an extent that is none of these is last.
fn penalty(extent: u64, axis: u64) -> f64 {
    let divides = axis.is_multiple_of(extent);
    match (divides, extent.is_power_of_two(), extent.is_multiple_of(64)) {
        (true, true, _) => 0.0,
        (true, false, true) => 0.05,
        (true, false, false) => 0.15,
        (false, true, _) => 0.25,
        (false, false, true) => 0.4,
        (false, false, false) => 1.0,
    }
}

/// Whether `extent` divides `axis` or is a round size.
#[must_use]
pub fn is_round_or_divides(extent: u64, axis: u64) -> bool {
    extent >= 1 && penalty(extent, axis) < 1.0
}

/// Moves each axis of `chunks` that `free` marks, and that is split, to the best-liked extent
/// within a factor [`REACH`] of it (see [`penalty`]) that leaves the chunk no less settled than
/// before and, where the chunk was aligned with the stored one (a multiple or a divisor of it),
/// keeps that alignment. Axes that `powers` marks (spatial axes for viewers) take powers of two
/// only, or the whole axis.
pub(super) fn round_extents(
    request: &LayoutRequest<'_>,
    chunks: &mut [u64],
    free: &[bool],
    powers: &[bool],
) {
    let shape = request.shape;
    let current = request
        .current
        .as_ref()
        .map(|l| l.chunks.as_slice())
        .filter(|c| c.len() == chunks.len());
    let settled = problem(request, chunks).is_none();
    for i in 0..chunks.len() {
        let c = chunks[i];
        if !free[i] || c <= 1 || c >= shape[i] {
            continue;
        }
        let aligned_with = current
            .map(|cur| cur[i].max(1))
            .filter(|&cur| aligns(c, cur));
        let mut ranked: Vec<(f64, u64)> = candidates(c, shape[i])
            .filter(|&d| aligned_with.is_none_or(|cur| aligns(d, cur)))
            .filter(|&d| !powers[i] || d.is_power_of_two() || d == c || d == shape[i])
            .map(|d| {
                let moved = (d as f64 / c as f64).ln().abs();
                (moved + penalty(d, shape[i]), d)
            })
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, d) in ranked {
            chunks[i] = d;
            if d == c || !settled || problem(request, chunks).is_none() {
                break;
            }
            chunks[i] = c;
        }
    }
}

/// Whether one of `a` and `b` is a whole multiple of the other.
fn aligns(a: u64, b: u64) -> bool {
    a.is_multiple_of(b) || b.is_multiple_of(a)
}

/// The extents within a factor [`REACH`] of `c` (and at most `axis`) that divide the axis or
/// are round, with `c` itself and the whole axis.
fn candidates(c: u64, axis: u64) -> impl Iterator<Item = u64> {
    let low = c.div_ceil(REACH).max(1);
    let high = c.saturating_mul(REACH).min(axis);
    let powers = (0..64)
        .map(|p| 1u64 << p)
        .filter(move |&d| (low..=high).contains(&d));
    let (first, last) = if (high / 64).saturating_sub(low / 64) <= MAX_CANDIDATES {
        (low.div_ceil(64).max(1), high / 64)
    } else {
        (1, 0)
    };
    let sixty_fours = (first..=last).map(|k| k * 64);
    // Divisors, found from the chunk counts they give when that range is small enough.
    let (few, many) = (axis.div_ceil(high).max(1), axis / low);
    let (few, many) = if many.saturating_sub(few) <= MAX_CANDIDATES {
        (few, many)
    } else {
        (1, 0)
    };
    let divisors = (few..=many)
        .filter(move |&n| axis.is_multiple_of(n))
        .map(move |n| axis / n)
        .filter(move |&d| (low..=high).contains(&d));
    let whole = (axis <= high).then_some(axis);
    std::iter::once(c)
        .chain(powers)
        .chain(sixty_fours)
        .chain(divisors)
        .chain(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisors_and_powers_of_two_are_liked_best() {
        assert!(penalty(256, 2048) < penalty(384, 2304));
        assert!(penalty(384, 2304) < penalty(500, 1000));
        assert!(penalty(500, 1000) < penalty(512, 1000));
        assert!(penalty(512, 1000) < penalty(320, 2048));
        assert!(is_round_or_divides(320, 2048));
        assert!(is_round_or_divides(125, 1000));
        assert!(!is_round_or_divides(322, 2048));
    }

    #[test]
    fn candidates_lie_within_reach() {
        let found: Vec<u64> = candidates(322, 2048).collect();
        assert!(found.contains(&256) && found.contains(&512) && found.contains(&320));
        assert!(found.iter().all(|&d| (161..=644).contains(&d)), "{found:?}");
        // The whole axis, when it is within reach.
        assert!(candidates(600, 1000).any(|d| d == 1000));
        // A huge axis is not searched through for divisors, but still gets round sizes.
        assert!(candidates(1 << 40, u64::MAX).any(|d| d == 1 << 40));
    }
}
